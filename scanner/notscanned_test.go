package scanner_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner"
)

// unscannable starts a target that gives no HTTP answer and returns its https URL
// and the CA to trust: a closed port, a server that accepts and never answers,
// one that speaks no TLS, and one that answers junk over TLS.
func unscannable(t *testing.T, kind string) (string, []byte) {
	t.Helper()
	switch kind {
	case "closed":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "https://" + addr + "/", nil
	case "hung", "not-tls":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		t.Cleanup(func() { close(done); ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					if kind == "not-tls" {
						io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n")
						return
					}
					<-done
				}()
			}
		}()
		return "https://" + ln.Addr().String() + "/", nil
	case "garbled":
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer c.Close()
			buf.WriteString("\x00\x01garbage, not HTTP\r\n\r\n")
			buf.Flush()
		}))
		srv.EnableHTTP2 = false
		srv.StartTLS()
		t.Cleanup(srv.Close)
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		return srv.URL + "/", ca
	}
	t.Fatalf("unknown kind %q", kind)
	return "", nil
}

// A target that gives no HTTP answer is not scanned: no score and no grade
// (null in JSON), and the report says why. Before, it was graded A+ (100).
func TestNotScannedHasNoGrade(t *testing.T) {
	for kind, why := range map[string]string{
		"closed":  "refused",
		"hung":    "timed out",
		"not-tls": "TLS",
		"garbled": "malformed HTTP",
	} {
		t.Run(kind, func(t *testing.T) {
			raw, ca := unscannable(t, kind)
			target, _ := url.Parse(raw)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rep, err := scanner.Run(ctx, scanner.Options{Target: target, NoHTTP: true, CAPEM: ca,
				Timeout: 500 * time.Millisecond, Version: "test"})
			if !errors.Is(err, scanner.ErrUnreachable) {
				t.Errorf("err = %v, want ErrUnreachable", err)
			}
			data, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"score", "grade"} {
				if v, ok := m[k]; !ok || v != nil {
					t.Errorf("%q = %v (present %v), want null", k, v, ok)
				}
			}
			if s, _ := m["notScanned"].(string); !strings.Contains(s, why) {
				t.Errorf("notScanned = %q, want the reason (%q)", s, why)
			}
		})
	}
}
