package browser

// How Options.CAPEM is trusted.
//
// Chromium 156 has no per-process way to add a root: the CACertificates
// policy is ignored on the --policy command line of an official build (Debian's
// is one); the NSS database under $HOME/.pki needs certutil, which a stock
// system lacks; --ignore-certificate-errors-spki-list matches only the
// certificates the server sends (a CA that is not sent never matches) and then
// skips every check, expiry and name included; Security.setIgnoreCertificateErrors
// would blind the scan to bad certificates.
//
// So each session asks Chromium to pause on every certificate error
// (Security.setOverrideCertificateErrors: deprecated, still answered by 156;
// a browser that refuses it fails NewSession loudly) and decides each one.
// Only ERR_CERT_AUTHORITY_INVALID can be cured by a private root: for it, Go
// makes its own TLS handshake with the same host and port, through the same
// host-resolver rules, and verifies the presented chain against CAPEM alone
// with crypto/x509 (name, validity, key usage). The request continues only if
// that succeeds; everything else is cancelled, as Chromium would. With
// Options.Insecure every error is continued instead.
//
// Limits, by design visible: the chain checked is the one a second handshake
// receives moments later, so a server that shows different certificates to
// different connections could differ; and Chromium still counts a continued
// connection as a certificate error, so it ignores Strict-Transport-Security
// received on it (the scan reads HSTS from headers, never from behaviour).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner/proxy"
)

// authorityInvalid is the one certificate error a private root can cure.
const authorityInvalid = "ERR_CERT_AUTHORITY_INVALID"

// trust checks server chains against a private CA, or accepts them all.
type trust struct {
	roots    *x509.CertPool // nil: no private CA
	rules    []hostRule
	insecure bool // continue past every certificate error
	proxy    proxy.Config
}

func newTrust(caPEM []byte, rules string, insecure bool) (*trust, error) {
	t := &trust{insecure: insecure}
	if len(caPEM) > 0 {
		t.roots = x509.NewCertPool()
		if !t.roots.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("CA certificate: no PEM certificate found")
		}
	}
	var err error
	if t.rules, err = parseHostRules(rules); err != nil {
		return nil, err
	}
	return t, nil
}

// verify dials the host of rawURL and checks the chain it presents.
func (t *trust) verify(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	// Verified below against CAPEM alone, with the name Chromium used.
	cfg := &tls.Config{ServerName: host, InsecureSkipVerify: true}
	var conn *tls.Conn
	if pu, err := t.proxy.For(u); err == nil && pu != nil {
		// Chromium reached it through the proxy (which resolves the
		// name): so does the check.
		addr := net.JoinHostPort(host, port)
		raw, err := proxy.Tunnel(ctx, nil, pu, addr)
		if err != nil {
			return fmt.Errorf("fetch certificate from %s: %w", addr, err)
		}
		conn = tls.Client(raw, cfg)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return fmt.Errorf("fetch certificate from %s: %w", addr, err)
		}
	} else {
		addr, err := rewriteHost(t.rules, host, port)
		if err != nil {
			return err
		}
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: 10 * time.Second}, Config: cfg}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("fetch certificate from %s: %w", addr, err)
		}
		conn = c.(*tls.Conn)
	}
	certs := conn.ConnectionState().PeerCertificates
	conn.Close()
	if len(certs) == 0 {
		return errors.New("server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err = certs[0].Verify(x509.VerifyOptions{DNSName: host, Roots: t.roots, Intermediates: inter})
	return err
}

// certDecider answers the certificate errors of one tab.
type certDecider struct {
	trust  *trust
	target *chromedp.Target
	// onReject tells the running Visit why a request was refused.
	onReject func(url, text string)

	// Per tab, not per browser: the verdict is for the chain the dial
	// fetched, which a long-lived browser (the monitor's) must fetch again
	// after the site renews its certificate.
	mu       sync.Mutex
	verdicts map[string]error // host:port → verify result, x509 verdicts only
}

// watchCertErrors makes the tab of ctx pause on certificate errors and
// decides each one until ctx ends.
func watchCertErrors(ctx context.Context, t *trust, onReject func(url, text string)) error {
	c := chromedp.FromContext(ctx)
	d := &certDecider{trust: t, target: c.Target, onReject: onReject, verdicts: map[string]error{}}
	// Subscribe before the override: a paused request waits for an answer.
	events, unsubscribe := c.Target.Subscribe("Security.certificateError")
	if _, err := chromedp.Call(ctx, security.Enable, cdp.Empty{}); err != nil {
		unsubscribe()
		return err
	}
	err := c.Target.Call(ctx, "Security.setOverrideCertificateErrors", map[string]bool{"override": true}, nil)
	if err != nil {
		unsubscribe()
		return fmt.Errorf("this browser cannot check certificates against the given CA (Security.setOverrideCertificateErrors): %w", err)
	}
	go func() {
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case raw, ok := <-events:
				if !ok {
					return
				}
				var ev struct {
					EventID    int64  `json:"eventId"`
					ErrorType  string `json:"errorType"`
					RequestURL string `json:"requestURL"`
				}
				if json.Unmarshal([]byte(raw), &ev) != nil {
					continue
				}
				go d.decide(ctx, ev.EventID, ev.ErrorType, ev.RequestURL)
			}
		}
	}()
	return nil
}

