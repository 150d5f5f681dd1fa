package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// TableWriter prints the human summary: grade, redirect chain, HSTS, cookies and
// findings by severity.
type TableWriter struct{ opts Options }

var _ Writer = (*TableWriter)(nil)

func (t *TableWriter) Write(w io.Writer, reps []result.Report) error {
	for i, r := range reps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := t.one(w, terminalSafe(r)); err != nil {
			return err
		}
	}
	return nil
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
)

var severityColor = map[result.Severity]string{
	result.SeverityCritical: "\x1b[1;35m", result.SeverityHigh: "\x1b[1;31m",
	result.SeverityMedium: "\x1b[33m", result.SeverityLow: "\x1b[36m", result.SeverityInfo: "\x1b[2m",
}

func (t *TableWriter) paint(code, s string) string {
	if !t.opts.Terminal || code == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *TableWriter) one(w io.Writer, r result.Report) error {
	r = r.Normalized()
	score, grade, scanned := r.Graded()
	if scanned {
		fmt.Fprintf(w, "%s  grade %s (%d/100)  %s\n", t.paint(ansiBold, clean(r.Target)), t.paint(ansiBold, clean(grade)), score, countLine(r.Findings))
	} else {
		fmt.Fprintf(w, "%s  %s  %s\n", t.paint(ansiBold, clean(r.Target)), t.paint(ansiBold, "not scanned: "+clean(r.NotScanned)), countLine(r.Findings))
	}
	for _, fw := range r.Frameworks {
		fmt.Fprintf(w, "stack: %s (%s)\n", fw.Label, clean(strings.Join(fw.Evidence, ", ")))
	}

	fmt.Fprintln(w, "\nRedirect from HTTP")
	if err := t.chain(w, r.Redirect); err != nil {
		return err
	}
	if len(r.HTTPS.Hops) > 1 {
		fmt.Fprintln(w, "\nHTTPS target")
		if err := t.chain(w, r.HTTPS); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nHSTS")
	if scanned {
		fmt.Fprintln(w, "  "+hstsLine(r.HSTS))
	} else {
		fmt.Fprintln(w, "  not checked: the target did not answer")
	}
	fmt.Fprintln(w, "  "+tlsLine(r.TLS))

	if len(r.Cookies) > 0 {
		fmt.Fprintln(w, "\nCookies")
		if err := t.cookies(w, r.Cookies); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\nFindings")
	if len(r.Findings) == 0 && !scanned {
		fmt.Fprintln(w, "  none: the target was not scanned")
	} else if len(r.Findings) == 0 {
		fmt.Fprintln(w, "  none")
	} else if err := t.findings(w, r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "\nErrors")
		for _, e := range r.Errors {
			fmt.Fprintf(w, "  [%s] %s: %s\n", e.Stage, clean(e.URL), clean(e.Message))
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  %s\n", clean(n))
		}
	}
	fmt.Fprintln(w, "\n"+clean(Verdict(r)))
	return nil
}

// newTable configures tablewriter v1 explicitly so its defaults (upper-cased
// headers, box drawing) never leak into pipes or golden files.
func (t *TableWriter) newTable(w io.Writer) *tablewriter.Table {
	sym := tw.NewSymbols(tw.StyleASCII)
	if t.opts.Terminal {
		sym = tw.NewSymbols(tw.StyleLight)
	}
	opts := []tablewriter.Option{
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: sym})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	}
	if t.opts.Width > 0 {
		opts = append(opts, tablewriter.WithMaxWidth(t.opts.Width), tablewriter.WithRowAutoWrap(tw.WrapNormal))
	} else {
		// Pipes and files get a fixed width, so output is stable and still readable.
		opts = append(opts, tablewriter.WithRowMaxWidth(80), tablewriter.WithRowAutoWrap(tw.WrapNormal))
	}
	return tablewriter.NewTable(w, opts...)
}

func (t *TableWriter) chain(w io.Writer, c result.Redirect) error {
	if len(c.Hops) == 0 {
		fmt.Fprintln(w, "  not tested")
		return nil
	}
	tb := t.newTable(w)
	tb.Header("#", "URL", "Status", "Location", "HSTS", "Cookies")
	for i, h := range c.Hops {
		status := fmt.Sprint(h.Status)
		if h.Status == 0 {
			status = "error: " + clean(h.Error)
		}
		if h.Note != "" {
			status += " (odd header read as browsers do)"
		}
		hsts := "-"
		if h.HSTS != "" {
			hsts = clean(firstLine(h.HSTS))
		}
		if err := tb.Append([]string{fmt.Sprint(i + 1), clean(h.URL), status, clean(h.Location), hsts, fmt.Sprint(len(h.SetCookies))}); err != nil {
			return err
		}
	}
	return tb.Render()
}

