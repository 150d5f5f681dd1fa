// Package probe requests a site the way a first-time visitor's browser would reach it,
// but with a plain Go HTTP client that follows no redirect by itself: one request per
// hop, each recorded (status, Location, Strict-Transport-Security, Set-Cookie), so
// that redirect, HSTS and cookie rules judge what the server really sent. A browser
// cannot be used for this: its HSTS memory and HTTPS-upgrade feature fake redirects.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cookiescan/cookiescan/scanner/proxy"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// MaxHops is how many requests a chain may take before it counts as a loop.
const MaxHops = 10

// Defaults for Options fields left zero.
const (
	DefaultTimeout        = 15 * time.Second
	DefaultMaxHeaderBytes = 2 << 20 // a 1 MB header is read and judged; 10 MB is refused
	bodySnippetBytes      = 256 << 10
)

// Options configures a Prober.
type Options struct {
	// Timeout bounds each request, from dial to the last body byte read.
	Timeout time.Duration
	// CAPEM holds PEM certificates trusted in addition to the system roots (--ca-cert).
	CAPEM []byte
	// Insecure accepts certificates that fail verification; the failure is still recorded.
	Insecure bool
	// Header is sent with every request to TargetOrigin (--header, --cookie).
	Header http.Header
	// TargetOrigin is the only origin that receives Header: https, the
	// target's host and port. Plain HTTP, other ports and other hosts never
	// see it, so secrets stay with the site and off the wire in clear.
	TargetOrigin *url.URL
	// Scope refuses connections to addresses it does not allow (a redirect
	// to a cloud metadata address), checked on the address dialled.
	Scope scope.Scope
	// UserAgent overrides the default User-Agent.
	UserAgent string
	// MaxHeaderBytes limits a response's header size.
	MaxHeaderBytes int64
	// DialContext replaces the dialer (tests map names to loopback).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy is the forward proxy (--proxy, HTTPS_PROXY...): plain HTTP
	// requests go to it in absolute form, HTTPS through a CONNECT tunnel
	// (the certificate is still verified here, end to end). The proxy
	// resolves the site's names, so the scope is checked on literal
	// addresses only.
	Proxy proxy.Config
}

// Prober makes hop-by-hop requests. It is safe for concurrent use.
type Prober struct {
	opts   Options
	client *http.Client
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)

	// The system roots cost tens of milliseconds to load (every file of
	// SSL_CERT_DIR): loaded once, and only when the --ca-cert pool alone
	// does not verify the chain.
	caPool   *x509.CertPool // CAPEM alone; nil without it
	rootOnce sync.Once
	roots    *x509.CertPool // system roots plus CAPEM

	mu       sync.Mutex
	verified map[string]error // leaf + host -> verification result
}

// New builds a Prober. The client verifies certificates itself (see verify) so that an
// --insecure scan still learns what was wrong with the certificate.
func New(opts Options) *Prober {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "cookiescan"
	}
	dial := guardedDial(opts.DialContext, opts.Scope, opts.Timeout)
	p := &Prober{opts: opts, verified: map[string]error{}}
	if len(opts.CAPEM) > 0 {
		p.caPool = x509.NewCertPool()
		p.caPool.AppendCertsFromPEM(opts.CAPEM)
	}
	p.dial = dial
	tr := &http.Transport{
		DialContext:    p.dialOrProxy,
		DialTLSContext: p.dialTLS, // direct connections only: see TLSClientConfig
		// A proxied HTTPS request is tunnelled and its handshake made by
		// the transport: verified as dialTLS verifies, before a request
		// (with the operator's headers) goes out.
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: true, VerifyConnection: p.verifyConn},
		TLSHandshakeTimeout:    opts.Timeout,
		ResponseHeaderTimeout:  opts.Timeout,
		MaxResponseHeaderBytes: opts.MaxHeaderBytes,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        30 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	if opts.Proxy.Enabled() {
		tr.Proxy = func(r *http.Request) (*url.URL, error) { return p.proxyFor(r.URL) }
	}
	p.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return p
}

// Close releases idle connections.
func (p *Prober) Close() { p.client.CloseIdleConnections() }

// RootPool is the system roots plus the PEM certificates given (already validated
// by the caller with ParseCAPEM).
func RootPool(caPEM []byte) *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if len(caPEM) > 0 {
		pool.AppendCertsFromPEM(caPEM)
	}
	return pool
}

// ParseCAPEM checks that data holds at least one PEM certificate, so that a wrong
// --ca-cert file is a usage error rather than a mysterious verification failure.
func ParseCAPEM(data []byte) error {
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		return errors.New("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)")
	}
	return nil
}

// handshake opens a TLS connection whose certificate is verified here rather than by
// crypto/tls, so that the failure can be reported and, with --insecure, accepted.
func (p *Prober) handshake(ctx context.Context, addr string, alpn []string) (*tls.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	raw, err := p.tunnel(ctx, addr)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(raw, &tls.Config{ServerName: host, InsecureSkipVerify: true, NextProtos: alpn})
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return tc, nil
}

