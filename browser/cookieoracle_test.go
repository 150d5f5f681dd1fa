package browser

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// caseGroup is the cases one page runs: one scheme and host.
type caseGroup struct{ scheme, host string }

// caseEvidence is what Chromium did with one case's lines.
type caseEvidence struct {
	responses []Response // the responses that carried its lines
	writes    []CookieWrite
	at, end   time.Time // its lines were sent between at and end
}

// chromiumOnCookieCases serves every fixtures.CookieCases case to Chromium,
// one page per scheme and host (the page's navigation carries the redirect
// and document cases; one script then runs the fetch, XHR and script cases
// in order), and returns what Chromium reported per case and its store at
// the end.
func chromiumOnCookieCases(t *testing.T) (map[string]*caseEvidence, []*network.Cookie) {
	s := session(t)
	s.timeout = 30 * time.Second // two hundred requests on a page; the machine may be busy
	useProfile(t, "cookie-cases")
	var groups []caseGroup
	seen := map[caseGroup]bool{}
	for _, c := range fixtures.CookieCases {
		g := caseGroup{c.Scheme, c.Host}
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	ev := map[string]*caseEvidence{}
	for _, c := range fixtures.CookieCases {
		ev[c.ID] = &caseEvidence{}
	}
	attribute := func(g caseGroup, rs []Response, at time.Time) {
		for _, r := range rs {
			if len(r.SetCookies) == 0 {
				continue
			}
			u, err := url.Parse(r.URL)
			if err != nil {
				continue
			}
			for _, c := range fixtures.CookieCases {
				if c.Scheme != g.scheme || c.Host != g.host {
					continue
				}
				own := strings.HasPrefix(u.Path, "/cc/set/"+c.ID+"/") || strings.HasPrefix(u.Path, "/cc/hop/"+c.ID+"/")
				nav := (c.Via == fixtures.ViaRedirect && u.Path == "/cc/start") || (c.Via == fixtures.ViaDocument && u.Path == "/cc/page")
				if own || nav {
					ev[c.ID].responses = append(ev[c.ID].responses, r)
					ev[c.ID].at, ev[c.ID].end = at, time.Now()
				}
			}
		}
	}
	for _, g := range groups {
		at := time.Now()
		v, err := s.Visit(t.Context(), site.URL(g.scheme, g.host, "/cc/start"))
		if err != nil {
			t.Fatalf("%s://%s: %v", g.scheme, g.host, err)
		}
		attribute(g, v.Responses, at)
		type jsCase struct {
			ID    string   `json:"id"`
			Via   string   `json:"via"`
			Lines []string `json:"lines"`
		}
		var run []jsCase
		for _, c := range fixtures.CookieCases {
			if c.Scheme == g.scheme && c.Host == g.host && c.Via != fixtures.ViaDocument && c.Via != fixtures.ViaRedirect {
				run = append(run, jsCase{c.ID, c.Via, c.Lines})
			}
		}
		if len(run) == 0 {
			continue
		}
		cases, _ := json.Marshal(run)
		// Every case has cookies of its own, so the requests run at once;
		// the lines of one case are one response (or one script's writes,
		// in order).
		js := `(async (cases) => {
	await Promise.all(cases.map(async (c) => {
		if (c.via === "fetch") await (await fetch("/cc/set/" + c.id + "/x")).text();
		else if (c.via === "hop") await (await fetch("/cc/hop/" + c.id + "/x")).text();
		else if (c.via === "xhr") await new Promise((done) => {
			const x = new XMLHttpRequest(); x.open("GET", "/cc/set/" + c.id + "/x"); x.onloadend = done; x.send();
		});
		else if (c.via === "script") for (const l of c.lines) document.cookie = l;
	}));
	return cases.length;
})(` + string(cases) + `)`
		rec, stop, err := s.watch()
		if err != nil {
			t.Fatal(err)
		}
		at = time.Now()
		res, err := chromedp.Call(s.ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: js, AwaitPromise: new(true), ReturnByValue: new(true)})
		if err == nil && res.ExceptionDetails != nil {
			err = fmt.Errorf("%s", res.ExceptionDetails.Text)
		}
		if err != nil {
			stop()
			t.Fatalf("%s://%s: running the cases: %v", g.scheme, g.host, err)
		}
		rec.waitQuiet(t.Context(), 100*time.Millisecond, 5*time.Second)
		stop()
		var w Visit
		rec.fill(&w)
		attribute(g, w.Responses, at)
		for _, c := range run {
			if c.Via == fixtures.ViaScript {
				ev[c.ID].at, ev[c.ID].end = at, time.Now()
				for _, wr := range w.Writes {
					for _, l := range c.Lines {
						if wr.Value == l {
							ev[c.ID].writes = append(ev[c.ID].writes, wr)
						}
					}
				}
			}
		}
	}
	store, err := s.rawCookies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ev, store
}

// TestDumpChromiumCookieCases prints what Chromium did with each case
// (COOKIESCAN_DUMP=1), for writing the parser.
func TestDumpChromiumCookieCases(t *testing.T) {
	if os.Getenv("COOKIESCAN_DUMP") == "" {
		t.Skip("set COOKIESCAN_DUMP=1 to print Chromium's verdicts")
	}
	ev, store := chromiumOnCookieCases(t)
	for _, c := range fixtures.CookieCases {
		e := ev[c.ID]
		fmt.Printf("== %s (%s %s://%s) %q\n", c.ID, c.Via, c.Scheme, c.Host, c.Lines)
		for _, r := range e.responses {
			fmt.Printf("   response %s %d lines=%q blocked=%v\n", r.URL, r.Status, r.SetCookies, r.Blocked)
		}
		if c.Via == fixtures.ViaScript {
			fmt.Printf("   writes %d\n", len(e.writes))
		}
	}
	sort.Slice(store, func(i, j int) bool { return store[i].Name < store[j].Name })
	for _, k := range store {
		exp := "session"
		if !k.Session {
			exp = fmt.Sprintf("%.0fs", k.Expires-float64(time.Now().Unix()))
		}
		fmt.Printf("store %q=%q domain=%s path=%s secure=%v httpOnly=%v sameSite=%q %s partitioned=%v\n", k.Name, k.Value, k.Domain, k.Path, k.Secure, k.HTTPOnly, k.SameSite, exp, k.PartitionKey != nil)
	}
}

