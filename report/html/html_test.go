package html

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/cookiescan/cookiescan/scanner/result"
)

var update = flag.Bool("update", false, "rewrite testdata/sample.html.golden")

func ptr[T any](v T) *T { return &v }

// sample is a fixed report that uses every section, with hostile site data in
// names, URLs, headers and evidence.
func sample() result.Report {
	r := result.New("https://shop.example/", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), "test")
	r.DurationMs = 1234
	r.SetGrade(45, "C-")
	r.Redirect = result.Redirect{StartURL: "http://shop.example/", FinalURL: "https://shop.example/", UpgradedToHTTPS: true,
		Hops: []result.Hop{
			{URL: "http://shop.example/", Status: 302, Location: "https://shop.example/", SetCookies: []string{"lb=abcd…(12 chars); Path=/"}},
			{URL: "https://shop.example/", Status: 200, HSTS: "max-age=300", SetCookies: []string{}},
		}}
	r.HTTPS = result.Redirect{StartURL: "https://shop.example/", FinalURL: "https://shop.example/home",
		Hops: []result.Hop{
			{URL: "https://shop.example/", Status: 302, Location: "javascript:alert('hop')", SetCookies: []string{}},
			{URL: "https://shop.example/home", Status: 200, HSTS: "max-age=300", SetCookies: []string{"a=1", "b=2"}},
			{URL: "https://shop.example/\"><svg onload=alert(4)>", Status: 0, Error: "timed out: <b>no</b>", SetCookies: []string{}},
		}}
	r.HSTS = result.HSTS{Present: true, Valid: false, Raw: `max-age=300; "><svg onload=alert(4)>`, MaxAge: ptr(uint64(300)),
		Preload: true, PreloadReasons: []string{"max-age under one year [max-age.too-low]", "no includeSubDomains [header.preload.include_sub_domains.missing]"},
		Problem:   "directive name `\"><svg onload` contains a quote",
		Responses: []result.HSTSResponse{{URL: "https://shop.example/", Raw: ""}, {URL: "https://shop.example/home", Raw: "max-age=300"}}}
	r.TLS = result.TLS{Checked: true, Valid: true, Subject: "CN=shop.example", Issuer: "CN=Example CA",
		NotAfter: ptr(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)), DaysLeft: ptr(41)}
	r.Frameworks = []result.Framework{{Name: "express", Label: "Express", Evidence: []string{"X-Powered-By: Express</script><script>alert(6)</script>"}}}
	r.Pages = []result.Page{{URL: "https://shop.example/home", Status: 200, Phase: result.PhasePreLogin}}
	r.Cookies = []result.Cookie{
		{Name: "<img src=x onerror=alert(1)>", Domain: "shop.example", HostOnly: true, Path: "/",
			MaxAge: ptr(int64(1209600)), SetBy: "header", URL: "https://shop.example/\x1b[31mred", Scheme: "https", Phase: result.PhasePreLogin,
			Stored: true, SessionLike: true, ValueRedacted: "a1b2…(32 chars)", Raw: "<img src=x onerror=alert(1)>=a1b2…(32 chars); Max-Age=1209600"},
		{Name: "__Host-sid", Domain: "shop.example", HostOnly: true, Path: "/", Secure: true, HTTPOnly: true, SameSite: "Lax",
			SetBy: "header", URL: "https://shop.example/", Phase: result.PhaseLogin, Stored: true, SessionLike: true, ValueRedacted: "…(8 chars)"},
		{Name: "evil", Domain: `"><img src=x onerror=alert(5)>`, Path: "/<iframe src=javascript:alert(7)>", SameSite: "<i>Lax</i>",
			MaxAge: ptr(int64(0)), SetBy: "script", URL: "javascript:alert(3)", Phase: result.PhasePostLogin,
			BlockedReasons: []string{"DomainMismatch", "<b>InvalidDomain</b>"}, ValueRedacted: `"jav…(21 chars)`},
		{Name: "prefs", Domain: "example", Path: "/", SameSite: "None", Secure: true, MaxAge: ptr(int64(2 * 365 * 86400)),
			SetBy: "header", URL: "https://shop.example/", Phase: result.PhasePreLogin, ValueRedacted: "…(7 chars)"},
	}
	r.Findings = []result.Finding{
		{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Title: "Cookie without Secure", Cookie: "<img src=x onerror=alert(1)>",
			URL: "https://shop.example/", URLs: []string{"https://shop.example/", "javascript:alert('url')"},
			Detail: "The session-like cookie has no Secure attribute.", Evidence: "Set-Cookie: <img src=x onerror=alert(1)>=a1b2…(32 chars)\n(on GET https://shop.example/ → 200)",
			Remediation: result.Remediation{Generic: "Add the Secure attribute.", Framework: "express", Fix: `session({ cookie: { secure: true } })`}},
		{Rule: "hsts-invalid", Severity: result.SeverityMedium, Title: "The HSTS header is invalid",
			URL: "https://shop.example/", Detail: "Browsers ignore it.", Evidence: "Strict-Transport-Security: max-age=300; \"><svg onload=alert(4)>",
			Remediation: result.Remediation{Generic: "Send a valid header."}},
		{Rule: "hsts-max-age-short", Severity: result.SeverityLow, Title: "HSTS max-age under 180 days",
			URL: "https://shop.example/", Detail: "max-age is 300 seconds.", Evidence: "Strict-Transport-Security: max-age=300",
			Remediation: result.Remediation{Generic: "Raise max-age."}},
		{Rule: "session-cookie-no-host-prefix", Severity: result.SeverityInfo, Title: "Session cookie without __Host-", Cookie: "evil",
			URL: "https://shop.example/", Detail: "Consider the prefix.", Remediation: result.Remediation{Generic: "Rename it."}},
	}
	r.Errors = []result.ScanError{{Stage: result.StageRedirect, URL: "http://shop.example/x", Message: "timed out <script>alert(8)</script>"},
		{Stage: result.StagePage, URL: "https://shop.example/spin", Message: "timeout: page did not finish loading within 4s"}}
	return r
}