func (p *Prober) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	tc, err := p.handshake(ctx, addr, []string{"h2", "http/1.1"})
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	if verr := p.verify(tc.ConnectionState(), host); verr != nil && !p.opts.Insecure {
		tc.Close()
		return nil, &tls.CertificateVerificationError{UnverifiedCertificates: tc.ConnectionState().PeerCertificates, Err: verr}
	}
	return tc, nil
}

// verifyConn is dialTLS's check for a handshake the transport made (a
// proxied HTTPS request).
func (p *Prober) verifyConn(cs tls.ConnectionState) error {
	if verr := p.verify(cs, cs.ServerName); verr != nil && !p.opts.Insecure {
		return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: verr}
	}
	return nil
}

// verify checks the peer chain for the host name: against the --ca-cert
// pool first, then the system roots plus that pool. A chain is verified once
// per host however many connections present it.
func (p *Prober) verify(cs tls.ConnectionState, host string) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server sent no certificate")
	}
	key := host + "\x00" + string(cs.PeerCertificates[0].Raw)
	p.mu.Lock()
	err, ok := p.verified[key]
	p.mu.Unlock()
	if ok {
		return err
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	leaf := cs.PeerCertificates[0]
	err = errors.New("unverified")
	if p.caPool != nil {
		_, err = leaf.Verify(x509.VerifyOptions{Roots: p.caPool, Intermediates: inter, DNSName: host})
	}
	if err != nil {
		p.rootOnce.Do(func() { p.roots = RootPool(p.opts.CAPEM) })
		_, err = leaf.Verify(x509.VerifyOptions{Roots: p.roots, Intermediates: inter, DNSName: host})
	}
	p.mu.Lock()
	p.verified[key] = err
	p.mu.Unlock()
	return err
}

// Hop is one request and its response (or the error that stood in for one).
type Hop struct {
	URL        *url.URL
	Status     int
	Location   string   // as sent
	Next       *url.URL // Location resolved against URL; nil when the chain ends here
	Header     http.Header
	HSTS       []string // every Strict-Transport-Security field, in order
	SetCookies []string
	Date       time.Time            // the response's Date header, else the time it arrived
	Body       []byte               // the first bytes of a non-redirect body (for <meta> checks)
	CertErr    error                // certificate verification failure on an https hop (set with --insecure, or when it stopped the request)
	TLS        *tls.ConnectionState // the https hop's connection, for the certificate's details
	Err        error                // no usable response: Kind says what happened
	Kind       ErrKind
	// Note says the response was read leniently, as a browser reads it, and
	// which header lines Go's client refused (see lenient.go).
	Note string
}

// ErrKind sorts transport failures so rules can tell "nothing listens" from "broken".
type ErrKind string

const (
	KindNone        ErrKind = ""
	KindRefused     ErrKind = "refused"   // nothing listening, or the connection was closed at once
	KindTimeout     ErrKind = "timeout"   // no answer within the timeout
	KindDNS         ErrKind = "dns"       // the name does not resolve
	KindTLS         ErrKind = "tls"       // handshake or certificate failure
	KindHeaderLimit ErrKind = "too-large" // the response header exceeded MaxHeaderBytes
	KindBadLocation ErrKind = "bad-location"
	KindBlocked     ErrKind = "blocked" // the scope refused the address: nothing was sent
	KindOther       ErrKind = "other"
)

// IsHTTPS reports whether the hop was made over TLS.
func (h Hop) IsHTTPS() bool { return h.URL != nil && h.URL.Scheme == "https" }

// IsRedirect reports whether the hop is a 3xx with a usable Location.
func (h Hop) IsRedirect() bool { return h.Next != nil }

// Chain is a sequence of hops from Start.
type Chain struct {
	Start *url.URL
	Hops  []Hop
	// Loop is set when a URL repeats or more than MaxHops were needed.
	Loop    bool
	TooMany bool
}

// Final is the last hop (zero Hop for an empty chain).
func (c Chain) Final() Hop {
	if len(c.Hops) == 0 {
		return Hop{}
	}
	return c.Hops[len(c.Hops)-1]
}

// Answered reports whether at least the first request got an HTTP response.
func (c Chain) Answered() bool { return len(c.Hops) > 0 && c.Hops[0].Err == nil }

// Follow requests start, then each Location, one hop at a time.
func (p *Prober) Follow(ctx context.Context, start *url.URL) Chain {
	c := Chain{Start: start}
	seen := map[string]bool{}
	next := start
	for next != nil {
		if len(c.Hops) >= MaxHops {
			c.TooMany = true
			c.Loop = true
			break
		}
		key := next.String()
		if seen[key] {
			c.Loop = true
			break
		}
		seen[key] = true
		h := p.Do(ctx, next)
		c.Hops = append(c.Hops, h)
		next = h.Next
		if ctx.Err() != nil {
			break
		}
	}
	return c
}

