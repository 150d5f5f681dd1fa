// Package scope says which network addresses a scan may reach. A scanner that
// follows a hostile site's redirects and links from inside a network is a
// request forgery waiting to happen: a redirect to 169.254.169.254 reads a
// cloud instance's metadata (its credentials) through us.
//
// Scopes:
//   - Site (the default): never a link-local address (169.254.0.0/16,
//     fe80::/10: where cloud metadata services live), and the browser's crawl
//     never leaves the target's site through a redirect.
//   - Public: every request of the probe and of the browser goes to a public
//     address only; for monitors deployed inside a network.
//   - Any: no address is refused (a device on a link-local address).
package scope

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Scope is a policy on the addresses a scan may reach.
type Scope string

// The scopes; see the package comment.
const (
	Site   Scope = "site"
	Public Scope = "public"
	Any    Scope = "any"
)

// Names lists the scopes for --help and completion.
var Names = []string{string(Site), string(Public), string(Any)}

// Parse reads a --scope value; "" is Site.
func Parse(s string) (Scope, error) {
	switch Scope(strings.ToLower(strings.TrimSpace(s))) {
	case "", Site:
		return Site, nil
	case Public:
		return Public, nil
	case Any:
		return Any, nil
	}
	return "", fmt.Errorf("scope %q: use site (default: no link-local address, the crawl stays on the site), public (only public addresses) or any", s)
}

// Class sorts an address by where it lives.
type Class string

// Address classes; everything not listed is public.
const (
	ClassPublic    Class = "public"
	ClassLinkLocal Class = "link-local"
	ClassLoopback  Class = "loopback"
	ClassPrivate   Class = "private"
	ClassSpecial   Class = "special-purpose" // unspecified, multicast, documentation, reserved
)

// special are ranges that are neither public nor one of the named classes
// (IANA special-purpose registries), beyond what netip reports itself.
var (
	cgnat      = netip.MustParsePrefix("100.64.0.0/10")
	awsMetaV6  = netip.MustParsePrefix("fd00:ec2::254/128") // ULA, but a metadata service
	specialNet = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
		netip.MustParsePrefix("100::/64"),
		netip.MustParsePrefix("2001:db8::/32"),
	}
)

// Classify says where an address lives.
func Classify(a netip.Addr) Class {
	a = a.Unmap()
	switch {
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), awsMetaV6.Contains(a):
		return ClassLinkLocal
	case a.IsLoopback():
		return ClassLoopback
	case a.IsPrivate(), cgnat.Contains(a):
		return ClassPrivate
	case a.IsUnspecified(), a.IsMulticast(), !a.IsValid():
		return ClassSpecial
	}
	for _, p := range specialNet {
		if p.Contains(a) {
			return ClassSpecial
		}
	}
	return ClassPublic
}

// BlockedError is the error of a request the scope refused; nothing was sent.
type BlockedError struct {
	Host  string
	Addr  netip.Addr
	Class Class
	Scope Scope
}

func (e *BlockedError) Error() string {
	what := e.Addr.String()
	if e.Host != "" && e.Host != what {
		what = e.Host + " (" + what + ")"
	}
	switch {
	case e.Scope == Public:
		return fmt.Sprintf("not requested: %s is a %s address and --scope public allows public addresses only", what, e.Class)
	default:
		return fmt.Sprintf("not requested: %s is a %s address, where cloud metadata services live (--scope any allows it)", what, e.Class)
	}
}

// Check says whether the scope allows a connection to a; host names the URL's
// host for the error.
func (s Scope) Check(host string, a netip.Addr) error {
	c := Classify(a)
	switch s {
	case Any:
		return nil
	case Public:
		if c == ClassPublic {
			return nil
		}
	default:
		if c != ClassLinkLocal {
			return nil
		}
	}
	return &BlockedError{Host: host, Addr: a.Unmap(), Class: c, Scope: s}
}

// CheckHostPort checks an "ip:port" (or "[ip]:port") address, as a dialer's
// Control function receives it after name resolution. A host that is not an
// IP address is left to the resolver (nil).
func (s Scope) CheckHostPort(host, hostport string) error {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	if err != nil {
		return nil
	}
	return s.Check(host, a)
}
