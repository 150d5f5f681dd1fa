package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner/observe"
)

// ErrPageLoad is wrapped by Visit's error when the page did not load (name
// resolution, connection, certificate, timeout). The Visit returned with it
// still holds everything observed: callers report the site as unreachable.
var ErrPageLoad = errors.New("page load failed")

// quietPeriod is how long a page with script must show no event at all
// after its load event, with nothing in flight and no short timer pending
// (see pagehooks.go), before a visit counts as settled. Timers and requests
// are waited for explicitly, and a timer is reported done only a task after
// its callback, so the requests it started come first; the window is a
// margin, not the mechanism. Raw-header events that a response announced
// are waited for separately (recorder.awaitingExtra).
const quietPeriod = 10 * time.Millisecond

// actionQuiet is how long a click or key press must be followed by no event
// before it counts as having started no navigation. The navigation a click
// starts reaches us only when Chromium sends its request, which on a busy
// machine came well after quietPeriod (a logout's store was read before its
// response). A login has a few actions, so the wait costs little.
const actionQuiet = 500 * time.Millisecond

// maxQuietWait bounds the wait for a quiet page after the load event: a
// page that polls forever (setInterval, a chain of timers) would otherwise
// cost a whole page timeout.
const maxQuietWait = 3 * time.Second

// Session is one tab in a browser context of its own: cookies, cache, HSTS
// state and storage are shared with no other session, except the tabs opened
// with NewTab. One Visit at a time.
type Session struct {
	b       *Browser
	ctx     context.Context // the chromedp tab context
	cancel  context.CancelFunc
	rec     atomic.Pointer[recorder] // of the running Visit or watch
	timeout time.Duration            // of one Visit; 0: Options.PageTimeout
	guard   *guard                   // set by install, before any Visit
	owner   bool                     // of its browser context (NewSession)

	visitMu   sync.Mutex
	closeOnce sync.Once
	closeErr  error

	// inspections counts the documents the hooks' load report missed.
	inspections atomic.Int64

	// broken: the tab's renderer crashed, or stopped answering and was
	// killed. Chromium keeps such a tab but it no longer reports page loads,
	// so the crawl opens a fresh one (Broken).
	broken atomic.Bool
}

// StoredCookie is a cookie as the browser kept it. Judge attributes from the
// raw Set-Cookie lines: the store caps lifetimes at 400 days and leaves
// SameSite empty when the attribute was absent.
// It is observe's type, so the crawler hands it on without copying fields.
type StoredCookie = observe.StoredCookie

// NewSession opens a tab in a fresh browser context (incognito-like).
// JavaScript dialogs are dismissed, and windows its pages open are closed.
func (b *Browser) NewSession(ctx context.Context) (*Session, error) {
	return b.newSession(ctx, true)
}

// newSession is NewSession; launchTab says whether it may take the launch
// tab (one taker only, so that which session gets it is not a race).
func (b *Browser) newSession(ctx context.Context, launchTab bool) (*Session, error) {
	opt, owner := chromedp.WithNewBrowserContext(), true
	if id := b.takeLaunchTab(launchTab); id != "" {
		// The launch tab of a brand-new profile: its default browser
		// context has held nothing yet, and is never handed out again.
		opt, owner = chromedp.WithTargetID(id), false
	}
	s, err := b.openTab(ctx, opt)
	if err != nil {
		return nil, err
	}
	s.owner = owner
	if err := bounded(ctx, func() error { return closePopups(s.ctx) }); err != nil {
		s.Close()
		return nil, fmt.Errorf("new browser session: %w", err)
	}
	return s, nil
}

// NewTab opens another tab in s's browser context: it shares the cookie jar,
// cache and HSTS state of s. Close it before s: closing s disposes of the
// browser context and its tabs.
func (s *Session) NewTab(ctx context.Context) (*Session, error) {
	t, err := s.b.openTab(ctx, chromedp.WithExistingBrowserContext(chromedp.FromContext(s.ctx).BrowserContextID))
	if err != nil {
		return nil, err
	}
	t.timeout = s.timeout
	return t, nil
}

