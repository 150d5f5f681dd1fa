package scanner_test

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// An invalid header states no policy: Chromium ignores it, so maxAge is null
// and includeSubDomains and preload are false; what the header said is in
// raw and directives (issue 10: maxAge carried the parsed 100).
func TestInvalidHSTSStatesNoPolicy(t *testing.T) {
	s := startSite(t, "hsts-echo")
	for _, tc := range []struct {
		header string
		names  []string
	}{
		{"max-age=100; max-age=200; includeSubDomains; preload", []string{"max-age", "max-age", "includeSubDomains", "preload"}},
		{"max-age=100 junk; includeSubDomains", []string{"max-age", "includeSubDomains"}},
		{"includeSubDomains; preload", []string{"includeSubDomains", "preload"}},
	} {
		target, _ := url.Parse(s.HTTPSURL + "hsts?v=" + url.QueryEscape(tc.header))
		rep, err := scan(t, s, func(o *scanner.Options) { o.Target, o.NoHTTP = target, true })
		if err != nil {
			t.Fatal(err)
		}
		h := rep.HSTS
		if !h.Present || h.Valid || h.MaxAge != nil || h.IncludeSubDomains || h.Preload || h.Raw != tc.header {
			t.Errorf("%q: hsts %+v, want present, invalid, maxAge null, includeSubDomains and preload false", tc.header, h)
		}
		var names []string
		for _, d := range h.Directives {
			names = append(names, d.Name)
		}
		if strings.Join(names, ",") != strings.Join(tc.names, ",") {
			t.Errorf("%q: directives %+v, want %q", tc.header, h.Directives, tc.names)
		}
		if len(h.Responses) != 1 || h.Responses[0].MaxAge != nil || h.Responses[0].Valid || h.Responses[0].IncludeSubDomains {
			t.Errorf("%q: responses %+v, want one without a policy", tc.header, h.Responses)
		}
	}

	// A valid header: the policy Chromium keeps, max-age capped at one year.
	target, _ := url.Parse(s.HTTPSURL + "hsts?v=" + url.QueryEscape("max-age=63072000; includeSubDomains; preload"))
	rep, err := scan(t, s, func(o *scanner.Options) { o.Target, o.NoHTTP = target, true })
	if err != nil {
		t.Fatal(err)
	}
	h := rep.HSTS
	if !h.Valid || h.MaxAge == nil || *h.MaxAge != 31536000 || !h.IncludeSubDomains || !h.Preload ||
		len(h.Directives) != 3 || h.Directives[0] != (result.HSTSDirective{Name: "max-age", Value: "63072000"}) {
		t.Errorf("valid header: %+v", h)
	}
}

// http://cookiescan.test/ redirects to https://www.cookiescan.test/, which
// sends max-age=abc, while https://cookiescan.test/ is hardened: the www
// host's header is judged too, and the finding names its URL (issue 10).
func TestHSTSOfTheHostHTTPLandsOn(t *testing.T) {
	s := startSite(t, "hsts-www")
	hu, _ := url.Parse(s.HTTPURL)
	su, _ := url.Parse(s.HTTPSURL)
	target, _ := url.Parse("https://cookiescan.test:" + su.Port() + "/")
	httpURL, _ := url.Parse("http://cookiescan.test:" + hu.Port() + "/")
	www := "https://www.cookiescan.test:" + su.Port() + "/"
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Target, o.HTTPURL = target, httpURL
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, _ := net.SplitHostPort(addr)
			var d net.Dialer
			return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var invalid []result.Finding
	for _, f := range rep.Findings {
		if f.Rule == "hsts-invalid" {
			invalid = append(invalid, f)
		}
	}
	if len(invalid) != 1 || invalid[0].URL != www || !strings.Contains(invalid[0].Detail, www) {
		t.Fatalf("hsts-invalid findings %+v, want one naming %s", invalid, www)
	}
	if !rep.HSTS.Valid || rep.Redirect.FinalURL != www {
		t.Errorf("the target's own verdict %+v / final %s", rep.HSTS, rep.Redirect.FinalURL)
	}
	found := false
	for _, r := range rep.HSTS.Responses {
		if r.URL == www {
			found = true
			if r.Valid || r.MaxAge != nil || r.Raw != "max-age=abc" {
				t.Errorf("www response %+v, want invalid without a policy", r)
			}
		}
	}
	if !found {
		t.Errorf("no HSTS response for %s: %+v", www, rep.HSTS.Responses)
	}
}

// A host the crawl lands on (here localhost beside 127.0.0.1) is listed
// among the HSTS responses with its own policy, and judged.
func TestHSTSOfCrawledHosts(t *testing.T) {
	s := startSite(t, "hardened")
	su, _ := url.Parse(s.HTTPSURL)
	other := "https://localhost:" + su.Port() + "/shop"
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Crawler = fakeCrawler{Pages: []observe.Page{{URL: s.HTTPSURL, FinalURL: s.HTTPSURL, Status: 200, Phase: result.PhasePreLogin}},
			Responses: []observe.Response{
				{URL: s.HTTPSURL, Type: "Document", Status: 200, Phase: result.PhasePreLogin, HSTS: []string{"max-age=63072000; includeSubDomains"}},
				{URL: other, Type: "Document", Status: 200, Phase: result.PhasePreLogin, HSTS: []string{"max-age=100; max-age=100"}},
			}}
	})
	if err != nil {
		t.Fatal(err)
	}
	var listed *result.HSTSResponse
	for i, r := range rep.HSTS.Responses {
		if r.URL == other {
			listed = &rep.HSTS.Responses[i]
		}
	}
	if listed == nil || !listed.Present || listed.Valid || listed.MaxAge != nil || len(listed.Directives) != 2 {
		t.Errorf("crawled host's response %+v in %+v", listed, rep.HSTS.Responses)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || (f.Rule == "hsts-invalid" && f.URL == other)
	}
	if !found {
		t.Errorf("no hsts-invalid at %s: %+v", other, rep.Findings)
	}
}

// A cookie row says which behaviour made it session-like, not a generic
// "rotated at login or removed at logout".
func TestSessionSignalOfARow(t *testing.T) {
	s := startSite(t, "hardened")
	u := s.HTTPSURL
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Crawler = fakeCrawler{Pages: []observe.Page{{URL: u, FinalURL: u, Status: 200, Phase: result.PhasePreLogin}},
			Login: &observe.LoginResult{OK: true, FinalURL: u + "account"},
			Responses: []observe.Response{{URL: u + "login", Type: "Document", Status: 302, Redirect: true, Phase: result.PhaseLogin,
				SetCookies: []string{"cart=c7Kq9ZpLw2Xr; Path=/; Secure; HttpOnly; SameSite=Lax"}}},
			Stored: map[string][]observe.StoredCookie{
				observe.PreLogin:  {{Name: "cart", Value: "a3Vx8NqR1mTe", Domain: "127.0.0.1", Path: "/"}},
				observe.PostLogin: {{Name: "cart", Value: "c7Kq9ZpLw2Xr", Domain: "127.0.0.1", Path: "/"}}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Cookies {
		if c.Name == "cart" && c.Phase == result.PhaseLogin {
			if !c.SessionLike || !strings.HasPrefix(c.SessionSignal, "rotated at login") {
				t.Errorf("cart: sessionLike %v signal %q", c.SessionLike, c.SessionSignal)
			}
			return
		}
	}
	t.Errorf("no login row for cart: %+v", rep.Cookies)
}
