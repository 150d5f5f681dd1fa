package sarif

import (
	"slices"
	"sort"
	"strings"

	"github.com/cookiescan/cookiescan/report/markdown"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

func labelFor(id string) string { return vocab.FrameworkName(id) }

// descriptors lists every catalog rule, so GitHub can show the help of a rule even
// before it first fires, then any rule ID a report names that the catalog does not
// know (a report written by another version), so every ruleId resolves.
func descriptors(reps []result.Report) ([]reportingDescriptor, map[string]int) {
	all := rules.All()
	out := make([]reportingDescriptor, 0, len(all))
	index := make(map[string]int, len(all))
	for _, r := range all {
		index[r.ID] = len(out)
		out = append(out, descriptor(r))
	}
	first := map[string]result.Finding{}
	var unknown []string
	for _, rep := range reps {
		for _, f := range rep.Findings {
			if _, known := index[f.Rule]; known {
				continue
			}
			if _, ok := first[f.Rule]; !ok {
				first[f.Rule] = f
				unknown = append(unknown, f.Rule)
			}
		}
	}
	sort.Strings(unknown)
	for _, id := range unknown {
		index[id] = len(out)
		f := first[id]
		out = append(out, descriptor(rules.Rule{ID: id, Title: f.Title, Severity: f.Severity}))
	}
	return out, index
}

func descriptor(r rules.Rule) reportingDescriptor {
	d := reportingDescriptor{
		ID:                   r.ID,
		Name:                 camel(r.ID),
		ShortDescription:     message{Text: r.Title},
		DefaultConfiguration: configuration{Level: level(r.Severity)},
		Properties: ruleProperties{
			SecuritySeverity: securitySeverity(r.Severity),
			Tags:             []string{"security"},
		},
	}
	if d.ShortDescription.Text == "" {
		d.ShortDescription.Text = r.ID
	}
	doc := rules.DocFor(r.ID)
	if doc.Why != "" {
		d.FullDescription = &message{Text: doc.Why}
	}
	if text, md := helpFor(r, doc); text != "" {
		d.Help = &help{Text: text, Markdown: md}
	}
	return d
}

// helpFor is the rule page GitHub shows beside an alert: why, the generic fix, each
// framework's setting, and where the requirement comes from.
func helpFor(r rules.Rule, doc rules.Doc) (text, md string) {
	var t, m strings.Builder
	if doc.Why != "" {
		t.WriteString(doc.Why + "\n\n")
		m.WriteString(mdText(doc.Why) + "\n\n")
	}
	if r.Fix != "" {
		t.WriteString("Fix: " + r.Fix + "\n")
		m.WriteString("**Fix:** " + mdText(r.Fix) + "\n")
	}
	fixes := rules.Fixes(r.ID)
	if len(fixes) > 0 {
		t.WriteString("\nFramework settings:\n")
		m.WriteString("\n**Framework settings:**\n\n")
		for _, id := range fixOrder(fixes) {
			t.WriteString("- " + labelFor(id) + ": " + fixes[id] + "\n")
			m.WriteString("- **" + mdText(labelFor(id)) + "**: " + markdown.Code(fixes[id], false) + "\n")
		}
	}
	if len(doc.Refs) > 0 {
		t.WriteString("\nReferences: " + strings.Join(doc.Refs, "; ") + "\n")
		m.WriteString("\n**References:** " + mdText(strings.Join(doc.Refs, "; ")) + "\n")
	}
	return strings.TrimSpace(t.String()), strings.TrimSpace(m.String())
}

// fixOrder is the frameworks' display order, then unknown IDs alphabetically, so
// the help text does not depend on map iteration.
func fixOrder(fixes map[string]string) []string {
	var ids []string
	for _, fw := range rules.FrameworkOrder() {
		if _, ok := fixes[fw]; ok {
			ids = append(ids, fw)
		}
	}
	var rest []string
	for id := range fixes {
		if !slices.Contains(ids, id) {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	return append(ids, rest...)
}

// camel turns a rule ID into the PascalCase name SARIF viewers show as a heading.
func camel(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '#' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// mdText escapes catalog prose for Markdown: "<meta http-equiv>" would otherwise
// be swallowed as HTML and "__Host-" read as emphasis.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '|':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