// Do makes one request and never follows a redirect.
func (p *Prober) Do(ctx context.Context, u *url.URL) Hop {
	h := Hop{URL: u, Header: http.Header{}, HSTS: []string{}, SetCookies: []string{}}
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		h.Err, h.Kind = err, KindOther
		return h
	}
	req.Header.Set("User-Agent", p.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if SameOrigin(u, p.opts.TargetOrigin) {
		for k, vs := range p.opts.Header {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}
	resp, err := p.client.Do(req)
	if err != nil && malformedHeader(err) && ctx.Err() == nil {
		resp, h.Note, err = p.lenientDo(ctx, req) // a header browsers accept: see lenient.go
	}
	if err != nil {
		h.Err = unwrapURLError(err)
		h.Kind = classify(err)
		var blocked *scope.BlockedError
		if errors.As(err, &blocked) {
			h.Err = blocked
			return h
		}
		if h.Kind == KindTLS {
			h.CertErr = h.Err
		}
		if ctx.Err() != nil && h.Kind != KindTLS {
			h.Kind = KindTimeout
			h.Err = fmt.Errorf("no response within %s", p.opts.Timeout)
		}
		return h
	}
	defer resp.Body.Close()
	h.Status = resp.StatusCode
	h.Header = resp.Header
	h.HSTS = valuesOf(resp.Header, "Strict-Transport-Security")
	h.SetCookies = valuesOf(resp.Header, "Set-Cookie")
	h.Date = time.Now().UTC()
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		h.Date = d.UTC()
	}
	if resp.TLS != nil {
		h.TLS = resp.TLS
		h.CertErr = p.verify(*resp.TLS, u.Hostname())
	}
	if loc := resp.Header.Get("Location"); loc != "" && isRedirect(resp.StatusCode) {
		h.Location = loc
		nu, err := u.Parse(loc)
		if err != nil || (nu.Scheme != "http" && nu.Scheme != "https") || nu.Host == "" {
			h.Err, h.Kind = fmt.Errorf("unusable Location %q", loc), KindBadLocation
		} else {
			nu.Fragment = ""
			h.Next = nu
		}
		// Drain a little so the connection can be reused; redirect bodies are small.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return h
	}
	// The body is read only for <meta http-equiv> checks; a trickling server is cut
	// off by the request's deadline, and what arrived is kept.
	body, err := io.ReadAll(io.LimitReader(resp.Body, bodySnippetBytes))
	h.Body = body
	if err != nil && ctx.Err() != nil {
		h.Err, h.Kind = fmt.Errorf("body not complete within %s", p.opts.Timeout), KindTimeout
	}
	return h
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// valuesOf returns every field value of a header, never nil.
func valuesOf(h http.Header, name string) []string {
	vs := h.Values(name)
	out := make([]string, len(vs))
	copy(out, vs)
	return out
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func classify(err error) ErrKind {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unk     x509.UnknownAuthorityError
		host    x509.HostnameError
		inv     x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		opErr   *net.OpError
	)
	msg := err.Error()
	var blocked *scope.BlockedError
	switch {
	case errors.As(err, &blocked):
		return KindBlocked
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.As(err, &certErr), errors.As(err, &unk), errors.As(err, &host), errors.As(err, &inv), errors.As(err, &recErr):
		return KindTLS
	case strings.Contains(msg, "tls:") || strings.Contains(msg, "x509:"):
		return KindTLS
	case strings.Contains(msg, "headers exceeded") || strings.Contains(msg, "header exceeds") || strings.Contains(msg, "too large"):
		return KindHeaderLimit
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return KindTimeout
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return KindRefused
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF"):
		return KindRefused
	}
	return KindOther
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// SameOrigin reports whether u is origin's scheme, host and port (default
// ports made explicit). A nil origin matches nothing.
func SameOrigin(u, origin *url.URL) bool {
	if u == nil || origin == nil {
		return false
	}
	return strings.EqualFold(u.Scheme, origin.Scheme) && strings.EqualFold(u.Hostname(), origin.Hostname()) &&
		portOf(u) == portOf(origin)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// guardedDial is the network dialer (or the tests' replacement) with the
// scope checked on the address actually dialled: after name resolution for
// the real dialer, so a name that resolves to a metadata address is caught
// too; on the literal address for a replacement.
func guardedDial(replace func(ctx context.Context, network, addr string) (net.Conn, error), sc scope.Scope, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if replace != nil {
		return func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			if err := sc.CheckHostPort(host, addr); err != nil {
				return nil, err
			}
			return replace(ctx, network, addr)
		}
	}
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		dd := *d
		dd.Control = func(_, address string, _ syscall.RawConn) error {
			return sc.CheckHostPort(host, address)
		}
		return dd.DialContext(ctx, network, addr)
	}
}
