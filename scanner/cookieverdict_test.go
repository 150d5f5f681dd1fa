package scanner_test

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// scanCookieCase scans the cookie-cases site under the name cookiescan.test
// (not loopback, so http:// is an insecure origin, as on a real host): the
// probe's HTTP chain starts at httpPath, its HTTPS chain at httpsPath.
func scanCookieCase(t *testing.T, s *fixtures.Site, httpsPath, httpPath string, mod func(*scanner.Options)) result.Report {
	t.Helper()
	target, _ := url.Parse(s.URL("https", fixtures.CaseHost, httpsPath))
	httpURL, _ := url.Parse(s.URL("http", fixtures.CaseHost, httpPath))
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, _ := net.SplitHostPort(addr)
		return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	opts := scanner.Options{Target: target, HTTPURL: httpURL, CAPEM: s.CAPEM, Timeout: 3 * time.Second, Version: "test", DialContext: dial}
	if mod != nil {
		mod(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := scanner.Run(ctx, opts)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return rep
}

func cookieRows(rep result.Report, name string) []result.Cookie {
	var out []result.Cookie
	for _, c := range rep.Cookies {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

func hasFinding(rep result.Report, rule, cookie string) bool {
	return slices.ContainsFunc(rep.Findings, func(f result.Finding) bool { return f.Rule == rule && f.Cookie == cookie })
}

// Cookies only the Go probe saw carry Chromium's verdict for the bytes
// from that URL (each case is one of the lines Chromium was asked about in
// browser.TestChromiumCookieOracle). Each row here was wrong before: a
// Secure cookie over http:// was "stored", a deletion was a live cookie,
// Max-Age=+60 a session cookie, the first of two lines won, a line with a
// control character was missing or stored, and Partitioned without Secure
// had a reason Chromium never gives.
func TestProbeCookiesAsChromiumDecides(t *testing.T) {
	s := startSite(t, "cookie-cases")
	for _, tc := range []struct {
		name, https, http, cookie string
		stored, deletion          bool
		reasons                   []string
		note                      string // substring
		check                     func(result.Cookie) bool
		rule                      string // a finding that must name the cookie
		notRule                   string // one that must not
	}{
		{name: "Secure over http", http: "/cc/set/http-secure/x", cookie: "ck_http_secure", reasons: []string{"SecureOnly"},
			rule: "cookie-rejected-by-browser", notRule: "cookie-set-over-http"},
		{name: "__Secure- over http", http: "/cc/set/http-secure-prefix/x", cookie: "__Secure-http", reasons: []string{"InvalidPrefix"},
			rule: "cookie-prefix-violation"},
		{name: "__Host- over http", http: "/cc/set/http-host-prefix/x", cookie: "__Host-http", reasons: []string{"InvalidPrefix"},
			rule: "cookie-prefix-violation"},
		{name: "plain over http", http: "/cc/set/http-plain/x", cookie: "ck_http_plain", stored: true, rule: "cookie-set-over-http"},
		{name: "Max-Age=0", https: "/cc/set/ma-zero/x", cookie: "ck_ma_zero", deletion: true, note: "deletes", notRule: "cookie-missing-secure"},
		{name: "Max-Age negative", https: "/cc/set/ma-neg/x", cookie: "ck_ma_neg", deletion: true},
		{name: "Expires in 1970 (two-digit year)", https: "/cc/set/exp-70/x", cookie: "ck_exp_70", deletion: true},
		{name: "Max-Age=+60", https: "/cc/set/ma-plus/x", cookie: "ck_maplus", stored: true,
			check: func(c result.Cookie) bool { return !c.Session && c.MaxAge != nil && *c.MaxAge == 60 }},
		{name: "the last Max-Age wins", https: "/cc/set/ma-last/x", cookie: "ck_ma_last", stored: true,
			check: func(c result.Cookie) bool { return c.Session && c.MaxAge == nil }},
		{name: "two lines, the last wins", https: "/cc/set/twice/x", cookie: "ck_twice", stored: true,
			check: func(c result.Cookie) bool { return c.Secure && !c.HTTPOnly }},
		{name: "SOH", https: "/cc/set/ctl-soh/x", cookie: "ck_soh", reasons: []string{"DisallowedCharacter"}, rule: "cookie-rejected-by-browser"},
		{name: "TAB inside the value", https: "/cc/set/ctl-tab/x", cookie: "ck_tab", reasons: []string{"DisallowedCharacter"}},
		{name: "Partitioned without Secure", https: "/cc/set/part-insecure/x", cookie: "ck_part_insec", note: "Partitioned requires Secure",
			rule: "cookie-partitioned-insecure"},
		{name: "invalid SameSite is Chromium's default", https: "/cc/set/ss-invalid/x", cookie: "ck_ss_bad", stored: true,
			check: func(c result.Cookie) bool { return c.SameSite == "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			https, http := tc.https, tc.http
			if https == "" {
				https = "/cc/done"
			}
			if http == "" {
				http = "/cc/done"
			}
			rep := scanCookieCase(t, s, https, http, nil)
			rows := cookieRows(rep, tc.cookie)
			if len(rows) != 1 {
				t.Fatalf("%d rows for %s, want 1: %+v", len(rows), tc.cookie, rep.Cookies)
			}
			c := rows[0]
			if c.Stored != tc.stored || c.Deletion != tc.deletion || !slices.Equal(c.BlockedReasons, append([]string{}, tc.reasons...)) {
				t.Errorf("stored %v deletion %v blockedReasons %q (note %q); want %v %v %q", c.Stored, c.Deletion, c.BlockedReasons, c.Note, tc.stored, tc.deletion, tc.reasons)
			}
			if !strings.Contains(c.Note, tc.note) {
				t.Errorf("note %q, want it to say %q", c.Note, tc.note)
			}
			if tc.check != nil && !tc.check(c) {
				t.Errorf("row %+v", c)
			}
			if tc.rule != "" && !hasFinding(rep, tc.rule, tc.cookie) {
				t.Errorf("no %s finding for %s: %+v", tc.rule, tc.cookie, rep.Findings)
			}
			if tc.notRule != "" && hasFinding(rep, tc.notRule, tc.cookie) {
				t.Errorf("a %s finding for %s", tc.notRule, tc.cookie)
			}
		})
	}
}

// A script write Chromium refuses is a row (it used to be invisible, since
// only the store was read), with its finding; a script cookie's maxAge is
// what the script asked for, not the store's 400-day cap.
func TestScriptWritesAreRows(t *testing.T) {
	s := startSite(t, "cookie-cases")
	page := s.URL("https", fixtures.CaseHost, "/cc/page")
	at := time.Now()
	w := func(v string) observe.ScriptWrite {
		return observe.ScriptWrite{API: "document.cookie", Value: v, PageURL: page, FrameURL: page, Phase: result.PhasePreLogin, At: at}
	}
	crawl := fakeCrawler{
		ScriptWrites: []observe.ScriptWrite{w("x=1; HttpOnly"), w("y=1; SameSite=None"), w("pref=1; Max-Age=63072000")},
		// What the store showed: only pref, with Chromium's capped expiry.
		ScriptCookies: []observe.ScriptCookie{{Cookie: observe.StoredCookie{Name: "pref", Value: "1", Domain: fixtures.CaseHost, Path: "/cc",
			Expires: at.Add(400 * 24 * time.Hour)}, PageURL: page, Phase: result.PhasePreLogin}},
	}
	rep := scanCookieCase(t, s, "/cc/done", "/cc/done", func(o *scanner.Options) { o.Crawler = crawl })
	for _, tc := range []struct {
		name    string
		stored  bool
		reasons []string
		note    string
		rule    string
	}{
		{"x", false, nil, "HttpOnly", "cookie-rejected-by-browser"},
		{"y", false, []string{"SameSiteNoneInsecure"}, "", "cookie-samesite-none-insecure"},
		{"pref", true, nil, "400 days", "cookie-lifetime-over-400d"},
	} {
		rows := cookieRows(rep, tc.name)
		if len(rows) != 1 {
			t.Errorf("%s: %d rows, want 1: %+v", tc.name, len(rows), rows)
			continue
		}
		c := rows[0]
		if c.SetBy != result.SetByScript || c.Stored != tc.stored || !slices.Equal(c.BlockedReasons, append([]string{}, tc.reasons...)) || !strings.Contains(c.Note, tc.note) {
			t.Errorf("%s: setBy %s stored %v reasons %q note %q", tc.name, c.SetBy, c.Stored, c.BlockedReasons, c.Note)
		}
		if !hasFinding(rep, tc.rule, tc.name) {
			t.Errorf("%s: no %s finding", tc.name, tc.rule)
		}
	}
	if rows := cookieRows(rep, "pref"); len(rows) == 1 && (rows[0].MaxAge == nil || *rows[0].MaxAge != 63072000) {
		t.Errorf("pref maxAge %v, want what the script asked (63072000)", rows[0].MaxAge)
	}
}

// What Chromium reported for a line it saw overrides the model.
func TestBrowserReasonsWin(t *testing.T) {
	s := startSite(t, "cookie-cases")
	u := s.URL("https", fixtures.CaseHost, "/cc/x")
	crawl := fakeCrawler{Responses: []observe.Response{{URL: u, Type: "Document", Status: 200, Phase: result.PhasePreLogin, Date: time.Now(),
		SetCookies: []string{"a=1; Secure", "b=1; Secure"},
		Blocked:    []observe.Blocked{{Line: "a=1; Secure", Reasons: []string{"OverwriteSecure"}}}}}}
	rep := scanCookieCase(t, s, "/cc/done", "/cc/done", func(o *scanner.Options) { o.Crawler = crawl })
	a, b := cookieRows(rep, "a"), cookieRows(rep, "b")
	if len(a) != 1 || a[0].Stored || !slices.Equal(a[0].BlockedReasons, []string{"OverwriteSecure"}) {
		t.Errorf("a: %+v", a)
	}
	if len(b) != 1 || !b[0].Stored || len(b[0].BlockedReasons) != 0 {
		t.Errorf("b: %+v", b)
	}
	if !hasFinding(rep, "cookie-rejected-by-browser", "a") {
		t.Errorf("no cookie-rejected-by-browser for a: %+v", rep.Findings)
	}
}
