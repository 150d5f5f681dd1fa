package browser

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"

	"github.com/cookiescan/cookiescan/scanner/observe"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// How script cookies are found. The page hooks (pagehooks.go) report each
// cookie write of a page's script as it happens; at the end of each phase the
// crawl reads the store once. A cookie whose (name, domain, path) no
// Set-Cookie line seen so far explains was written by script and is
// attributed, once, to the page of the last write of that name, or, when the
// hooks saw none (a cross-site iframe, a service worker), to the page the
// store was read after.
//
// With several tabs another tab's response can store a cookie a moment
// before its event reaches us, so a cookie found unexplained is a candidate
// only; when the phase ends, a candidate is dropped if a Set-Cookie line of
// another tab that arrived up to raceSlack after the read explains it.
const raceSlack = time.Second

type cookieKey struct{ name, domain, path string }

type mark struct {
	at  time.Time
	tab int // -1: seeded
}

type candidate struct {
	key         cookieKey
	cookie      observe.StoredCookie
	page, phase string
	at          time.Time
	tab         int
	write       *observe.ScriptWrite
}

// noteWrite records a write of a page's script; the name is what the write
// names (a write Chromium refuses still names a cookie).
func (l *ledger) noteWrite(w observe.ScriptWrite) {
	if name := writtenName(w); name != "" {
		l.writes[name] = &w
	}
}

// writtenName is the cookie name a write names: the part of a document.cookie
// string before '=' (Chromium's name), cookieStore's "name" option.
func writtenName(w observe.ScriptWrite) string {
	if w.API == "document.cookie" {
		return sc.Parse(w.Value).Name
	}
	var o struct {
		Name string `json:"name"`
	}
	if json.Unmarshal([]byte(w.Value), &o) != nil {
		return ""
	}
	return o.Name
}

// ledger is what explains the store. Callers hold scan.mu.
type ledger struct {
	explained  map[cookieKey][]mark
	candidates []candidate
	decided    map[cookieKey]bool
	writes     map[string]*observe.ScriptWrite // cookie name -> its last write
}

func newLedger() *ledger {
	return &ledger{explained: map[cookieKey][]mark{}, decided: map[cookieKey]bool{}, writes: map[string]*observe.ScriptWrite{}}
}

// seed explains the cookies the scan started with.
func (l *ledger) seed(cookies []observe.StoredCookie, start *url.URL) {
	for _, c := range cookies {
		path := c.Path
		if path == "" {
			path = "/"
		}
		d := strings.TrimPrefix(strings.ToLower(c.Domain), ".")
		if d == "" {
			d = strings.ToLower(start.Hostname())
		}
		for _, dom := range []string{d, "." + d} {
			k := cookieKey{c.Name, dom, path}
			l.explained[k] = append(l.explained[k], mark{tab: -1})
		}
	}
}

// explain records the cookies a response's Set-Cookie lines stored.
func (l *ledger) explain(r Response, tab int) {
	if len(r.SetCookies) == 0 {
		return
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return
	}
	blocked := map[string]bool{}
	for _, b := range r.Blocked {
		blocked[b.Line] = true
	}
	at := r.at
	if at.IsZero() {
		at = time.Now()
	}
	for _, line := range r.SetCookies {
		if blocked[line] {
			continue
		}
		k := lineKey(sc.Parse(line), u)
		l.explained[k] = append(l.explained[k], mark{at: at, tab: tab})
	}
}

// lineKey is the (name, domain, path) a Set-Cookie line from u stores under,
// spelt as Chromium's store spells it: ".example.com" for a Domain cookie,
// the bare host for a host-only one (setcookie.Judge decides which).
func lineKey(c sc.Cookie, u *url.URL) cookieKey {
	v := sc.Judge(c, u, time.Time{}, sc.FromHeader)
	k := cookieKey{name: c.Name, domain: v.Domain, path: v.Path}
	if !v.HostOnly {
		k.domain = "." + v.Domain
	}
	return k
}

// explainedBy reports whether a line explains k for a read at `at` by tab.
func (l *ledger) explainedBy(k cookieKey, at time.Time, tab int, slack time.Duration) bool {
	for _, m := range l.explained[k] {
		if !m.at.After(at) || (m.tab != tab && !m.at.After(at.Add(slack))) {
			return true
		}
	}
	return false
}

// check notes the cookies of a store read (made at `at`, after page on tab)
// that nothing explains yet.
func (l *ledger) check(store []*network.Cookie, page, phase string, tab int, at time.Time) {
	for _, c := range store {
		k := cookieKey{c.Name, c.Domain, c.Path}
		if l.decided[k] {
			continue
		}
		if l.explainedBy(k, at, tab, 0) {
			l.decided[k] = true
			continue
		}
		dup := false
		for _, cd := range l.candidates {
			dup = dup || cd.key == k
		}
		if !dup {
			cd := candidate{key: k, cookie: observed([]*network.Cookie{c})[0], page: page, phase: phase, at: at, tab: tab}
			if w := l.writes[c.Name]; w != nil {
				cd.page, cd.phase, cd.write = w.PageURL, w.Phase, w
			}
			l.candidates = append(l.candidates, cd)
		}
	}
}

// settle decides the pending candidates; it returns the script cookies.
func (l *ledger) settle() []observe.ScriptCookie {
	var out []observe.ScriptCookie
	for _, cd := range l.candidates {
		if l.decided[cd.key] {
			continue
		}
		l.decided[cd.key] = true
		if !l.explainedBy(cd.key, cd.at, cd.tab, raceSlack) {
			out = append(out, observe.ScriptCookie{Cookie: cd.cookie, PageURL: cd.page, Phase: cd.phase, Write: cd.write})
		}
	}
	l.candidates = nil
	return out
}
