package browser

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"golang.org/x/net/publicsuffix"

	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// Defaults of observe.Request fields left zero. Depth has none: 0 is the
// start page only, so callers pass DefaultDepth where their flag or key is
// bound.
const (
	DefaultMaxPages = 20
	DefaultDepth    = 2
	maxConcurrency  = 16
)

// PhaseLogout keys Crawl.Stored after the logout steps. Their responses
// count as post-login: the report knows three phases.
const PhaseLogout = "logout"

// logoutLink matches links a crawl must not follow unless asked: they would
// end the session it is observing.
var logoutLink = regexp.MustCompile(`(?i)log[-_ ]?out|sign[-_ ]?out|log[-_ ]?off`)

// Crawler drives one browser through sites for the scanner. The browser
// starts with the first Crawl and serves the following ones; Crawls may run
// at once (scan --parallel), each in a fresh browser context of its own, so
// nothing carries over between targets and one Chromium process serves them
// all. A browser that died is started again by the next Crawl.
type Crawler struct {
	opts Options
	own  bool // Close closes the browser

	running sync.RWMutex // held shared by each Crawl, exclusively by Close
	mu      sync.Mutex   // guards b and closed
	b       *Browser
	closed  bool
}

var _ observe.Crawler = (*Crawler)(nil)

// NewCrawler returns a Crawler that starts its browser with opts when first
// needed. Close it.
func NewCrawler(opts Options) *Crawler { return &Crawler{opts: opts, own: true} }

// newCrawlerOn crawls with a browser the caller owns (tests share one).
func newCrawlerOn(b *Browser) *Crawler { return &Crawler{opts: b.opts, b: b} }

// Close stops the browser. It waits for the running Crawls.
func (c *Crawler) Close() error {
	c.running.Lock()
	defer c.running.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.b == nil || !c.own {
		return nil
	}
	err := c.b.Close()
	c.b = nil
	return err
}

// Prepare starts the browser now, so that its launch overlaps the scan's
// transport probe; the next Crawl finds it running. Errors are Crawl's to
// report (it tries again).
func (c *Crawler) Prepare(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = c.browser(ctx)
}

// browser returns the running browser, starting one if needed.
func (c *Crawler) browser(ctx context.Context) (*Browser, error) {
	if c.closed {
		return nil, errors.New("crawler closed")
	}
	if c.b != nil && c.b.ctx.Err() == nil {
		return c.b, nil
	}
	if c.b != nil {
		if !c.own {
			return nil, errors.New("the browser is gone")
		}
		c.b.Close() // a browser that died: clean up after it, then start anew
		c.b = nil
	}
	b, err := Start(ctx, c.opts)
	if err != nil {
		return nil, err
	}
	c.b = b
	return b, nil
}

// Crawl visits the site breadth first from req.StartURL, logs in and out if
// req.Login says how, and proves over plain HTTP which cookies Chromium
// sends. The Crawl is filled as far as it got, also with an error: the
// error means the browser failed or ctx ended, never that the site did.
//
// All of it runs in one new browser context, with Concurrency tabs that
// share its cookie jar. Links are followed when they are http(s), on the
// same registrable domain (the same host for an IP address or a one-label
// name), within Depth, matched by an Include pattern (if any) and by no
// Exclude pattern, and not logout-looking (unless FollowLogout); the start
// URL and the URL a login ends on are always visited. MaxPages bounds the
// pages of the whole scan, so a crawl trap ends there.
//
// Without a login every page is "pre-login". With one:
//   - pre-login: the start page only, then Stored["pre-login"];
//   - login: the steps in the first tab, every response "login", then the
//     success check and Stored["login"];
//   - post-login: the crawl from the start URL and the login's final URL,
//     then Stored["post-login"];
//   - logout (if the flow has logout steps): back to the login's final
//     page, the steps (responses count as post-login), Stored["logout"].
//
// A login that fails is reported in Crawl.Login and the crawl goes on
// logged out: the rest of the pages are pre-login, and Stored["pre-login"]
// is the store at the end. Script cookies: see scriptcookies.go; the proof
// over HTTP: see proof.go.
func (c *Crawler) Crawl(ctx context.Context, req observe.Request) (observe.Crawl, error) {
	c.running.RLock()
	defer c.running.RUnlock()
	if err := ctx.Err(); err != nil {
		return observe.Crawl{}, err
	}
	s, err := newScan(req)
	if err != nil {
		return observe.Crawl{}, err
	}
	c.mu.Lock()
	b, err := c.browser(ctx)
	c.mu.Unlock()
	if err != nil {
		return observe.Crawl{}, fmt.Errorf("browser: %w", err)
	}
	s.b = b
	out, err := s.run(ctx)
	if err != nil && b.ctx.Err() != nil && ctx.Err() == nil {
		// "context canceled" from deep inside chromedp says nothing useful.
		err = fmt.Errorf("%w after %d page(s): %w", ErrBrowserExited, len(out.Pages), err)
	}
	return out, err
}

