package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// Every format says the same things the same way (scanner/result/vocab): a
// script fix is labelled "Page script" (the HTML once printed "Fix: script:"),
// a lifetime reads "399 days" wherever cookies are listed (once "1.1 years",
// "1 year", "399 days"), and each finding's points are shown.
func TestFormatsShareVocabulary(t *testing.T) {
	r := result.New("https://shop.example/", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), "test")
	r.SetGrade(55, "C")
	life := int64(399 * 86400)
	r.Cookies = []result.Cookie{{Name: "prefs", Domain: "shop.example", HostOnly: true, Path: "/", MaxAge: &life,
		SetBy: result.SetByScript, URL: "https://shop.example/", Phase: result.PhasePreLogin, Stored: true}}
	r.Findings = []result.Finding{{Rule: "cookie-missing-secure", Severity: result.SeverityMedium, Title: "Cookie without Secure",
		Cookie: "prefs", URL: "https://shop.example/", Detail: "prefs has no Secure attribute.",
		Remediation: result.Remediation{Generic: "Add the Secure attribute.", Framework: result.FrameworkScript, Fix: `document.cookie = "prefs=…; Secure"`}}}
	for _, f := range Formats {
		w, err := New(f, Options{Width: 200})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := w.Write(&out, []result.Report{r}); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		want := []string{"Page script", "10"} // cookie-missing-secure at medium costs 10 points
		switch f {
		case FormatJSON:
			want = []string{`"framework": "script"`, `"scoreImpact": 10`} // JSON keeps the IDs
		case FormatJSONL:
			want = []string{`"framework":"script"`, `"scoreImpact":10`}
		}
		if f == FormatTable || f == FormatHTML || f == FormatMarkdown {
			want = append(want, "399 days")
		}
		for _, s := range want {
			if !strings.Contains(text, s) {
				t.Errorf("%s does not say %q", f, s)
			}
		}
		if strings.Contains(text, "Fix: script:") || strings.Contains(text, "(script)") {
			t.Errorf("%s labels the fix with the framework ID", f)
		}
	}
}

// A report written before findings carried points gets them when re-rendered;
// one that has them keeps its own; the caller's reports are not changed.
func TestWithScoreImpacts(t *testing.T) {
	old := result.New("https://a.example/", time.Time{}, "old")
	old.SetGrade(60, "C+")
	old.Findings = []result.Finding{{Rule: "hsts-missing", Severity: result.SeverityMedium}, {Rule: "cookie-missing-httponly", Severity: result.SeverityMedium}}
	kept := old
	kept.Findings = []result.Finding{{Rule: "hsts-missing", Severity: result.SeverityMedium, ScoreImpact: 7}}
	clean := result.New("https://b.example/", time.Time{}, "new")
	clean.SetGrade(100, "A+")
	clean.Findings = []result.Finding{{Rule: "hsts-no-includesubdomains", Severity: result.SeverityInfo}}
	in := []result.Report{old, kept, clean}
	out := WithScoreImpacts(in)
	if got := []int{out[0].Findings[0].ScoreImpact, out[0].Findings[1].ScoreImpact, out[1].Findings[0].ScoreImpact, out[2].Findings[0].ScoreImpact}; got[0] != 20 || got[1] != 30 || got[2] != 7 || got[3] != 0 {
		t.Errorf("impacts = %v, want [20 30 7 0]", got)
	}
	if in[0].Findings[0].ScoreImpact != 0 {
		t.Error("the caller's report was changed")
	}
}
