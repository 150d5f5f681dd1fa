package markdown

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cookiescan/cookiescan/scanner/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample is a fixed two-target report with hostile site data: HTML in a cookie
// name, a pipe, a newline, control characters, "]]>", Markdown in a detail, a
// terminal escape in a URL, and a rule ID this version does not know.
func sample() []result.Report {
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	fortnight, year := int64(1209600), int64(31536000)

	shop := result.New("https://shop.example/", at, "1.4.0")
	shop.DurationMs = 4321
	shop.Score, shop.Grade = 45, "C-"
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
				Framework: "django", Fix: "SESSION_COOKIE_SECURE = True"}},
		{Rule: "cookie-missing-httponly", Severity: result.SeverityMedium, Title: "Cookie without HttpOnly",
			Detail: "*bold* [link](javascript:alert(1)) `code` | pipe", Cookie: "line\nbreak", URL: "https://shop.example/app",
			Evidence:    "document.cookie = \"line\\nbreak=…\"",
			Remediation: result.Remediation{Generic: "Add HttpOnly so scripts (and injected scripts) cannot read the cookie."}},
		{Rule: "cookie-missing-samesite", Severity: result.SeverityLow, Title: "Cookie without SameSite",
			Cookie: "a|b", URL: "https://shop.example/", Evidence: "Set-Cookie: a|b=…; Secure; HttpOnly",
			Remediation: result.Remediation{Generic: "Set SameSite=Lax (or Strict) explicitly; only Chromium defaults to Lax.",
				Framework: "django", Fix: `SESSION_COOKIE_SAMESITE = "Lax"`}},
		{Rule: "cookie-missing-samesite", Severity: result.SeverityInfo, Title: "Cookie without SameSite",
			Cookie: "nul\x00]]>\x07", URL: "https://shop.example/", Evidence: "Set-Cookie: nul\x00]]>\x07=…",
			Remediation: result.Remediation{Generic: "Set SameSite=Lax (or Strict) explicitly; only Chromium defaults to Lax."}},
		{Rule: "hsts-max-age-short", Severity: result.SeverityLow, Title: "HSTS max-age under 180 days",
			Detail: "max-age is 300 seconds.", URL: "https://shop.example/", Evidence: "Strict-Transport-Security: max-age=300",
			Remediation: result.Remediation{Generic: "Raise max-age to 31536000 or more.", Framework: "django",
				Fix: "SECURE_HSTS_SECONDS = 31536000; SECURE_HSTS_INCLUDE_SUBDOMAINS = True"}},
	}
	shop.Errors = []result.ScanError{{Stage: result.StageBrowser, URL: "https://shop.example/<slow>", Message: "timed out | gave up\nafter 30s"}}

	api := result.New("https://api.example/", at.Add(time.Minute), "1.4.0")
	api.DurationMs = 800
	api.Score, api.Grade = 100, "A+"
	api.Cookies = []result.Cookie{{Name: "__Host-sid", Domain: "api.example", HostOnly: true, Path: "/", Secure: true,
		HTTPOnly: true, SameSite: "Strict", Session: true, SetBy: "header", URL: "https://api.example/", Phase: result.PhasePreLogin, Stored: true}}
	api.Findings = []result.Finding{
		{Rule: "future-rule", Severity: result.SeverityInfo, Title: "A rule from a newer cookiescan",
			Detail: "Written by a newer version.", URL: "https://api.example/", Evidence: "x",
			Remediation: result.Remediation{Generic: "Upgrade cookiescan."}},
	}
	return []result.Report{shop, api}
}

func render(t *testing.T, w Writer, reps []result.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(&buf, reps); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/markdown -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report/markdown -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	a, b := render(t, Writer{}, sample()), render(t, Writer{}, sample())
	if a != b {
		t.Error("output is not byte-stable across renders")
	}
	golden(t, "sample.md.golden", []byte(a))
}

// Site data must render as text: no HTML, no broken table, no mention.
func TestHostileDataIsInert(t *testing.T) {
	out := render(t, Writer{}, sample())
	for _, bad := range []string{"<img", "<slow>", "\x00", "\x07", "\x1b", "line\nbreak", "](javascript:", "*bold*", "a|b", "]]>"} {
		if strings.Contains(out, bad) {
			t.Errorf("raw %q reached the Markdown", bad)
		}
	}
	for _, want := range []string{
		`&lt;img src=x onerror=alert\(1\)&gt;`,
		`a\|b`,
		`line\\nbreak`,
		`nul\\x00\]\]&gt;\\x07`,
		`https://shop.example/&lt;slow&gt;: timed out \| gave up\\nafter 30s`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("want the escaped form %q in:\n%s", want, out)
		}
	}
	// Every row of a table has as many unescaped cell separators as its header.
	cells := regexp.MustCompile(`(^|[^\\])\|`)
	var header int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		n := len(cells.FindAllString(line, -1))
		if header == 0 {
			header = n
		} else if n != header {
			t.Errorf("row has %d separators, header %d: %s", n, header, line)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"plain name":    "plain name",
		"a|b":           `a\|b`,
		"<b>&amp;":      "&lt;b&gt;&amp;amp;",
		"x\ny\r\tz":     `x\\ny\\r\\tz`,
		"\x00\x7f":      `\\x00\\x7f`,
		"bad\xff":       `bad\\xff`,
		"@octocat":      "@\u2060octocat",
		"`x` _y_ ~z~":   "\\`x\\` \\_y\\_ \\~z\\~",
		"rtl\u202eevil": `rtl\\u202eevil`,
		"\\":            `\\`,
		"$x$":           `\$x\$`,
	} {
		if got := text(in, 0); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := text(strings.Repeat("é", 10), 4); got != "éééé…" {
		t.Errorf("cut = %q", got)
	}
}

