package probe_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/probe"
)

// A response header Go's client refuses ("malformed MIME header line") but a
// browser loads is read as Chromium reads it (browser.TestChromiumOnOddHeaders
// checks Chromium against the same fixtures.OddHeaders table), noted on the
// hop, and the scan goes on; a NUL, which Chromium refuses too, stays an error.
func TestOddHeadersReadAsABrowserDoes(t *testing.T) {
	s := startSite(t, "header-bytes")
	p := probe.New(probe.Options{CAPEM: s.CAPEM, Timeout: 5 * time.Second})
	defer p.Close()
	for _, o := range fixtures.OddHeaders {
		h := p.Do(context.Background(), mustURL(t, strings.TrimSuffix(s.HTTPSURL, "/")+o.Path))
		if o.Refused {
			if h.Err == nil || h.Status != 0 || !strings.Contains(h.Err.Error(), "NUL") || !strings.Contains(h.Err.Error(), "browsers") {
				t.Errorf("%s (%q): status %d, err %v; want the response refused, naming the NUL", o.Path, o.Line, h.Status, h.Err)
			}
			continue
		}
		if h.Err != nil || h.Status != 200 || len(h.HSTS) != 1 || len(h.SetCookies) != 1 || h.CertErr != nil {
			t.Errorf("%s (%q): status %d, err %v, cert %v, HSTS %q, Set-Cookie %q; want the page read", o.Path, o.Line, h.Status, h.Err, h.CertErr, h.HSTS, h.SetCookies)
			continue
		}
		for name, want := range o.Want {
			got, present := "", false
			for k, vs := range h.Header {
				if strings.EqualFold(k, name) {
					got, present = strings.Join(vs, ", "), true
				}
			}
			if got != want || (want == "" && present) {
				t.Errorf("%s (%q): %s = %q (present %v), Chromium has %q", o.Path, o.Line, name, got, present, want)
			}
		}
		t.Logf("%s: %s", o.Path, h.Note)
		if h.Note == "" || strings.ContainsAny(h.Note, "\x00\x01\x1b\x7f\r\n") {
			t.Errorf("%s (%q): note %q; want one, with the odd bytes escaped", o.Path, o.Line, h.Note)
		}
		if !strings.Contains(string(h.Body), "header-bytes") {
			t.Errorf("%s: body %q", o.Path, h.Body)
		}
	}

	// The redirect from HTTP carries one too: the chain is followed to the page.
	c := p.Follow(context.Background(), mustURL(t, s.HTTPURL))
	if len(c.Hops) != 2 || c.Hops[0].Status != 301 || c.Hops[0].Next == nil || c.Hops[1].Status != 200 || c.Hops[0].Note == "" {
		t.Errorf("chain from HTTP: %+v", c.Hops)
	}
	if !strings.Contains(c.Hops[0].Note, `X-Debug`) || !strings.Contains(c.Hops[0].Note, `\x1b`) {
		t.Errorf("note %q does not name the header and the byte", c.Hops[0].Note)
	}
}

// The lenient read verifies the certificate as the first request did: with
// --insecure the failure is recorded on the hop, without it there is no page.
func TestOddHeadersKeepCertificateChecks(t *testing.T) {
	s := startSite(t, "header-bytes")
	p := probe.New(probe.Options{Timeout: 5 * time.Second, Insecure: true}) // no CA: the certificate does not verify
	defer p.Close()
	h := p.Do(context.Background(), mustURL(t, s.HTTPSURL))
	if h.Status != 200 || h.CertErr == nil || h.Note == "" {
		t.Errorf("insecure: status %d, cert %v, note %q; want the page, the certificate error and the note", h.Status, h.CertErr, h.Note)
	}
	strict := probe.New(probe.Options{Timeout: 5 * time.Second})
	defer strict.Close()
	if h := strict.Do(context.Background(), mustURL(t, s.HTTPSURL)); h.Status != 0 || h.Kind != probe.KindTLS {
		t.Errorf("strict: status %d, kind %s; want a TLS failure", h.Status, h.Kind)
	}
}

// rawServer answers every connection with an odd header line, then what more
// does.
func rawServer(t *testing.T, more func(w *bufio.Writer) error) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = bufio.NewReader(c).ReadString('\n')
				w := bufio.NewWriter(c)
				w.WriteString("HTTP/1.1 200 OK\r\nX-Debug: \x1b[31m\r\nX-A: 1\r\n")
				_ = more(w)
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/"
}

// The lenient read is bounded: a header that never ends stops at the size
// cap, a server that stops talking at the timeout.
func TestOddHeadersBounded(t *testing.T) {
	endless := rawServer(t, func(w *bufio.Writer) error {
		line := "X-More: " + strings.Repeat("a", 1000) + "\r\n"
		for {
			if _, err := w.WriteString(line); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
		}
	})
	p := probe.New(probe.Options{Timeout: 5 * time.Second, MaxHeaderBytes: 64 << 10})
	defer p.Close()
	if h := p.Do(context.Background(), mustURL(t, endless)); h.Kind != probe.KindHeaderLimit {
		t.Errorf("endless header: status %d, kind %q, err %v; want %q", h.Status, h.Kind, h.Err, probe.KindHeaderLimit)
	}

	silent := rawServer(t, func(w *bufio.Writer) error {
		w.Flush()
		time.Sleep(30 * time.Second)
		return nil
	})
	p = probe.New(probe.Options{Timeout: time.Second})
	defer p.Close()
	done := make(chan probe.Hop, 1)
	go func() { done <- p.Do(context.Background(), mustURL(t, silent)) }()
	select {
	case h := <-done:
		if h.Kind != probe.KindTimeout {
			t.Errorf("silent server: status %d, kind %q, err %v; want %q", h.Status, h.Kind, h.Err, probe.KindTimeout)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the lenient read did not time out")
	}
}
