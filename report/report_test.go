package report

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/report/reporttest"
	"github.com/cookiescan/cookiescan/scanner/result"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample is a fixed report with hostile site data in names, URLs and headers.
func sample() result.Report {
	r := result.New("https://shop.example/", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), "test")
	r.DurationMs = 1234
	r.SetGrade(45, "C-")
	r.Redirect = result.Redirect{StartURL: "http://shop.example/", FinalURL: "https://shop.example/", UpgradedToHTTPS: true,
		Hops: []result.Hop{
			{URL: "http://shop.example/", Status: 302, Location: "https://shop.example/", SetCookies: []string{"lb=abcd…(12 chars); Path=/"}},
			{URL: "https://shop.example/", Status: 200, HSTS: "max-age=300", SetCookies: []string{}},
		}}
	age := uint64(300)
	r.HSTS = result.HSTS{Present: true, Valid: true, Raw: "max-age=300", MaxAge: &age, PreloadReasons: []string{},
		Responses: []result.HSTSResponse{{URL: "https://shop.example/", Raw: "max-age=300"}}}
	na := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	days := 41
	r.TLS = result.TLS{Checked: true, Valid: true, NotAfter: &na, DaysLeft: &days}
	maxAge := int64(1209600)
	r.Cookies = []result.Cookie{{
		Name: "<img src=x onerror=alert(1)>", Domain: "shop.example", HostOnly: true, Path: "/", SameSite: "",
		MaxAge: &maxAge, SetBy: "header", URL: "https://shop.example/\x1b[31mred", Scheme: "https", Phase: result.PhasePreLogin,
		Stored: true, BlockedReasons: []string{}, SessionLike: true, SessionSignal: "name contains \"sess\"",
		ValueRedacted: "a1b2…(32 chars)", Raw: "<img src=x onerror=alert(1)>=a1b2…(32 chars); Max-Age=1209600",
	}}
	r.Findings = []result.Finding{
		{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Title: "Cookie without Secure", Cookie: "<img src=x onerror=alert(1)>",
			URL: "https://shop.example/", Detail: "The session-like cookie has no Secure attribute.", Evidence: "Set-Cookie: ...",
			Remediation: result.Remediation{Generic: "Add the Secure attribute."}},
		{Rule: "hsts-max-age-short", Severity: result.SeverityLow, Title: "HSTS max-age under 180 days",
			URL: "https://shop.example/", Detail: "max-age is 300 seconds.", Evidence: "Strict-Transport-Security: max-age=300",
			Remediation: result.Remediation{Generic: "Raise max-age."}},
	}
	r.Errors = []result.ScanError{{Stage: result.StageRedirect, URL: "http://shop.example/x", Message: "timed out"},
		{Stage: result.StagePage, URL: "https://shop.example/spin", Message: "timeout: page did not finish loading within 4s"}}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	reporttest.Golden(t, *update, name, got)
}

