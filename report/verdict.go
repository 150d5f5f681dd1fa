package report

import (
	"fmt"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// Verdict is one line a person can paste into a ticket: grade, what is worst, and
// its fix, and how many pages failed to load; or why the target was not scanned.
func Verdict(r result.Report) string {
	score, grade, ok := r.Graded()
	if !ok {
		return fmt.Sprintf("Verdict: %s not scanned: %s", r.Target, r.NotScanned)
	}
	v := verdict(r, score, grade)
	if n := r.PageFailures(); n > 0 {
		v += fmt.Sprintf(" (%d %s failed to load: see Errors)", n, plural(n, "page", "pages"))
	}
	return v
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func verdict(r result.Report, score int, grade string) string {
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
		return fmt.Sprintf("Verdict: %s grade %s (%d/100): no problem above info.", host, grade, score)
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
	return fmt.Sprintf("Verdict: %s grade %s (%d/100): %s; worst: %s — fix: %s", host, grade, score, strings.Join(parts, ", "), what, fix)
}
