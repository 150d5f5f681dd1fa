package probe

import (
	"context"
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
// It uses its own connection so that the result does not depend on --insecure.
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
	cs := conn.ConnectionState()
	leaf := cs.PeerCertificates[0]
	return Cert{
		Reached:   true,
		VerifyErr: p.verify(cs, u.Hostname()),
		Subject:   leaf.Subject.String(),
		Issuer:    leaf.Issuer.String(),
		NotBefore: leaf.NotBefore,
		NotAfter:  leaf.NotAfter,
		DNSNames:  leaf.DNSNames,
	}
}
