package probe_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/proxy"
)

func startProxy(t *testing.T) (*fixtures.Proxy, proxy.Config) {
	t.Helper()
	px, err := fixtures.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.Close)
	u := mustURL(t, "http://"+px.Addr)
	return px, proxy.Config{HTTP: u, HTTPS: u}
}

// TestProxyCarriesEveryRequest: with a proxy, the plain-HTTP hop goes to it
// in absolute form, the HTTPS hops and the certificate's own connection
// through CONNECT tunnels; the certificate is still verified end to end and
// the operator's header never shows to the proxy.
func TestProxyCarriesEveryRequest(t *testing.T) {
	s := startSite(t, "hsts-not-on-redirect")
	px, cfg := startProxy(t)
	target := mustURL(t, s.URL("https", "cookiescan.test", "/"))
	p := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 5 * time.Second, Proxy: cfg, TargetOrigin: target,
		Header: http.Header{"Authorization": {"Bearer s3cret"}}})
	defer p.Close()
	c := p.Follow(context.Background(), mustURL(t, s.URL("http", "cookiescan.test", "/")))
	if f := c.Final(); f.Status != 200 || f.Err != nil || f.CertErr != nil {
		t.Fatalf("chain through the proxy did not reach the page: %+v", f)
	}
	if cert := p.Certificate(context.Background(), target); cert.Err != nil || !cert.Reached {
		t.Errorf("certificate through the proxy: %+v", cert)
	}
	var plain, connects int
	for _, r := range px.Requests() {
		switch r.Method {
		case http.MethodConnect:
			if r.Target == target.Host {
				connects++
			}
		case http.MethodGet:
			if strings.HasPrefix(r.Target, "http://cookiescan.test:") {
				plain++
			}
		}
		if strings.Contains(fmt.Sprint(r.Header), "s3cret") {
			t.Errorf("the proxy saw the operator's secret in %s %s", r.Method, r.Target)
		}
	}
	if plain == 0 || connects < 2 {
		t.Errorf("proxy took %d plain requests and %d CONNECTs to %s, want ≥1 and ≥2 (hop, certificate): %+v", plain, connects, target.Host, px.Requests())
	}
}

// TestProxyUntrustedCertificate: a tunnel does not weaken the check: an
// unknown CA is a certificate error, and no request is sent over it.
func TestProxyUntrustedCertificate(t *testing.T) {
	s := startSite(t, "hardened")
	_, cfg := startProxy(t)
	p := probe.New(probe.Options{Timeout: 5 * time.Second, Proxy: cfg})
	defer p.Close()
	c := p.Follow(context.Background(), mustURL(t, s.URL("https", "cookiescan.test", "/")))
	if f := c.Final(); f.Status != 0 || f.Kind != probe.KindTLS {
		t.Errorf("untrusted certificate through the proxy: status %d kind %q err %v, want a tls error", f.Status, f.Kind, f.Err)
	}
}

// TestProxyScopeOnLiteralAddress: the proxy resolves names, but a literal
// metadata address is refused before anything is sent to the proxy.
func TestProxyScopeOnLiteralAddress(t *testing.T) {
	px, cfg := startProxy(t)
	p := probe.New(probe.Options{Timeout: 3 * time.Second, Proxy: cfg})
	defer p.Close()
	c := p.Follow(context.Background(), &url.URL{Scheme: "http", Host: "169.254.169.254", Path: "/latest/meta-data/"})
	if f := c.Final(); f.Err == nil {
		t.Errorf("metadata address through the proxy: %+v, want refused", f)
	}
	if n := len(px.Requests()); n != 0 {
		t.Errorf("the proxy took %d requests for a refused address", n)
	}
}
