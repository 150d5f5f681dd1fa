package diff

import (
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
)

func TestMarkBaseline(t *testing.T) {
	known := result.Finding{Rule: "cookie-missing-secure", Cookie: "sid", CookieDomain: "a.example", CookiePath: "/"}
	fresh := result.Finding{Rule: "hsts-missing", URL: "https://a.example/"}
	other := result.Report{Target: "https://b.example/", Findings: []result.Finding{fresh}}
	base := []result.Report{{Target: "https://a.example/", Findings: []result.Finding{known}}, other}
	r := result.Report{Target: "https://a.example/", Findings: []result.Finding{known, fresh}}
	MarkBaseline(&r, base)
	if r.Findings[0].Baseline != "known" || r.Findings[1].Baseline != "new" {
		t.Errorf("marks %q %q; want known new (another target's finding does not count)", r.Findings[0].Baseline, r.Findings[1].Baseline)
	}
	r2 := result.Report{Target: "https://a.example/", Findings: []result.Finding{fresh}}
	MarkBaseline(&r2, nil)
	if r2.Findings[0].Baseline != "" {
		t.Errorf("no baseline marked %q", r2.Findings[0].Baseline)
	}
}
