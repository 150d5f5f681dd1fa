package rules

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
)

var crawlNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func crawlRules(c observe.Crawl) map[string]result.Severity {
	target, _ := url.Parse("https://app.test/")
	m := map[string]result.Severity{}
	for _, f := range CrawlFindings(c, target, false, crawlNow) {
		if f.Severity > m[f.Rule+"/"+f.Cookie] {
			m[f.Rule+"/"+f.Cookie] = f.Severity
		}
	}
	return m
}

func store(kv ...string) []observe.StoredCookie {
	var out []observe.StoredCookie
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, observe.StoredCookie{Name: kv[i], Value: kv[i+1], Domain: "app.test", Path: "/", Session: true})
	}
	return out
}

func resp(phase, u string, lines ...string) observe.Response {
	return observe.Response{URL: u, Type: "Document", Status: 200, Phase: phase, Date: crawlNow, SetCookies: lines}
}

func TestSessionRotation(t *testing.T) {
	const sid = "0123456789abcdef0123456789abcdef"
	cases := map[string]struct {
		c    observe.Crawl
		fire bool
	}{
		"same value, nothing new at login": {observe.Crawl{
			Login:  &observe.LoginResult{OK: true, FinalURL: "https://app.test/account"},
			Stored: map[string][]observe.StoredCookie{observe.PreLogin: store("sessionid", sid), observe.PostLogin: store("sessionid", sid)},
		}, true},
		"same value, only a remember-me cookie at login": {observe.Crawl{
			Login:     &observe.LoginResult{OK: true},
			Responses: []observe.Response{resp(observe.Login, "https://app.test/login", "remember_me=abc; Secure")},
			Stored:    map[string][]observe.StoredCookie{observe.PreLogin: store("sessionid", sid), observe.PostLogin: store("sessionid", sid, "remember_me", "abc")},
		}, true},
		"rotated": {observe.Crawl{
			Login:  &observe.LoginResult{OK: true},
			Stored: map[string][]observe.StoredCookie{observe.PreLogin: store("sessionid", sid), observe.PostLogin: store("sessionid", "ffff"+sid[4:])},
		}, false},
		"a new auth cookie issued at login": {observe.Crawl{
			Login:     &observe.LoginResult{OK: true},
			Responses: []observe.Response{resp(observe.Login, "https://app.test/login", "auth_token=xyz; Secure; HttpOnly")},
			Stored:    map[string][]observe.StoredCookie{observe.PreLogin: store("sessionid", sid), observe.PostLogin: store("sessionid", sid, "auth_token", "xyz")},
		}, true}, // per cookie (issue 10): sessionid is left behind, at medium (TestRotationPerCookie)
		"login failed": {observe.Crawl{
			Login:  &observe.LoginResult{OK: false},
			Stored: map[string][]observe.StoredCookie{observe.PreLogin: store("sessionid", sid), observe.PostLogin: store("sessionid", sid)},
		}, false},
		"not session-like": {observe.Crawl{
			Login:  &observe.LoginResult{OK: true},
			Stored: map[string][]observe.StoredCookie{observe.PreLogin: store("theme", "dark"), observe.PostLogin: store("theme", "dark")},
		}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := crawlRules(tc.c)
			_, fired := got["session-not-rotated-on-login/sessionid"]
			if fired != tc.fire {
				t.Errorf("fired %v, want %v: %v", fired, tc.fire, got)
			}
		})
	}
}

func TestSentOverHTTP(t *testing.T) {
	c := observe.Crawl{
		HTTPProof: &observe.HTTPProof{URL: "http://app.test/", Attached: []string{"sessionid", "theme"}},
		Stored:    map[string][]observe.StoredCookie{observe.PreLogin: store("sessionid", "x", "theme", "dark", "__Host-sid", "y")},
	}
	got := crawlRules(c)
	if got["cookie-sent-over-http/sessionid"] != result.SeverityHigh || got["cookie-sent-over-http/theme"] != result.SeverityLow {
		t.Errorf("got %v", got)
	}
	if _, ok := got["cookie-sent-over-http/__Host-sid"]; ok {
		t.Error("a cookie not attached must not fire")
	}
	c.HTTPProof.Error = "net::ERR_CONNECTION_REFUSED"
	if got := crawlRules(c); len(got) != 0 {
		t.Errorf("no proof, no finding: %v", got)
	}
}

