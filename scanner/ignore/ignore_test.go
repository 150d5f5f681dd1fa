package ignore

import (
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
)

var now = time.Date(2027, 3, 31, 23, 0, 0, 0, time.UTC)

func known(id string) bool {
	return id == "cookie-missing-secure" || id == "hsts-missing" || id == "cookie-missing-httponly"
}

const file = `# accepted risks
- rule: cookie-missing-secure
  cookie: old_sid
  url: "^https://old\\."
  reason: "legacy app, retired in March"
  expires: 2027-03-31
- rule: hsts-missing
  reason: "set by the CDN, not visible on origin"
- rule: cookie-missing-httponly
  reason: "expired yesterday"
  expires: 2027-03-30
`

func TestApply(t *testing.T) {
	l, err := Parse([]byte(file), "ign.yaml", known)
	if err != nil {
		t.Fatal(err)
	}
	rep := result.Report{Findings: []result.Finding{
		{Rule: "cookie-missing-secure", Cookie: "old_sid", URL: "https://old.example/"}, // 0: suppressed
		{Rule: "cookie-missing-secure", Cookie: "old_sid", URL: "https://new.example/"}, // 1: other URL
		{Rule: "cookie-missing-secure", Cookie: "sid", URL: "https://old.example/"},     // 2: other cookie
		{Rule: "hsts-missing", URL: "https://any.example/"},                             // 3: suppressed
		{Rule: "cookie-missing-httponly", Cookie: "x", URL: "https://old.example/"},     // 4: entry expired
		{Rule: "cookie-missing-secure", Cookie: "old_sid", URL: "https://new.example/", // 5: one of its URLs matches
			URLs: []string{"https://new.example/", "https://old.example/login"}},
	}}
	warnings := l.Apply(&rep, now)
	want := []bool{true, false, false, true, false, true}
	for i, w := range want {
		if got := rep.Findings[i].Suppression != nil; got != w {
			t.Errorf("finding %d (%+v): suppressed %v, want %v", i, rep.Findings[i], got, w)
		}
	}
	if s := rep.Findings[0].Suppression; s == nil || s.Reason != "legacy app, retired in March" || s.Source != "ign.yaml:2" || s.Expires != "2027-03-31" {
		t.Errorf("suppression of finding 0 = %+v", s)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "ign.yaml:9") || !strings.Contains(warnings[0], "expired on 2027-03-30") {
		t.Errorf("warnings = %q, want one for the entry on line 9", warnings)
	}
	// The day after its last day, the first entry expires too.
	rep2 := result.Report{Findings: []result.Finding{{Rule: "cookie-missing-secure", Cookie: "old_sid", URL: "https://old.example/"}}}
	if w := l.Apply(&rep2, now.Add(2*time.Hour)); rep2.Findings[0].Suppression != nil || len(w) != 2 {
		t.Errorf("after 2027-03-31: suppression %+v, warnings %q", rep2.Findings[0].Suppression, w)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not a list", "rule: hsts-missing\n", "expected a list"},
		{"syntax", "- rule: [\n", "YAML list of entries"},
		{"missing rule", "- reason: x\n", "ign.yaml:1: rule: is missing"},
		{"unknown rule", "- rule: cookie-missing-secur\n  reason: x\n", `rule "cookie-missing-secur" does not exist`},
		{"missing reason", "- rule: hsts-missing\n", "reason: is missing"},
		{"bad regexp", "- rule: hsts-missing\n  reason: x\n  url: '(['\n", "not a regular expression"},
		{"bad date", "- rule: hsts-missing\n  reason: x\n  expires: 31/03/2027\n", "not a date like 2027-03-31"},
		{"unknown key", "- rule: hsts-missing\n  reason: x\n  cokie: sid\n", "cokie"},
		{"second entry's line", "- rule: hsts-missing\n  reason: x\n- rule: nope\n  reason: y\n", "ign.yaml:3:"},
	} {
		_, err := Parse([]byte(tc.in), "ign.yaml", known)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if l, err := Parse([]byte("# nothing accepted yet\n"), "ign.yaml", known); err != nil || len(l.Entries) != 0 {
		t.Errorf("empty file: %+v, %v", l, err)
	}
}
