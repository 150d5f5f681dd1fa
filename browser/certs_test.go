package browser

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
)

func TestHostRules(t *testing.T) {
	rules, err := parseHostRules("MAP *.test 127.0.0.1, EXCLUDE www.cookiescan.test,MAP api.example.com:8443 10.0.0.1:9443, MAP gone.example ~NOTFOUND, map a?c.example [::1]")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ host, port, want string }{
		{"cookiescan.test", "8443", "127.0.0.1:8443"},
		{"COOKIESCAN.TEST", "443", "127.0.0.1:443"},
		{"www.cookiescan.test", "443", "www.cookiescan.test:443"}, // excluded
		{"api.example.com", "8443", "10.0.0.1:9443"},              // pattern with port
		{"api.example.com", "443", "api.example.com:443"},
		{"abc.example", "443", "[::1]:443"},
		{"abbc.example", "443", "abbc.example:443"},
		{"example.org", "443", "example.org:443"},
	} {
		if got, err := rewriteHost(rules, tt.host, tt.port); err != nil || got != tt.want {
			t.Errorf("rewriteHost(%s, %s) = %q, %v; want %q", tt.host, tt.port, got, err, tt.want)
		}
	}
	if _, err := rewriteHost(rules, "gone.example", "443"); err == nil {
		t.Error("~NOTFOUND resolved")
	}
	for _, bad := range []string{"MAP *.test", "REWRITE a b", "EXCLUDE"} {
		if _, err := parseHostRules(bad); err == nil {
			t.Errorf("parseHostRules(%q) accepted", bad)
		}
	}
	if r, err := parseHostRules(""); err != nil || len(r) != 0 {
		t.Errorf("empty rules = %v, %v", r, err)
	}
}

// TestTrustVerify checks the Go side of the CA decision against the demo
// site's certificates; no browser needed.
func TestTrustVerify(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	tr, err := newTrust(site.CAPEM, "MAP *.test 127.0.0.1", false)
	if err != nil {
		t.Fatal(err)
	}
	url := site.URL("https", "cookiescan.test", "/")
	if err := tr.verify(t.Context(), url); err != nil {
		t.Errorf("good certificate: %v", err)
	}
	var host x509.HostnameError
	if err := tr.verify(t.Context(), site.URL("https", "wrong.test", "/")); !errors.As(err, &host) {
		t.Errorf("name not in the certificate: err = %v, want a HostnameError", err)
	}
	if err := site.SetProfile("cert-untrusted"); err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if err := tr.verify(t.Context(), url); !errors.As(err, &unknown) {
		t.Errorf("other CA: err = %v, want an UnknownAuthorityError", err)
	}

	if _, err := newTrust([]byte("not a certificate"), "", false); err == nil {
		t.Error("newTrust accepted a CA without PEM")
	}
}

func TestTrustVerifyExpired(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Dir: t.TempDir(), Now: func() time.Time { return time.Now().AddDate(0, 0, -200) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	tr, err := newTrust(site.CAPEM, "MAP *.test 127.0.0.1", false)
	if err != nil {
		t.Fatal(err)
	}
	var inv x509.CertificateInvalidError
	if err := tr.verify(t.Context(), site.URL("https", "cookiescan.test", "/")); !errors.As(err, &inv) || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: err = %v, want expired", err)
	}
}
