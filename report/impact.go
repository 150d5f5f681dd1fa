package report

import (
	"io"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// impacts makes every writer show score impacts, also for a report written
// before findings carried them (re-read by `cookiescan report`, or stored by an
// older monitor).
type impacts struct{ Writer }

func (w impacts) Write(out io.Writer, reps []result.Report) error {
	return w.Writer.Write(out, WithScoreImpacts(reps))
}

// WithScoreImpacts returns the reports with each finding's ScoreImpact filled in
// where a report has none: graded below 100, yet no finding costs a point. The
// caller's reports are not changed.
func WithScoreImpacts(reps []result.Report) []result.Report {
	out := reps
	for i, r := range reps {
		if !missingImpacts(r) {
			continue
		}
		if &out[0] == &reps[0] {
			out = append([]result.Report(nil), reps...)
		}
		fs := append([]result.Finding(nil), r.Findings...)
		rules.ScoreImpacts(fs)
		out[i].Findings = fs
	}
	return out
}

func missingImpacts(r result.Report) bool {
	score, _, ok := r.Graded()
	if !ok || score >= 100 || len(r.Findings) == 0 {
		return false
	}
	for _, f := range r.Findings {
		if f.ScoreImpact != 0 {
			return false
		}
	}
	return true
}