func render(t testing.TB, reps ...result.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := (Writer{}).Write(&b, reps); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	got := render(t, sample())
	if again := render(t, sample()); !bytes.Equal(got, again) {
		t.Fatal("two renders of the same report differ")
	}
	path := filepath.Join("testdata", "sample.html.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/html -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test ./report/html -update to accept); got:\n%s", path, got)
	}
}

// The CSP hashes must match the bytes of the inline style and script exactly,
// or the browser would drop them.
func TestCSPMatchesInlineCode(t *testing.T) {
	out := string(render(t, sample()))
	for _, c := range []struct{ tag, directive string }{{"style", "style-src"}, {"script", "script-src"}} {
		m := regexp.MustCompile(`(?s)<`+c.tag+`>(.*?)</`+c.tag+`>`).FindAllStringSubmatch(out, -1)
		if len(m) != 1 {
			t.Fatalf("%d <%s> elements, want exactly 1", len(m), c.tag)
		}
		sum := sha256.Sum256([]byte(m[0][1]))
		want := c.directive + " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP allows %q: %s", bad, csp)
		}
	}
	if !strings.HasPrefix(csp, "default-src 'none';") {
		t.Errorf("CSP does not start from default-src 'none': %s", csp)
	}
	// The meta element must precede the code it governs.
	if strings.Index(out, `http-equiv="Content-Security-Policy"`) > strings.Index(out, "<style>") {
		t.Error("CSP meta comes after the style element")
	}
}

// Site data shows as escaped text: the page's elements and attributes are all
// ours, whatever the site sent. Checked with a real HTML tokenizer, so a payload
// that only looks harmless to a string search is still caught.
func TestHostileDataIsInert(t *testing.T) {
	out := string(render(t, sample()))
	for _, payload := range []string{"<img", "<svg", "<iframe", "<i>", "</script><script>", "\x1b"} {
		if strings.Contains(out, payload) {
			t.Errorf("output contains raw %q", payload)
		}
	}
	tags := map[string]bool{}
	for _, tag := range strings.Fields(`html head meta title style body header h1 nav ol li a span main section h2 div p
		strong code ul b h3 h4 dl dt dd details summary em br label input table thead tr th tbody td small article h5 pre footer script`) {
		tags[tag] = true
	}
	attrs := map[string]*regexp.Regexp{
		"class": regexp.MustCompile(`^[a-z0-9 -]+$`), "id": regexp.MustCompile(`^r\d+(-h|-cookies|-plan|-f\d+)?$`),
		"href": regexp.MustCompile(`^#r\d+(-f\d+)?$`), "aria-controls": regexp.MustCompile(`^r\d+-cookies$`),
		"aria-labelledby": regexp.MustCompile(`^r\d+-(h|plan)$`), "data-sort": regexp.MustCompile(`^-?\d+$`),
		"data-label": regexp.MustCompile(`^[A-Za-z ]+$`), "data-type": regexp.MustCompile(`^num$`),
	}
	fixed := map[string]bool{"lang": true, "charset": true, "http-equiv": true, "content": true, "name": true, "scope": true,
		"aria-label": true, "aria-live": true, "hidden": true, "type": true, "placeholder": true, "autocomplete": true}
	var text strings.Builder
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			text.WriteString(tok.Data)
		case html.StartTagToken, html.SelfClosingTagToken:
			if !tags[tok.Data] {
				t.Errorf("unexpected element <%s>", tok.Data)
			}
			for _, a := range tok.Attr {
				if re, ok := attrs[a.Key]; ok {
					if !re.MatchString(a.Val) {
						t.Errorf("<%s %s=%q>: value not ours", tok.Data, a.Key, a.Val)
					}
				} else if !fixed[a.Key] {
					t.Errorf("<%s> has unexpected attribute %s=%q", tok.Data, a.Key, a.Val)
				}
			}
		}
	}
	for _, s := range []string{"<img src=x onerror=alert(1)>", "javascript:alert(3)", "\\x1b[31mred", "</script><script>alert(6)</script>",
		`"><svg onload=alert(4)>`, "<i>Lax</i>", "<b>InvalidDomain</b>", "javascript:alert('url')"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("page text lacks %q", s)
		}
	}
	if n := strings.Count(out, "<script"); n != 1 {
		t.Errorf("%d script elements, want 1", n)
	}
}