// ErrBrowserExited is wrapped by Crawl's error when Chromium went away during
// the crawl: it crashed, ran out of memory or was killed.
var ErrBrowserExited = errors.New("the browser exited during the crawl (crashed or killed)")

// scan is one Crawl.
type scan struct {
	b                *Browser
	req              observe.Request
	start            *url.URL
	include, exclude []*regexp.Regexp
	tabs             []*Session // tabs[0] logs in and out; tab i is crawl worker i's
	owner            *Session   // the first tab: closing it disposes of the browser context
	// ready[i] is closed when tabs[i] (i > 0) has opened, or failed to
	// (tabs[i] stays nil); opening waits for all of them.
	ready       []chan struct{}
	opening     sync.WaitGroup
	stopOpening context.CancelFunc

	mu      sync.Mutex
	out     observe.Crawl
	pages   int   // pages started, against MaxPages
	failure error // the browser failed or ctx ended: stop
	ledger  *ledger
	store   []*network.Cookie // the store at the last snapshot before logout
}

func newScan(req observe.Request) (*scan, error) {
	if req.MaxPages <= 0 {
		req.MaxPages = DefaultMaxPages
	}
	req.Depth = max(req.Depth, 0)
	req.Concurrency = max(1, min(req.Concurrency, maxConcurrency, req.MaxPages))
	start, err := url.Parse(req.StartURL)
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return nil, fmt.Errorf("crawl: start URL %q is not an absolute http(s) URL", req.StartURL)
	}
	start.Fragment, start.RawFragment = "", ""
	s := &scan{req: req, start: start, ledger: newLedger(),
		out: observe.Crawl{Stored: map[string][]observe.StoredCookie{}}}
	for _, list := range []struct {
		src []string
		dst *[]*regexp.Regexp
	}{{req.Include, &s.include}, {req.Exclude, &s.exclude}} {
		for _, expr := range list.src {
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("crawl: pattern %q: %w", expr, err)
			}
			*list.dst = append(*list.dst, re)
		}
	}
	s.ledger.seed(req.Cookies, start)
	s.out.Supplied = req.Cookies
	return s, nil
}

