package diff

import (
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// A deletion row or a refused line of the same cookie is not the cookie:
// listed first, it must not read as the live cookie losing its flags.
func TestDeletionAndRefusedRowsAreNotCompared(t *testing.T) {
	zero := int64(0)
	n := base()
	n.Cookies = append([]result.Cookie{
		{Name: "sid", Domain: "a.test", Path: "/", MaxAge: &zero, Deletion: true, BlockedReasons: []string{}},
		{Name: "sid", Domain: "a.test", Path: "/", SameSite: "None", BlockedReasons: []string{"SameSiteNoneInsecure"}},
	}, n.Cookies...)
	if d := Compare(base(), n); d.Worse() || !d.Empty() {
		t.Errorf("changes %q", kinds(d))
	}
}