func (t *TableWriter) cookies(w io.Writer, cs []result.Cookie) error {
	tb := t.newTable(w)
	tb.Header("Name", "Set on", "Phase", "By", "Secure", "HttpOnly", "SameSite", "Lifetime", "Session-like")
	for _, c := range cs {
		ss := c.SameSite
		if ss == "" {
			ss = "✗ (none)"
		}
		by := c.SetBy
		switch {
		case c.Deletion:
			by += " (deletes)"
		case !c.Stored && c.SetBy != result.SetBySupplied:
			by += " (refused)" // with Chromium's reasons, or dropped silently (the note says why)
		}
		if err := tb.Append([]string{clean(c.Name), clean(c.URL), c.Phase, by, mark(c.Secure), mark(c.HTTPOnly), clean(ss), Lifetime(c.MaxAge), mark(c.SessionLike)}); err != nil {
			return err
		}
	}
	return tb.Render()
}

func (t *TableWriter) findings(w io.Writer, r result.Report) error {
	fs := r.Findings
	tb := t.newTable(w)
	tb.Header("Severity", "Rule", "Where", "What")
	for _, f := range fs {
		where := clean(f.URL)
		if len(f.URLs) > 1 {
			where += fmt.Sprintf(" (+%d more)", len(f.URLs)-1)
		}
		if f.Cookie != "" {
			where = "cookie " + clean(f.Cookie) + " @ " + where
		}
		if err := tb.Append([]string{f.Severity.String(), f.Rule, where, clean(f.Detail)}); err != nil {
			return err
		}
	}
	if err := tb.Render(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nFixes")
	seen := map[string]bool{}
	for _, f := range fs {
		key := f.Rule + "\x00" + f.Remediation.Fix
		if seen[key] || f.Severity < result.SeverityLow {
			continue
		}
		seen[key] = true
		fmt.Fprintf(w, "  %-10s %s: %s\n", t.paint(severityColor[f.Severity], f.Severity.String()), f.Rule, f.Remediation.Generic)
		if f.Remediation.Fix != "" {
			fmt.Fprintf(w, "  %-10s %s: %s\n", "", r.FrameworkLabel(f.Remediation.Framework), f.Remediation.Fix)
		}
	}
	return nil
}

func countLine(fs []result.Finding) string {
	counts := map[result.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	parts := []string{}
	for i := len(result.Severities) - 1; i >= 0; i-- {
		s := result.Severities[i]
		parts = append(parts, fmt.Sprintf("%s %d", s, counts[s]))
	}
	return strings.Join(parts, ", ")
}

func hstsLine(h result.HSTS) string {
	switch {
	case !h.Present:
		return "✗ not sent on the HTTPS page"
	case !h.Valid:
		return fmt.Sprintf("✗ invalid (%s): %s", clean(h.Problem), clean(h.Raw))
	}
	s := fmt.Sprintf("✓ %s", clean(h.Raw))
	if h.Preload {
		if h.PreloadEligible {
			s += "  (preload: eligible)"
		} else {
			s += "  (preload: not eligible: " + clean(strings.Join(h.PreloadReasons, "; ")) + ")"
		}
	}
	return s
}

func tlsLine(t result.TLS) string {
	switch {
	case !t.Checked:
		return "TLS: not checked"
	case t.NotAfter == nil:
		return "TLS: ✗ " + clean(t.Error)
	case !t.Valid:
		return fmt.Sprintf("TLS: ✗ certificate does not verify: %s", clean(t.Error))
	}
	return fmt.Sprintf("TLS: ✓ certificate valid until %s (%d days left)", t.NotAfter.Format("2006-01-02"), *t.DaysLeft)
}

func mark(b bool) string {
	if b {
		return "✓"
	}
	return "✗"
}

// Lifetime renders a max-age in words ("session", "14 days", "deleted").
func Lifetime(maxAge *int64) string {
	if maxAge == nil {
		return "session"
	}
	s := *maxAge
	switch {
	case s <= 0:
		return "deleted"
	case s >= 86400*365:
		return fmt.Sprintf("%.1f years", float64(s)/(86400*365))
	case s >= 86400:
		return fmt.Sprintf("%d days", s/86400)
	case s >= 3600:
		return fmt.Sprintf("%d hours", s/3600)
	case s >= 60:
		return fmt.Sprintf("%d minutes", s/60)
	}
	return fmt.Sprintf("%d seconds", s)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " (+more)"
	}
	return s
}

// clean makes site data inert on a terminal: control characters (escape sequences
// could rewrite the screen) become visible escapes, and long values are cut.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(" ⏎ ")
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) > 300 {
		cut := 300
		for cut > 0 && !utf8RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return out
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
