package diff

import "github.com/cookiescan/cookiescan/scanner/result"

// MarkBaseline tags each finding of r "new" or "known" against the baseline
// scan of the same target (a finding is known when a finding of the same
// Key was in it). Without a baseline (nil) nothing is tagged.
func MarkBaseline(r *result.Report, base []result.Report) {
	if base == nil {
		return
	}
	known := map[string]bool{}
	for _, b := range base {
		if b.Target == r.Target {
			for _, f := range b.Findings {
				known[Key(f)] = true
			}
		}
	}
	for i := range r.Findings {
		if known[Key(r.Findings[i])] {
			r.Findings[i].Baseline = "known"
		} else {
			r.Findings[i].Baseline = "new"
		}
	}
}
