package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"time"
)

// Cert describes the certificate an HTTPS origin presented.
type Cert struct {
	Reached   bool  // a TLS handshake completed (verification aside)
	VerifyErr error // nil when the chain verifies for the host name
	Err       error // why no handshake completed
	Subject   string
	Issuer    string
	NotBefore time.Time
	NotAfter  time.Time
	DNSNames  []string
}

// Certificate connects to the https origin of u and verifies its certificate chain.
// The chain comes from the HTTPS hops' own handshake when there was one (a
// handshake verifies nothing by itself, so the result does not depend on
// --insecure), else from a connection of its own.
func (p *Prober) Certificate(ctx context.Context, u *url.URL) Cert {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	conn, err := p.handshake(ctx, addr, nil)
	if err != nil {
		return Cert{Err: err}
	}
	defer conn.Close()
	return p.certOf(conn.ConnectionState(), u.Hostname())
}

// CertificateOf describes the certificate of an HTTPS hop from the hop's own
// connection, without a new one; ok is false when the hop has none (it failed
// before a handshake completed, or is not HTTPS).
func (p *Prober) CertificateOf(h Hop) (c Cert, ok bool) {
	if h.TLS == nil || h.URL == nil {
		return Cert{}, false
	}
	return p.certOf(*h.TLS, h.URL.Hostname()), true
}

func (p *Prober) certOf(cs tls.ConnectionState, host string) Cert {
	if len(cs.PeerCertificates) == 0 {
		return Cert{Err: errors.New("server sent no certificate")}
	}
	leaf := cs.PeerCertificates[0]
	return Cert{
		Reached:   true,
		VerifyErr: p.verify(cs, host),
		Subject:   leaf.Subject.String(),
		Issuer:    leaf.Issuer.String(),
		NotBefore: leaf.NotBefore,
		NotAfter:  leaf.NotAfter,
		DNSNames:  leaf.DNSNames,
	}
}
