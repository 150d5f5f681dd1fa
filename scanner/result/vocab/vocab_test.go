package vocab_test

import (
	"reflect"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

func TestLifetime(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	const day, year = 86400, 365 * 86400
	tests := []struct {
		maxAge *int64
		want   string
	}{
		{nil, "session"},
		{i(0), "deleted"},
		{i(-1), "deleted"},
		{i(1), "1 second"},
		{i(59), "59 seconds"},
		{i(60), "1 minute"},
		{i(90), "90 seconds"},
		{i(150), "2 minutes"},
		{i(3600), "1 hour"},
		{i(5400), "90 minutes"},
		{i(day), "1 day"},
		{i(36 * 3600), "36 hours"},
		{i(14 * day), "14 days"},
		{i(year), "1 year"},
		{i(399 * day), "399 days"},
		{i(400 * day), "400 days"},
		{i(2 * year), "2 years"},
		{i(year*5/2 + 1), "2.5 years"},
	}
	for _, tc := range tests {
		if got := vocab.Lifetime(tc.maxAge); got != tc.want {
			t.Errorf("Lifetime(%v) = %q, want %q", deref(tc.maxAge), got, tc.want)
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestGradeBand(t *testing.T) {
	for grade, want := range map[string]string{
		"A+": "a", "A": "a", "A-": "a", "B+": "b", "B-": "b", "C+": "c", "C-": "c",
		"D+": "d", "D": "d", "D-": "d", "F": "f", "": "none", "?": "f",
	} {
		if got := vocab.GradeBand(grade); got != want {
			t.Errorf("GradeBand(%q) = %q, want %q", grade, got, want)
		}
	}
}

func TestFrameworkLabel(t *testing.T) {
	r := result.Report{Frameworks: []result.Framework{{Name: "django", Label: "Django 4"}}}
	for id, want := range map[string]string{
		"script": "Page script", "django": "Django 4", "rails": "Rails", "mystery": "mystery",
	} {
		if got := vocab.FrameworkLabel(r, id); got != want {
			t.Errorf("FrameworkLabel(%q) = %q, want %q", id, got, want)
		}
	}
	rem := result.Remediation{Generic: "Add Secure.", Framework: "script", Fix: `document.cookie = "a=1; Secure"`}
	if got, want := vocab.FixLine(r, rem), `Page script: document.cookie = "a=1; Secure"`; got != want {
		t.Errorf("FixLine = %q, want %q", got, want)
	}
}

func TestCountsAndPoints(t *testing.T) {
	fs := []result.Finding{{Severity: result.SeverityHigh}, {Severity: result.SeverityLow}, {Severity: result.SeverityHigh}, {Severity: result.SeverityInfo}}
	if got, want := vocab.CountsText(fs, result.SeverityLow), "2 high, 1 low"; got != want {
		t.Errorf("CountsText = %q, want %q", got, want)
	}
	if got := vocab.CountsText(nil, result.SeverityLow); got != "" {
		t.Errorf("CountsText(nil) = %q, want empty", got)
	}
	if got := vocab.Points(40) + " " + vocab.Points(0) + " " + vocab.Gain(5) + "|" + vocab.Gain(0); got != "-40 0 +5 points|" {
		t.Errorf("Points/Gain = %q", got)
	}
}

func TestPlan(t *testing.T) {
	secure := result.Remediation{Generic: "Add Secure.", Framework: "django", Fix: "SESSION_COOKIE_SECURE = True"}
	r := result.Report{
		Frameworks: []result.Framework{{Name: "django", Label: "Django"}},
		Findings: []result.Finding{
			{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Cookie: "sessionid", ScoreImpact: 40, Remediation: secure},
			{Rule: "cookie-sent-over-http", Severity: result.SeverityHigh, Cookie: "sessionid", ScoreImpact: 40, Remediation: secure},
			{Rule: "hsts-missing", Severity: result.SeverityMedium, ScoreImpact: 20, Remediation: result.Remediation{Generic: "Send HSTS."}},
			{Rule: "cookie-missing-samesite", Severity: result.SeverityLow, Cookie: "a", ScoreImpact: 5, Remediation: result.Remediation{Generic: "Set SameSite."}},
			{Rule: "cookie-missing-samesite", Severity: result.SeverityLow, Cookie: "b", Remediation: result.Remediation{Generic: "Set SameSite."}},
			{Rule: "hsts-no-includesubdomains", Severity: result.SeverityInfo, Remediation: result.Remediation{Generic: "Add includeSubDomains."}},
			{Rule: "cookie-domain-broad", Severity: result.SeverityLow, Cookie: "lb", Remediation: result.Remediation{Generic: "Drop Domain."},
				Suppression: &result.Suppression{Reason: "the load balancer needs it", Source: ".cookiescan-ignore.yaml:3"}},
		},
	}
	steps := vocab.Plan(r)
	type got struct {
		Line     string
		Findings []int
		Rules    []string
		Cookies  []string
		Points   int
	}
	var have []got
	for _, s := range steps {
		have = append(have, got{s.Line(), s.Findings, s.Rules, s.Cookies, s.Points})
	}
	want := []got{
		{"Django: SESSION_COOKIE_SECURE = True", []int{0, 1}, []string{"cookie-missing-secure", "cookie-sent-over-http"}, []string{"sessionid"}, 80},
		{"Send HSTS.", []int{2}, []string{"hsts-missing"}, nil, 20},
		{"Set SameSite.", []int{3, 4}, []string{"cookie-missing-samesite"}, []string{"a", "b"}, 5},
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("Plan =\n%+v\nwant\n%+v", have, want)
	}
	if got, want := vocab.PlanTitle(steps), "3 changes fix 5 findings"; got != want {
		t.Errorf("PlanTitle = %q, want %q", got, want)
	}
}

func TestCookieLabel(t *testing.T) {
	for _, tc := range []struct{ path, want string }{{"/", "sid"}, {"", "sid"}, {"/wp-admin", "sid (path /wp-admin)"}} {
		if got := vocab.CookieLabel(result.Cookie{Name: "sid", Path: tc.path}); got != tc.want {
			t.Errorf("path %q: %q, want %q", tc.path, got, tc.want)
		}
	}
}