func TestBlockedCookies(t *testing.T) {
	r := resp(observe.PreLogin, "https://app.test/", "tp=1; SameSite=None; Secure", "ow=1", "embed=1; SameSite=None")
	r.Blocked = []observe.Blocked{
		{Line: "tp=1; SameSite=None; Secure", Reasons: []string{"ThirdPartyPhaseout"}},
		{Line: "ow=1", Reasons: []string{"OverwriteSecure"}},
		{Line: "embed=1; SameSite=None", Reasons: []string{"SameSiteNoneInsecure"}},
	}
	got := crawlRules(observe.Crawl{Responses: []observe.Response{r}})
	if _, ok := got["cookie-samesite-none/tp"]; ok {
		t.Error("a cookie blocked by browser policy is not a site defect")
	}
	if got["cookie-rejected-by-browser/ow"] != result.SeverityLow {
		t.Errorf("OverwriteSecure should be reported: %v", got)
	}
	if got["cookie-samesite-none-insecure/embed"] != result.SeverityMedium {
		t.Errorf("SameSiteNoneInsecure should be explained by its own rule: %v", got)
	}
	if _, ok := got["cookie-rejected-by-browser/embed"]; ok {
		t.Error("covered reasons must not be reported twice")
	}
}

func TestHSTSConsistencyAndNavigation(t *testing.T) {
	a := resp(observe.PreLogin, "https://app.test/")
	a.HSTS = []string{"max-age=63072000"}
	b := resp(observe.PreLogin, "https://app.test/b")
	same := resp(observe.PreLogin, "https://app.test/c")
	same.HSTS = a.HSTS
	c := observe.Crawl{Responses: []observe.Response{a, same}}
	if _, ok := crawlRules(c)["hsts-inconsistent/"]; ok {
		t.Error("equal headers are consistent")
	}
	c.Responses = append(c.Responses, b)
	if crawlRules(c)["hsts-inconsistent/"] != result.SeverityLow {
		t.Error("a page without HSTS among pages with it is inconsistent")
	}
	c = observe.Crawl{Pages: []observe.Page{
		{URL: "https://app.test/old", Hops: []observe.Hop{{URL: "https://app.test/old", Status: 301, Location: "http://app.test/new"}}},
		{URL: "https://app.test/loop", Error: "net::ERR_TOO_MANY_REDIRECTS"},
		{URL: "https://app.test/fine", Hops: []observe.Hop{{URL: "https://app.test/fine", Status: 302, Location: "/there"}}},
		{URL: "https://app.test/x;jsessionid=ABCDEF0123456789"},
	}}
	got := crawlRules(c)
	if got["redirect-https-downgrade/"] != result.SeverityHigh || got["redirect-loop/"] != result.SeverityMedium || got["session-id-in-url/"] != result.SeverityMedium {
		t.Errorf("got %v", got)
	}
}

// A cookie written by script is fixed in the script: its findings carry the
// document.cookie line, and only the HttpOnly one says script cannot set it.
func TestScriptCookieFixes(t *testing.T) {
	target, _ := url.Parse("https://app.test/")
	c := observe.Crawl{ScriptCookies: []observe.ScriptCookie{{
		Cookie:  observe.StoredCookie{Name: "theme", Value: "dark", Domain: "app.test", Path: "/", Session: true},
		PageURL: "https://app.test/theme", Phase: observe.PreLogin}},
		HTTPProof: &observe.HTTPProof{URL: "http://app.test/", Attached: []string{"theme"}}}
	seen := map[string]bool{}
	for _, f := range CrawlFindings(c, target, false, crawlNow) {
		seen[f.Rule] = true
		switch f.Rule {
		case "cookie-missing-secure", "cookie-missing-samesite", "cookie-sent-over-http":
			if f.Remediation.Framework != ScriptFramework || f.Remediation.Fix != `document.cookie = "theme=…; path=/; Secure; SameSite=Lax"` {
				t.Errorf("%s: remediation %+v", f.Rule, f.Remediation)
			}
		case "cookie-missing-httponly":
			if f.Remediation.Framework != ScriptFramework || !strings.Contains(f.Remediation.Fix, "script cannot set HttpOnly") {
				t.Errorf("%s: remediation %+v", f.Rule, f.Remediation)
			}
		}
	}
	if !seen["cookie-missing-secure"] || !seen["cookie-sent-over-http"] {
		t.Errorf("no cookie-missing-secure finding: %v", seen)
	}
}

