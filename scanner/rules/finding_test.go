package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
)

func TestSummarize(t *testing.T) {
	cf := func(rule, class, cookie string, sev result.Severity, url string) result.Finding {
		return result.Finding{Rule: rule, CookieClass: class, Cookie: cookie, CookieDomain: "app.test", CookiePath: "/",
			Severity: sev, URL: url, URLs: []string{url}, Detail: "about " + cookie, Evidence: "Set-Cookie: " + cookie + "=…"}
	}
	hsts := result.Finding{Rule: "hsts-missing", Severity: result.SeverityHigh, URL: "https://app.test/"}
	// Sorted worst first, as Run hands them over.
	in := []result.Finding{
		hsts,
		cf("cookie-missing-secure", "session", "sid", result.SeverityHigh, "https://app.test/"),
		cf("cookie-missing-secure", "other", "a", result.SeverityMedium, "https://app.test/"),
		cf("cookie-missing-secure", "other", "b", result.SeverityLow, "https://app.test/"),
		cf("cookie-missing-secure", "other", "c", result.SeverityLow, "https://app.test/x"),
		cf("cookie-missing-secure", "other", "d", result.SeverityLow, "https://app.test/"),
		cf("cookie-missing-secure", "other", "e", result.SeverityInfo, "https://app.test/y"),
		cf("cookie-missing-httponly", "other", "a", result.SeverityInfo, "https://app.test/"),
	}
	out := Summarize(append([]result.Finding{}, in...), 2)
	var got []string
	for _, f := range out {
		got = append(got, fmt.Sprintf("%s/%s/%s/%s", f.Rule, f.CookieClass, f.Cookie, f.Severity))
	}
	want := []string{
		"hsts-missing///high",
		"cookie-missing-secure/session/sid/high", // another class: its own count
		"cookie-missing-secure/other/a/medium",
		"cookie-missing-secure/other/b/low",
		"cookie-missing-secure/other//low", // c, d, e folded: the worst of them
		"cookie-missing-httponly/other/a/info",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Summarize =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := out[4]
	for _, w := range []string{`3 more cookie(s) of kind "other"`, `"c", "d", "e"`, "at most 2 per rule"} {
		if !strings.Contains(s.Detail, w) {
			t.Errorf("summary detail %q lacks %q", s.Detail, w)
		}
	}
	if strings.Contains(s.Detail, "…") {
		t.Errorf("every folded cookie is named, yet the detail says there are more: %q", s.Detail)
	}
	if strings.Join(s.URLs, " ") != "https://app.test/x https://app.test/ https://app.test/y" || s.CookieDomain != "" {
		t.Errorf("summary URLs %v domain %q; want the folded findings' URLs and no single cookie", s.URLs, s.CookieDomain)
	}
	// Under the limit nothing changes.
	if out := Summarize(append([]result.Finding{}, in...), 10); len(out) != len(in) {
		t.Errorf("limit 10: %d findings, want %d", len(out), len(in))
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 59800: "59,800", 1234567: "1,234,567"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
