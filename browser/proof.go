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
func (s *scan) proveHTTP(ctx context.Context) {
	p := &observe.HTTPProof{URL: s.req.HTTPURL}
	defer func() {
		s.mu.Lock()
		s.out.HTTPProof = p
		s.mu.Unlock()
	}()
	s.progress("proof over http: " + p.URL)
	sess, err := s.b.NewSession(ctx)
	if err != nil {
		p.Error = err.Error()
		if s.b.ctx.Err() != nil {
			s.fail(err)
		}
		return
	}
	defer sess.Close()
	s.mu.Lock()
	store := copyParams(withoutSupplied(s.store, s.req.Cookies))
	s.mu.Unlock()
	// No --header and no --cookie value goes over plain HTTP: the proof
	// carries only what the site itself stored.
	if err := s.guardTab(ctx, sess, nil, false); err != nil {
		p.Error = err.Error()
		return
	}
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
	err := chromedp.Listen(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
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
	nav, err := chromedp.Call(vctx, page.Navigate, page.NavigateParams{URL: url})
	if ctx.Err() != nil || s.ctx.Err() != nil {
		return nil, fmt.Errorf("proof over http: %w", context.Cause(vctx))
	}
	for deadline := time.Now().Add(proofWait); ; time.Sleep(20 * time.Millisecond) {
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
		if time.Now().After(deadline) || vctx.Err() != nil {
			break
		}
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("proof over http: %s: %w", url, err)
	case nav.ErrorText != "":
		return nil, fmt.Errorf("proof over http: %s: %s", url, nav.ErrorText)
	}
	return nil, fmt.Errorf("proof over http: %s: no request was sent", url)
}