func TestSeveralReports(t *testing.T) {
	a, b := sample(), sample()
	b.Target, b.Findings = "https://other.example/", nil
	b.SetGrade(100, "A+")
	out := string(render(t, a, b))
	for _, want := range []string{`id="r0"`, `id="r1"`, `href="#r0"`, `href="#r1"`, `id="r0-cookies"`, `id="r1-cookies"`,
		"https://other.example/", "no problem above info", "No findings."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(out, `<section class="report"`); n != 2 {
		t.Errorf("%d report sections, want 2", n)
	}
}

// A report read from an old file or built by hand has nil lists; it renders.
// Without a score it is a target that was not scanned.
func TestZeroReport(t *testing.T) {
	if out := string(render(t, result.Report{})); !strings.Contains(out, "Not scanned") || strings.Contains(out, "/100") {
		t.Error("a report without a score shows a grade")
	}
	var graded result.Report
	graded.SetGrade(100, "A+")
	out := string(render(t, graded))
	for _, want := range []string{"Not tested.", "The site set no cookies.", "No findings.", "not checked"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if out := string(render(t)); !strings.Contains(out, "No report to show.") {
		t.Error("an empty list does not say so")
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   *int64
		want string
	}{
		{nil, "session"}, {ptr(int64(0)), "deleted"}, {ptr(int64(-5)), "deleted"}, {ptr(int64(1)), "1 second"},
		// The words of every report (vocab): under two years in days, as the
		// browsers' 400-day cap is counted.
		{ptr(int64(90)), "90 seconds"}, {ptr(int64(7200)), "2 hours"}, {ptr(int64(1209600)), "14 days"},
		{ptr(int64(31536000)), "1 year"}, {ptr(int64(63072000)), "2 years"}, {ptr(int64(47304000)), "547 days"},
		{ptr(int64(94608001)), "3.0 years"},
	} {
		if got, _ := lifetime(c.in); got != c.want {
			t.Errorf("lifetime(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := maxAgeWords(63072000); got != "2 years (63072000 s)" {
		t.Errorf("maxAgeWords = %q", got)
	}
	if got := text(strings.Repeat("é", 3000)); !strings.HasSuffix(got, "…(6000 bytes in all)") || len(got) > maxText+40 {
		t.Errorf("long text not cut: %d bytes, ends %q", len(got), got[len(got)-30:])
	}
	if got := text("a\x00b\xffc\n"); got != "a\\x00b\uFFFDc\n" {
		t.Errorf("text = %q", got)
	}
}

// synthetic is a big report: n cookies and m findings, each with a few URLs.
func synthetic(n, m int) result.Report {
	r := sample()
	r.Cookies = nil
	for i := range n {
		r.Cookies = append(r.Cookies, result.Cookie{
			Name: fmt.Sprintf("cookie_%03d", i), Domain: "shop.example", HostOnly: i%3 != 0, Path: "/",
			Secure: i%2 == 0, HTTPOnly: i%3 == 0, SameSite: []string{"", "Lax", "Strict", "None"}[i%4],
			MaxAge: ptr(int64(i * 3600)), SetBy: []string{"header", "script"}[i%2],
			URL: fmt.Sprintf("https://shop.example/page/%d", i%17), Phase: result.PhasePreLogin,
			BlockedReasons: []string{}, ValueRedacted: "abcd…(32 chars)",
		})
	}
	r.Findings = nil
	for i := range m {
		sev := result.Severities[i%len(result.Severities)]
		r.Findings = append(r.Findings, result.Finding{
			Rule: "cookie-missing-secure", Severity: sev, Title: "Cookie without Secure", Cookie: fmt.Sprintf("cookie_%03d", i),
			Detail: "The cookie has no Secure attribute, so the browser also sends it over plain HTTP.",
			URL:    "https://shop.example/", URLs: []string{"https://shop.example/", "https://shop.example/a", "https://shop.example/b"},
			Evidence:    fmt.Sprintf("Set-Cookie: cookie_%03d=abcd…(32 chars); Path=/\n(on GET https://shop.example/ → 200)", i),
			Remediation: result.Remediation{Generic: "Add the Secure attribute.", Framework: "express", Fix: "session({ cookie: { secure: true } })"},
		})
	}
	return r
}

func TestLargeReportSize(t *testing.T) {
	out := render(t, synthetic(200, 100))
	t.Logf("200 cookies, 100 findings: %d bytes (%.1f KB)", len(out), float64(len(out))/1024)
	if len(out) >= 500*1024 {
		t.Errorf("HTML is %d bytes, want under 500 KB", len(out))
	}
}

func BenchmarkRender200(b *testing.B) {
	reps := []result.Report{synthetic(200, 100)}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := (Writer{}).Write(&buf, reps); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
