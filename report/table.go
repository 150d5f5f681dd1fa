package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
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

// width is the widest a line may be.
func (t *TableWriter) width() int {
	if t.opts.Width > 0 {
		return t.opts.Width
	}
	return DefaultWidth
}

// line prints prose wrapped to the width, continuation lines indented by hang.
func (t *TableWriter) line(w io.Writer, s, first, hang string) {
	for _, l := range para(s, t.width(), first, hang) {
		fmt.Fprintln(w, l)
	}
}

func (t *TableWriter) one(w io.Writer, r result.Report) error {
	r = r.Normalized()
	score, grade, scanned := r.Graded()
	head := wrap(clean(r.Target), t.width())
	for i, l := range head {
		if i < len(head)-1 {
			fmt.Fprintln(w, t.paint(ansiBold, l))
		} else {
			fmt.Fprint(w, t.paint(ansiBold, l))
		}
	}
	if scanned {
		fmt.Fprintln(w, "  "+t.paint(ansiBold, "grade "+clean(grade))+fmt.Sprintf(" (%d/100)", score))
	} else {
		fmt.Fprintln(w)
		t.line(w, "not scanned: "+clean(r.NotScanned), "", "  ")
	}
	t.line(w, "findings: "+countLine(r.Findings), "", "  ")
	for _, fw := range r.Frameworks {
		t.line(w, fmt.Sprintf("stack: %s (%s)", fw.Label, clean(strings.Join(fw.Evidence, ", "))), "", "  ")
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
		t.line(w, hstsLine(r.HSTS), "  ", "    ")
	} else {
		fmt.Fprintln(w, "  not checked: the target did not answer")
	}
	t.line(w, tlsLine(r.TLS), "  ", "    ")

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
			t.line(w, fmt.Sprintf("[%s] %s: %s", e.Stage, clean(e.URL), clean(e.Message)), "  ", "    ")
		}
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "\nNotes")
		for _, n := range r.Notes {
			t.line(w, clean(n), "  ", "    ")
		}
	}
	fmt.Fprintln(w)
	t.line(w, clean(Verdict(r)), "", "  ")
	return nil
}

// newTable configures tablewriter v1 explicitly so its defaults (upper-cased
// headers, box drawing, its own wrapping) never leak into pipes or golden
// files. Cells arrive wrapped to the widths fitColumns chose (table).
func (t *TableWriter) newTable(w io.Writer) *tablewriter.Table {
	sym := tw.NewSymbols(tw.StyleASCII)
	if t.opts.Terminal {
		sym = tw.NewSymbols(tw.StyleLight)
	}
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: sym})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	)
}

// table renders rows under header within the width: long values wrap inside
// their cell, headers wrap between words only.
func (t *TableWriter) table(w io.Writer, header []string, rows [][]string) error {
	widths := fitColumns(header, rows, t.width())
	tb := t.newTable(w)
	hs := make([]string, len(header))
	for i, h := range header {
		hs[i] = wrapCell(h, widths[i])
	}
	tb.Header(hs)
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = wrapCell(c, widths[i])
		}
		if err := tb.Append(cells); err != nil {
			return err
		}
	}
	return tb.Render()
}

func (t *TableWriter) chain(w io.Writer, c result.Redirect) error {
	if len(c.Hops) == 0 {
		fmt.Fprintln(w, "  not tested")
		return nil
	}
	var rows [][]string
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
		// A Location the chain followed is the next hop's URL: shown once.
		loc := ""
		if h.Location != "" && (i+1 == len(c.Hops) || c.Hops[i+1].URL != h.Location) {
			loc = clean(h.Location)
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), clean(h.URL), status, loc, hsts, fmt.Sprint(len(h.SetCookies))})
	}
	return t.table(w, []string{"#", "URL", "Status", "Location", "HSTS", "Cookies"}, rows)
}

func (t *TableWriter) cookies(w io.Writer, cs []result.Cookie) error {
	var rows [][]string
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
		// Where it was set goes under the name: the attribute columns stay
		// readable at 80 columns.
		name := clean(vocab.CookieLabel(c)) + "\n" + by + ", " + c.Phase + ", on " + clean(c.URL)
		rows = append(rows, []string{name, mark(c.Secure), mark(c.HTTPOnly), clean(ss), vocab.Lifetime(c.MaxAge), mark(c.SessionLike)})
	}
	return t.table(w, []string{"Name / set by", "Secure", "HttpOnly", "SameSite", "Lifetime", "Session id"}, rows)
}

func (t *TableWriter) findings(w io.Writer, r result.Report) error {
	var rows [][]string
	for _, f := range r.Findings {
		where := clean(f.URL)
		if len(f.URLs) > 1 {
			where += fmt.Sprintf(" (+%d more)", len(f.URLs)-1)
		}
		if f.Cookie != "" {
			where = "cookie " + clean(f.Cookie) + " @ " + where
		}
		what := f.Rule + "\n" + where
		if d := clean(f.Detail); d != "" {
			what += "\n" + d
		}
		if st := vocab.Status(f); st != "" {
			what += "\n[" + clean(st) + "]"
		}
		rows = append(rows, []string{f.Severity.String(), vocab.Points(f.ScoreImpact), what})
	}
	if err := t.table(w, []string{"Severity", "Points", "Finding"}, rows); err != nil {
		return err
	}
	steps := vocab.Plan(r)
	if len(steps) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t.line(w, "Action plan: "+vocab.PlanTitle(steps)+" (points: what each change wins back)", "", "  ")
	for _, st := range steps {
		gain := fmt.Sprintf("%-5s", "+"+fmt.Sprint(st.Points))
		lines := para(st.Line(), t.width(), "  "+gain+" ", "        ")
		lines[0] = "  " + t.paint(severityColor[st.Worst], gain) + lines[0][2+len(gain):]
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
		removes := "removes " + strings.Join(st.Rules, ", ")
		if len(st.Cookies) > 0 {
			removes += " (" + plural(len(st.Cookies), "cookie", "cookies") + " " + clean(strings.Join(st.Cookies, ", ")) + ")"
		}
		t.line(w, removes, "        ", "          ")
	}
	return nil
}

func countLine(fs []result.Finding) string {
	var parts []string
	for _, c := range vocab.Counts(fs) {
		parts = append(parts, fmt.Sprintf("%s %d", c.Severity, c.N))
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
