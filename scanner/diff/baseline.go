package diff

import "github.com/cookiescan/cookiescan/scanner/result"

// MarkBaseline tags each finding of r "new", "known" or "updated" (known at
// another severity) against the baseline scan of the same target (a finding
// is known when a finding of the same Key was in it), and lists in
// r.Resolved the baseline's findings that r no longer has. Without a
// baseline (nil) nothing is tagged.
func MarkBaseline(r *result.Report, base []result.Report) {
	if base == nil {
		return
	}
	known := map[string]result.Finding{}
	var order []string
	for _, b := range base {
		if b.Target == r.Target {
			for _, f := range b.Findings {
				k := Key(f)
				if _, ok := known[k]; !ok {
					order = append(order, k)
				}
				known[k] = f
			}
		}
	}
	seen := map[string]bool{}
	for i := range r.Findings {
		k := Key(r.Findings[i])
		seen[k] = true
		switch b, ok := known[k]; {
		case !ok:
			r.Findings[i].Baseline = "new"
		case b.Severity != r.Findings[i].Severity:
			r.Findings[i].Baseline = "updated"
		default:
			r.Findings[i].Baseline = "known"
		}
	}
	r.Resolved = nil
	for _, k := range order {
		if !seen[k] {
			f := known[k]
			f.Baseline, f.Suppression = "", nil
			r.Resolved = append(r.Resolved, f)
		}
	}
}