// openTab opens a tab and prepares it for visits.
func (b *Browser) openTab(ctx context.Context, opt chromedp.ContextOption) (*Session, error) {
	s := &Session{b: b}
	// Close closes the tab itself: chromedp's own close polls the browser
	// until the tab is no longer listed, up to 500 ms every time.
	s.ctx, s.cancel = chromedp.NewContext(b.ctx, opt, chromedp.WithDetachOnCancel())
	err := bounded(ctx, func() error {
		// The tab's life is bound to the context of its first call: s.ctx.
		if err := chromedp.Do(s.ctx); err != nil {
			return err
		}
		// chromedp enables DOM and CSS for its query actions, which we do
		// not use: with DOM on, each new document costs a DOM.getDocument
		// round trip that holds up the tab's events behind it, and CSS
		// reports every stylesheet. (CSS depends on DOM: off first.)
		if _, err := chromedp.Call(s.ctx, css.Disable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(s.ctx, dom.Disable, cdp.Empty{}); err != nil {
			return err
		}
		// Every visit goes to the network: a cached 301 has no raw headers.
		if _, err := chromedp.Call(s.ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		if err := installHooks(s.ctx); err != nil {
			return err
		}
		dismissDialogs(s.ctx)
		// A renderer can die between visits too (a page's timer that
		// allocates); the crawl must not load the next page in that tab.
		if err := chromedp.Listen(s.ctx, func(ev any) {
			if _, ok := ev.(*inspector.EventTargetCrashed); ok {
				s.broken.Store(true)
			}
		}); err != nil {
			return err
		}
		if b.trust == nil {
			return nil
		}
		return watchCertErrors(s.ctx, b.trust, func(url, text string) {
			if r := s.rec.Load(); r != nil {
				r.rejectCert(url, text)
			}
		})
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("new browser session: %w", err)
	}
	return s, nil
}

// Close closes the tab and, for a session of NewSession, disposes of its
// browser context.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		var tab target.ID
		var bctx cdp.BrowserContextID
		if c := chromedp.FromContext(s.ctx); c != nil {
			bctx = c.BrowserContextID
			if c.Target != nil {
				tab = c.Target.TargetID
			}
		}
		err := chromedp.Cancel(s.ctx) // detaches (WithDetachOnCancel)
		if errors.Is(err, context.Canceled) || s.b.ctx.Err() != nil {
			s.closeErr = nil // the browser is gone, and the tab with it
			return
		}
		// Disposing of the browser context closes its tabs; Chromium
		// answers before they are gone, and nothing waits for that; nor
		// does the caller wait for the answer: the session is over for it,
		// and Browser.Close waits for what is still in flight.
		var close func(context.Context) error
		switch {
		case s.owner && bctx != "":
			close = func(ctx context.Context) error {
				_, err := chromedp.CallBrowser(ctx, target.DisposeBrowserContext, target.DisposeBrowserContextParams{BrowserContextID: bctx})
				return err
			}
		case tab != "":
			close = func(ctx context.Context) error {
				_, err := chromedp.CallBrowser(ctx, target.CloseTarget, target.CloseTargetParams{TargetID: tab})
				return err
			}
		default:
			return
		}
		s.b.inBackground(func() {
			ctx, cancel := context.WithTimeout(s.b.ctx, 10*time.Second)
			defer cancel()
			_ = close(ctx) // an error here leaves a tab in a browser that is going away
		})
	})
	return s.closeErr
}

// Broken reports whether the tab's renderer crashed, or stopped answering and
// was killed: the tab can no longer load pages; open another.
func (s *Session) Broken() bool { return s.broken.Load() }

// pageTimeout bounds one Visit.
func (s *Session) pageTimeout() time.Duration {
	if s.timeout > 0 {
		return s.timeout
	}
	return s.b.opts.PageTimeout
}

// watch records the tab's events into a new recorder until stop is called.
func (s *Session) watch() (rec *recorder, stop func(), err error) {
	tab := chromedp.FromContext(s.ctx).Target
	if tab == nil {
		return nil, nil, errors.New("browser tab gone")
	}
	rec = newRecorder(string(tab.TargetID)) // the main frame's id is the target's
	lctx, cancel := context.WithCancel(s.ctx)
	if err := chromedp.Listen(lctx, rec.onEvent); err != nil {
		cancel()
		return nil, nil, err
	}
	s.rec.Store(rec)
	return rec, func() { s.rec.CompareAndSwap(rec, nil); cancel() }, nil
}

