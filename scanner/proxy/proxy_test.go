package proxy

import (
	"net/url"
	"strings"
	"testing"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: "http://proxy.corp:3128", want: "http://proxy.corp:3128"},
		{in: "proxy.corp:3128", want: "http://proxy.corp:3128"},
		{in: "http://proxy.corp", want: "http://proxy.corp:80"},
		{in: "http://user:secret@proxy.corp:8080", want: "http://user:secret@proxy.corp:8080"},
		{in: "socks5://proxy.corp:1080", err: "only http://"},
		{in: "https://proxy.corp:443", err: "only http://"},
		{in: "http://", err: "no host"},
		{in: "http://proxy.corp:3128/path", err: "without a path"},
		{in: "http://user:secret@proxy.corp:8080/x", err: "user:xxxxx@"},
	} {
		u, err := Parse(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) err = %v, want one containing %q", tc.in, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("Parse(%q) err = %v: shows the password", tc.in, err)
			}
		case err != nil:
			t.Errorf("Parse(%q): %v", tc.in, err)
		case u.String() != tc.want:
			t.Errorf("Parse(%q) = %s, want %s", tc.in, u, tc.want)
		}
	}
}

func TestFromEnvironment(t *testing.T) {
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "REQUEST_METHOD"} {
		t.Setenv(k, "")
	}
	t.Setenv("HTTPS_PROXY", "http://tls-proxy:3128")
	t.Setenv("http_proxy", "plain-proxy:8080")
	t.Setenv("NO_PROXY", "intranet.example, .corp")
	c, err := FromEnvironment("")
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPS.String() != "http://tls-proxy:3128" || c.HTTP.String() != "http://plain-proxy:8080" || c.NoProxy != "intranet.example, .corp" {
		t.Errorf("from the environment: %+v", c)
	}
	c, err = FromEnvironment("http://flag-proxy:9000")
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPS.String() != "http://flag-proxy:9000" || c.HTTP.String() != "http://flag-proxy:9000" || c.NoProxy == "" {
		t.Errorf("--proxy replaces both proxies and keeps NO_PROXY: %+v", c)
	}
	t.Setenv("HTTPS_PROXY", "ftp://x")
	if _, err := FromEnvironment(""); err == nil || !strings.Contains(err.Error(), "HTTPS_PROXY") {
		t.Errorf("a bad HTTPS_PROXY: err = %v, want one naming it", err)
	}
}

func TestFor(t *testing.T) {
	p := mustURL(t, "http://proxy:3128")
	c := Config{HTTP: p, HTTPS: p, NoProxy: "intranet.example,.corp,10.0.0.0/8"}
	for _, tc := range []struct {
		url   string
		proxy bool
	}{
		{"https://example.com/", true},
		{"http://example.com/", true},
		{"https://intranet.example/", false},
		{"https://www.intranet.example/", false},
		{"https://app.corp/", false},
		{"https://10.1.2.3/", false},
		{"https://localhost:8443/", false}, // loopback never goes through a proxy
		{"http://127.0.0.1:8080/", false},
		{"https://[::1]/", false},
	} {
		got, err := c.For(mustURL(t, tc.url))
		if err != nil {
			t.Fatal(err)
		}
		if (got != nil) != tc.proxy {
			t.Errorf("For(%s) = %v, want proxied %v", tc.url, got, tc.proxy)
		}
	}
	if got, _ := (Config{}).For(mustURL(t, "https://example.com/")); got != nil {
		t.Errorf("no proxy configured: For = %v", got)
	}
}

func TestChromiumFlags(t *testing.T) {
	c := Config{HTTP: mustURL(t, "http://plain:8080"), HTTPS: mustURL(t, "http://tls:3128"), NoProxy: "intranet.example, .corp,10.0.0.0/8, host:8443"}
	server, bypass, err := c.ChromiumFlags()
	if err != nil {
		t.Fatal(err)
	}
	if server != "http=plain:8080;https=tls:3128" {
		t.Errorf("server = %q", server)
	}
	if want := "intranet.example;*.intranet.example;*.corp;10.0.0.0/8;host:8443;*.host:8443"; bypass != want {
		t.Errorf("bypass = %q, want %q", bypass, want)
	}
	if _, b, _ := (Config{HTTPS: c.HTTPS, NoProxy: "a.example,*"}).ChromiumFlags(); b != "*" {
		t.Errorf("NO_PROXY=* gives bypass %q, want *", b)
	}
	if s, b, err := (Config{}).ChromiumFlags(); s != "" || b != "" || err != nil {
		t.Errorf("no proxy: %q %q %v", s, b, err)
	}
	withAuth := Config{HTTPS: mustURL(t, "http://u:p@tls:3128")}
	if _, _, err := withAuth.ChromiumFlags(); err != ErrBrowserCredentials {
		t.Errorf("credentials: err = %v, want ErrBrowserCredentials", err)
	}
}
