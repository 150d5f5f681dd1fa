// Package proxy decides which forward proxy, if any, carries a request: from
// --proxy or the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as curl and
// Go read them), for the probe and, in Chromium's own flag syntax, for the
// browser, so both take the same way out.
//
// Loopback targets (localhost, 127.0.0.0/8, ::1) never go through a proxy:
// Go's proxy rules and Chromium's implicit bypass agree on that.
package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// Config is the proxy setting of one scan; the zero value is no proxy.
type Config struct {
	HTTP    *url.URL // proxy for http:// requests
	HTTPS   *url.URL // proxy for https:// requests
	NoProxy string   // NO_PROXY: comma-separated hosts, domains, IPs, CIDRs; "*" for all
}

// Enabled reports whether any request can go through a proxy.
func (c Config) Enabled() bool { return c.HTTP != nil || c.HTTPS != nil }

// FromEnvironment reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (or their lower
// case forms); flag, when not empty, is the --proxy value and replaces both
// proxies (NO_PROXY still applies).
func FromEnvironment(flag string) (Config, error) {
	env := httpproxy.FromEnvironment()
	c := Config{NoProxy: env.NoProxy}
	if flag != "" {
		u, err := Parse(flag)
		if err != nil {
			return Config{}, fmt.Errorf("--proxy: %w", err)
		}
		c.HTTP, c.HTTPS = u, u
		return c, nil
	}
	var err error
	if c.HTTP, err = parseEnv("HTTP_PROXY", env.HTTPProxy); err != nil {
		return Config{}, err
	}
	if c.HTTPS, err = parseEnv("HTTPS_PROXY", env.HTTPSProxy); err != nil {
		return Config{}, err
	}
	return c, nil
}

func parseEnv(name, v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	u, err := Parse(v)
	if err != nil {
		if os.Getenv(name) == "" {
			name = strings.ToLower(name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return u, nil
}

// Parse reads a proxy URL: http://host:port (a scheme-less host:port means
// http). Only HTTP proxies: that is what CONNECT needs and what both the
// probe and Chromium speak alike.
func Parse(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", Redact(s), err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("%q: only http:// proxies are supported (a CONNECT proxy), not %s://", Redact(s), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host", Redact(s))
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "80")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return nil, fmt.Errorf("%q: a proxy URL is scheme://host:port, without a path", Redact(s))
	}
	u.Path = ""
	return u, nil
}

// Redact hides the password of a proxy URL (user:pass@host) for messages.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// For returns the proxy for a request to u, nil for a direct connection.
func (c Config) For(u *url.URL) (*url.URL, error) {
	if !c.Enabled() {
		return nil, nil
	}
	hc := httpproxy.Config{NoProxy: c.NoProxy}
	if c.HTTP != nil {
		hc.HTTPProxy = c.HTTP.String()
	}
	if c.HTTPS != nil {
		hc.HTTPSProxy = c.HTTPS.String()
	}
	return hc.ProxyFunc()(u)
}

// ErrBrowserCredentials: Chromium takes no credentials in --proxy-server;
// it would answer the proxy's challenge with none and every page would fail.
var ErrBrowserCredentials = errors.New("Chromium cannot be given proxy credentials on its command line: use a proxy without authentication for the browser, or --no-browser")

// ChromiumFlags are the --proxy-server and --proxy-bypass-list values that
// make Chromium take the same way as For; both empty without a proxy.
func (c Config) ChromiumFlags() (server, bypass string, err error) {
	if !c.Enabled() {
		return "", "", nil
	}
	var rules []string
	for _, p := range []struct {
		scheme string
		u      *url.URL
	}{{"http", c.HTTP}, {"https", c.HTTPS}} {
		if p.u == nil {
			continue
		}
		if p.u.User != nil {
			return "", "", ErrBrowserCredentials
		}
		rules = append(rules, p.scheme+"="+p.u.Host)
	}
	return strings.Join(rules, ";"), chromiumBypass(c.NoProxy), nil
}

// chromiumBypass turns NO_PROXY into Chromium's bypass list. NO_PROXY's
// "example.com" also covers its subdomains, where Chromium's rule would not:
// each name becomes "example.com;*.example.com". "*" bypasses every host.
func chromiumBypass(noProxy string) string {
	var out []string
	for _, e := range strings.Split(noProxy, ",") {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case e == "*":
			return "*"
		case strings.HasPrefix(e, "."):
			out = append(out, "*"+e)
		case strings.Contains(e, "/") || net.ParseIP(strings.Trim(e, "[]")) != nil:
			out = append(out, e) // CIDR or IP, as Chromium reads them
		default:
			host, port, err := net.SplitHostPort(e)
			if err != nil {
				host, port = e, ""
			}
			for _, h := range []string{host, "*." + host} {
				if port != "" {
					h += ":" + port
				}
				out = append(out, h)
			}
		}
	}
	return strings.Join(out, ";")
}
