package rules_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// rulesMD is every rule ID of RULES.md, in its order, with the severities its
// table allows (default first). Copied by hand: the tests must not read files
// outside the repository.
var rulesMD = []struct {
	id       string
	category string
	sevs     []result.Severity
}{
	{"http-no-redirect", "redirect and TLS", sevs(high)},
	{"http-unavailable", "redirect and TLS", sevs(info)},
	{"redirect-final-not-https", "redirect and TLS", sevs(high)},
	{"redirect-first-hop-not-https", "redirect and TLS", sevs(medium)},
	{"redirect-first-hop-other-host", "redirect and TLS", sevs(low)},
	{"redirect-https-downgrade", "redirect and TLS", sevs(high)},
	{"redirect-loop", "redirect and TLS", sevs(medium)},
	{"redirect-not-permanent", "redirect and TLS", sevs(info)},
	{"tls-cert-invalid", "redirect and TLS", sevs(high)},
	{"tls-cert-expiring", "redirect and TLS", sevs(medium, low)},

	{"hsts-missing", "HSTS", sevs(medium)},
	{"hsts-missing-on-redirect", "HSTS", sevs(low)},
	{"hsts-inconsistent", "HSTS", sevs(low)},
	{"hsts-invalid", "HSTS", sevs(medium)},
	{"hsts-multiple-headers", "HSTS", sevs(low)},
	{"hsts-max-age-zero", "HSTS", sevs(medium)},
	{"hsts-max-age-short", "HSTS", sevs(low)},
	{"hsts-max-age-below-1y", "HSTS", sevs(info)},
	{"hsts-no-includesubdomains", "HSTS", sevs(info)},
	{"hsts-preload-ineligible", "HSTS", sevs(low)},
	{"hsts-on-http", "HSTS", sevs(info)},
	{"hsts-meta-tag", "HSTS", sevs(info)},

	{"cookie-missing-secure", "cookie attributes", sevs(high, medium, low)},
	{"cookie-set-over-http", "cookie attributes", sevs(medium, low)},
	{"cookie-sent-over-http", "cookie attributes", sevs(high, low)},
	{"cookie-missing-httponly", "cookie attributes", sevs(medium, info)},
	{"cookie-missing-samesite", "cookie attributes", sevs(low, info)},
	{"cookie-samesite-none", "cookie attributes", sevs(info)},
	{"cookie-samesite-none-insecure", "cookie attributes", sevs(medium)},
	{"cookie-samesite-invalid", "cookie attributes", sevs(low)},
	{"cookie-prefix-violation", "cookie attributes", sevs(medium)},
	{"cookie-domain-broad", "cookie attributes", sevs(low, info)},
	{"cookie-domain-invalid", "cookie attributes", sevs(low)},
	{"session-cookie-persistent", "cookie attributes", sevs(medium, low, info)},
	{"cookie-lifetime-over-400d", "cookie attributes", sevs(info)},
	{"cookie-expiry-unparseable", "cookie attributes", sevs(info)},
	{"cookie-duplicate-attribute", "cookie attributes", sevs(info)},
	{"cookie-too-large", "cookie attributes", sevs(low)},
	{"cookie-partitioned-insecure", "cookie attributes", sevs(low)},
	{"cookie-rejected-by-browser", "cookie attributes", sevs(low)},

	{"session-not-rotated-on-login", "session life cycle", sevs(high, medium)}, // medium: another session cookie was issued (issue 10),
	{"session-cookie-not-cleared-on-logout", "session life cycle", sevs(low)},
	{"session-id-in-url", "session life cycle", sevs(medium)},
	{"session-cookie-no-host-prefix", "session life cycle", sevs(info)},
	{"framework-default-session-name", "session life cycle", sevs(info)},
}

func sevs(s ...result.Severity) []result.Severity { return s }