// Visit navigates the tab to url, waits for the load event and a quiet
// network (all bounded by the page timeout: Options.PageTimeout, or the
// crawl's) and returns what it observed.
// When the page does not load, Visit.Error says why and err wraps
// ErrPageLoad; any other error means the browser itself failed.
func (s *Session) Visit(ctx context.Context, url string) (Visit, error) {
	s.visitMu.Lock()
	defer s.visitMu.Unlock()
	v := Visit{URL: url}
	rec, stop, err := s.watch()
	if err != nil {
		return v, fmt.Errorf("visit %s: %w", url, err)
	}
	defer stop()
	committed, doc, loadErr, err := s.navigate(ctx, rec, url)
	v.Error = loadErr
	if err != nil {
		rec.fill(&v)
		return v, fmt.Errorf("visit %s: %w", url, err)
	}
	v.Scriptless = doc.Scriptless
	if committed && !s.Broken() {
		v.Anchors = doc.Anchors
		if !doc.Scriptless {
			var err error
			v.Anchors, err = s.anchors(ctx) // script may have changed them since load
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil && v.Error == "" {
				// A script that starts spinning after the load event: the
				// page is as broken as one that spins before it.
				if note := s.unwedge(); note != "" {
					v.Error = "after loading, " + note
				}
			}
		}
		seen := map[string]bool{}
		for _, a := range v.Anchors {
			if !seen[a.URL] {
				seen[a.URL] = true
				v.Links = append(v.Links, a.URL)
			}
		}
	}
	rec.fill(&v)
	if v.Error != "" && download(v) {
		v.Error = "" // a file, not a page: nothing failed
	}
	if v.Error != "" {
		v.Error = explainLoadError(v)
		return v, fmt.Errorf("visit %s: %w: %s", url, ErrPageLoad, v.Error)
	}
	return v, nil
}

// download reports whether a navigation that Chromium aborted was a file it
// downloads instead of showing (Content-Disposition: attachment, a type it
// does not render): the response arrived whole, so nothing failed.
func download(v Visit) bool {
	if v.Error != "net::ERR_ABORTED" {
		return false
	}
	for i := len(v.Responses) - 1; i >= 0; i-- {
		if r := v.Responses[i]; r.MainFrame {
			return !r.Redirect && r.Status >= 200 && r.Status < 300
		}
	}
	return false
}

// explainLoadError says in words why a page did not load when Chromium's
// error code alone would puzzle: a redirect to a scheme browsers refuse to
// follow (file:, javascript:, data:, ...) shows as ERR_UNSAFE_REDIRECT or
// ERR_ABORTED.
func explainLoadError(v Visit) string {
	for i := len(v.Responses) - 1; i >= 0; i-- {
		r := v.Responses[i]
		if !r.MainFrame {
			continue
		}
		loc := r.Headers["location"]
		if !r.Redirect || loc == "" {
			break
		}
		scheme, _, ok := strings.Cut(loc, ":")
		if !ok || strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.ContainsAny(scheme, "/?#") {
			break
		}
		if len(loc) > 80 {
			loc = loc[:80] + "…"
		}
		return fmt.Sprintf("redirects to a %s: URL, which browsers refuse to follow (Location: %s; %s)", strings.ToLower(scheme), loc, v.Error)
	}
	return v.Error
}

