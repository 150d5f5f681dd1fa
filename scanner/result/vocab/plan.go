package vocab

import (
	"sort"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// Step is one change of an action plan and the findings it removes.
type Step struct {
	// Label names the framework of Fix ("Django"); "" for generic advice.
	Label string
	// Fix is the framework's setting, or the generic advice when Label is "".
	Fix string
	// Generic is the rule's generic advice when Fix is a framework setting.
	Generic string
	// Findings index the report's findings this change removes, in report order.
	Findings []int
	// Rules are the rule IDs of those findings, first seen first, each once.
	Rules []string
	// Cookies are the cookie names of those findings, first seen first, each once.
	Cookies []string
	// Points is what the change is worth: the sum of the findings' ScoreImpact.
	Points int
	// Worst is the highest severity among the findings.
	Worst result.Severity
}

// Line is the step as one line to act on ("Django: SESSION_COOKIE_SECURE = True").
func (s Step) Line() string {
	if s.Label != "" {
		return s.Label + ": " + s.Fix
	}
	return s.Fix
}

// Plan groups the findings from low severity up by the fix that removes them:
// one framework setting often fixes several findings (SESSION_COOKIE_SECURE
// removes both "without Secure" and "sent over HTTP" for the session cookie).
// Steps come in the order worth doing them: most points first, then the worst
// severity, then the most findings, then report order. Info findings are not
// problems, and suppressed ones were accepted: neither gets a step.
func Plan(r result.Report) []Step {
	var steps []Step
	at := map[string]int{}
	for i, f := range r.Findings {
		if f.Severity < result.SeverityLow || f.Suppression != nil {
			continue
		}
		rem := f.Remediation
		key := "\x00" + f.Rule + "\x00" + rem.Generic
		if rem.Fix != "" {
			key = rem.Framework + "\x00" + rem.Fix
		}
		j, ok := at[key]
		if !ok {
			j = len(steps)
			at[key] = j
			st := Step{Fix: rem.Generic}
			if rem.Fix != "" {
				st = Step{Label: FrameworkLabel(r, rem.Framework), Fix: rem.Fix, Generic: rem.Generic}
			}
			if st.Fix == "" {
				st.Fix = "See rule " + f.Rule + " (cookiescan rules " + f.Rule + ")."
			}
			steps = append(steps, st)
		}
		st := &steps[j]
		st.Findings = append(st.Findings, i)
		st.Rules = appendOnce(st.Rules, f.Rule)
		if f.Cookie != "" {
			st.Cookies = appendOnce(st.Cookies, f.Cookie)
		}
		st.Points += f.ScoreImpact
		if f.Severity > st.Worst {
			st.Worst = f.Severity
		}
	}
	sort.SliceStable(steps, func(a, b int) bool {
		x, y := steps[a], steps[b]
		switch {
		case x.Points != y.Points:
			return x.Points > y.Points
		case x.Worst != y.Worst:
			return x.Worst > y.Worst
		case len(x.Findings) != len(y.Findings):
			return len(x.Findings) > len(y.Findings)
		}
		return x.Findings[0] < y.Findings[0]
	})
	return steps
}

// PlanTitle sums a plan up: "8 changes fix 11 findings".
func PlanTitle(steps []Step) string {
	n := 0
	for _, s := range steps {
		n += len(s.Findings)
	}
	verb := " fix "
	if len(steps) == 1 {
		verb = " fixes "
	}
	return Plural(len(steps), "change", "changes") + verb + Plural(n, "finding", "findings")
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
