package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cookiescan/cookiescan/report/termsafe"
)

// progress reports on stderr: one rewritten status line on a terminal, plain lines
// otherwise, nothing with --quiet. Reports never go here. Over several sites
// each line counts the sites done, the pages loaded and the time elapsed.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	quiet    bool
	total    int
	finished int
	pages    int
	started  time.Time
	now      func() time.Time
}

func newProgress(w io.Writer, terminal, quiet bool, total int) *progress {
	return &progress{w: w, terminal: terminal, quiet: quiet, total: total, started: time.Now(), now: time.Now}
}

func (p *progress) step(target, step string) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.HasPrefix(step, "page ") {
		p.pages++
	}
	// Both name what the site sent (hosts, page URLs): one line, no raw control.
	target, step = termsafe.Line(target), termsafe.Line(step)
	elapsed := p.now().Sub(p.started).Truncate(time.Second)
	if p.terminal {
		line := fmt.Sprintf("[%s] %d/%d sites, %d pages, %s %s: %s", bar(p.finished, p.total, 20), p.finished, p.total, p.pages, elapsed, target, step)
		if len(line) > 100 {
			line = line[:100]
		}
		fmt.Fprintf(p.w, "\r\x1b[2K%s", line)
		return
	}
	if p.total > 1 {
		fmt.Fprintf(p.w, "cookiescan: [%d/%d sites, %d pages, %s] %s: %s\n", p.finished, p.total, p.pages, elapsed, target, step)
		return
	}
	fmt.Fprintf(p.w, "cookiescan: %s: %s\n", target, step)
}

func (p *progress) done(target string) {
	p.mu.Lock()
	p.finished++
	p.mu.Unlock()
	p.step(target, "done")
}

func (p *progress) finish() {
	if p.quiet || !p.terminal {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[2K")
}

func bar(done, total, width int) string {
	if total == 0 {
		total = 1
	}
	n := done * width / total
	b := make([]byte, width)
	for i := range b {
		if i < n {
			b[i] = '#'
		} else {
			b[i] = '.'
		}
	}
	return string(b)
}
