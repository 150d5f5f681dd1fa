package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

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

// MaxFindingsPerRuleClass is how many findings of one rule on one class of
// cookie (session, csrf, other) a report lists one by one; Summarize folds
// the rest into one finding that counts them.
const MaxFindingsPerRuleClass = 50

// Summarize keeps the first limit cookie findings of each rule and cookie class
// and folds the others into one finding per rule and class, placed where the
// first of them was: the worst severity among them, no single cookie, a
// detail that counts them and names a few. fs must be sorted worst first, so
// the findings listed one by one are the worst. Other findings pass as they are.
func Summarize(fs []result.Finding, limit int) []result.Finding {
	type folded struct {
		at    int // index of the summary in out
		n     int
		names []string
	}
	const named, urls = 3, 20 // cookies named and places listed per summary
	counts := map[string]int{}
	groups := map[string]*folded{}
	var order []*folded
	out := make([]result.Finding, 0, len(fs))
	for _, f := range fs {
		if f.Cookie == "" {
			out = append(out, f)
			continue
		}
		k := f.Rule + "\x00" + f.CookieClass
		if counts[k]++; counts[k] <= limit {
			out = append(out, f)
			continue
		}
		g, ok := groups[k]
		if !ok {
			g = &folded{at: len(out)}
			groups[k], order = g, append(order, g)
			s := f
			s.Cookie, s.CookieDomain, s.CookiePath = "", "", ""
			s.URLs = nil
			out = append(out, s)
		}
		g.n++
		if len(g.names) < named {
			g.names = append(g.names, fmt.Sprintf("%q", f.Cookie))
		}
		s := &out[g.at]
		s.Severity = max(s.Severity, f.Severity)
		for _, u := range append([]string{f.URL}, f.URLs...) {
			if len(s.URLs) < urls && !slices.Contains(s.URLs, u) {
				s.URLs = append(s.URLs, u)
			}
		}
	}
	for _, g := range order {
		s := &out[g.at]
		kind := s.CookieClass
		if kind == "" {
			kind = "other"
		}
		eg := strings.Join(g.names, ", ")
		if g.n > len(g.names) {
			eg += ", …"
		}
		s.Detail = fmt.Sprintf("%s more cookie(s) of kind %q have the same problem, e.g. %s: a report lists at most %d per rule and kind of cookie one by one.",
			Thousands(g.n), kind, eg, limit)
		s.Evidence = "For example:\n" + s.Evidence
	}
	return out
}

// Thousands writes n with separators: 4,321.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
