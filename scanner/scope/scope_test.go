package scope

import (
	"errors"
	"net/netip"
	"testing"
)

func TestClassify(t *testing.T) {
	cases := map[string]Class{
		"169.254.169.254":  ClassLinkLocal,
		"169.254.0.1":      ClassLinkLocal,
		"fe80::1":          ClassLinkLocal,
		"fd00:ec2::254":    ClassLinkLocal,
		"::ffff:169.254.1": "", // not an address: skipped below
		"127.0.0.1":        ClassLoopback,
		"127.8.9.10":       ClassLoopback,
		"::1":              ClassLoopback,
		"10.1.2.3":         ClassPrivate,
		"172.16.0.1":       ClassPrivate,
		"192.168.1.1":      ClassPrivate,
		"100.64.0.1":       ClassPrivate,
		"fd12::1":          ClassPrivate,
		"0.0.0.0":          ClassSpecial,
		"224.0.0.1":        ClassLinkLocal, // link-local multicast
		"239.1.2.3":        ClassSpecial,
		"192.0.2.10":       ClassSpecial,
		"::":               ClassSpecial,
		"93.184.215.14":    ClassPublic,
		"8.8.8.8":          ClassPublic,
		"2606:4700::1111":  ClassPublic,
		"172.32.0.1":       ClassPublic,
	}
	for in, want := range cases {
		a, err := netip.ParseAddr(in)
		if err != nil {
			if want != "" {
				t.Errorf("%s: %v", in, err)
			}
			continue
		}
		if got := Classify(a); got != want {
			t.Errorf("Classify(%s) = %s, want %s", in, got, want)
		}
	}
	// An IPv4-mapped IPv6 address is its IPv4 address.
	if got := Classify(netip.MustParseAddr("::ffff:169.254.169.254")); got != ClassLinkLocal {
		t.Errorf("mapped metadata address: %s", got)
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		scope   Scope
		addr    string
		allowed bool
	}{
		{Site, "169.254.169.254", false},
		{Site, "fe80::1", false},
		{Site, "::ffff:169.254.169.254", false},
		{Site, "10.0.0.1", true},
		{Site, "127.0.0.1", true},
		{Site, "93.184.215.14", true},
		{Public, "93.184.215.14", true},
		{Public, "10.0.0.1", false},
		{Public, "127.0.0.1", false},
		{Public, "169.254.169.254", false},
		{Public, "100.64.1.1", false},
		{Public, "::1", false},
		{Any, "169.254.169.254", true},
		{Any, "10.0.0.1", true},
	}
	for _, c := range cases {
		err := c.scope.Check("h", netip.MustParseAddr(c.addr))
		if (err == nil) != c.allowed {
			t.Errorf("%s %s: err=%v, want allowed=%v", c.scope, c.addr, err, c.allowed)
		}
		var be *BlockedError
		if err != nil && !errors.As(err, &be) {
			t.Errorf("%s %s: %T is not a *BlockedError", c.scope, c.addr, err)
		}
	}
	if err := Site.CheckHostPort("metadata", "169.254.169.254:80"); err == nil {
		t.Error("CheckHostPort let the metadata address through")
	}
	if err := Site.CheckHostPort("x", "[fe80::1]:443"); err == nil {
		t.Error("CheckHostPort let an IPv6 link-local address through")
	}
	if err := Public.CheckHostPort("x", "example.com:443"); err != nil {
		t.Errorf("a host name is the resolver's business: %v", err)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Scope{"": Site, "site": Site, "PUBLIC": Public, "any": Any} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := Parse("internal"); err == nil {
		t.Error("Parse accepted an unknown scope")
	}
}
