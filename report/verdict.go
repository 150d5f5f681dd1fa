package report

import (
	"fmt"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// Verdict is one line a person can paste into a ticket: grade, what is worst, and
// its fix.
func Verdict(r result.Report) string {
	counts := map[result.Severity]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for i := len(result.Severities) - 1; i >= 0; i-- {
		s := result.Severities[i]
		if counts[s] > 0 && s >= result.SeverityLow {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	host := r.Target
	if len(parts) == 0 {
		return fmt.Sprintf("Verdict: %s grade %s (%d/100): no problem above info.", host, r.Grade, r.Score)
	}
	worst := r.Findings[0] // findings are sorted worst first
	what := worst.Rule
	if worst.Cookie != "" {
		what += " (" + worst.Cookie + ")"
	}
	fix := worst.Remediation.Generic
	if worst.Remediation.Fix != "" {
		fix = r.FrameworkLabel(worst.Remediation.Framework) + ": " + worst.Remediation.Fix
	}
	return fmt.Sprintf("Verdict: %s grade %s (%d/100): %s; worst: %s — fix: %s", host, r.Grade, r.Score, strings.Join(parts, ", "), what, fix)
}
