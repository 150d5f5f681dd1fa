package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cookiescan/cookiescan/report/markdown"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// esc is a payload that clears the screen, sets the window title and turns the
// rest red, plus a bidi override that makes text read backwards.
const esc = "\x1b[2J\x1b]0;pwned\x07\x1b[31m\u202e\u009b1m\x9b2m"

// crafted is what `cookiescan report` may be handed: every string of the
// report, whatever its origin (target, URLs, titles, details, fixes, cookie
// names, errors, frameworks, even rule IDs and the grade) carries the payload.
func crafted() result.Report {
	r := result.New("https://x.example/"+esc, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "1"+esc)
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if v.CanSet() {
				v.SetString(v.String() + "x" + esc)
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					fill(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				fill(v.Index(i))
			}
		case reflect.Pointer:
			if !v.IsNil() {
				fill(v.Elem())
			}
		}
	}
	age := int64(60)
	r.Redirect.Hops = []result.Hop{{Status: 301}, {Status: 0}}
	r.HTTPS.Hops = []result.Hop{{Status: 302}, {Status: 200}}
	r.HSTS = result.HSTS{Present: true, Preload: true, PreloadReasons: []string{""}, Responses: []result.HSTSResponse{{}}}
	r.TLS = result.TLS{Checked: true}
	r.Pages = []result.Page{{}}
	r.Cookies = []result.Cookie{{MaxAge: &age, BlockedReasons: []string{""}}, {Stored: true}}
	r.Frameworks = []result.Framework{{Evidence: []string{""}}}
	r.Findings = []result.Finding{
		{Severity: result.SeverityHigh, URLs: []string{"", ""}, Remediation: result.Remediation{Framework: "x"}},
		{Severity: result.SeverityLow, Remediation: result.Remediation{Framework: result.FrameworkScript}},
	}
	r.Errors = []result.ScanError{{}}
	fill(reflect.ValueOf(&r).Elem())
	return r
}

// Nothing from a report reaches a terminal as a control character: the
// table's own colours are the only escapes, and the payload shows as text.
func TestTableEscapesEveryString(t *testing.T) {
	rep := crafted()
	before := rep.Findings[0].Remediation.Fix
	for _, terminal := range []bool{false, true} {
		var out bytes.Buffer
		if err := (&TableWriter{opts: Options{Terminal: terminal}}).Write(&out, []result.Report{rep}); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if terminal {
			for _, own := range append([]string{ansiReset, ansiBold}, mapValues(severityColor)...) {
				s = strings.ReplaceAll(s, own, "")
			}
		}
		for i, line := range strings.Split(s, "\n") {
			if r, bad := controlIn(line); bad {
				t.Errorf("terminal=%v: line %d carries %U: %q", terminal, i+1, r, line)
			}
		}
		if !strings.Contains(s, `\x1b[2J`) || !strings.Contains(s, `\u202e`) {
			t.Errorf("terminal=%v: the payload is not shown as text:\n%s", terminal, s)
		}
	}
	if rep.Findings[0].Remediation.Fix != before {
		t.Error("the writer changed the caller's report")
	}
}

// A Markdown report printed to a terminal is as inert, code spans included.
func TestMarkdownEscapesEveryString(t *testing.T) {
	var out bytes.Buffer
	if err := (markdown.Writer{}).Write(&out, []result.Report{crafted()}); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(out.String(), "\n") {
		if r, bad := controlIn(line); bad {
			t.Errorf("line %d carries %U: %q", i+1, r, line)
		}
	}
}

func mapValues(m map[result.Severity]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// controlIn finds a control character, a bidi override or a byte that is not
// UTF-8 (a terminal may read a lone 0x9b as CSI).
func controlIn(s string) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError || r < 0x20 && r != '\t' || r >= 0x7f && r < 0xa0 || r == '\u202e' {
			if r == utf8.RuneError {
				return rune(s[i]), true
			}
			return r, true
		}
	}
	return 0, false
}
