package markdown

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cookiescan/cookiescan/report/reporttest"
	"github.com/cookiescan/cookiescan/scanner/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample is the shared report with hostile site data.
func sample() []result.Report { return reporttest.Sample() }

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
	reporttest.Golden(t, *update, name, got)
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
		if got := Code(c.in, c.inTable); got != c.want {
			t.Errorf("code(%q, %v) = %q, want %q", c.in, c.inTable, got, c.want)
		}
	}
}

func manyFindings(n int) result.Report {
	r := result.New("https://big.example/", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), "1.4.0")
	r.SetGrade(0, "F")
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
	if !strings.Contains(out, "more findings not shown") || !strings.Contains(out, "more cookie") {
		t.Errorf("want truncation notes:\n%s", out)
	}
}

func TestLifetime(t *testing.T) {
	i := func(v int64) *int64 { return &v }
	for want, c := range map[string]result.Cookie{
		"session":    {},
		"deleted":    {MaxAge: i(0)}, // the words of every report (vocab)
		"1 second":   {MaxAge: i(1)},
		"90 seconds": {MaxAge: i(90)},
		"30 minutes": {MaxAge: i(1800)},
		"36 hours":   {MaxAge: i(129600)},
		"400 days":   {MaxAge: i(400 * 86400)},
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
	clean.SetGrade(100, "A+")
	if out := render(t, Writer{}, []result.Report{clean}); !strings.Contains(out, "✅ no problem above info.") {
		t.Errorf("clean report: %s", out)
	}
}

// report.New will return this Writer as a report.Writer; the package cannot import
// report (report imports it), so the method set is checked here.
var _ interface {
	Write(io.Writer, []result.Report) error
} = Writer{}
