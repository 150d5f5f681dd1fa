package report

import (
	"fmt"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
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
	counts := vocab.CountsText(r.Findings, result.SeverityLow)
	host := r.Target
	if counts == "" {
		return fmt.Sprintf("Verdict: %s grade %s (%d/100): no problem above info.", host, grade, score)
	}
	worst := r.Findings[0] // findings are sorted worst first
	what := worst.Rule
	if worst.Cookie != "" {
		what += " (" + worst.Cookie + ")"
	}
	return fmt.Sprintf("Verdict: %s grade %s (%d/100): %s; worst: %s — fix: %s", host, grade, score, counts, what, vocab.FixLine(r, worst.Remediation))
}
