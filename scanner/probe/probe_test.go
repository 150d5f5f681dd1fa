package probe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/probe"
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

func TestHeadersGoToTargetHostOnly(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Host+"="+r.Header.Get("Authorization"))
		if strings.HasPrefix(r.Host, "127.0.0.1") {
			http.Redirect(w, r, "http://localhost:"+mustURL(t, "http://"+r.Host).Port()+"/", http.StatusFound)
		}
	}))
	defer srv.Close()
	p := probe.New(probe.Options{Timeout: 3 * time.Second, TargetHost: "127.0.0.1",
		Header: http.Header{"Authorization": {"Bearer secret"}}})
	defer p.Close()
	p.Follow(context.Background(), mustURL(t, srv.URL))
	if len(got) != 2 || !strings.HasSuffix(got[0], "=Bearer secret") || !strings.HasSuffix(got[1], "=") {
		t.Errorf("requests %q: the header must reach 127.0.0.1 only", got)
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