func (d *certDecider) decide(ctx context.Context, id int64, errType, rawURL string) {
	action, why := "cancel", ""
	if d.trust.insecure {
		action = "continue"
	} else if errType != authorityInvalid {
		why = "certificate error " + errType
	} else if err := d.check(ctx, rawURL); err != nil {
		why = "certificate not trusted by the given CA: " + err.Error()
	} else {
		action = "continue"
	}
	if why != "" && d.onReject != nil {
		d.onReject(rawURL, "net::"+errType+" ("+why+")")
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = d.target.Call(cctx, "Security.handleCertificateError", map[string]any{"eventId": id, "action": action}, nil)
}

// check verifies rawURL's chain, once per host:port and tab.
func (d *certDecider) check(ctx context.Context, rawURL string) error {
	key := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		key = u.Host
	}
	d.mu.Lock()
	err, ok := d.verdicts[key]
	d.mu.Unlock()
	if ok {
		return err
	}
	err = d.trust.verify(ctx, rawURL)
	var inv x509.CertificateInvalidError
	var unk x509.UnknownAuthorityError
	var host x509.HostnameError
	if err == nil || errors.As(err, &inv) || errors.As(err, &unk) || errors.As(err, &host) {
		d.mu.Lock()
		d.verdicts[key] = err // a dial failure may be transient: not kept
		d.mu.Unlock()
	}
	return err
}

// hostRule is one rule of Chromium's --host-resolver-rules.
type hostRule struct {
	exclude    bool
	pattern    string // glob over "host" or "host:port"
	host, port string // replacement; port "" keeps the original
	notFound   bool   // replacement ~NOTFOUND
	original   string
}

// parseHostRules reads "MAP pattern host[:port]" and "EXCLUDE pattern" rules
// separated by commas, the subset of the flag's syntax we pass on.
func parseHostRules(s string) ([]hostRule, error) {
	var rules []hostRule
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		switch {
		case len(f) == 2 && strings.EqualFold(f[0], "EXCLUDE"):
			rules = append(rules, hostRule{exclude: true, pattern: strings.ToLower(f[1]), original: part})
		case len(f) == 3 && strings.EqualFold(f[0], "MAP"):
			r := hostRule{pattern: strings.ToLower(f[1]), host: f[2], original: part}
			if f[2] == "~NOTFOUND" {
				r.notFound = true
			} else if h, p, err := net.SplitHostPort(f[2]); err == nil {
				r.host, r.port = h, p
			} else {
				r.host = strings.TrimSuffix(strings.TrimPrefix(f[2], "["), "]")
			}
			rules = append(rules, r)
		default:
			return nil, fmt.Errorf("host resolver rule %q: want MAP PATTERN HOST[:PORT] or EXCLUDE PATTERN", strings.TrimSpace(part))
		}
	}
	return rules, nil
}

// rewriteHost is the address Chromium connects to for host:port.
func rewriteHost(rules []hostRule, host, port string) (string, error) {
	hp := net.JoinHostPort(host, port)
	lh, lhp := strings.ToLower(host), strings.ToLower(hp)
	for _, r := range rules {
		if r.exclude && (glob(r.pattern, lh) || glob(r.pattern, lhp)) {
			return hp, nil
		}
	}
	for _, r := range rules {
		if r.exclude || !(glob(r.pattern, lh) || glob(r.pattern, lhp)) {
			continue
		}
		if r.notFound {
			return "", fmt.Errorf("%s: name not resolved (host resolver rule %q)", host, strings.TrimSpace(r.original))
		}
		if r.port != "" {
			port = r.port
		}
		return net.JoinHostPort(r.host, port), nil
	}
	return hp, nil
}

// glob matches s against a pattern of '*' (any run) and '?' (any one byte),
// the only wildcards of Chromium's base::MatchPattern.
func glob(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if glob(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
		}
		pattern, s = pattern[1:], s[1:]
	}
	return s == ""
}

// RuleDialer dials the way Chromium resolves under rules (--host-resolver-rules),
// so the Go side of a scan reaches the same addresses as the browser.
func RuleDialer(rules string) (func(ctx context.Context, network, addr string) (net.Conn, error), error) {
	parsed, err := parseHostRules(rules)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		to, err := rewriteHost(parsed, host, port)
		if err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, to)
	}, nil
}