func TestGolden(t *testing.T) {
	for _, f := range []Format{FormatTable, FormatJSON} { // the other formats keep golden files in their packages
		t.Run(string(f), func(t *testing.T) {
			w, err := New(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var a, b bytes.Buffer
			if err := w.Write(&a, []result.Report{sample()}); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(&b, []result.Report{sample()}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("output is not byte-stable across runs")
			}
			golden(t, "sample."+string(f)+".golden", a.Bytes())
		})
	}
}

// Site data must not reach a terminal as escape sequences.
func TestTableNeutralisesControlCharacters(t *testing.T) {
	var out bytes.Buffer
	// Wide enough that the escaped URL is not wrapped inside its cell.
	if err := (&TableWriter{opts: Options{Width: 400}}).Write(&out, []result.Report{sample()}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Error("an escape character from site data reached the table")
	}
	if !strings.Contains(out.String(), `\x1b[31mred`) {
		t.Error("the escape should be shown as text")
	}
}

func TestFormatForPath(t *testing.T) {
	for path, want := range map[string]Format{"a.json": FormatJSON, "b.TXT": FormatTable, "r.html": FormatHTML,
		"results.sarif": FormatSARIF, "x.sarif.json": FormatSARIF, "junit.xml": FormatJUnit, "pr.md": FormatMarkdown, "all.jsonl": FormatJSONL} {
		if got, err := FormatForPath(path); err != nil || got != want {
			t.Errorf("%s: %v %v", path, got, err)
		}
	}
	if _, err := FormatForPath("x.pdf"); err == nil {
		t.Error("x.pdf: want an error")
	}
}

// A target that was not scanned gets no grade in any format: each says "not
// scanned" and why, and the golden files show how.
func TestNotScannedGolden(t *testing.T) {
	rep := reporttest.NotScanned()
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			w, err := New(f, Options{FailOn: result.SeverityHigh})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := w.Write(&out, []result.Report{rep}); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			says := "not scanned"
			if f == FormatJSON || f == FormatSARIF {
				says = `"notScanned": "malformed HTTP response`
			}
			if f == FormatJSONL {
				says = `"notScanned":"malformed HTTP response`
			}
			if !strings.Contains(strings.ToLower(text), strings.ToLower(says)) {
				t.Errorf("%s does not say %q", f, says)
			}
			for _, bad := range []string{"/100", "no problem above info", "grade F", `"score": 0`, "\x1b"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s shows %q for a target that was not scanned", f, bad)
				}
			}
			golden(t, "notscanned."+string(f)+".golden", out.Bytes())
		})
	}
}

// Reports written before "not scanned" existed (score a number) still load and
// keep their grade; a report with a null score loads as not scanned, and one
// whose score is missing reads as not scanned rather than as 0.
func TestReadJSONScores(t *testing.T) {
	for name, tc := range map[string]struct {
		json       string
		score      int
		grade      string
		scanned    bool
		notScanned string
	}{
		"old":          {`{"schemaVersion":"1","target":"https://a.example/","score":85,"grade":"B","findings":null}`, 85, "B", true, ""},
		"not scanned":  {`{"schemaVersion":"1","target":"https://a.example/","score":null,"grade":null,"notScanned":"connection refused"}`, 0, "", false, "connection refused"},
		"score absent": {`{"schemaVersion":"1","target":"https://a.example/"}`, 0, "", false, "the report has no score or grade"},
	} {
		t.Run(name, func(t *testing.T) {
			reps, err := ReadJSON(strings.NewReader(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			score, grade, ok := reps[0].Graded()
			if score != tc.score || grade != tc.grade || ok != tc.scanned || reps[0].NotScanned != tc.notScanned {
				t.Errorf("Graded() = %d %q %v, NotScanned %q; want %d %q %v %q", score, grade, ok, reps[0].NotScanned, tc.score, tc.grade, tc.scanned, tc.notScanned)
			}
			for _, f := range Formats {
				w, _ := New(f, Options{})
				if err := w.Write(io.Discard, reps); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
		})
	}
}

// JSON Lines read back whole: every line a report; one line alone is one.
func TestReadJSONLines(t *testing.T) {
	a, b := reporttest.NotScanned(), reporttest.NotScanned()
	b.Target = "https://b.example/"
	var out bytes.Buffer
	if err := (JSONLWriter{}).Write(&out, []result.Report{a, b}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Fatalf("%d lines, want 2:\n%s", n, out.String())
	}
	reps, err := ReadJSON(bytes.NewReader(out.Bytes()))
	if err != nil || len(reps) != 2 || reps[1].Target != "https://b.example/" {
		t.Fatalf("read back %d reports, %v", len(reps), err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if reps, err := ReadJSON(strings.NewReader(first)); err != nil || len(reps) != 1 {
		t.Errorf("one line: %d reports, %v", len(reps), err)
	}
	if _, err := ReadJSON(strings.NewReader(first + "\n{broken")); err == nil {
		t.Error("a broken last line was accepted")
	}
	// A list's JSON is an array even of one report.
	out.Reset()
	w, _ := New(FormatJSON, Options{List: true})
	w.Write(&out, []result.Report{a})
	if !strings.HasPrefix(out.String(), "[") {
		t.Errorf("list of one: %.20s", out.String())
	}
}
