package rules

import (
	"fmt"
	"slices"

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

// Group merges the findings of one rule on one cookie (name, domain, path) into one
// finding that lists every URL where it was seen, at the worst severity: a cookie
// set on 40 pages is one problem with 40 places. Other findings are one per URL.
func Group(fs []result.Finding) []result.Finding {
	index := map[string]int{}
	out := make([]result.Finding, 0, len(fs))
	for _, f := range fs {
		k := f.Rule + "\x00" + f.URL
		if f.Cookie != "" {
			k = f.Rule + "\x00" + f.Cookie + "\x00" + f.CookieDomain + "\x00" + f.CookiePath
		}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			f.URLs = []string{f.URL}
			out = append(out, f)
			continue
		}
		g := &out[i]
		if f.Severity > g.Severity {
			urls := g.URLs
			*g = f
			g.URLs = urls
		}
		if !slices.Contains(g.URLs, f.URL) {
			g.URLs = append(g.URLs, f.URL)
		}
	}
	return out
}
