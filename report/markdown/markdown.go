// Package markdown writes scan reports as GitHub-flavoured Markdown for pull-request
// comments and job summaries: a verdict first, then findings, cookies and scan
// errors as tables. Site data is escaped so that a hostile cookie name renders as
// text, and the comment stays under GitHub's size limit however large the scan.
package markdown

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// DefaultMaxBytes keeps a comment under GitHub's 65,536-character limit on
// comment bodies, with room for a bot's own header.
const DefaultMaxBytes = 65000

// Writer renders reports as one Markdown document.
type Writer struct {
	// MaxBytes caps the output (default DefaultMaxBytes). Table rows are dropped,
	// least important first, with a note saying how many.
	MaxBytes int
}

// Cut lengths for site data, in runes: enough to recognise a value, short enough
// that a 4 KB cookie name cannot eat the comment.
const (
	maxName    = 80
	maxURL     = 120
	maxTarget  = 200
	maxMessage = 300
)

// Write renders every report and trims tables to fit MaxBytes.
func (mw Writer) Write(w io.Writer, reps []result.Report) error {
	limit := mw.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	parts := layout(reps)
	fit(parts, limit)
	_, err := io.WriteString(w, assemble(parts, limit))
	return err
}

// part is a block of the document: fixed text, or a table (or list) whose rows
// may be dropped to fit, replaced by a note counting them.
type part struct {
	text      string
	head      string // written before the kept rows, if any
	rows      []row
	one, many string // "finding", "findings": the noun of the note
}

type row struct {
	line string
	rank rank
	keep bool
}

// rank orders rows for the byte budget: lower class first, then the worse
// severity, then document order.
type rank struct {
	class    int
	severity result.Severity
}

// Row classes, in the order the budget is spent.
const (
	classFirstErrors = iota // a few scan errors: they say what the report did not see
	classPlan               // the changes to make
	classFindings
	classCookies
	classMoreErrors
)

// firstErrors scan errors per target are kept before any finding row.
const firstErrors = 5

func (p part) note(dropped int) string {
	noun := p.many
	if dropped == 1 {
		noun = p.one
	}
	return fmt.Sprintf("… %d more %s not shown (see the JSON report)\n", dropped, noun)
}

// fit marks which rows to keep. Everything is kept when it fits; otherwise the
// fixed text, every table head and every note (at its largest) are reserved and
// rows are added by rank until the next one would not fit in its class.
func fit(parts []part, limit int) {
	total := 0
	for i, p := range parts {
		if i > 0 {
			total++ // the blank line between parts
		}
		total += len(p.text)
		if len(p.rows) > 0 {
			total += len(p.head)
		}
		for j := range p.rows {
			total += len(p.rows[j].line)
			parts[i].rows[j].keep = true
		}
	}
	if total <= limit {
		return
	}

	type ref struct{ p, r int }
	var order []ref
	budget := limit
	for i, p := range parts {
		if i > 0 {
			budget--
		}
		budget -= len(p.text)
		if len(p.rows) > 0 {
			budget -= len(p.head) + 1 + len(p.note(len(p.rows))) // 1: blank line before the note
		}
		for j := range p.rows {
			parts[i].rows[j].keep = false
			order = append(order, ref{i, j})
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := parts[order[a].p].rows[order[a].r].rank, parts[order[b].p].rows[order[b].r].rank
		if x.class != y.class {
			return x.class < y.class
		}
		return x.severity > y.severity
	})
	full := -1 // the class that ran out of room
	for _, o := range order {
		r := &parts[o.p].rows[o.r]
		if r.rank.class == full {
			continue
		}
		if len(r.line) > budget {
			// Stop this class rather than skip to a smaller row: a table should
			// show its worst rows, not whichever happen to be short.
			full = r.rank.class
			continue
		}
		r.keep = true
		budget -= len(r.line)
	}
}

// assemble writes the parts; the cut at limit is a last resort for a document
// whose fixed text alone is too large (thousands of targets).
func assemble(parts []part, limit int) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(p.text)
		kept, dropped := 0, 0
		for _, r := range p.rows {
			if r.keep {
				kept++
			} else {
				dropped++
			}
		}
		if kept > 0 {
			b.WriteString(p.head)
			for _, r := range p.rows {
				if r.keep {
					b.WriteString(r.line)
				}
			}
		}
		if dropped > 0 {
			if kept > 0 {
				b.WriteString("\n") // a line right after a table would become a row
			}
			b.WriteString(p.note(dropped))
		}
	}
	out := b.String()
	if len(out) <= limit {
		return out
	}
	const cut = "\n… output cut to fit the comment size limit (see the JSON report)\n"
	end := strings.LastIndexByte(out[:max(0, limit-len(cut))], '\n')
	if end < 0 {
		return ""
	}
	return out[:end+1] + cut
}
