package setcookie

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"sid=abc123",
		"sid=a1b2c3d4e5f6a7b8c9d0; Path=/; Secure; HttpOnly; SameSite=Lax",
		"__Host-id=1; Secure; Path=/",
		"__host-id=1; Domain=example.com; Path=/foo",
		"__Secure-x=yyyyyyyyyyyy",
		"novalue",
		"__Host-nameless",
		"=;=;=",
		"a=b; Expires=Sunday, 06-Nov-94 08:49:37 GMT",
		"a=b; Expires=Sun Nov  6 08:49:37 1994; Max-Age=-0",
		"a=b; Max-Age=99999999999999999999999999; Max-Age=-",
		"a=b; SameSite=None; Partitioned; SameSite=lax; samesite",
		"a=b; Domain=..CO.UK; Domain=; Domain=exämple",
		"a=\"quoted value\" ; \tSecure\t;;",
		"xxxxx=xxxxx=xxx",
		"a=abcd…(9",
		"a=b\x00c\r\n; Secure",
		"a=b; Expires=30 Feb 2027 23:59:59; Expires=1 jan 69 0:0:0",
		"a=é€𝄞é€𝄞é€𝄞; Path=/é",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c := Parse(line)
		if c.Problems == nil || c.Attrs == nil {
			t.Fatal("Problems/Attrs must be non-nil")
		}
		if c.Raw != line {
			t.Fatal("Raw changed")
		}
		for _, a := range c.Attrs {
			if a.Name != trimWSP(a.Name) || a.Value != trimWSP(a.Value) {
				t.Fatalf("attribute not trimmed: %#v", a)
			}
			if !a.HasValue && a.Value != "" {
				t.Fatalf("value without '=': %#v", a)
			}
		}
		if c.Name != trimWSP(c.Name) || c.Value != trimWSP(c.Value) {
			t.Fatalf("name/value not trimmed: %q %q", c.Name, c.Value)
		}
		if c.SameSite != "" && c.SameSite != "Strict" && c.SameSite != "Lax" && c.SameSite != "None" {
			t.Fatalf("SameSite = %q", c.SameSite)
		}
		if c.Path != "" && c.Path[0] != '/' {
			t.Fatalf("Path = %q", c.Path)
		}
		if c.Domain != asciiLower(c.Domain) {
			t.Fatalf("Domain not lower-case: %q", c.Domain)
		}

		// Redaction: everything but the value is byte-exact, and the value
		// (when over 8 bytes) never survives in what replaced it.
		r := c.Redacted()
		s, e := valueSpan(line)
		if line[s:e] != c.Value {
			t.Fatalf("valueSpan %q != Value %q", line[s:e], c.Value)
		}
		if !strings.HasPrefix(r, line[:s]) || !strings.HasSuffix(r, line[e:]) {
			t.Fatalf("Redacted changed more than the value: %q -> %q", line, r)
		}
		region := r[s : len(r)-(len(line)-e)]
		if region != RedactValue(c.Value) {
			t.Fatalf("redacted region %q", region)
		}
		if len(c.Value) > 8 {
			if strings.Contains(region, c.Value) {
				t.Fatalf("value %q leaked in %q", c.Value, r)
			}
			// The brief's check on the whole name=value pair: it can only
			// fail when the value also overlaps the (unredacted) name part.
			pair, _, _ := strings.Cut(r, ";")
			if strings.Contains(pair, c.Value) && !overlapsPrefix(line[:s], c.Value) {
				t.Fatalf("value %q leaked in pair %q", c.Value, pair)
			}
		}

		_ = c.Lifetime(date)
		_ = c.Deleted(date)
		_ = c.Prefix()
		_ = DomainCheck(c, "www.example.com")
		_ = DomainCheck(c, "192.0.2.1")
		_ = DomainCheck(c, c.Domain)
		if c.Expires != nil && c.Expires.Location() != time.UTC {
			t.Fatalf("Expires = %v", c.Expires)
		}
		for _, raw := range []string{"https://www.example.com/a/b", "http://127.0.0.1:8080/", "http://[::1]/"} {
			u, _ := url.Parse(raw)
			for _, src := range []Source{FromHeader, FromScript} {
				v := Judge(c, u, date, src)
				if v.Stored && (v.Deletion || len(v.Reasons) > 0) || v.Deletion && len(v.Reasons) > 0 || v.Reasons == nil {
					t.Fatalf("%q from %s: stored %v deletion %v reasons %q", line, raw, v.Stored, v.Deletion, v.Reasons)
				}
			}
		}
	})
}

// overlapsPrefix reports whether some non-empty suffix of p is a prefix of v
// (or v occurs inside p): then v can show up in p+redaction without leaking
// anything that was not already in the name part.
func overlapsPrefix(p, v string) bool {
	if strings.Contains(p, v) {
		return true
	}
	for i := 0; i < len(p); i++ {
		if strings.HasPrefix(v, p[i:]) {
			return true
		}
	}
	return false
}
