package junit

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/report/reporttest"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample is the shared report with hostile site data.
func sample() []result.Report { return reporttest.Sample() }

func render(t *testing.T, w Writer, reps []result.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(&buf, reps); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	reporttest.Golden(t, *update, name, got)
}

func TestGolden(t *testing.T) {
	w := Writer{FailOn: result.SeverityLow}
	a, b := render(t, w, sample()), render(t, w, sample())
	if !bytes.Equal(a, b) {
		t.Error("output is not byte-stable across renders")
	}
	golden(t, "sample.junit.golden", a)
}

// The shape a CI dashboard reads back.
type xSuites struct {
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Cases    []xCase `xml:"testcase"`
}

type xCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
	SystemOut string `xml:"system-out"`
}

// wellFormed reads every token, as a strict XML parser in a CI system would.
func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, data)
		}
	}
}

func parse(t *testing.T, data []byte) xSuites {
	t.Helper()
	wellFormed(t, data)
	var doc xSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func (s xSuite) find(name string) xCase {
	for _, c := range s.Cases {
		if c.Name == name {
			return c
		}
	}
	return xCase{}
}

func TestCounts(t *testing.T) {
	catalog := len(rules.All())
	for _, tc := range []struct {
		name                string
		failOn              result.Severity
		shopFail, apiFail   int
		shopTests, apiTests int
	}{
		// shop: 5 findings in 4 rules (high, medium, low+info, low), plus a scan error.
		{"never", 0, 0, 0, catalog + 1, catalog + 1},
		{"info", result.SeverityInfo, 4, 1, catalog + 1, catalog + 1},
		{"low", result.SeverityLow, 4, 0, catalog + 1, catalog + 1},
		{"medium", result.SeverityMedium, 2, 0, catalog + 1, catalog + 1},
		{"critical", result.SeverityCritical, 0, 0, catalog + 1, catalog + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := parse(t, render(t, Writer{FailOn: tc.failOn}, sample()))
			if len(doc.Suites) != 2 {
				t.Fatalf("%d suites, want one per target", len(doc.Suites))
			}
			shop, api := doc.Suites[0], doc.Suites[1]
			if shop.Name != "https://shop.example/" || api.Name != "https://api.example/" {
				t.Errorf("suite names %q %q", shop.Name, api.Name)
			}
			// api has future-rule, unknown to the catalog: one extra case; shop has the scan case.
			for _, c := range []struct {
				s            xSuite
				tests, fails int
				errs         int
			}{{shop, tc.shopTests, tc.shopFail, 1}, {api, tc.apiTests, tc.apiFail, 0}} {
				if c.s.Tests != c.tests || len(c.s.Cases) != c.tests {
					t.Errorf("%s: tests=%d cases=%d, want %d", c.s.Name, c.s.Tests, len(c.s.Cases), c.tests)
				}
				failures := 0
				for _, k := range c.s.Cases {
					if k.Failure != nil {
						failures++
					}
					if k.Classname != c.s.Name {
						t.Errorf("case %s: classname %q", k.Name, k.Classname)
					}
				}
				if c.s.Failures != c.fails || failures != c.fails {
					t.Errorf("%s: failures attr=%d elements=%d, want %d", c.s.Name, c.s.Failures, failures, c.fails)
				}
				if c.s.Errors != c.errs {
					t.Errorf("%s: errors=%d, want %d", c.s.Name, c.s.Errors, c.errs)
				}
			}
			if doc.Tests != shop.Tests+api.Tests || doc.Failures != shop.Failures+api.Failures || doc.Errors != 1 {
				t.Errorf("totals %d/%d/%d do not add up", doc.Tests, doc.Failures, doc.Errors)
			}
		})
	}
}

