package markdown

import (
	"fmt"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

var severityIcon = map[result.Severity]string{
	result.SeverityCritical: "🟣", result.SeverityHigh: "🔴", result.SeverityMedium: "🟠",
	result.SeverityLow: "🟡", result.SeverityInfo: "⚪",
}

func sev(s result.Severity) string {
	if icon, ok := severityIcon[s]; ok {
		return icon + " " + s.String()
	}
	return "❔ " + s.String()
}

// layout turns the reports into parts: an overview when there are several targets,
// then per target its summary, findings, cookies and scan errors.
func layout(reps []result.Report) []part {
	parts := []part{{text: "## cookiescan report\n"}}
	if len(reps) == 0 {
		parts = append(parts, part{text: "No target was scanned.\n"})
		return parts
	}
	if len(reps) > 1 {
		parts = append(parts, overview(reps))
	}
	for _, r := range reps {
		r = r.Normalized()
		parts = append(parts, summary(r))
		if steps := vocab.Plan(r); len(steps) > 0 {
			parts = append(parts, actionPlan(r, steps))
		}
		if len(r.Findings) > 0 {
			parts = append(parts, findings(r))
		}
		if len(r.Cookies) > 0 {
			parts = append(parts, cookies(r))
		}
		if len(r.Errors) > 0 {
			parts = append(parts, scanErrors(r))
		}
	}
	return parts
}

func overview(reps []result.Report) part {
	var b strings.Builder
	b.WriteString("| Target | Grade | Score | Critical | High | Medium | Low | Info |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range reps {
		c := counts(r.Findings)
		grade, score := "not scanned", "—"
		if s, g, ok := r.Normalized().Graded(); ok {
			grade, score = text(g, 8), fmt.Sprint(s)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d |\n", text(r.Target, maxURL), grade, score,
			c[result.SeverityCritical], c[result.SeverityHigh], c[result.SeverityMedium], c[result.SeverityLow], c[result.SeverityInfo])
	}
	return part{text: b.String()}
}

func counts(fs []result.Finding) map[result.Severity]int {
	c := map[result.Severity]int{}
	for _, n := range vocab.Counts(fs) {
		c[n.Severity] = n.N
	}
	return c
}

// summary is what a reviewer reads without scrolling: the grade, the counts, and
// the one thing to fix first.
func summary(r result.Report) part {
	var b strings.Builder
	score, grade, scanned := r.Graded()
	if !scanned {
		fmt.Fprintf(&b, "### %s — not scanned\n\n", text(r.Target, maxTarget))
	} else {
		fmt.Fprintf(&b, "### %s — grade **%s** (%d/100)\n\n", text(r.Target, maxTarget), text(grade, 8), score)
	}

	var bits []string
	for _, c := range vocab.Counts(r.Findings) {
		if c.N > 0 {
			bits = append(bits, fmt.Sprintf("%s %d %s", severityIcon[c.Severity], c.N, c.Severity))
		}
	}
	if len(bits) == 0 {
		bits = append(bits, "no findings")
	}
	bits = append(bits, plural(len(r.Cookies), "cookie", "cookies"), plural(len(r.Pages), "page", "pages"))
	if n := len(r.Errors); n > 0 {
		bit := "⚠️ " + plural(n, "scan error", "scan errors")
		if p := r.PageFailures(); p > 0 {
			bit += " (" + plural(p, "page", "pages") + " failed to load)"
		}
		bits = append(bits, bit)
	}
	b.WriteString(strings.Join(bits, " · ") + "\n")
	if len(r.Frameworks) > 0 {
		var names []string
		for _, fw := range r.Frameworks {
			names = append(names, text(label(fw), maxName))
		}
		b.WriteString("\nStack: " + strings.Join(names, ", ") + "\n")
	}
	if !scanned {
		b.WriteString("\n> **Verdict:** ⚠️ not scanned: " + text(r.NotScanned, maxMessage) + "\n")
	} else {
		b.WriteString("\n> **Verdict:** " + verdict(r) + "\n")
	}
	return part{text: b.String()}
}

// verdict names the worst finding and its fix, framework setting first.
func verdict(r result.Report) string {
	var worst *result.Finding
	for i := range r.Findings {
		if f := &r.Findings[i]; worst == nil || f.Severity > worst.Severity {
			worst = f
		}
	}
	if worst == nil || worst.Severity < result.SeverityLow {
		return "✅ no problem above info."
	}
	s := sev(worst.Severity) + " — " + text(worst.Title, maxMessage)
	if worst.Cookie != "" {
		s += " (cookie " + text(worst.Cookie, maxName) + ")"
	}
	s += " " + Code(worst.Rule, false) + "."
	if fix := fix(r, *worst, false); fix != "" {
		s += " **Fix:** " + fix
	}
	return s
}

// fix is the framework's own setting first (what the reader will paste), then the
// generic advice.
func fix(r result.Report, f result.Finding, inTable bool) string {
	rem := f.Remediation
	var out []string
	if rem.Fix != "" {
		fw := text(vocab.FrameworkLabel(r, rem.Framework), maxName) + ":"
		if inTable {
			fw = "**" + fw + "**"
		}
		out = append(out, fw+" "+Code(rem.Fix, inTable))
	}
	if rem.Generic != "" {
		out = append(out, text(rem.Generic, maxMessage))
	}
	sep := " — "
	if inTable {
		sep = "<br>"
	}
	return strings.Join(out, sep)
}

// actionPlan lists the changes that remove findings, worth most first: what a
// reviewer should do, before the list of what is wrong.
func actionPlan(r result.Report, steps []vocab.Step) part {
	p := part{
		text: "#### Action plan: " + vocab.PlanTitle(steps) + "\n\n",
		head: "| Points | Change | Removes |\n| ---: | --- | --- |\n",
		one:  "change", many: "changes",
	}
	for _, st := range steps {
		change := text(st.Fix, maxMessage)
		if st.Label != "" {
			change = "**" + text(st.Label, maxName) + ":** " + Code(st.Fix, true)
		}
		var rules []string
		for _, rule := range st.Rules {
			rules = append(rules, Code(rule, true))
		}
		removes := strings.Join(rules, ", ")
		if len(st.Cookies) > 0 {
			var names []string
			for _, c := range st.Cookies {
				names = append(names, text(c, maxName))
			}
			removes += " (" + strings.Join(names, ", ") + ")"
		}
		line := fmt.Sprintf("| +%d | %s | %s |\n", st.Points, change, removes)
		p.rows = append(p.rows, row{line: line, rank: rank{class: classPlan, severity: st.Worst}})
	}
	return p
}

func findings(r result.Report) part {
	p := part{
		text: fmt.Sprintf("#### Findings (%d)\n\n", len(r.Findings)),
		head: "| Severity | Points | Rule | Cookie | Where | Fix |\n| --- | ---: | --- | --- | --- | --- |\n",
		one:  "finding", many: "findings",
	}
	for _, f := range r.Findings {
		cookie := "—"
		if f.Cookie != "" {
			cookie = text(f.Cookie, maxName)
		}
		where := text(f.URL, maxURL)
		if n := len(f.URLs); n > 1 {
			where += fmt.Sprintf(" (+%d more)", n-1)
		}
		title := text(f.Title, maxMessage)
		if st := vocab.Status(f); st != "" {
			title += "<br>_" + text(st, maxMessage) + "_"
		}
		line := fmt.Sprintf("| %s | %s | %s<br>%s | %s | %s | %s |\n",
			sev(f.Severity), vocab.Points(f.ScoreImpact), title, Code(f.Rule, true), cookie, where, fix(r, f, true))
		p.rows = append(p.rows, row{line: line, rank: rank{class: classFindings, severity: f.Severity}})
	}
	return p
}

func cookies(r result.Report) part {
	p := part{
		text: fmt.Sprintf("#### Cookies (%d)\n\n", len(r.Cookies)),
		head: "| Cookie | Secure | HttpOnly | SameSite | Lifetime | Set by |\n| --- | :---: | :---: | --- | --- | --- |\n",
		one:  "cookie", many: "cookies",
	}
	for _, c := range r.Cookies {
		line := fmt.Sprintf("| %s | %s | %s | %s | %s | %s |\n",
			text(c.Name, maxName), mark(c.Secure), mark(c.HTTPOnly), sameSite(c.SameSite), lifetime(c), text(c.SetBy, 16))
		p.rows = append(p.rows, row{line: line, rank: rank{class: classCookies}})
	}
	return p
}

func scanErrors(r result.Report) part {
	p := part{
		text: fmt.Sprintf("#### Scan errors (%d)\n\nThese parts of the site were not checked:\n\n", len(r.Errors)),
		one:  "scan error", many: "scan errors",
	}
	for i, e := range r.Errors {
		class := classFirstErrors
		if i >= firstErrors {
			class = classMoreErrors
		}
		line := fmt.Sprintf("- **%s** %s: %s\n", text(e.Stage, 16), text(e.URL, maxURL), text(e.Message, maxMessage))
		p.rows = append(p.rows, row{line: line, rank: rank{class: class}})
	}
	return p
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// sameSite marks only Lax and Strict as protective: None sends the cookie on
// cross-site requests and an absent attribute does in Firefox and Safari.
func sameSite(v string) string {
	switch strings.ToLower(v) {
	case "strict", "lax":
		return "✓ " + text(v, 16)
	case "":
		return "✗ not set"
	}
	return "✗ " + text(v, 16)
}

func lifetime(c result.Cookie) string {
	if c.Session {
		return vocab.Lifetime(nil)
	}
	return vocab.Lifetime(c.MaxAge)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func label(fw result.Framework) string {
	if fw.Label != "" {
		return fw.Label
	}
	return fw.Name
}
