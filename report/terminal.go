package report

import (
	"github.com/cookiescan/cookiescan/report/termsafe"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// terminalSafe is the table's boundary: every string of the report, whatever its
// origin (the site, or a crafted JSON given to `cookiescan report`), has its
// control characters shown as escapes before anything is formatted; the
// strings printed outside table cells (clean handles those) cannot break their
// line either. The caller's report is not changed.
func terminalSafe(r result.Report) result.Report {
	r = termsafe.Value(r)
	r.Target, r.NotScanned = termsafe.Line(r.Target), termsafe.Line(r.NotScanned)
	if r.Grade != nil {
		g := termsafe.Line(*r.Grade)
		r.Grade = &g
	}
	for i := range r.Frameworks {
		r.Frameworks[i].Name, r.Frameworks[i].Label = termsafe.Line(r.Frameworks[i].Name), termsafe.Line(r.Frameworks[i].Label)
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Rule, f.Remediation.Framework = termsafe.Line(f.Rule), termsafe.Line(f.Remediation.Framework)
		f.Remediation.Generic, f.Remediation.Fix = termsafe.Line(f.Remediation.Generic), termsafe.Line(f.Remediation.Fix)
	}
	return r
}