// TestChromiumCookieOracle is the differential test of the cookie model:
// for every case of fixtures.CookieCases (Set-Cookie lines served byte-exact
// on pages, redirect hops, fetch and XHR responses, over HTTPS and plain
// HTTP, and strings written to document.cookie), cookiescan's row — name,
// value, domain, path, secure, httpOnly, sameSite, session, maxAge, stored,
// blockedReasons — must be what real Chromium did with the same bytes: its
// store (Storage.getCookies) and its refusals (the blockedCookies of
// Network.responseReceivedExtraInfo). A script write's reasons are not
// reported by Chromium, so only what it stored is compared for those.
func TestChromiumCookieOracle(t *testing.T) {
	ev, store := chromiumOnCookieCases(t)
	claimed := make([]bool, len(store))
	lines := 0
	for _, c := range fixtures.CookieCases {
		e := ev[c.ID]
		lines += len(c.Lines)
		path := map[string]string{fixtures.ViaFetch: "/cc/set/" + c.ID + "/x", fixtures.ViaXHR: "/cc/set/" + c.ID + "/x",
			fixtures.ViaHop: "/cc/hop/" + c.ID + "/x", fixtures.ViaRedirect: "/cc/start", fixtures.ViaDocument: "/cc/page", fixtures.ViaScript: "/cc/page"}[c.Via]
		u, _ := url.Parse(site.URL(c.Scheme, c.Host, path))
		src := sc.FromHeader
		if c.Via == fixtures.ViaScript {
			src = sc.FromScript
			if len(e.writes) != len(c.Lines) {
				t.Errorf("%s: the page hooks saw %d of the %d writes", c.ID, len(e.writes), len(c.Lines))
			}
		} else if len(e.responses) == 0 && strings.TrimSpace(c.Lines[0]) != "" {
			t.Errorf("%s: no response of Chromium carried the case's lines", c.ID)
			continue
		}
		for _, rc := range scanner.CookieRows(c.Lines, u, e.at, src, true) {
			what := fmt.Sprintf("%s (%s %s): row %q", c.ID, c.Via, u, rc.Raw)
			key := rc.Domain
			if !rc.HostOnly {
				key = "." + key
			}
			found := -1
			for i, k := range store {
				if k.Name == rc.Name && k.Domain == key && k.Path == rc.Path && (rc.Stored || k.Value == rc.Value) {
					found = i
				}
			}
			if src == sc.FromHeader {
				chromium := chromiumReasons(e.responses, rc.Raw)
				if !sameReasons(chromium, rc.BlockedReasons) {
					t.Errorf("%s: blockedReasons %q, Chromium %q", what, rc.BlockedReasons, chromium)
				}
			}
			if !rc.Stored {
				if found >= 0 {
					t.Errorf("%s: not stored (deletion %v, reasons %q, note %q), but Chromium stored %s=%q", what, rc.Deletion, rc.BlockedReasons, rc.Note, store[found].Name, store[found].Value)
					claimed[found] = true
				}
				continue
			}
			if found < 0 {
				t.Errorf("%s: stored as %q on %s%s, but Chromium's store has no such cookie", what, rc.Name, key, rc.Path)
				continue
			}
			k := store[found]
			claimed[found] = true
			if k.Value != rc.Value || k.Secure != rc.Secure || k.HTTPOnly != rc.HTTPOnly || string(k.SameSite) != rc.SameSite || k.Session != rc.Session {
				t.Errorf("%s: value %q secure %v httpOnly %v sameSite %q session %v; Chromium %q %v %v %q %v",
					what, rc.Value, rc.Secure, rc.HTTPOnly, rc.SameSite, rc.Session, k.Value, k.Secure, k.HTTPOnly, k.SameSite, k.Session)
			}
			if rc.MaxAge != nil && !k.Session {
				life := min(*rc.MaxAge, sc.MaxLifetime)
				lo, hi := e.at.Unix()+life-2, e.end.Unix()+life+2
				if int64(k.Expires) < lo || int64(k.Expires) > hi {
					t.Errorf("%s: maxAge %d (kept %ds), but Chromium expires it %ds after the write", what, *rc.MaxAge, life, int64(k.Expires)-e.at.Unix())
				}
			}
		}
	}
	for i, k := range store {
		if !claimed[i] && k.Name != "__Host-sessionid" { // the fixture's favicon sets that one
			t.Errorf("Chromium stored %q=%q on %s%s, which no row says is stored", k.Name, k.Value, k.Domain, k.Path)
		}
	}
	t.Logf("compared %d cookie cases (%d Set-Cookie lines and document.cookie writes) with Chromium", len(fixtures.CookieCases), lines)
}

// chromiumReasons are the reasons Chromium gave for refusing line, in any
// of the responses (none when it did not refuse it).
func chromiumReasons(rs []Response, line string) []string {
	norm := strings.TrimSpace
	for _, r := range rs {
		for _, b := range r.Blocked {
			if norm(b.Line) == norm(line) {
				return b.Reasons
			}
		}
	}
	return []string{}
}

func sameReasons(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