// TestSuppliedCookiesAreNotTheSites: a cookie the operator gave with --cookie
// is not judged as the site's (exposure, rotation, logout), unless the site
// has overwritten it with a value of its own.
func TestSuppliedCookiesAreNotTheSites(t *testing.T) {
	const sid = "0123456789abcdef0123456789abcdef"
	supplied := []observe.StoredCookie{{Name: "sessionid", Value: sid}}
	c := observe.Crawl{
		Supplied:  supplied,
		HTTPProof: &observe.HTTPProof{URL: "http://app.test/", Attached: []string{"sessionid"}},
		Login:     &observe.LoginResult{OK: true, FinalURL: "https://app.test/account"},
		Logout:    &observe.LogoutResult{OK: true},
		Stored: map[string][]observe.StoredCookie{
			observe.PreLogin: store("sessionid", sid), observe.PostLogin: store("sessionid", sid), "logout": store("sessionid", sid),
		},
	}
	for _, rule := range []string{"cookie-sent-over-http", "session-not-rotated-on-login", "session-cookie-not-cleared-on-logout"} {
		if _, ok := crawlRules(c)[rule+"/sessionid"]; ok {
			t.Errorf("%s fired for the operator's own cookie", rule)
		}
	}
	// Without the mark, the same crawl is the site's session: every rule fires.
	c.Supplied = nil
	for _, rule := range []string{"cookie-sent-over-http", "session-not-rotated-on-login", "session-cookie-not-cleared-on-logout"} {
		if _, ok := crawlRules(c)[rule+"/sessionid"]; !ok {
			t.Errorf("%s did not fire for the site's cookie", rule)
		}
	}
	// The site overwrote the supplied value: now it is the site's cookie.
	c.Supplied = []observe.StoredCookie{{Name: "sessionid", Value: "operator-value"}}
	if _, ok := crawlRules(c)["cookie-sent-over-http/sessionid"]; !ok {
		t.Error("a cookie the site overwrote is the site's")
	}
}

// TestProofUnderHSTS: a cookie the proof saw sent over plain HTTP weighs
// less where the target's HSTS policy is in force (a browser that got the
// cookie got the policy too), and not at all for another host.
func TestProofUnderHSTS(t *testing.T) {
	target, _ := url.Parse("https://app.test/")
	fs := []result.Finding{
		{Rule: "cookie-sent-over-http", Severity: result.SeverityHigh, URL: "http://app.test/"},
		{Rule: "cookie-sent-over-http", Severity: result.SeverityHigh, URL: "http://other.test/"},
		{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, URL: "http://app.test/"},
	}
	ProofUnderHSTS(fs, target, 0)
	if fs[0].Severity != result.SeverityHigh {
		t.Fatalf("without HSTS: %v, want high", fs[0].Severity)
	}
	ProofUnderHSTS(fs, target, 31536000)
	if fs[0].Severity != result.SeverityMedium || !strings.Contains(fs[0].Detail, "max-age=31536000") {
		t.Errorf("target host under HSTS: %v %q, want medium with the policy named", fs[0].Severity, fs[0].Detail)
	}
	if fs[1].Severity != result.SeverityHigh || fs[2].Severity != result.SeverityHigh {
		t.Errorf("other host or other rule changed: %v %v", fs[1].Severity, fs[2].Severity)
	}
}

// TestLoginDowngrade: a redirect to http:// made during the login steps (a
// form's POST answered with a 302 to http://) is a downgrade like a crawled
// link's; a subresource's redirect is not a navigation.
func TestLoginDowngrade(t *testing.T) {
	target, _ := url.Parse("https://app.test/")
	c := observe.Crawl{Responses: []observe.Response{
		{URL: "https://app.test/j_security_check", Status: 302, Redirect: true, MainFrame: true, Location: "http://app.test/index.jsp", Phase: observe.Login},
		{URL: "https://app.test/img", Status: 302, Redirect: true, Location: "http://cdn.test/x.png", Phase: observe.Login},
		{URL: "https://app.test/ok", Status: 302, Redirect: true, MainFrame: true, Location: "/home", Phase: observe.Login},
	}}
	var got []string
	for _, f := range CrawlFindings(c, target, false, crawlNow) {
		if f.Rule == "redirect-https-downgrade" {
			got = append(got, f.URL)
		}
	}
	if len(got) != 1 || got[0] != "https://app.test/j_security_check" {
		t.Errorf("downgrades = %q, want the login POST's only", got)
	}
}