// run does the phases in order (see Crawl).
func (s *scan) run(ctx context.Context) (observe.Crawl, error) {
	defer s.closeTabs()
	var proof <-chan proofTab
	proved := false
	if s.req.HTTPURL != "" {
		// Its browser context starts beside the crawl's tabs.
		proof = s.prepareProof(ctx)
		defer func() {
			if !proved { // the crawl stopped first: close the unused tab
				if pt := <-proof; pt.sess != nil {
					pt.sess.Close()
				}
			}
		}()
	}
	if err := s.openTabs(ctx); err != nil {
		s.fail(err)
		return s.result(ctx)
	}
	start := s.start.String()
	fr := newFrontier(start)
	if s.req.Login == nil {
		s.crawl(ctx, observe.PreLogin, fr, s.req.MaxPages)
		s.snapshot(ctx, observe.PreLogin, observe.PreLogin, start)
	} else {
		// Before login only the start page: what the site sets on arrival
		// is what a login must rotate; the rest of the site is crawled
		// logged in (or, if the login fails, logged out, below).
		s.crawl(ctx, observe.PreLogin, fr, 1)
		s.snapshot(ctx, observe.PreLogin, observe.PreLogin, start)
		// The login judges its clicks by how soon a navigation follows:
		// renderers starting beside it would only slow it down.
		s.opening.Wait()
		if final, ok := s.login(ctx, s.req.Login); ok {
			s.snapshot(ctx, observe.Login, observe.Login, final)
			seeds := []string{start}
			if u, err := url.Parse(final); err == nil && final != "" && s.sameSite(u) {
				u.Fragment, u.RawFragment = "", ""
				seeds = append(seeds, u.String())
			}
			s.crawl(ctx, observe.PostLogin, newFrontier(seeds...), s.req.MaxPages)
			s.snapshot(ctx, observe.PostLogin, observe.PostLogin, final)
			if len(s.req.Login.Logout) > 0 {
				s.logout(ctx, s.req.Login.Logout, final)
			}
		} else if !s.stopped(ctx) {
			s.crawl(ctx, observe.PreLogin, fr, s.req.MaxPages)
			s.snapshot(ctx, observe.PreLogin, observe.PreLogin, start)
		}
	}
	if s.req.HTTPURL != "" && !s.stopped(ctx) {
		proved = true
		s.proveHTTP(ctx, proof)
	}
	return s.result(ctx)
}

// openTabs opens the first tab in a new browser context and prepares it:
// the guard (extra headers, scope), the seed cookies, the page timeout. The
// other Concurrency-1 tabs open in the background (see ready): the crawl
// starts on the first at once, and a site of one page never waits for tabs
// it does not need. Each new tab is a renderer to start, which on a small
// machine took longer than several page visits.
func (s *scan) openTabs(ctx context.Context) error {
	first, err := s.b.NewSession(ctx)
	if err != nil {
		return err
	}
	first.timeout = s.req.PageTimeout // NewTab copies it
	s.owner = first
	s.tabs = make([]*Session, s.req.Concurrency)
	s.tabs[0] = first
	s.ready = make([]chan struct{}, len(s.tabs))
	if err := s.guardTab(ctx, first, s.req.Header, len(s.req.Cookies) > 0); err != nil {
		return fmt.Errorf("request guard: %w", err)
	}
	if err := first.setCookies(ctx, seedParams(s.req.Cookies, s.start.String())); err != nil {
		return err
	}
	// closeTabs ends the openings still under way: a crawl that is over
	// does not wait for renderers it will not use.
	octx, cancel := context.WithCancel(ctx)
	s.stopOpening = cancel
	for i := 1; i < len(s.tabs); i++ {
		s.ready[i] = make(chan struct{})
		s.opening.Go(func() {
			defer close(s.ready[i])
			t, err := first.NewTab(octx)
			if err == nil {
				if err = s.guardTab(octx, t, s.req.Header, len(s.req.Cookies) > 0); err != nil {
					t.Close()
				}
			}
			if err != nil {
				// Fewer tabs crawl the same pages: not worth failing a
				// scan for. A browser that is gone fails the visits.
				if octx.Err() == nil {
					s.progress(fmt.Sprintf("tab %d did not open (%v): crawling with fewer tabs", i+1, err))
				}
				return
			}
			s.tabs[i] = t // published by closing ready[i]
		})
	}
	return nil
}

// tabReady waits until crawl worker i has its tab, or until over is closed
// (the phase ended without it). false: no tab for this worker.
func (s *scan) tabReady(i int, over <-chan struct{}) bool {
	if s.ready[i] != nil {
		select {
		case <-s.ready[i]:
		case <-over:
			return false
		}
	}
	return s.tabs[i] != nil
}

