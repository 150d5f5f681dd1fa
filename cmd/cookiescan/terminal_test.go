package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// Progress lines and error messages carry site data (URLs, server messages):
// control characters show as escapes, never reach the terminal raw.
func TestTerminalLinesEscapeSiteData(t *testing.T) {
	hostile := "evil.test\x1b]0;pwned\x07\x1b[2J\u202e"
	for _, terminal := range []bool{false, true} {
		var buf bytes.Buffer
		p := newProgress(&buf, terminal, false, 1)
		p.step(hostile, "page 1/20: https://evil.test/\x1b[31mred\r\nforged line")
		p.done(hostile)
		p.finish()
		out := buf.String()
		// The progress bar's own sequences are the only escapes allowed.
		rest := strings.ReplaceAll(out, "\r\x1b[2K", "")
		if strings.ContainsAny(rest, "\x1b\x07\r\u202e") || strings.Count(rest, "\n") > 2 {
			t.Errorf("terminal=%v: progress %q", terminal, out)
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("terminal=%v: progress %q does not show the escape", terminal, out)
		}
	}

	err := scanError{fmt.Errorf("scan could not complete:\n  %s: %w", hostile, errors.New("server said \x1b[31mboom\x00"))}
	line := errorLine(err)
	if strings.ContainsAny(line, "\x1b\x07\x00\u202e") || !strings.Contains(line, `\x1b[31mboom\x00`) {
		t.Errorf("errorLine = %q", line)
	}
	if !strings.HasPrefix(line, "cookiescan: scan could not complete:\n  evil.test") {
		t.Errorf("errorLine lost its layout: %q", line)
	}

	var out bytes.Buffer
	printDiff(&ioStreams{Out: &out}, diff.Diff{Target: hostile, From: "A", To: "B\x1b[5m",
		New:     []result.Finding{{Rule: "r\x1b[8m", Cookie: "c\x1b]0;x\x07", Severity: result.SeverityHigh}},
		Changes: []diff.Change{{Text: "HSTS \x1b[2J", Worse: true}}})
	if strings.ContainsAny(out.String(), "\x1b\x07\u202e") || !strings.Contains(out.String(), `r\x1b[8m`) {
		t.Errorf("diff: %q", out.String())
	}
}

// COLUMNS sets the table's width, on a terminal or not; without it a terminal's
// own width counts, and a pipe gets the report's default (0 here).
func TestColumns(t *testing.T) {
	for _, tc := range []struct {
		env       string
		term, out int
	}{{"", 0, 0}, {"", 120, 120}, {"80", 0, 80}, {"100", 200, 100}, {"x", 90, 90}, {"-3", 0, 0}, {" 72 ", 0, 72}} {
		if got := columns(tc.env, tc.term); got != tc.out {
			t.Errorf("columns(%q, %d) = %d, want %d", tc.env, tc.term, got, tc.out)
		}
	}
}
