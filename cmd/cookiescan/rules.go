package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cookiescan/cookiescan/scanner/rules"
)

// observatoryNotes are where our verdicts knowingly differ from the MDN HTTP
// Observatory's, and why.
var observatoryNotes = []string{
	"A quoted max-age (max-age=\"31536000\") is valid: RFC 6797 and Chromium accept it (the Observatory and hstspreload reject it).",
	"Several HSTS headers: browsers use the first, so this is low (−5) unless the first is invalid; the Observatory calls the whole header invalid (−20).",
	"A cookie without Secure that is neither session-like nor CSRF costs −5 (low), not −20: the Observatory does not tell a theme cookie from a token.",
	"An anti-CSRF cookie without SameSite costs −5 (low), not −20; Chromium treats it as Lax.",
	"Session-like is broader than the Observatory's \"name contains sess or login\": framework default names, auth/token/jwt names, random-looking values and, with --login, cookies the login set.",
	"The redirect is followed from http:// and from the https:// target, hop by hop; a downgrade or loop anywhere is reported, and cookies are judged on every hop.",
	"HSTS is parsed as Chromium parses it: \"max-age=31536000 includeSubDomains\" (no ';') is invalid and ignored by the browser, which the Observatory accepts.",
	"max-age=0 is hsts-max-age-zero (−20, HSTS switched off), not \"less than six months\" (−10).",
	"Cookies set by redirect responses (cookie-set-over-http), HSTS missing on the first HTTPS redirect, and preload eligibility are judged; the Observatory does not look at them.",
	"No +5 bonus: a site with nothing to report scores 100 (A+).",
}

type rulesOptions struct {
	IO     *ioStreams
	Format string
}

func newRulesCmd(ios *ioStreams) *cobra.Command {
	opts := &rulesOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "rules [ID]",
		Short: "The rule catalog: severities, penalties, explanations and fixes per framework",
		Long: `Without an ID, rules lists every rule with its severity and the points it costs.
With an ID, it explains the rule: what triggers it, why it matters, where the
requirement comes from, and the exact fix in each framework.

The score starts at 100 and loses each fired rule's penalty once (at the worst
severity seen), however many cookies or pages it fired on. Grades use the MDN
HTTP Observatory's bands: A+ ≥ 100, A ≥ 90, A- ≥ 85, B+ ≥ 80, B ≥ 70, B- ≥ 65,
C+ ≥ 60, C ≥ 50, C- ≥ 45, D+ ≥ 40, D ≥ 30, D- ≥ 25, F below.`,
		Example: "  cookiescan rules\n  cookiescan rules cookie-missing-secure\n  cookiescan rules --format json",
		Args:    cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, r := range rules.All() {
				ids = append(ids, r.ID+"\t"+r.Title)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Format != "text" && opts.Format != "json" {
				return usagef(fmt.Errorf("--format %q: want text or json", opts.Format))
			}
			if len(args) == 1 {
				r, ok := rules.Lookup(args[0])
				if !ok {
					return usagef(fmt.Errorf("no rule %q: run 'cookiescan rules' for the list", args[0]))
				}
				return rulesExplain(opts, r)
			}
			return rulesList(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	return cmd
}

// ruleJSON is the --format json shape.
type ruleJSON struct {
	ID         string            `json:"id"`
	Category   string            `json:"category"`
	Severity   string            `json:"severity"`
	Severities []string          `json:"severities"`
	Penalty    map[string]int    `json:"penalty"`
	Title      string            `json:"title"`
	Why        string            `json:"why"`
	References []string          `json:"references"`
	Fix        string            `json:"fix"`
	Frameworks map[string]string `json:"frameworks"`
}

func toJSON(r rules.Rule) ruleJSON {
	d := rules.DocFor(r.ID)
	j := ruleJSON{ID: r.ID, Category: r.Category, Severity: r.Severity.String(), Penalty: map[string]int{},
		Title: r.Title, Why: d.Why, References: d.Refs, Fix: r.Fix, Frameworks: rules.Fixes(r.ID)}
	for _, s := range r.Severities {
		j.Severities = append(j.Severities, s.String())
		j.Penalty[s.String()] = r.Penalty[s]
	}
	return j
}

func penaltyText(r rules.Rule) string {
	var parts []string
	for i := len(r.Severities) - 1; i >= 0; i-- {
		s := r.Severities[i]
		if len(r.Severities) == 1 {
			return points(r.Penalty[s])
		}
		parts = append(parts, s.String()+" "+points(r.Penalty[s]))
	}
	return strings.Join(parts, ", ")
}

func points(n int) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("−%d", n)
}

func rulesList(o *rulesOptions) error {
	all := rules.All()
	if o.Format == "json" {
		out := make([]ruleJSON, len(all))
		for i, r := range all {
			out[i] = toJSON(r)
		}
		return writeJSON(o.IO.Out, map[string]any{"rules": out, "observatoryDifferences": observatoryNotes})
	}
	w := o.IO.Out
	cat := ""
	for _, r := range all {
		if r.Category != cat {
			cat = r.Category
			fmt.Fprintf(w, "\n%s\n", strings.ToUpper(cat))
		}
		fmt.Fprintf(w, "  %-37s %-11s %-27s %s\n", r.ID, severityRange(r), penaltyText(r), r.Title)
	}
	fmt.Fprintln(w, "\nWhere verdicts differ from the MDN HTTP Observatory, on purpose:")
	for _, n := range observatoryNotes {
		fmt.Fprintln(w, "  - "+n)
	}
	fmt.Fprintln(w, "\n'cookiescan rules ID' explains a rule and its fix per framework.")
	return nil
}

func severityRange(r rules.Rule) string {
	if len(r.Severities) == 1 {
		return r.Severity.String()
	}
	return r.Severities[0].String() + "–" + r.Severities[len(r.Severities)-1].String()
}

func rulesExplain(o *rulesOptions, r rules.Rule) error {
	if o.Format == "json" {
		return writeJSON(o.IO.Out, toJSON(r))
	}
	d := rules.DocFor(r.ID)
	w := o.IO.Out
	fmt.Fprintf(w, "%s — %s\n\n", r.ID, r.Title)
	fmt.Fprintf(w, "Severity:  %s (default %s)\nPenalty:   %s\nCategory:  %s\n\n", severityRange(r), r.Severity, penaltyText(r), r.Category)
	fmt.Fprintf(w, "Why it matters\n  %s\n\nFix\n  %s\n", d.Why, r.Fix)
	printFixes(w, "In your framework", rules.Fixes(r.ID))
	printFixes(w, "For a cookie the site sets itself (not the framework's session or CSRF cookie)", rules.OwnCookieFixes(r.ID))
	fmt.Fprintln(w, "\nReferences")
	for _, ref := range d.Refs {
		fmt.Fprintln(w, "  - "+ref)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printFixes lists fixes by framework ID, sorted; nothing when there are none.
func printFixes(w io.Writer, title string, fx map[string]string) {
	if len(fx) == 0 {
		return
	}
	fmt.Fprintln(w, "\n"+title)
	for _, id := range slices.Sorted(maps.Keys(fx)) {
		fmt.Fprintf(w, "  %-11s %s\n", id, fx[id])
	}
}
