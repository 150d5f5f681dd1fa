package browser

import (
	"slices"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/observe"
)

// Depth 0 is the start page only (and, with a login, the start page and the
// page the login ends on again), not "the default": callers set the default.
func TestCrawlDepthZero(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/")
	req.Depth = 0
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) != 1 || !strings.HasSuffix(got.Pages[0].URL, "/") {
		t.Errorf("depth 0: pages %v, want the start page only", pageURLs(got))
	}

	req.Login = flow(t, "login.yaml")
	req.Login.Logout = nil
	got, err = c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Login == nil || !got.Login.OK {
		t.Fatalf("Login = %+v", got.Login)
	}
	var pre, post []string
	for _, p := range got.Pages {
		if p.Phase == observe.PreLogin {
			pre = append(pre, p.URL)
		} else {
			post = append(post, p.URL)
		}
	}
	slices.Sort(post)
	if len(pre) != 1 || len(post) != 2 || post[0] != pre[0] || !strings.HasSuffix(post[1], "/account") {
		t.Errorf("depth 0 with a login: before %q, after %q; want the start page, then it and /account", pre, post)
	}
}

func pageURLs(c observe.Crawl) []string {
	var out []string
	for _, p := range c.Pages {
		out = append(out, p.URL)
	}
	return out
}
