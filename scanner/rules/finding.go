package rules

import (
	"fmt"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// newFinding fills title and generic fix from the catalog, so they are written once.
func newFinding(id string, sev result.Severity, url, detail, evidence string) result.Finding {
	r, ok := byID[id]
	if !ok {
		panic(fmt.Sprintf("rules: finding for unknown rule %q", id)) // a programming error, caught by tests
	}
	return result.Finding{
		Rule: id, Severity: sev, Title: r.Title, Detail: detail, URL: url, Evidence: evidence,
		Remediation: result.Remediation{Generic: r.Fix},
	}
}

// Dedupe keeps the first finding per rule, cookie and URL: the same cookie set on
// several hops, or seen by both the probe and the browser, is one problem there.
func Dedupe(fs []result.Finding) []result.Finding {
	seen := map[string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := f.Rule + "\x00" + f.Cookie + "\x00" + f.URL
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}
