package browser

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// ErrPageLoad is wrapped by Visit's error when the page did not load (name
// resolution, connection, certificate, timeout). The Visit returned with it
// still holds everything observed: callers report the site as unreachable.
var ErrPageLoad = errors.New("page load failed")

// quietPeriod is how long the network must stay idle after the load event
// before a visit counts as settled (late XHR and fetch get recorded).
const quietPeriod = 500 * time.Millisecond

// Session is one tab in a browser context of its own: cookies, cache, HSTS
// state and storage are shared with no other session. One Visit at a time.
type Session struct {
	b      *Browser
	ctx    context.Context // the chromedp tab context
	cancel context.CancelFunc
	rec    atomic.Pointer[recorder] // of the running Visit

	visitMu   sync.Mutex
	closeOnce sync.Once
	closeErr  error
}

// StoredCookie is a cookie as the browser kept it. Judge attributes from the
// raw Set-Cookie lines: the store caps lifetimes at 400 days and leaves
// SameSite empty when the attribute was absent.
type StoredCookie struct {
	Name, Value, Domain, Path string
	Secure, HTTPOnly, Session bool
	SameSite                  string    // Strict, Lax, None or ""
	Expires                   time.Time // zero for a session cookie
}

// NewSession opens a tab in a fresh browser context (incognito-like).
func (b *Browser) NewSession(ctx context.Context) (*Session, error) {
	s := &Session{b: b}
	s.ctx, s.cancel = chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	err := bounded(ctx, func() error {
		// The tab's life is bound to the context of its first call: s.ctx.
		if err := chromedp.Do(s.ctx); err != nil {
			return err
		}
		// Every visit goes to the network: a cached 301 has no raw headers.
		if _, err := chromedp.Call(s.ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
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

// Close closes the tab and disposes of its browser context.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		err := chromedp.Cancel(s.ctx)
		if errors.Is(err, context.Canceled) || s.b.ctx.Err() != nil {
			err = nil // the browser is gone, and the tab with it
		}
		s.closeErr = err
	})
	return s.closeErr
}

// Visit navigates the tab to url, waits for the load event and a quiet
// network (all bounded by Options.PageTimeout) and returns what it observed.
// When the page does not load, Visit.Error says why and err wraps
// ErrPageLoad; any other error means the browser itself failed.
func (s *Session) Visit(ctx context.Context, url string) (Visit, error) {
	s.visitMu.Lock()
	defer s.visitMu.Unlock()
	v := Visit{URL: url}
	timeout := s.b.opts.PageTimeout

	tab := chromedp.FromContext(s.ctx).Target
	rec := newRecorder(string(tab.TargetID)) // the main frame's id is the target's
	lctx, stopListening := context.WithCancel(s.ctx)
	defer stopListening()
	if err := chromedp.Listen(lctx, rec.onEvent); err != nil {
		return v, fmt.Errorf("visit %s: %w", url, err)
	}
	s.rec.Store(rec)
	defer s.rec.Store(nil)

	vctx, cancel := joinContext(ctx, s.ctx, timeout)
	defer cancel()
	nav, err := chromedp.Call(vctx, page.Navigate, page.NavigateParams{URL: url})
	committed := false
	switch {
	case err != nil && vctx.Err() != nil:
		v.Error = fmt.Sprintf("timeout: no response within %s", timeout)
	case err != nil:
		v.Error = err.Error() // e.g. "Cannot navigate to invalid URL"
	case nav.ErrorText != "":
		v.Error = nav.ErrorText
		if cert := rec.certError(); cert != "" {
			v.Error = cert // we cancelled it; Chromium only says ERR_ABORTED
		}
	default:
		committed = true
		if nav.LoaderID != "" { // "" for a same-document navigation
			v.Error = s.settle(vctx, rec, string(nav.LoaderID), timeout)
		}
	}
	if s.ctx.Err() != nil { // the browser or the tab died: not the site's fault
		rec.fill(&v)
		return v, fmt.Errorf("visit %s: browser tab gone: %w", url, errors.Join(err, s.ctx.Err()))
	}
	if vctx.Err() != nil {
		s.stopLoading()
	}
	if ctx.Err() != nil {
		rec.fill(&v)
		return v, fmt.Errorf("visit %s: %w", url, ctx.Err())
	}
	if committed {
		v.Links = s.links(ctx)
	}
	rec.fill(&v)
	if v.Error != "" {
		return v, fmt.Errorf("visit %s: %w: %s", url, ErrPageLoad, v.Error)
	}
	return v, nil
}

// settle waits for the main frame's load event, then for a quiet network. A
// network that never quiets is no error: the deadline just ends the wait.
func (s *Session) settle(ctx context.Context, rec *recorder, loaderID string, timeout time.Duration) string {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		loaded, idle := rec.state(loaderID, quietPeriod)
		if loaded && idle {
			return ""
		}
		select {
		case <-ctx.Done():
			if !loaded {
				return fmt.Sprintf("timeout: page did not finish loading within %s", timeout)
			}
			return ""
		case <-rec.changed:
		case <-tick.C:
		}
	}
}

// stopLoading aborts a navigation that is still pending, so the tab is free
// for the next visit and the server sees the request end.
func (s *Session) stopLoading() {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Do(ctx, chromedp.Stop())
}

// links lists the absolute hrefs of the current document's <a> elements.
func (s *Session) links(ctx context.Context) []string {
	lctx, cancel := joinContext(ctx, s.ctx, 5*time.Second)
	defer cancel()
	const js = `Array.from(new Set(Array.from(document.querySelectorAll('a[href]'), a => a.href))).filter(h => h)`
	links, err := chromedp.Run(lctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		return nil
	}
	return links
}

// Cookies returns every cookie stored in the session's browser context.
func (s *Session) Cookies(ctx context.Context) ([]StoredCookie, error) {
	cctx, cancel := joinContext(ctx, s.ctx, 0)
	defer cancel()
	c := chromedp.FromContext(s.ctx)
	res, err := chromedp.CallBrowser(cctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: c.BrowserContextID})
	if err != nil {
		return nil, fmt.Errorf("read cookies: %w", err)
	}
	out := make([]StoredCookie, 0, len(res.Cookies))
	for _, k := range res.Cookies {
		sc := StoredCookie{
			Name: k.Name, Value: k.Value, Domain: k.Domain, Path: k.Path,
			Secure: k.Secure, HTTPOnly: k.HTTPOnly, Session: k.Session,
			SameSite: string(k.SameSite),
		}
		if !k.Session && k.Expires > 0 {
			sec := int64(k.Expires)
			sc.Expires = time.Unix(sec, int64((k.Expires-float64(sec))*1e9)).UTC()
		}
		out = append(out, sc)
	}
	return out, nil
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
