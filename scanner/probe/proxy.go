package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/proxy"
)

// proxyFor is the proxy for a request to u (nil: direct). A literal address
// is checked against the scope here, since the proxy, not our dialer,
// connects to it.
func (p *Prober) proxyFor(u *url.URL) (*url.URL, error) {
	pu, err := p.opts.Proxy.For(u)
	if err != nil || pu == nil {
		return pu, err
	}
	if a, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		if err := p.opts.Scope.Check(u.Hostname(), a); err != nil {
			return nil, err
		}
	}
	return pu, nil
}

// isProxy reports whether addr is the address of a configured proxy.
func (p *Prober) isProxy(addr string) bool {
	for _, u := range []*url.URL{p.opts.Proxy.HTTP, p.opts.Proxy.HTTPS} {
		if u != nil && strings.EqualFold(u.Host, addr) {
			return true
		}
	}
	return false
}

// dialOrProxy is the transport's dialer: the operator's proxy is dialled as
// it is (the scope judges where the site sends us, not the proxy we chose),
// every other address through the scope's guard.
func (p *Prober) dialOrProxy(ctx context.Context, network, addr string) (net.Conn, error) {
	if p.isProxy(addr) {
		return p.dialProxy(ctx, addr)
	}
	return p.dial(ctx, network, addr)
}

func (p *Prober) dialProxy(ctx context.Context, addr string) (net.Conn, error) {
	if p.opts.DialContext != nil {
		return p.opts.DialContext(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// proxyDialer is dialProxy as proxy.Tunnel takes it.
func (p *Prober) proxyDialer(ctx context.Context, _, addr string) (net.Conn, error) {
	return p.dialProxy(ctx, addr)
}

// tunnel connects to addr for a TLS handshake of our own: directly, or
// through the HTTPS proxy's CONNECT.
func (p *Prober) tunnel(ctx context.Context, addr string) (net.Conn, error) {
	pu, err := p.proxyFor(&url.URL{Scheme: "https", Host: addr})
	if err != nil {
		return nil, err
	}
	if pu == nil {
		return p.dial(ctx, "tcp", addr)
	}
	return proxy.Tunnel(ctx, p.proxyDialer, pu, addr)
}

// dialPlain connects for a plain-HTTP request to u: to the site, or to the
// HTTP proxy, which then takes the request in absolute form (viaProxy).
func (p *Prober) dialPlain(ctx context.Context, u *url.URL, addr string) (c net.Conn, viaProxy bool, err error) {
	pu, err := p.proxyFor(u)
	if err != nil {
		return nil, false, err
	}
	if pu == nil {
		c, err = p.dial(ctx, "tcp", addr)
		return c, false, err
	}
	c, err = p.dialProxy(ctx, pu.Host)
	if err != nil {
		return nil, false, fmt.Errorf("proxy %s: %w", pu.Redacted(), err)
	}
	return c, true, nil
}
