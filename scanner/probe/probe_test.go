package probe_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func startSite(t testing.TB, profile string) *fixtures.Site {
	t.Helper()
	s, err := fixtures.Start(fixtures.Options{Profile: profile, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestFollowRecordsEveryHop(t *testing.T) {
	s := startSite(t, "hsts-not-on-redirect")
	p := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 3 * time.Second})
	defer p.Close()
	c := p.Follow(context.Background(), mustURL(t, s.HTTPURL))
	if len(c.Hops) != 3 {
		t.Fatalf("hops = %d, want 3: %+v", len(c.Hops), c.Hops)
	}
	want := []struct {
		status int
		hsts   int
	}{{301, 0}, {302, 0}, {200, 1}}
	for i, w := range want {
		h := c.Hops[i]
		if h.Status != w.status || len(h.HSTS) != w.hsts || h.Err != nil {
			t.Errorf("hop %d: status %d hsts %v err %v; want %d/%d", i, h.Status, h.HSTS, h.Err, w.status, w.hsts)
		}
	}
	if got := c.Final().SetCookies; len(got) != 1 || !strings.HasPrefix(got[0], "__Host-sessionid=") {
		t.Errorf("final Set-Cookie = %q", got)
	}
	if c.Loop {
		t.Error("not a loop")
	}
}

func TestFollowDetectsLoopAndLongChain(t *testing.T) {
	for profile, tooMany := range map[string]bool{"loop": false, "long-chain": true} {
		t.Run(profile, func(t *testing.T) {
			s := startSite(t, profile)
			p := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 3 * time.Second})
			defer p.Close()
			c := p.Follow(context.Background(), mustURL(t, s.HTTPSURL))
			if !c.Loop || c.TooMany != tooMany || len(c.Hops) > probe.MaxHops {
				t.Errorf("loop %v tooMany %v hops %d", c.Loop, c.TooMany, len(c.Hops))
			}
		})
	}
}

func TestHugeHeaderIsAnErrorNotAHang(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", strings.Repeat("a", 10<<20))
	}))
	defer srv.Close()
	p := probe.New(probe.Options{Timeout: 5 * time.Second})
	defer p.Close()
	h := p.Do(context.Background(), mustURL(t, srv.URL))
	if h.Err == nil || h.Kind != probe.KindHeaderLimit {
		t.Errorf("err %v kind %q, want a header-limit error", h.Err, h.Kind)
	}
}

// recorder is a server that notes the secrets each request brought.
type recorder struct {
	mu  sync.Mutex
	got map[string][]string // server name -> "Authorization|Cookie" of each request
}

func (r *recorder) handler(name string, next func(w http.ResponseWriter)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.got[name] = append(r.got[name], req.Header.Get("Authorization")+"|"+req.Header.Get("Cookie"))
		r.mu.Unlock()
		next(w)
	})
}

