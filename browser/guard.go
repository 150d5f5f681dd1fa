package browser

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/proxy"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// guard decides each request a tab makes, paused by the Fetch domain at the
// request stage: it goes on unchanged, goes on with the operator's headers,
// or is refused (nothing is sent). Network.setExtraHTTPHeaders cannot do
// this: it adds headers to every request of the tab, third-party and plain
// HTTP ones included.
type guard struct {
	// header goes to origin only: https, the target's host and port. A token
	// meant for the scanned site must not reach its CDN, its analytics, or
	// the network in clear.
	header map[string]string
	origin *url.URL
	// cookies: the operator seeded cookies (--cookie) as host-only Secure
	// cookies of origin's host; Chromium would attach them to another port
	// of that host too, so such requests are refused.
	cookies bool
	scope   scope.Scope
	// onSite, while stayOnSite is set (crawl visits, not login steps),
	// refuses a main-frame navigation that leaves the site: a crawl follows
	// same-site links, and a redirect must not take it elsewhere.
	onSite     func(*url.URL) bool
	stayOnSite atomic.Bool
	mainFrame  string
	rules      []hostRule // --host-resolver-rules, to resolve as Chromium does
	proxy      proxy.Config

	mu          sync.Mutex
	resolved    map[string][]netip.Addr
	mainRefused string // why the last main-frame navigation was refused
}

// verdict is what to do with one paused request.
type verdict struct {
	refuse  string               // why it is refused; "" lets it go
	headers []*fetch.HeaderEntry // nil: unchanged
}

// decide judges one request.
func (g *guard) decide(ctx context.Context, req *network.Request, frameID string, typ network.ResourceType) verdict {
	if req == nil {
		return verdict{}
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return verdict{}
	}
	if why := g.outOfScope(ctx, u); why != "" {
		return verdict{refuse: why}
	}
	if typ == network.ResourceTypeDocument && frameID == g.mainFrame && g.stayOnSite.Load() && g.onSite != nil && !g.onSite(u) {
		return verdict{refuse: "not followed: the navigation leaves the site for " + u.Host + " (the crawl stays on the target's site)"}
	}
	if u.Scheme == "https" && probe.SameOrigin(u, g.origin) {
		return verdict{headers: withHeaders(req, g.header)}
	}
	if g.cookies && g.origin != nil && strings.EqualFold(u.Hostname(), g.origin.Hostname()) && (u.Scheme == "https" || potentiallyTrustworthy(u)) {
		return verdict{refuse: "not requested: Chromium would attach the --cookie values to " + u.Scheme + "://" + u.Host + ", which is not the target's origin"}
	}
	return verdict{}
}

// outOfScope says why the scope refuses u's host, "" when it allows it. A
// name is resolved here as Chromium would (through the host resolver rules):
// the check sees the address, not the spelling. A name that does not resolve
// is Chromium's failure to report, except where only public addresses may be
// reached.
func (g *guard) outOfScope(ctx context.Context, u *url.URL) string {
	if g.scope == scope.Any {
		return ""
	}
	host := u.Hostname()
	if pu, err := g.proxy.For(u); err == nil && pu != nil {
		// The proxy resolves the name, as for the probe: only a literal
		// address can be judged here.
		if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			if err := g.scope.Check(host, a); err != nil {
				return err.Error()
			}
		}
		return ""
	}
	addrs, err := g.resolve(ctx, host, u.Port())
	if err != nil {
		if g.scope == scope.Public {
			return fmt.Sprintf("not requested: %s does not resolve here, and --scope public allows public addresses only", host)
		}
		return ""
	}
	for _, a := range addrs {
		if err := g.scope.Check(host, a); err != nil {
			return err.Error()
		}
	}
	return ""
}

// resolve is host's addresses, once per host for the guard's life.
func (g *guard) resolve(ctx context.Context, host, port string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	g.mu.Lock()
	addrs, ok := g.resolved[host]
	g.mu.Unlock()
	if ok {
		return addrs, nil
	}
	if port == "" {
		port = "443"
	}
	to, err := rewriteHost(g.rules, host, port)
	if err != nil {
		return nil, err
	}
	name, _, _ := net.SplitHostPort(to)
	if a, err := netip.ParseAddr(name); err == nil {
		addrs = []netip.Addr{a}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if addrs, err = net.DefaultResolver.LookupNetIP(rctx, "ip", name); err != nil {
			return nil, err
		}
	}
	g.mu.Lock()
	if g.resolved == nil {
		g.resolved = map[string][]netip.Addr{}
	}
	g.resolved[host] = addrs
	g.mu.Unlock()
	return addrs, nil
}

// takeMainRefusal is why the guard refused the tab's last main-frame
// navigation since the previous call, "" if it did not.
func (g *guard) takeMainRefusal() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	why := g.mainRefused
	g.mainRefused = ""
	return why
}

// install pauses the tab's requests and answers each with g's verdict. It
// is needed for headers, seeded cookies, a scope, or staying on the site.
func (s *Session) install(ctx context.Context, g *guard) error {
	g.mainFrame = string(chromedp.FromContext(s.ctx).Target.TargetID)
	// Subscribe before enabling: a paused request waits for an answer. The
	// subscription ends with the tab.
	paused := chromedp.Events(s.ctx, fetch.RequestPaused)
	cctx, cancel := joinContext(ctx, s.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(cctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		return err
	}
	s.guard = g
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			go s.answer(ev, g)
		}
	}()
	return nil
}

// answer lets a paused request go on, with headers if any, or fails it.
func (s *Session) answer(ev fetch.EventRequestPaused, g *guard) {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	v := g.decide(ctx, ev.Request, string(ev.FrameID), ev.ResourceType)
	if v.refuse != "" {
		if ev.ResourceType == network.ResourceTypeDocument && string(ev.FrameID) == g.mainFrame {
			g.mu.Lock()
			g.mainRefused = ev.Request.URL + ": " + v.refuse
			g.mu.Unlock()
		}
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
		return
	}
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID, Headers: v.headers})
}

// withHeaders is the request's headers plus header, nil when header is empty
// (unchanged).
func withHeaders(req *network.Request, header map[string]string) []*fetch.HeaderEntry {
	if len(header) == 0 {
		return nil
	}
	var out []*fetch.HeaderEntry
	replaced := map[string]bool{}
	for k, v := range header {
		replaced[http.CanonicalHeaderKey(k)] = true
		out = append(out, &fetch.HeaderEntry{Name: k, Value: v})
	}
	for k, v := range req.Headers {
		if !replaced[http.CanonicalHeaderKey(k)] {
			s, _ := v.(string)
			out = append(out, &fetch.HeaderEntry{Name: k, Value: s})
		}
	}
	return out
}

// potentiallyTrustworthy is Chromium's exception for plain HTTP: loopback
// addresses and localhost names count as secure contexts, so Secure cookies
// are sent to them over http://.
func potentiallyTrustworthy(u *url.URL) bool {
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}