// navigate loads url in the tab, recording into rec, and waits until it
// settles. doc is what the document looked like at its load event; loadErr
// says why the page did not load; err is a browser or context error.
func (s *Session) navigate(ctx context.Context, rec *recorder, url string) (committed bool, doc loadedDoc, loadErr string, err error) {
	timeout := s.pageTimeout()
	vctx, cancel := joinContext(ctx, s.ctx, timeout)
	defer cancel()
	nav, err := chromedp.Call(vctx, page.Navigate, page.NavigateParams{URL: url})
	switch {
	case err != nil && vctx.Err() != nil:
		loadErr = fmt.Sprintf("timeout: no response within %s", timeout)
	case err != nil:
		loadErr = err.Error() // e.g. "Cannot navigate to invalid URL"
	case nav.ErrorText != "":
		loadErr = nav.ErrorText
		// The raw headers of the last hop (its Location, which says where a
		// refused redirect pointed) can come after the navigation's answer.
		rec.waitQuiet(vctx, 100*time.Millisecond, time.Second)
		if cert := rec.certError(); cert != "" {
			loadErr = cert // we cancelled it; Chromium only says ERR_ABORTED
		}
	default:
		committed = true
		if nav.LoaderID != "" { // "" for a same-document navigation
			doc, loadErr = s.settle(vctx, rec, string(nav.LoaderID), timeout)
		}
	}
	if s.ctx.Err() != nil { // the browser or the tab died: not the site's fault
		return committed, doc, loadErr, fmt.Errorf("browser tab gone: %w", errors.Join(err, s.ctx.Err()))
	}
	switch {
	case rec.hasCrashed() || s.Broken():
		// The page's renderer died (out of memory: Chromium's "Aw, Snap!"),
		// the browser did not.
		s.broken.Store(true)
		loadErr = "the page crashed its renderer (out of memory, or a Chromium bug)"
	case vctx.Err() != nil && ctx.Err() == nil:
		// Only a renderer that has the page can be wedged by it: while the
		// navigation waits for a response, DevTools holds back commands to
		// the renderer, so the probe would take a slow server for a hung page.
		if committed || rec.documentArrived() {
			if note := s.unwedge(); note != "" {
				loadErr += "; " + note
			}
		}
		if !s.Broken() {
			s.stopLoading()
		}
	}
	if ctx.Err() != nil {
		return committed, doc, loadErr, ctx.Err()
	}
	return committed, doc, loadErr, nil
}

// settle waits for the main frame's load event, then for a quiet network
// (at most maxQuietWait). A network that never quiets is no error: the
// deadline just ends the wait. doc is the document at its load event.
func (s *Session) settle(ctx context.Context, rec *recorder, loaderID string, timeout time.Duration) (doc loadedDoc, loadErr string) {
	tick := time.NewTicker(quietPeriod / 2)
	defer tick.Stop()
	var loadedAt time.Time
	quiet := quietPeriod
	for {
		loaded, idle := rec.state(loaderID, quiet)
		if loaded && loadedAt.IsZero() {
			loadedAt = time.Now()
			// A page without script cannot start a request after its load
			// event, so it needs no quiet window: only what is in flight.
			// The page hooks said at the load event; without their report
			// (a page too large for it) one evaluation asks.
			var ok bool
			if doc, ok = rec.loadReport(); !ok {
				doc = s.inspect(ctx)
			}
			if doc.Scriptless {
				quiet = 0
				loaded, idle = rec.state(loaderID, quiet)
			}
		}
		if loaded && (idle || time.Since(loadedAt) >= maxQuietWait) {
			if !idle {
				rec.markBusy()
			}
			return doc, ""
		}
		if rec.hasCrashed() {
			return doc, "" // navigate says why
		}
		select {
		case <-ctx.Done():
			if !loaded {
				return doc, fmt.Sprintf("timeout: page did not finish loading within %s", timeout)
			}
			return doc, ""
		case <-rec.changed:
		case <-tick.C:
		}
	}
}

// loadedDoc is what inspect saw of a document at its load event.
type loadedDoc struct {
	// Scriptless: no <script>, no inline event handler, no iframe or meta
	// refresh that could load more. Any doubt, such as an evaluation error,
	// counts as script.
	Scriptless bool     `json:"scriptless"`
	Anchors    []Anchor `json:"anchors"` // only of a scriptless document: they cannot change
}

// inspect looks at the current document once: whether it has script and,
// if not, its links. Only for a page whose hooks sent no load report.
func (s *Session) inspect(ctx context.Context) loadedDoc {
	s.inspections.Add(1)
	ectx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	const js = `(() => {
const none = ` + scriptlessJS + `;
return {scriptless: none, anchors: none ? (` + anchorsJS + `)() : []}; })()`
	doc, err := chromedp.Run(ectx, chromedp.Evaluate[loadedDoc](js))
	if err != nil {
		return loadedDoc{}
	}
	return doc
}