func sortedSevs(s []result.Severity) []result.Severity {
	out := append([]result.Severity{}, s...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestCatalogMatchesRulesMD(t *testing.T) {
	all := rules.All()
	if len(all) != len(rulesMD) {
		t.Errorf("All() has %d rules, RULES.md %d", len(all), len(rulesMD))
	}
	for i, want := range rulesMD {
		r, ok := rules.Lookup(want.id)
		if !ok {
			t.Errorf("%s: missing from the catalog", want.id)
			continue
		}
		if i < len(all) && all[i].ID != want.id {
			t.Errorf("All()[%d] = %s, want %s (RULES.md order)", i, all[i].ID, want.id)
		}
		if r.ID != want.id || r.Category != want.category {
			t.Errorf("%s: ID/category = %q/%q, want %q", want.id, r.ID, r.Category, want.category)
		}
		if strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Fix) == "" {
			t.Errorf("%s: empty Title or Fix", want.id)
		}
		if r.Severity != want.sevs[0] {
			t.Errorf("%s: default severity %s, want %s", want.id, r.Severity, want.sevs[0])
		}
		if got, exp := fmt.Sprint(sortedSevs(r.Severities)), fmt.Sprint(sortedSevs(want.sevs)); got != exp {
			t.Errorf("%s: severities %s, want %s", want.id, got, exp)
		}
		for _, s := range r.Severities {
			p, ok := r.Penalty[s]
			if !ok {
				t.Errorf("%s: no penalty for %s", want.id, s)
			} else if p < 0 || p > 100 {
				t.Errorf("%s: penalty %d for %s out of range", want.id, p, s)
			}
		}
		// A worse severity never costs less.
		ordered := sortedSevs(r.Severities)
		for j := 1; j < len(ordered); j++ {
			if r.Penalty[ordered[j]] < r.Penalty[ordered[j-1]] {
				t.Errorf("%s: %s costs %d, less than %s (%d)", want.id, ordered[j], r.Penalty[ordered[j]], ordered[j-1], r.Penalty[ordered[j-1]])
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.ID] {
			t.Errorf("duplicate ID %s", r.ID)
		}
		seen[r.ID] = true
	}
	if _, ok := rules.Lookup("no-such-rule"); ok {
		t.Error("Lookup found an unknown ID")
	}
}

// All returns a copy: a caller cannot corrupt the catalog.
func TestAllReturnsCopy(t *testing.T) {
	a := rules.All()
	a[0].ID, a[0].Title = "changed", "changed"
	if b := rules.All(); b[0].ID != rulesMD[0].id || b[0].Title == "changed" {
		t.Errorf("All() shares its backing array: %q", b[0].ID)
	}
}

// RULES.md names the Observatory modifiers the penalties are calibrated on.
func TestObservatoryPenalties(t *testing.T) {
	tests := []struct {
		id   string
		sev  result.Severity
		want int
	}{
		{"cookie-missing-secure", high, 40},
		{"cookie-missing-httponly", medium, 30},
		{"http-no-redirect", high, 20},
		{"hsts-missing", medium, 20},
	}
	for _, tc := range tests {
		r, _ := rules.Lookup(tc.id)
		if got := r.Penalty[tc.sev]; got != tc.want {
			t.Errorf("%s/%s penalty = %d, want %d", tc.id, tc.sev, got, tc.want)
		}
	}
}

func TestGrade(t *testing.T) {
	tests := []struct {
		score int
		want  string
	}{
		{100, "A+"}, {99, "A"}, {90, "A"}, {89, "A-"}, {85, "A-"}, {84, "B+"}, {80, "B+"},
		{79, "B"}, {70, "B"}, {69, "B-"}, {65, "B-"}, {64, "C+"}, {60, "C+"}, {59, "C"},
		{50, "C"}, {49, "C-"}, {45, "C-"}, {44, "D+"}, {40, "D+"}, {39, "D"}, {30, "D"},
		{29, "D-"}, {25, "D-"}, {24, "F"}, {1, "F"}, {0, "F"},
	}
	for _, tc := range tests {
		if got := rules.Grade(tc.score); got != tc.want {
			t.Errorf("Grade(%d) = %q, want %q", tc.score, got, tc.want)
		}
	}
}

func finding(rule string, sev result.Severity, cookie string) result.Finding {
	return result.Finding{Rule: rule, Severity: sev, Cookie: cookie}
}

// repeat is the same rule on n cookies.
func repeat(rule string, sev result.Severity, n int) []result.Finding {
	fs := make([]result.Finding, n)
	for i := range fs {
		fs[i] = finding(rule, sev, fmt.Sprintf("c%d", i))
	}
	return fs
}

func TestScore(t *testing.T) {
	tests := map[string]struct {
		fs    []result.Finding
		score int
		grade string
	}{
		"nothing":                      {nil, 100, "A+"},
		"info only":                    {[]result.Finding{finding("hsts-no-includesubdomains", info, ""), finding("cookie-samesite-none", info, "w")}, 100, "A+"},
		"one cookie without Secure":    {repeat("cookie-missing-secure", low, 1), 95, "A"},
		"ten cookies cost one penalty": {repeat("cookie-missing-secure", low, 10), 95, "A"},
		"worst severity counts once": {append(repeat("cookie-missing-secure", low, 9), finding("cookie-missing-secure", high, "sessionid")),
			60, "C+"},
		"session under HSTS": {repeat("cookie-missing-secure", medium, 3), 90, "A"},
		"no redirect, no HSTS": {[]result.Finding{finding("http-no-redirect", high, ""), finding("hsts-missing", medium, "")},
			60, "C+"},
		"floored at zero": {[]result.Finding{
			finding("cookie-missing-secure", high, "s"), finding("cookie-missing-httponly", medium, "s"),
			finding("http-no-redirect", high, ""), finding("hsts-missing", medium, ""),
		}, 0, "F"},
		"unknown rule costs nothing": {[]result.Finding{finding("no-such-rule", high, "")}, 100, "A+"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := rules.Score(tc.fs)
			if s != tc.score {
				t.Errorf("Score = %d, want %d", s, tc.score)
			}
			if g := rules.Grade(s); g != tc.grade {
				t.Errorf("Grade(%d) = %q, want %q", s, g, tc.grade)
			}
		})
	}
}

// The penalty of every rule, at every severity, is what Score subtracts.
func TestScoreUsesCatalogPenalties(t *testing.T) {
	for _, r := range rules.All() {
		for _, s := range r.Severities {
			want := max(100-r.Penalty[s], 0)
			if got := rules.Score(repeat(r.ID, s, 10)); got != want {
				t.Errorf("%s/%s ten times: Score = %d, want %d", r.ID, s, got, want)
			}
		}
	}
}

// implemented is every rule Evaluate or CookieFindings can produce; the rest of
// RULES.md (hsts-inconsistent, cookie-sent-over-http and the login/logout/URL
// session rules) is judged from a browser crawl, not from these inputs.
var implemented = []string{
	"http-no-redirect", "http-unavailable", "redirect-final-not-https", "redirect-first-hop-not-https",
	"redirect-first-hop-other-host", "redirect-https-downgrade", "redirect-loop", "redirect-not-permanent",
	"tls-cert-invalid", "tls-cert-expiring",
	"hsts-missing", "hsts-missing-on-redirect", "hsts-invalid", "hsts-multiple-headers", "hsts-max-age-zero",
	"hsts-max-age-short", "hsts-max-age-below-1y", "hsts-no-includesubdomains", "hsts-preload-ineligible",
	"hsts-on-http", "hsts-meta-tag",
	"cookie-missing-secure", "cookie-set-over-http", "cookie-missing-httponly", "cookie-missing-samesite",
	"cookie-samesite-none", "cookie-samesite-none-insecure", "cookie-samesite-invalid", "cookie-prefix-violation",
	"cookie-domain-broad", "cookie-domain-invalid", "session-cookie-persistent", "cookie-lifetime-over-400d",
	"cookie-expiry-unparseable", "cookie-duplicate-attribute", "cookie-too-large", "cookie-partitioned-insecure",
	"cookie-rejected-by-browser", "session-cookie-no-host-prefix", "framework-default-session-name",
	// Judged from browser observations (CrawlFindings).
	"session-not-rotated-on-login", "cookie-sent-over-http", "hsts-inconsistent", "session-id-in-url",
	"session-cookie-not-cleared-on-logout",
}

// Every implemented rule has at least three inputs that must fire it, at every
// severity it can take, and three that must not. Run with -v to see the counts.
func TestCaseCoverage(t *testing.T) {
	type tally struct {
		fire, not int
		sevs      map[result.Severity]bool
	}
	counts := map[string]*tally{}
	add := func(rule string, want result.Severity) {
		c := counts[rule]
		if c == nil {
			c = &tally{sevs: map[result.Severity]bool{}}
			counts[rule] = c
		}
		if want == none {
			c.not++
		} else {
			c.fire++
			c.sevs[want] = true
		}
	}
	for _, tc := range transportCases() {
		add(tc.rule, tc.want)
	}
	for _, tc := range hstsCases() {
		add(tc.rule, tc.want)
	}
	for _, tc := range cookieCases() {
		add(tc.rule, tc.want)
	}
	for _, tc := range crawlCases() {
		add(tc.rule, tc.want)
	}
	for _, id := range implemented {
		c := counts[id]
		if c == nil {
			t.Errorf("%s: no cases", id)
			continue
		}
		t.Logf("%-32s fire %2d  not %2d", id, c.fire, c.not)
		if c.fire < 3 || c.not < 3 {
			t.Errorf("%s: %d firing and %d non-firing cases, want >= 3 each", id, c.fire, c.not)
		}
		r, _ := rules.Lookup(id)
		for _, s := range r.Severities {
			if !c.sevs[s] {
				t.Errorf("%s: no case fires it at %s", id, s)
			}
		}
	}
	for id := range counts {
		if _, ok := rules.Lookup(id); !ok {
			t.Errorf("cases for unknown rule %s", id)
		}
	}
}

// TestScoreImpacts: each rule's penalty is charged once, to its first finding at
// its worst severity, and the impacts add up to what the score lost.
func TestScoreImpacts(t *testing.T) {
	fs := []result.Finding{
		finding("cookie-missing-samesite", low, "a"),
		finding("cookie-missing-secure", low, "csrftoken"),
		finding("cookie-missing-secure", high, "sessionid"),
		finding("cookie-missing-secure", high, "other"),
		finding("hsts-missing", medium, ""),
		finding("cookie-missing-samesite", low, "b"),
		finding("hsts-no-includesubdomains", info, ""),
		finding("not-a-rule", high, ""),
	}
	rules.ScoreImpacts(fs)
	want := []int{5, 0, 40, 0, 20, 0, 0, 0}
	sum := 0
	for i, f := range fs {
		if f.ScoreImpact != want[i] {
			t.Errorf("finding %d (%s %s %s): impact %d, want %d", i, f.Rule, f.Severity, f.Cookie, f.ScoreImpact, want[i])
		}
		sum += f.ScoreImpact
	}
	if got := rules.Score(fs); got != 100-sum {
		t.Errorf("Score = %d, impacts add up to %d: want Score = 100 - impacts", got, sum)
	}
}
