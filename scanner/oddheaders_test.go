package scanner_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner"
)

// A site whose responses carry a header line Go's client refuses but
// browsers load (an ESC byte here) is scanned, not "unreachable": each hop
// says what was odd, and the rest is judged as usual.
func TestOddHeaderBytesScanned(t *testing.T) {
	rep, err := scan(t, startSite(t, "header-bytes"), nil)
	if errors.Is(err, scanner.ErrUnreachable) || err != nil {
		t.Fatalf("scan: %v", err)
	}
	if len(rep.Redirect.Hops) != 2 || !rep.Redirect.UpgradedToHTTPS || len(rep.HTTPS.Hops) != 1 {
		t.Fatalf("redirect %+v, https %+v", rep.Redirect, rep.HTTPS)
	}
	for _, h := range append(rep.Redirect.Hops, rep.HTTPS.Hops...) {
		if h.Error != "" || !strings.Contains(h.Note, `X-Debug holds the control character \x1b`) {
			t.Errorf("hop %s: error %q, note %q", h.URL, h.Error, h.Note)
		}
	}
	if _, grade, _ := rep.Graded(); !rep.HSTS.Valid || len(rep.Cookies) != 1 || grade != "A+" {
		t.Errorf("HSTS %+v, cookies %d, grade %q: want the hardened page judged", rep.HSTS, len(rep.Cookies), grade)
	}
}