// TestSecretsOnlyToTheTargetOrigin: --header and --cookie values travel over
// HTTPS to the target's scheme, host and port only: never to its plain-HTTP
// URL, to another plain-HTTP port a redirect names, or to another HTTPS port
// of the same host.
func TestSecretsOnlyToTheTargetOrigin(t *testing.T) {
	rec := &recorder{got: map[string][]string{}}
	redirect := func(to *string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Location", *to)
			w.WriteHeader(http.StatusMovedPermanently)
		}
	}
	var toHTTP2, toTarget, toOtherPort string
	other := httptest.NewTLSServer(rec.handler("https-other-port", func(w http.ResponseWriter) { w.Write([]byte("ok")) }))
	defer other.Close()
	target := httptest.NewTLSServer(rec.handler("https-target", redirect(&toOtherPort)))
	defer target.Close()
	http2 := httptest.NewServer(rec.handler("http-other-port", redirect(&toTarget)))
	defer http2.Close()
	http1 := httptest.NewServer(rec.handler("http", redirect(&toHTTP2)))
	defer http1.Close()
	toHTTP2, toTarget, toOtherPort = http2.URL+"/", target.URL+"/", other.URL+"/"

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: target.Certificate().Raw})
	p := probe.New(probe.Options{Timeout: 3 * time.Second, CAPEM: caPEM, TargetOrigin: mustURL(t, target.URL+"/"),
		Header: http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"sid=opaque"}}})
	defer p.Close()
	c := p.Follow(context.Background(), mustURL(t, http1.URL+"/"))
	if f := c.Final(); f.Status != 200 {
		t.Fatalf("chain did not reach the page: %+v", f)
	}
	want := map[string][]string{
		"http":             {"|"},
		"http-other-port":  {"|"},
		"https-target":     {"Bearer s3cret|sid=opaque"},
		"https-other-port": {"|"},
	}
	for name, w := range want {
		if got := rec.got[name]; !slices.Equal(got, w) {
			t.Errorf("%s received %q, want %q", name, got, w)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	origin := mustURL(t, "https://Example.com/app")
	for in, want := range map[string]bool{
		"https://example.com/x":     true,
		"https://EXAMPLE.com:443/":  true,
		"http://example.com/":       false,
		"https://example.com:8443/": false,
		"https://www.example.com/":  false,
		"http://example.com:443/":   false,
	} {
		if got := probe.SameOrigin(mustURL(t, in), origin); got != want {
			t.Errorf("SameOrigin(%s) = %v, want %v", in, got, want)
		}
	}
	if probe.SameOrigin(origin, nil) {
		t.Error("a nil origin matched")
	}
}

// TestScopeRefusesMetadataAddress: a redirect to the cloud metadata address
// is not followed; the hop says why and no connection is made.
func TestScopeRefusesMetadataAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer srv.Close()
	dialled := ""
	for _, tc := range []struct {
		name string
		dial func(ctx context.Context, network, addr string) (net.Conn, error)
	}{
		{"network dialer", nil},
		{"replaced dialer", func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled += addr + " "
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}},
	} {
		p := probe.New(probe.Options{Timeout: 2 * time.Second, DialContext: tc.dial})
		c := p.Follow(context.Background(), mustURL(t, srv.URL+"/"))
		p.Close()
		last := c.Final()
		if len(c.Hops) != 2 || last.Kind != probe.KindBlocked || !strings.Contains(fmt.Sprint(last.Err), "link-local") {
			t.Errorf("%s: hops %d, last kind %q err %v: want the metadata hop refused", tc.name, len(c.Hops), last.Kind, last.Err)
		}
	}
	if strings.Contains(dialled, "169.254") {
		t.Errorf("dialled %s", dialled)
	}
	// --scope public: the loopback target itself is refused.
	p := probe.New(probe.Options{Timeout: 2 * time.Second, Scope: scope.Public})
	defer p.Close()
	if h := p.Do(context.Background(), mustURL(t, srv.URL+"/")); h.Kind != probe.KindBlocked {
		t.Errorf("public scope reached loopback: kind %q err %v", h.Kind, h.Err)
	}
}

func TestCertificate(t *testing.T) {
	s := startSite(t, "cert-untrusted")
	p := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 3 * time.Second, Insecure: true})
	defer p.Close()
	u := mustURL(t, s.HTTPSURL)
	if c := p.Certificate(context.Background(), u); !c.Reached || c.VerifyErr == nil {
		t.Errorf("untrusted: reached %v verifyErr %v", c.Reached, c.VerifyErr)
	}
	// --insecure: the page is fetched, and the failure still recorded on the hop.
	if h := p.Do(context.Background(), u); h.Status != 200 || h.CertErr == nil {
		t.Errorf("insecure hop: status %d certErr %v", h.Status, h.CertErr)
	}
	if err := s.SetProfile("hardened"); err != nil {
		t.Fatal(err)
	}
	if c := p.Certificate(context.Background(), u); !c.Reached || c.VerifyErr != nil || c.NotAfter.Before(time.Now()) {
		t.Errorf("hardened: reached %v verifyErr %v notAfter %v", c.Reached, c.VerifyErr, c.NotAfter)
	}
	// Without --insecure an untrusted certificate stops the request.
	if err := s.SetProfile("cert-untrusted"); err != nil {
		t.Fatal(err)
	}
	strict := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 3 * time.Second})
	defer strict.Close()
	if h := strict.Do(context.Background(), u); h.Err == nil || h.Kind != probe.KindTLS {
		t.Errorf("strict: err %v kind %q, want a TLS error", h.Err, h.Kind)
	}
}

// BenchmarkProbeVsCurl measures the redirect probe (http:// → 301 → https page, a
// fresh client per chain, as in a scan) against curl making the same requests in the
// same run, and reports the ratio: the target is at most 1.2.
func BenchmarkProbeVsCurl(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl not installed")
	}
	s := startSite(b, "hardened")
	start := mustURL(b, s.HTTPURL)
	var probeTime, curlTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		p := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 5 * time.Second})
		c := p.Follow(context.Background(), start)
		p.Close()
		probeTime += time.Since(t0)
		if len(c.Hops) != 2 || c.Final().Status != 200 {
			b.Fatalf("unexpected chain: %+v", c.Hops)
		}
		t0 = time.Now()
		out, err := exec.Command(curl, "-sS", "-L", "--max-redirs", "10", "--cacert", s.CAFile,
			"-o", "/dev/null", "-w", "%{http_code}", s.HTTPURL).Output()
		curlTime += time.Since(t0)
		if err != nil || string(out) != "200" {
			b.Fatalf("curl: %v %q", err, out)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(probeTime.Nanoseconds())/n, "probe-ns/chain")
	b.ReportMetric(float64(curlTime.Nanoseconds())/n, "curl-ns/chain")
	b.ReportMetric(float64(probeTime)/float64(curlTime), "probe/curl")
}
