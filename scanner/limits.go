package scanner

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// Caps on the cookies one scan examines (README "Limits"). A site is hostile
// data: 60,000 Set-Cookie lines in one response made 180,000 findings and a
// 165 MB report. Chromium itself keeps at most 180 cookies per domain and
// 3300 in all, so a real site stays far below these.
const (
	// MaxCookiesPerResponse is how many Set-Cookie lines of one response are
	// examined; the rest are counted and reported as unexamined.
	MaxCookiesPerResponse = 200
	// MaxCookiesPerScan is how many distinct cookies (name, domain, path) a
	// scan examines; lines of further cookies are counted and reported.
	MaxCookiesPerScan = 1000
)

// cookieBudget applies both caps across the probe and the crawl of one scan.
type cookieBudget struct {
	seen    map[string]bool
	dropped int // lines of cookies beyond MaxCookiesPerScan
	notes   []result.ScanError
	noted   map[result.ScanError]bool
}

func newCookieBudget() *cookieBudget {
	return &cookieBudget{seen: map[string]bool{}, noted: map[result.ScanError]bool{}}
}

// take returns the lines of one response (at url, on host) that are examined.
func (b *cookieBudget) take(url, host string, lines []string) []string {
	if len(lines) > MaxCookiesPerResponse {
		b.note(url, fmt.Sprintf("the response set %s cookies; the first %d were examined and %s left unexamined (at most %d per response)",
			rules.Thousands(len(lines)), MaxCookiesPerResponse, rules.Thousands(len(lines)-MaxCookiesPerResponse), MaxCookiesPerResponse))
		lines = lines[:MaxCookiesPerResponse]
	}
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		if !b.admit(cookieKey(sc.Parse(line), host)) {
			continue
		}
		out = append(out, line)
	}
	return out
}

// admit reports whether a cookie may be examined: one seen before, or a new
// one while the scan's cap allows.
func (b *cookieBudget) admit(key string) bool {
	if b.seen[key] {
		return true
	}
	if len(b.seen) >= MaxCookiesPerScan {
		b.dropped++
		return false
	}
	b.seen[key] = true
	return true
}

func cookieKey(c sc.Cookie, host string) string {
	domain := strings.TrimPrefix(strings.ToLower(c.Domain), ".")
	if !c.HasDomain {
		domain = strings.ToLower(host)
	}
	return c.Name + "\x00" + domain + "\x00" + c.Path
}

func (b *cookieBudget) note(url, msg string) {
	e := result.ScanError{Stage: result.StageLimit, URL: url, Message: msg}
	if !b.noted[e] { // the two probe chains often end on the same response
		b.noted[e] = true
		b.notes = append(b.notes, e)
	}
}

// chain caps the Set-Cookie lines of every hop of a probe chain.
func (b *cookieBudget) chain(c *probe.Chain) {
	for i := range c.Hops {
		h := &c.Hops[i]
		if len(h.SetCookies) > 0 {
			h.SetCookies = b.take(h.URL.String(), h.URL.Hostname(), h.SetCookies)
		}
	}
}

// crawl caps the Set-Cookie lines of every response of a crawl, and the
// cookies written by script, which count against the same scan cap.
func (b *cookieBudget) crawl(c *observe.Crawl) {
	for i := range c.Responses {
		r := &c.Responses[i]
		if len(r.SetCookies) == 0 {
			continue
		}
		host := ""
		if u, err := url.Parse(r.URL); err == nil {
			host = u.Hostname()
		}
		r.SetCookies = b.take(r.URL, host, r.SetCookies)
		if len(r.Blocked) > len(r.SetCookies) {
			// Only the reasons of examined lines are ever looked up.
			kept := map[string]bool{}
			for _, l := range r.SetCookies {
				kept[l] = true
			}
			var blocked []observe.Blocked
			for _, bl := range r.Blocked {
				if kept[bl.Line] {
					blocked = append(blocked, bl)
				}
			}
			r.Blocked = blocked
		}
	}
	var writes []observe.ScriptWrite
	for _, w := range c.ScriptWrites {
		if w.API == "document.cookie" {
			host := ""
			if u, err := url.Parse(w.FrameURL); err == nil {
				host = u.Hostname()
			}
			if !b.admit(cookieKey(sc.Parse(w.Value), host)) {
				continue
			}
		}
		writes = append(writes, w)
	}
	c.ScriptWrites = writes
	var scripts []observe.ScriptCookie
	for _, s := range c.ScriptCookies {
		if b.admit(s.Cookie.Name + "\x00" + strings.TrimPrefix(strings.ToLower(s.Cookie.Domain), ".") + "\x00" + s.Cookie.Path) {
			scripts = append(scripts, s)
		}
	}
	c.ScriptCookies = scripts
}

// errors are the notes of the caps that were hit, for the report's errors[].
func (b *cookieBudget) errors(target string) []result.ScanError {
	out := append([]result.ScanError{}, b.notes...)
	if b.dropped > 0 {
		out = append(out, result.ScanError{Stage: result.StageLimit, URL: target, Message: fmt.Sprintf(
			"%s Set-Cookie line(s) of further cookies were left unexamined: a scan examines at most %d distinct cookies",
			rules.Thousands(b.dropped), MaxCookiesPerScan)})
	}
	return out
}
