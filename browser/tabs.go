package browser

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner/observe"
)

// dismissDialogs answers every JavaScript dialog of the tab of ctx until ctx
// ends: alert, confirm and prompt are dismissed (a page waits on them, and
// so would its load event); a beforeunload prompt is accepted, so the
// navigation that raised it goes on.
func dismissDialogs(ctx context.Context) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, _ = chromedp.Call(cctx, page.HandleJavaScriptDialog,
				page.HandleJavaScriptDialogParams{Accept: ev.Type == page.DialogTypeBeforeunload})
			cancel()
		}
	}()
}

// closePopups closes every window or tab that a page of the browser context
// of ctx opens (window.open, target=_blank), until ctx ends. Only the scan's
// own tabs, which have no opener, stay.
func closePopups(ctx context.Context) error {
	c := chromedp.FromContext(ctx)
	bctx := c.BrowserContextID
	popups := make(chan target.ID, 16)
	err := chromedp.ListenBrowser(ctx, func(ev any) {
		// In the browser's read loop: no command here.
		e, ok := ev.(*target.EventTargetCreated)
		if !ok || e.TargetInfo == nil {
			return
		}
		info := e.TargetInfo
		if info.Type != "page" || info.BrowserContextID != bctx || (info.OpenerID == "" && info.OpenerFrameID == "") {
			return
		}
		select {
		case popups <- info.TargetID:
		default: // a page opening windows in a loop: later ones are left
		}
	})
	if err != nil {
		return err
	}
	// chromedp turns discovery on when it starts a browser, not when it
	// attaches to one; asking again changes nothing.
	if _, err := chromedp.CallBrowser(ctx, target.SetDiscoverTargets, target.SetDiscoverTargetsParams{Discover: true}); err != nil {
		return err
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case id := <-popups:
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				_, _ = chromedp.CallBrowser(cctx, target.CloseTarget, target.CloseTargetParams{TargetID: id})
				cancel()
			}
		}
	}()
	return nil
}

// setCookies stores cookies in the session's browser context.
func (s *Session) setCookies(ctx context.Context, cookies []*network.CookieParam) error {
	if len(cookies) == 0 {
		return nil
	}
	cctx, cancel := joinContext(ctx, s.ctx, 10*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(cctx, storage.SetCookies, storage.SetCookiesParams{
		Cookies: cookies, BrowserContextID: chromedp.FromContext(s.ctx).BrowserContextID})
	if err != nil {
		return fmt.Errorf("set cookies: %w", err)
	}
	return nil
}

// seedParams turns the cookies a scan starts with into protocol values. A
// cookie without a domain is a host-only cookie of startURL.
func seedParams(seed []observe.StoredCookie, startURL string) []*network.CookieParam {
	var out []*network.CookieParam
	for _, c := range seed {
		// Secure whatever was asked: a seed is the operator's secret, and
		// Chromium sends a Secure cookie over HTTPS only (loopback aside,
		// where the request guard refuses requests that would carry it).
		p := &network.CookieParam{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: true, HTTPOnly: c.HTTPOnly, SameSite: network.CookieSameSite(c.SameSite)}
		if p.Domain == "" {
			p.URL = startURL
		}
		if p.Path == "" {
			p.Path = "/"
		}
		if !c.Session && !c.Expires.IsZero() {
			p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixNano()) / 1e9)
		}
		out = append(out, p)
	}
	return out
}

// copyParams turns stored cookies back into what Storage.setCookies takes,
// keeping everything that decides where Chromium sends them: scheme and port
// of origin included.
func copyParams(cookies []*network.Cookie) []*network.CookieParam {
	out := make([]*network.CookieParam, 0, len(cookies))
	for _, k := range cookies {
		p := &network.CookieParam{Name: k.Name, Value: k.Value, Domain: k.Domain, Path: k.Path,
			Secure: k.Secure, HTTPOnly: k.HTTPOnly, SameSite: k.SameSite, Priority: k.Priority,
			SourceScheme: k.SourceScheme, SourcePort: k.SourcePort, PartitionKey: k.PartitionKey}
		if !k.Session && k.Expires > 0 {
			p.Expires = cdp.TimeSinceEpoch(k.Expires)
		}
		out = append(out, p)
	}
	return out
}

// observed converts the store into the plain values of observe.
func observed(cookies []*network.Cookie) []observe.StoredCookie {
	out := make([]observe.StoredCookie, 0, len(cookies))
	for _, k := range cookies {
		sc := observe.StoredCookie{
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
	return out
}

// browserGone reports whether err means the browser (not the site) failed.
func browserGone(err error) bool {
	return err != nil && !errors.Is(err, ErrPageLoad)
}

// withoutSupplied is the store minus the operator's --cookie values still in
// it: they are the operator's secrets, not the site's cookies, and never
// travel over plain HTTP. A cookie the site has since overwritten is the
// site's.
func withoutSupplied(store []*network.Cookie, supplied []observe.StoredCookie) []*network.Cookie {
	if len(supplied) == 0 {
		return store
	}
	out := make([]*network.Cookie, 0, len(store))
	for _, k := range store {
		if !observe.IsSupplied(supplied, k.Name, k.Value) {
			out = append(out, k)
		}
	}
	return out
}