// unwedge runs after a visit that ran out of time, so that the next page can
// load. A renderer that does not answer a trivial evaluation is busy in a
// script that never yields (for (;;) {}) or, near its memory limit, in garbage
// collection: the tab could load nothing more, and stopping the script would
// leave the memory held. So the renderer is crashed (Page.crash runs beside
// the busy thread), which frees it, and the tab is marked broken: the crawl
// loads the next page in a fresh tab. It returns what it did, for the page's
// error.
func (s *Session) unwedge() string {
	if s.responsive(500 * time.Millisecond) {
		return ""
	}
	s.broken.Store(true)
	ctx, cancel := context.WithTimeout(s.ctx, 500*time.Millisecond)
	_, _ = chromedp.Call(ctx, page.Crash, cdp.Empty{}) // no reply comes: the renderer is gone
	cancel()
	return "the page stopped answering (a script that never yields, or out of memory) and its renderer was killed"
}

// responsive reports whether the tab's renderer answers a trivial evaluation
// within d. The raw command, not chromedp.Evaluate: that one waits for the
// frame's execution context, which a navigation still pending has not made.
func (s *Session) responsive(d time.Duration) bool {
	ctx, cancel := context.WithTimeout(s.ctx, d)
	defer cancel()
	_, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "1"})
	return err == nil
}

// stopLoading aborts a navigation that is still pending, so the tab is free
// for the next visit and the server sees the request end.
func (s *Session) stopLoading() {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Do(ctx, chromedp.Stop())
}

// anchorsJS is a function listing the current document's links: absolute
// hrefs of <a> and <area> elements with their text, in document order.
const anchorsJS = `() => { const seen = new Set(), out = [];
for (const a of document.querySelectorAll('a[href], area[href]')) {
	if (typeof a.href !== 'string' || !a.href) continue;
	const t = (a.innerText || a.textContent || a.getAttribute('aria-label') || a.title || '').trim().replace(/\s+/g, ' ').slice(0, 200);
	const k = a.href + '\n' + t;
	if (seen.has(k)) continue;
	seen.add(k); out.push({url: a.href, text: t});
}
return out; }`

// anchors lists the links of the current document (see anchorsJS).
func (s *Session) anchors(ctx context.Context) ([]Anchor, error) {
	lctx, cancel := joinContext(ctx, s.ctx, 5*time.Second)
	defer cancel()
	anchors, err := chromedp.Run(lctx, chromedp.Evaluate[[]Anchor]("("+anchorsJS+")()"))
	if err != nil && lctx.Err() != nil && ctx.Err() == nil && s.ctx.Err() == nil {
		err = context.DeadlineExceeded // the page did not answer in time
	}
	return anchors, err
}

// Cookies returns every cookie stored in the session's browser context.
func (s *Session) Cookies(ctx context.Context) ([]StoredCookie, error) {
	raw, err := s.rawCookies(ctx)
	if err != nil {
		return nil, err
	}
	return observed(raw), nil
}

// rawCookies reads the cookie store of the session's browser context.
func (s *Session) rawCookies(ctx context.Context) ([]*network.Cookie, error) {
	cctx, cancel := joinContext(ctx, s.ctx, 10*time.Second)
	defer cancel()
	c := chromedp.FromContext(s.ctx)
	res, err := chromedp.CallBrowser(cctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: c.BrowserContextID})
	if err != nil {
		if s.ctx.Err() != nil {
			err = fmt.Errorf("browser tab gone: %w", errors.Join(err, s.ctx.Err()))
		}
		return nil, fmt.Errorf("read cookies: %w", err)
	}
	return res.Cookies, nil
}

// joinContext derives a context from the chromedp context cdpCtx (which the
// protocol calls need) that also ends with ctx and, if timeout > 0, after
// timeout.
func joinContext(ctx, cdpCtx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	var c context.Context
	var cancel context.CancelFunc
	if timeout > 0 {
		c, cancel = context.WithTimeout(cdpCtx, timeout)
	} else {
		c, cancel = context.WithCancel(cdpCtx)
	}
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}