// guardTab has the tab's requests judged (see guard): the operator's
// headers to the target's origin only, the scope, the crawl on the site.
// Without anything to judge, requests are not paused at all.
func (s *scan) guardTab(ctx context.Context, tab *Session, header map[string]string, cookies bool) error {
	sc := s.b.opts.Scope
	if sc == "" {
		sc = scope.Site
	}
	if len(header) == 0 && !cookies && sc == scope.Any {
		return nil
	}
	origin := *s.start
	origin.Path, origin.RawQuery = "/", ""
	var rules []hostRule
	if s.b.trust != nil {
		rules = s.b.trust.rules
	} else if r, err := parseHostRules(s.b.opts.HostResolverRules); err == nil {
		rules = r
	}
	g := &guard{header: header, origin: &origin, cookies: cookies, scope: sc, rules: rules, proxy: s.b.opts.Proxy}
	if sc != scope.Any {
		g.onSite = s.sameSite
	}
	return tab.install(ctx, g)
}

// closeTabs closes the extra tabs, then the first (and the browser context).
func (s *scan) closeTabs() {
	if s.stopOpening != nil {
		s.stopOpening()
	}
	s.opening.Wait()
	for i := len(s.tabs) - 1; i >= 0; i-- {
		if s.tabs[i] != nil && s.tabs[i] != s.owner {
			s.tabs[i].Close()
		}
	}
	if s.owner != nil {
		s.owner.Close()
	}
}

// renew replaces tab i, whose renderer crashed or was killed, with a fresh tab
// in the same browser context (the same cookie jar), so the crawl goes on. A
// broken first tab stays open until the end: closing it would dispose of the
// browser context.
func (s *scan) renew(ctx context.Context, i int) {
	old := s.tabs[i]
	t, err := s.owner.NewTab(ctx)
	if err == nil {
		if err = s.guardTab(ctx, t, s.req.Header, len(s.req.Cookies) > 0); err != nil {
			t.Close()
		}
	}
	if err != nil {
		s.fail(fmt.Errorf("replace a broken tab: %w", err))
		return
	}
	s.tabs[i] = t
	if old != s.owner {
		old.Close()
	}
}

// fail records the error that stops the scan (the first one wins).
func (s *scan) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failure == nil {
		s.failure = err
	}
}

func (s *scan) stopped(ctx context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failure != nil || ctx.Err() != nil
}

func (s *scan) progress(step string) {
	if s.req.Progress != nil {
		s.req.Progress(step)
	}
}

// result settles the script cookies and returns the Crawl and its error.
func (s *scan) result(ctx context.Context) (observe.Crawl, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.ScriptCookies = append(s.out.ScriptCookies, s.ledger.settle()...)
	err := s.failure
	if err == nil {
		err = ctx.Err()
	}
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		s.out.Errors = append(s.out.Errors, observe.Error{Stage: "browser", URL: s.start.String(), Message: err.Error()})
	}
	return s.out, err
}

// item is a URL to visit.
type item struct {
	url   string
	depth int
}

// frontier is the breadth-first queue of one phase.
type frontier struct {
	queue []item
	seen  map[string]bool
	busy  int // visits under way
}

func newFrontier(urls ...string) *frontier {
	f := &frontier{seen: map[string]bool{}}
	for _, u := range urls {
		f.add(item{url: u})
	}
	return f
}

func (f *frontier) add(it item) {
	if !f.seen[it.url] {
		f.seen[it.url] = true
		f.queue = append(f.queue, it)
	}
}