func TestFailureContent(t *testing.T) {
	shop := parse(t, render(t, Writer{FailOn: result.SeverityLow}, sample())).Suites[0]

	secure := shop.find("cookie-missing-secure")
	if secure.Failure == nil || secure.Failure.Type != "high" {
		t.Fatalf("cookie-missing-secure: %+v", secure.Failure)
	}
	for _, want := range []string{`cookie "<img src=x onerror=alert(1)>"`, "also at: https://shop.example/", "fix (Django): SESSION_COOKIE_SECURE = True", `\x1b[31mred`} {
		if !strings.Contains(secure.Failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, secure.Failure.Text)
		}
	}

	// Two findings of one rule: one failure (low) and one below --fail-on (info).
	samesite := shop.find("cookie-missing-samesite")
	if samesite.Failure == nil || samesite.Failure.Message != `Cookie without SameSite: cookie "a|b"` {
		t.Errorf("samesite failure: %+v", samesite.Failure)
	}
	if !strings.Contains(samesite.SystemOut, "below --fail-on low") || !strings.Contains(samesite.SystemOut, `[info] cookie "nul\x00]]>\a"`) {
		t.Errorf("samesite system-out:\n%s", samesite.SystemOut)
	}
	if c := shop.find("http-no-redirect"); c.Failure != nil || c.SystemOut != "" {
		t.Error("a rule that did not fire should pass silently")
	}
	scan := shop.find("scan")
	if scan.Error == nil || !strings.Contains(scan.Error.Message, "3 scan errors:") || !strings.Contains(scan.Error.Message, "(2 pages failed to load)") {
		t.Errorf("scan errors: %+v", scan.Error)
	}
}

func TestSeveralFindingsOneFailure(t *testing.T) {
	r := result.New("https://x.example/", time.Time{}, "1.0.0")
	for _, name := range []string{"a", "b", "c"} {
		r.Findings = append(r.Findings, result.Finding{Rule: "cookie-missing-httponly", Severity: result.SeverityMedium,
			Title: "Cookie without HttpOnly", Cookie: name, URL: "https://x.example/"})
	}
	r.Findings[1].Severity = result.SeverityInfo
	s := parse(t, render(t, Writer{FailOn: result.SeverityInfo}, []result.Report{r})).Suites[0]
	if s.Failures != 1 {
		t.Fatalf("failures = %d, want 1", s.Failures)
	}
	f := s.find("cookie-missing-httponly").Failure
	if f.Message != "Cookie without HttpOnly: 3 findings" || f.Type != "medium" || strings.Count(f.Text, "cookie \"") != 3 {
		t.Errorf("failure = %+v", f)
	}
}

// A NUL, other C0 controls, "]]>", an unpaired byte and markup in site data must not
// break the document, in text and in attributes.
func TestHostileNamesStayWellFormed(t *testing.T) {
	hostile := "nul\x00 ]]> <x a=\"b\">&amp; \x0b\x0c\x1f \xff \ufffe end"
	r := result.New("https://h.example/\x00]]>", time.Time{}, "1.0.0")
	r.Findings = []result.Finding{{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Title: "Cookie without Secure",
		Cookie: hostile, URL: "https://h.example/" + hostile, Detail: hostile, Evidence: hostile}}
	r.Errors = []result.ScanError{{Stage: "browser", URL: hostile, Message: hostile}}
	for _, failOn := range []result.Severity{0, result.SeverityHigh} {
		out := render(t, Writer{FailOn: failOn}, []result.Report{r})
		doc := parse(t, out)
		if bytes.Contains(out, []byte{0}) || bytes.Contains(out, []byte("]]>")) {
			t.Error("raw NUL or ]]> in the output")
		}
		if got := doc.Suites[0].Name; got != `https://h.example/\x00]]>` {
			t.Errorf("suite name = %q", got)
		}
		c := doc.Suites[0].find("cookie-missing-secure")
		text := c.SystemOut
		if c.Failure != nil {
			text = c.Failure.Text
		}
		if !strings.Contains(text, `cookie "nul\x00 ]]> <x a=\"b\">&amp; \v\f\x1f \xff \ufffe end"`) ||
			!strings.Contains(text, "\n  nul\\x00 ]]> <x a=\"b\">&amp; \\x0b\\x0c\\x1f \\xff \\ufffe end\n") {
			t.Errorf("hostile text not kept readably:\n%s", text)
		}
	}
}

func TestEmpty(t *testing.T) {
	out := render(t, Writer{FailOn: result.SeverityLow}, nil)
	doc := parse(t, out)
	if doc.Tests != 0 || len(doc.Suites) != 0 {
		t.Errorf("empty: %+v", doc)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		"tab\tnl\ncr\r": "tab\tnl\ncr\r",
		"a\x00b":        `a\x00b`,
		"bad\xffutf8":   `bad\xffutf8`,
		"\ufffe\uffff":  `\ufffe\uffff`,
		"ok\ufffd😀":     "ok\ufffd😀",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// report.New will return this Writer as a report.Writer; the package cannot import
// report (report imports it), so the method set is checked here.
var _ interface {
	Write(io.Writer, []result.Report) error
} = Writer{}
