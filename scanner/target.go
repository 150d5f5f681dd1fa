package scanner

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseTarget turns what a user typed into the https URL to scan. It accepts
// https://host[:port]/path, http://... (scanned as https, the http URL kept for the
// redirect test) and a bare host name with a dot ("example.com").
func ParseTarget(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("empty URL: give a URL such as https://example.com/")
	}
	if !strings.Contains(s, "://") {
		host := s
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		h := host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			h = hh
		}
		if !strings.Contains(h, ".") && h != "localhost" && net.ParseIP(h) == nil {
			return nil, fmt.Errorf("%q is not a URL: give a URL such as https://example.com/", raw)
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid URL: %v", raw, unwrap(err))
	}
	switch u.Scheme {
	case "https":
	case "http":
		u.Scheme = "https"
		if u.Port() == "80" {
			u.Host = u.Hostname()
		}
	default:
		return nil, fmt.Errorf("%q: scheme %q is not supported: give an http:// or https:// URL", raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host: give a URL such as https://example.com/", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q contains credentials; use --header or --login instead", raw)
	}
	if err := checkPort(raw, u); err != nil {
		return nil, err
	}
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment = ""
	return u, nil
}

// HTTPURL is where the redirect test starts when --http-url is not given: the
// target with the http scheme and the default port.
func HTTPURL(target *url.URL) *url.URL {
	u := *target
	u.Scheme = "http"
	host := target.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	return &u
}

// ParseHTTPURL validates --http-url.
func ParseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("--http-url %q is not a valid URL: %v", raw, unwrap(err))
	}
	if u.Scheme != "http" || u.Hostname() == "" {
		return nil, fmt.Errorf("--http-url %q must be an http:// URL with a host, such as http://example.com:8080/", raw)
	}
	if u.User != nil {
		// Over plain HTTP a password would travel as cleartext Basic auth,
		// and the URL is written into every report.
		return nil, fmt.Errorf("--http-url contains credentials (user:password@): they would be sent in clear over plain HTTP and written into reports; remove them")
	}
	if err := checkPort(raw, u); err != nil {
		return nil, fmt.Errorf("--http-url %w", err)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

func unwrap(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
