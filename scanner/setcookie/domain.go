package setcookie

import (
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// DomainCheck results.
const (
	DomainHostOnly     = ""              // no Domain: host-only cookie
	DomainHost         = "host"          // Domain equals the host: effectively host-only
	DomainParent       = "parent"        // a strict parent of the host: sent to all its subdomains
	DomainMismatch     = "mismatch"      // the host does not domain-match it: rejected
	DomainPublicSuffix = "public-suffix" // a public suffix other than the host: rejected
	DomainIP           = "ip"            // the host is an IP and Domain differs: rejected
)

// DomainCheck judges the cookie's Domain against the request host (a
// lower-case hostname or IP, no port), following the storage model of RFC
// 6265bis §5.7 steps 8-10: the public-suffix check comes before domain-match,
// and a public suffix equal to the host makes a host-only cookie.
func DomainCheck(c Cookie, host string) string {
	if !c.HasDomain || c.Domain == "" {
		return DomainHostOnly
	}
	d := c.Domain
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if net.ParseIP(h) != nil {
		// IP hosts only ever match exactly.
		if strings.TrimSuffix(strings.TrimPrefix(d, "["), "]") == h {
			return DomainHost
		}
		return DomainIP
	}
	if d == host {
		return DomainHost
	}
	// PublicSuffix applies the ICANN and private sections (and the default
	// "*" rule); d is a public suffix when it is its own suffix.
	if ps, _ := publicsuffix.PublicSuffix(d); ps == d {
		return DomainPublicSuffix
	}
	if strings.HasSuffix(host, "."+d) {
		return DomainParent
	}
	return DomainMismatch
}
