// Package reporttest holds what the report writers' tests share: a sample report
// with hostile site data, and golden-file comparison.
package reporttest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// sample is a fixed two-target report with hostile site data: HTML in a cookie
// name, a pipe, a newline, control characters, "]]>", Markdown in a detail, a
// terminal escape in a URL, and a rule ID this version does not know.
func Sample() []result.Report {
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	fortnight, year := int64(1209600), int64(31536000)

	shop := result.New("https://shop.example/", at, "1.4.0")
	shop.DurationMs = 4321
	shop.SetGrade(45, "C-")
	shop.Frameworks = []result.Framework{{Name: "django", Label: "Django", Evidence: []string{"cookie csrftoken"}}}
	shop.Cookies = []result.Cookie{
		{Name: "<img src=x onerror=alert(1)>", Domain: "shop.example", HostOnly: true, Path: "/", MaxAge: &fortnight,
			SetBy: "header", URL: "https://shop.example/", Phase: result.PhasePreLogin, Stored: true, SessionLike: true},
		{Name: "a|b", Domain: "shop.example", Path: "/", Secure: true, HTTPOnly: true, SameSite: "Lax", Session: true,
			SetBy: "header", URL: "https://shop.example/", Phase: result.PhasePostLogin, Stored: true},
		{Name: "line\nbreak", Domain: "shop.example", Path: "/", Secure: true, SameSite: "None", MaxAge: &year,
			SetBy: "script", URL: "https://shop.example/app", Phase: result.PhasePostLogin, Stored: true},
		{Name: "nul\x00]]>\x07", Domain: "shop.example", Path: "/", SameSite: "Strict", Session: true,
			SetBy: "header", URL: "https://shop.example/", Phase: result.PhasePreLogin, Stored: true},
	}
	shop.Findings = []result.Finding{
		{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Title: "Cookie without Secure",
			Detail: "The session-like cookie has no Secure attribute.", Cookie: "<img src=x onerror=alert(1)>",
			CookieClass: "session", URL: "https://shop.example/",
			URLs:     []string{"https://shop.example/", "https://shop.example/\x1b[31mred?q=a b"},
			Evidence: "Set-Cookie: <img src=x onerror=alert(1)>=a1b2…(32 chars); Max-Age=1209600",
			Remediation: result.Remediation{Generic: "Add the Secure attribute so the cookie is never sent over plain HTTP.",
				Framework: "django", Fix: "SESSION_COOKIE_SECURE = True"}, ScoreImpact: 40},
		{Rule: "cookie-missing-httponly", Severity: result.SeverityMedium, Title: "Cookie without HttpOnly",
			Detail: "*bold* [link](javascript:alert(1)) `code` | pipe", Cookie: "line\nbreak", URL: "https://shop.example/app",
			Evidence:    "document.cookie = \"line\\nbreak=…\"",
			Remediation: result.Remediation{Generic: "Add HttpOnly so scripts (and injected scripts) cannot read the cookie."}, ScoreImpact: 30},
		{Rule: "cookie-missing-samesite", Severity: result.SeverityLow, Title: "Cookie without SameSite",
			Cookie: "a|b", URL: "https://shop.example/", Evidence: "Set-Cookie: a|b=…; Secure; HttpOnly",
			Remediation: result.Remediation{Generic: "Set SameSite=Lax (or Strict) explicitly; only Chromium defaults to Lax.",
				Framework: "django", Fix: `SESSION_COOKIE_SAMESITE = "Lax"`}, ScoreImpact: 5},
		{Rule: "cookie-missing-samesite", Severity: result.SeverityInfo, Title: "Cookie without SameSite",
			Cookie: "nul\x00]]>\x07", URL: "https://shop.example/", Evidence: "Set-Cookie: nul\x00]]>\x07=…",
			Remediation: result.Remediation{Generic: "Set SameSite=Lax (or Strict) explicitly; only Chromium defaults to Lax."}},
		{Rule: "hsts-max-age-short", Severity: result.SeverityLow, Title: "HSTS max-age under 180 days",
			Detail: "max-age is 300 seconds.", URL: "https://shop.example/", Evidence: "Strict-Transport-Security: max-age=300",
			Remediation: result.Remediation{Generic: "Raise max-age to 31536000 or more.", Framework: "django",
				Fix: "SECURE_HSTS_SECONDS = 31536000; SECURE_HSTS_INCLUDE_SUBDOMAINS = True"}, ScoreImpact: 10},
	}
	shop.Errors = []result.ScanError{
		{Stage: result.StageBrowser, URL: "https://shop.example/<slow>", Message: "timed out | gave up\nafter 30s"},
		{Stage: result.StagePage, URL: "https://shop.example/spin", Message: "timeout: page did not finish loading within 4s"},
		{Stage: result.StagePage, URL: "https://shop.example/to-file", Message: "net::ERR_UNSAFE_REDIRECT (redirected to file:///etc/passwd)"},
	}
	shop.Pages = []result.Page{
		{URL: "https://shop.example/", Status: 200, Phase: result.PhasePreLogin},
		{URL: "https://shop.example/spin", Status: 200, Phase: result.PhasePreLogin, Error: "timeout: page did not finish loading within 4s"},
	}

	api := result.New("https://api.example/", at.Add(time.Minute), "1.4.0")
	api.DurationMs = 800
	api.SetGrade(100, "A+")
	api.Cookies = []result.Cookie{{Name: "__Host-sid", Domain: "api.example", HostOnly: true, Path: "/", Secure: true,
		HTTPOnly: true, SameSite: "Strict", Session: true, SetBy: "header", URL: "https://api.example/", Phase: result.PhasePreLogin, Stored: true}}
	api.Findings = []result.Finding{
		{Rule: "future-rule", Severity: result.SeverityInfo, Title: "A rule from a newer cookiescan",
			Detail: "Written by a newer version.", URL: "https://api.example/", Evidence: "x",
			Remediation: result.Remediation{Generic: "Upgrade cookiescan."}},
	}
	return []result.Report{shop, api}
}

// NotScanned is a report of a target that gave no HTTP answer: no score, no
// grade, and a reason with hostile bytes in it (an error can quote the site).
func NotScanned() result.Report {
	r := result.New("https://down.example/", time.Date(2026, 11, 21, 12, 5, 0, 0, time.UTC), "1.4.0")
	r.DurationMs = 15000
	r.SetNotScanned("malformed HTTP response \"<b>\\x1b[31mSSH-2.0\x1b[0m</b>\"")
	r.Redirect = result.Redirect{StartURL: "http://down.example/", Hops: []result.Hop{
		{URL: "http://down.example/", Error: "timed out: no response within 15s (raise --timeout if the site is just slow)", SetCookies: []string{}}}}
	r.HTTPS = result.Redirect{StartURL: "https://down.example/", Hops: []result.Hop{
		{URL: "https://down.example/", Error: "malformed HTTP response", SetCookies: []string{}}}}
	r.TLS = result.TLS{Checked: true, Error: "EOF"}
	r.Errors = []result.ScanError{
		{Stage: result.StageRedirect, URL: "http://down.example/", Message: "timed out: no response within 15s"},
		{Stage: result.StageHTTPS, URL: "https://down.example/", Message: "malformed HTTP response"},
	}
	return r
}

// Golden compares got with testdata/NAME, rewriting the file first when update
// is set (go test ./report/... -update).
func Golden(t *testing.T, update bool, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}
