package browser

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner/observe"
)

// proofWait is how long the proof waits for the request's cookie list after
// the navigation returned.
const proofWait = 2 * time.Second

// proveHTTP shows which cookies Chromium itself attaches to a plain-HTTP
// request to the site. A new browser context (which has learned no HSTS)
// gets a copy of the scan's store as it was before logout, scheme and port
// of origin included, and loads Request.HTTPURL; the first request's
// Network.requestWillBeSentExtraInfo lists every cookie that matched it,
// with blockedReasons for those Chromium withheld.
func (s *scan) proveHTTP(ctx context.Context, prepared <-chan proofTab) {
	p := &observe.HTTPProof{URL: s.req.HTTPURL}
	defer func() {
		s.mu.Lock()
		s.out.HTTPProof = p
		s.mu.Unlock()
	}()
	s.progress("proof over http: " + p.URL)
	pt := <-prepared
	if pt.err != nil {
		p.Error = pt.err.Error()
		if s.b.ctx.Err() != nil {
			s.fail(pt.err)
		}
		return
	}
	sess := pt.sess
	defer sess.Close()
	s.mu.Lock()
	store := copyParams(withoutSupplied(s.store, s.req.Cookies))
	s.mu.Unlock()
	if err := sess.setCookies(ctx, store); err != nil {
		p.Error = err.Error()
		return
	}
	attached, err := sess.firstRequestCookies(ctx, p.URL)
	if err != nil {
		p.Error = err.Error()
		if sess.ctx.Err() != nil {
			s.fail(err)
		}
		return
	}
	u, _ := url.Parse(p.URL)
	trustworthy := u != nil && potentiallyTrustworthy(u)
	for _, c := range attached {
		if trustworthy && c.Secure {
			p.Discounted = append(p.Discounted, c.Name)
		} else {
			p.Attached = append(p.Attached, c.Name)
		}
	}
}

// proofTab is the proof's tab, opened while the crawl runs: a new browser
// context costs a new renderer, about a second on a small machine.
type proofTab struct {
	sess *Session
	err  error
}

// prepareProof opens the proof's tab in the background. No --header and no
// --cookie value goes over plain HTTP: its guard carries none of them.
func (s *scan) prepareProof(ctx context.Context) <-chan proofTab {
	ch := make(chan proofTab, 1)
	go func() {
		// A context of its own (never the launch tab, which the crawl
		// takes: both start at once).
		sess, err := s.b.newSession(ctx, false)
		if err == nil {
			if err = s.guardTab(ctx, sess, nil, false); err != nil {
				sess.Close()
				sess = nil
			}
		}
		ch <- proofTab{sess, err}
	}()
	return ch
}

// sentCookie is a cookie Chromium attached to a request.
type sentCookie struct {
	Name   string
	Secure bool
}

// firstRequestCookies loads url and returns the cookies sent with the first
// request of the navigation, once per name.
func (s *Session) firstRequestCookies(ctx context.Context, url string) ([]sentCookie, error) {
	main := string(chromedp.FromContext(s.ctx).Target.TargetID)
	var mu sync.Mutex
	docID := ""
	extras := map[string][]*network.AssociatedCookie{} // first ExtraInfo of each request
	lctx, stop := context.WithCancel(s.ctx)
	defer stop()
	arrived := make(chan struct{}, 1)
	err := chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		defer func() {
			select {
			case arrived <- struct{}{}:
			default:
			}
		}()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if docID == "" && ev.Type == network.ResourceTypeDocument && string(ev.FrameID) == main && ev.RedirectResponse == nil {
				docID = string(ev.RequestID)
			}
		case *network.EventRequestWillBeSentExtraInfo:
			if _, ok := extras[string(ev.RequestID)]; !ok {
				c := ev.AssociatedCookies
				if c == nil {
					c = []*network.AssociatedCookie{}
				}
				extras[string(ev.RequestID)] = c
			}
		}
	})
	if err != nil {
		return nil, err
	}
	found := func() ([]*network.AssociatedCookie, bool) {
		mu.Lock()
		defer mu.Unlock()
		c, ok := extras[docID]
		return c, ok && docID != ""
	}
	timeout := s.pageTimeout()
	vctx, cancel := joinContext(ctx, s.ctx, timeout)
	defer cancel()
	// The cookie list comes with the first request, long before the
	// navigation answers (it follows the site's redirect to https first):
	// answer as soon as the list is in.
	type navResult struct {
		res page.NavigateResult
		err error
	}
	navDone := make(chan navResult, 1)
	go func() {
		res, err := chromedp.Call(vctx, page.Navigate, page.NavigateParams{URL: url})
		navDone <- navResult{res, err}
	}()
	var nav page.NavigateResult
	var deadline <-chan time.Time
	for waiting := true; ; {
		if cookies, ok := found(); ok {
			var sent []sentCookie
			seen := map[string]bool{}
			for _, c := range cookies {
				if len(c.BlockedReasons) == 0 && c.Cookie != nil && !seen[c.Cookie.Name] {
					seen[c.Cookie.Name] = true
					sent = append(sent, sentCookie{Name: c.Cookie.Name, Secure: c.Cookie.Secure})
				}
			}
			return sent, nil
		}
		if !waiting {
			break
		}
		select {
		case <-arrived:
		case r := <-navDone:
			// The navigation ended first: the list may still be on its way.
			nav, err = r.res, r.err
			if ctx.Err() != nil || s.ctx.Err() != nil {
				return nil, fmt.Errorf("proof over http: %w", context.Cause(vctx))
			}
			deadline = time.After(proofWait)
		case <-deadline:
			waiting = false
		case <-vctx.Done():
			waiting = false
		}
	}
	if ctx.Err() != nil || s.ctx.Err() != nil {
		return nil, fmt.Errorf("proof over http: %w", context.Cause(vctx))
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("proof over http: %s: %w", url, err)
	case nav.ErrorText != "":
		return nil, fmt.Errorf("proof over http: %s: %s", url, nav.ErrorText)
	}
	return nil, fmt.Errorf("proof over http: %s: no request was sent", url)
}