// crawl visits the frontier's URLs breadth first with every tab until it is
// empty or limit pages were visited in the whole scan.
func (s *scan) crawl(ctx context.Context, phase string, fr *frontier, limit int) {
	if s.stopped(ctx) {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wake := sync.NewCond(&s.mu)
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		wake.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	next := func() (item, int, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for {
			switch {
			case ctx.Err() != nil || s.failure != nil || s.pages >= limit:
				return item{}, 0, false
			case len(fr.queue) > 0:
				it := fr.queue[0]
				fr.queue = fr.queue[1:]
				fr.busy++
				s.pages++
				return it, s.pages, true
			case fr.busy == 0:
				return item{}, 0, false
			}
			wake.Wait()
		}
	}
	// over is closed when a worker finds no more work: a worker whose tab
	// is still opening then has nothing to wait for.
	over := make(chan struct{})
	var overOnce sync.Once
	var wg sync.WaitGroup
	for i := range s.tabs {
		wg.Go(func() {
			if !s.tabReady(i, over) {
				return
			}
			for {
				it, n, ok := next()
				if !ok {
					overOnce.Do(func() { close(over) })
					return
				}
				var found []item
				var final string
				// A tab whose renderer died in the last visit (or since) is
				// replaced first. Only worker i touches tabs[i] during a crawl.
				if s.tabs[i].Broken() {
					s.renew(ctx, i)
				}
				if !s.stopped(ctx) {
					found, final = s.visit(ctx, phase, i, s.tabs[i], it, n)
				}
				s.mu.Lock()
				fr.busy--
				if final != "" {
					fr.seen[final] = true // reached by a redirect: no second visit
				}
				for _, f := range found {
					fr.add(f)
				}
				if s.failure != nil {
					cancel()
				}
				wake.Broadcast()
				s.mu.Unlock()
			}
		})
	}
	wg.Wait()
	s.mu.Lock()
	s.out.ScriptCookies = append(s.out.ScriptCookies, s.ledger.settle()...)
	s.mu.Unlock()
}

// visit loads one page in tab number i and returns the links to follow.
func (s *scan) visit(ctx context.Context, phase string, i int, tab *Session, it item, n int) ([]item, string) {
	s.progress(fmt.Sprintf("page %d/%d: %s", n, s.req.MaxPages, it.url))
	if tab.guard != nil {
		tab.guard.takeMainRefusal()
		tab.guard.stayOnSite.Store(true)
	}
	v, err := tab.Visit(ctx, it.url)
	p := observe.Page{URL: it.url, FinalURL: v.FinalURL, Status: v.Status, Phase: phase, Depth: it.depth, Error: v.Error, Busy: v.Busy}
	if tab.guard != nil {
		tab.guard.stayOnSite.Store(false)
		if why := tab.guard.takeMainRefusal(); why != "" {
			// Refused by us, not failed by the site: say why, and do not
			// count the refused URL as a page.
			p.Error, p.Status, p.FinalURL, p.Refused = why, 0, "", true
		}
	}
	if p.Error == "" && browserGone(err) {
		p.Error = err.Error()
	}
	for _, r := range v.Responses {
		if r.MainFrame && r.Redirect {
			p.Hops = append(p.Hops, observe.Hop{URL: r.URL, Status: r.Status, Location: r.Headers["location"]})
		}
	}
	pageURL := v.FinalURL
	if pageURL == "" {
		pageURL = it.url
	}
	s.record(phase, pageURL, i, v.Responses, &p)
	s.noteWrites(phase, pageURL, v.Writes)
	if browserGone(err) {
		s.fail(err)
		return nil, ""
	}
	// No store read here: the hooks reported the page's cookie writes, and
	// the phase's snapshot reads the store once for what they cannot see.
	if it.depth >= s.req.Depth {
		return nil, v.FinalURL
	}
	var out []item
	for _, a := range v.Anchors {
		if u, ok := s.follow(a); ok {
			out = append(out, item{url: u, depth: it.depth + 1})
		}
	}
	return out, v.FinalURL
}

// follow says whether the crawl follows a link, and to which URL.
func (s *scan) follow(a Anchor) (string, bool) {
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !s.sameSite(u) {
		return "", false
	}
	u.Fragment, u.RawFragment = "", ""
	abs := u.String()
	if !s.req.FollowLogout && (logoutLink.MatchString(u.EscapedPath()+"?"+u.RawQuery) || logoutLink.MatchString(a.Text)) {
		return "", false
	}
	if len(s.include) > 0 && !anyMatch(s.include, abs) {
		return "", false
	}
	if anyMatch(s.exclude, abs) {
		return "", false
	}
	return abs, true
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// sameSite: the same registrable domain as the start URL; for an IP address
// or a single-label name (localhost), the same host.
func (s *scan) sameSite(u *url.URL) bool {
	a, b := strings.ToLower(u.Hostname()), strings.ToLower(s.start.Hostname())
	if a == b {
		return true
	}
	if net.ParseIP(b) != nil || !strings.Contains(b, ".") {
		return false
	}
	ra, err1 := publicsuffix.EffectiveTLDPlusOne(a)
	rb, err2 := publicsuffix.EffectiveTLDPlusOne(b)
	return err1 == nil && err2 == nil && ra == rb
}

// record adds a page (if p is not nil) and its responses.
func (s *scan) record(phase, pageURL string, tab int, rs []Response, p *observe.Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p != nil {
		s.out.Pages = append(s.out.Pages, *p)
	}
	for _, r := range rs {
		o := observe.Response{URL: r.URL, PageURL: pageURL, Type: r.Type, Status: r.Status, Redirect: r.Redirect,
			Location: r.Headers["location"], MainFrame: r.MainFrame, Phase: phase, Date: responseDate(r), SetCookies: r.SetCookies, HSTS: r.HSTS}
		for _, b := range r.Blocked {
			o.Blocked = append(o.Blocked, observe.Blocked{Line: b.Line, Reasons: b.Reasons})
		}
		s.out.Responses = append(s.out.Responses, o)
		s.ledger.explain(r, tab)
	}
}

// responseDate is the response's Date header, or now.
func responseDate(r Response) time.Time {
	d, _, _ := strings.Cut(r.Headers["date"], "\n")
	if t, err := http.ParseTime(d); err == nil {
		return t
	}
	return time.Now()
}

// noteWrites keeps a page's cookie writes for the report and the ledger.
func (s *scan) noteWrites(phase, pageURL string, ws []CookieWrite) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range ws {
		sw := observe.ScriptWrite{API: w.API, Value: w.Value, PageURL: pageURL, FrameURL: w.FrameURL, Phase: phase, At: w.At}
		if len(s.out.ScriptWrites) < maxScanWrites {
			s.out.ScriptWrites = append(s.out.ScriptWrites, sw)
		}
		s.ledger.noteWrite(sw)
	}
}

// maxScanWrites bounds the writes one crawl keeps (see maxWrites per visit).
const maxScanWrites = 5000

// checkStore reads the store after a page and notes unexplained cookies.
func (s *scan) checkStore(ctx context.Context, tab *Session, phase, pageURL string, i int) []*network.Cookie {
	store, err := tab.rawCookies(ctx)
	at := time.Now()
	if err != nil {
		if browserGone(err) && (tab.ctx.Err() != nil || ctx.Err() != nil) {
			s.fail(err)
		}
		return nil
	}
	s.mu.Lock()
	s.ledger.check(store, pageURL, phase, i, at)
	s.mu.Unlock()
	return store
}

// snapshot keeps the store at the end of a phase under key.
func (s *scan) snapshot(ctx context.Context, key, phase, pageURL string) {
	if s.stopped(ctx) {
		return
	}
	store, err := s.tabs[0].rawCookies(ctx)
	if err != nil {
		s.fail(err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ledger.check(store, pageURL, phase, 0, time.Now())
	s.out.Stored[key] = observed(store)
	if key != PhaseLogout {
		s.store = store
	}
}