func TestCode(t *testing.T) {
	for _, c := range []struct {
		in      string
		inTable bool
		want    string
	}{
		{"a = 1", true, "`a = 1`"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"x `y` z", false, "``x `y` z``"},
		{"`edge", false, "`` `edge ``"},
		{"two\nlines", true, "`two lines`"},
	} {
		if got := code(c.in, c.inTable); got != c.want {
			t.Errorf("code(%q, %v) = %q, want %q", c.in, c.inTable, got, c.want)
		}
	}
}

func manyFindings(n int) result.Report {
	r := result.New("https://big.example/", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), "1.4.0")
	r.Score, r.Grade = 0, "F"
	r.Frameworks = []result.Framework{{Name: "express", Label: "Express"}}
	sevs := []result.Severity{result.SeverityHigh, result.SeverityMedium, result.SeverityLow, result.SeverityInfo}
	for i := range n {
		r.Findings = append(r.Findings, result.Finding{
			Rule: "cookie-missing-secure", Severity: sevs[i*len(sevs)/n], Title: "Cookie without Secure",
			Cookie: fmt.Sprintf("<img src=x onerror=alert(%d)>", i), URL: fmt.Sprintf("https://big.example/page/%d", i),
			Remediation: result.Remediation{Generic: "Add the Secure attribute so the cookie is never sent over plain HTTP.",
				Framework: "express", Fix: `session({ cookie: { secure: true } })  (behind a proxy also app.set("trust proxy", 1))`},
		})
	}
	return r
}

var truncation = regexp.MustCompile(`… (\d+) more findings not shown \(see the JSON report\)\n$`)

func TestHugeScanStaysUnderLimit(t *testing.T) {
	out := render(t, Writer{}, []result.Report{manyFindings(5000)})
	if len(out) > DefaultMaxBytes {
		t.Fatalf("%d bytes, over the %d limit", len(out), DefaultMaxBytes)
	}
	m := truncation.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output does not end with the truncation note:\n…%s", out[max(0, len(out)-300):])
	}
	rows := strings.Count(out, "\n| ") - 2 // minus the header and separator rows
	if dropped, _ := strconv.Atoi(m[1]); rows+dropped != 5000 || rows < 100 {
		t.Errorf("%d rows shown + %d dropped, want 5000 with a useful number shown", rows, dropped)
	}
	if len(out) < DefaultMaxBytes-2000 {
		t.Errorf("only %d bytes used: the budget is wasted", len(out))
	}
	if strings.Contains(out, "<img") {
		t.Error("raw <img in the output")
	}
	if !utf8.ValidString(out) {
		t.Error("invalid UTF-8")
	}
	// The worst findings are the ones shown.
	if !strings.Contains(out, "alert\\(0\\)") || strings.Contains(out, "alert\\(4999\\)") {
		t.Error("the first (worst) findings should be kept and the last dropped")
	}
}

func TestMaxBytes(t *testing.T) {
	reps := append(sample(), manyFindings(300))
	for _, limit := range []int{200, 1000, 3000, 8000, 20000} {
		out := render(t, Writer{MaxBytes: limit}, reps)
		if len(out) > limit {
			t.Errorf("limit %d: %d bytes", limit, len(out))
		}
		if !utf8.ValidString(out) {
			t.Errorf("limit %d: invalid UTF-8", limit)
		}
	}
	// With room for a few rows, worse findings of any target come before better
	// ones, and a scan error is still listed.
	out := render(t, Writer{MaxBytes: 8000}, reps)
	if !strings.Contains(out, "timed out") {
		t.Error("the first scan errors should survive truncation")
	}
	if !strings.Contains(out, "more findings not shown") || !strings.Contains(out, "more cookies not shown") {
		t.Errorf("want truncation notes:\n%s", out)
	}
}

func TestLifetime(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	for want, c := range map[string]result.Cookie{
		"session":           {},
		"deleted (expired)": {MaxAge: i(0)},
		"1 second":          {MaxAge: i(1)},
		"90 seconds":        {MaxAge: i(90)},
		"30 minutes":        {MaxAge: i(1800)},
		"36 hours":          {MaxAge: i(129600)},
		"400 days":          {MaxAge: i(400 * 86400)},
	} {
		if got := lifetime(c); got != want {
			t.Errorf("lifetime(%v) = %q, want %q", c.MaxAge, got, want)
		}
	}
}

func TestEmpty(t *testing.T) {
	if out := render(t, Writer{}, nil); !strings.Contains(out, "No target was scanned.") {
		t.Errorf("empty: %q", out)
	}
	clean := result.New("https://ok.example/", time.Time{}, "1.0.0")
	clean.Score, clean.Grade = 100, "A+"
	if out := render(t, Writer{}, []result.Report{clean}); !strings.Contains(out, "✅ no problem above info.") {
		t.Errorf("clean report: %s", out)
	}
}

// report.New will return this Writer as a report.Writer; the package cannot import
// report (report imports it), so the method set is checked here.
var _ interface {
	Write(io.Writer, []result.Report) error
} = Writer{}
