package setcookie

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// date is the fixed "response Date" for Lifetime/Deleted.
var date = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func i64(n int64) *int64 { return &n }

type want struct {
	name, value                   string
	attrs                         int
	secure, httpOnly, partitioned bool
	sameSite, sameSiteRaw         string
	hasSameSite                   bool
	domain                        string
	hasDomain                     bool
	path                          string
	hasPath                       bool
	maxAge                        *int64
	expires                       string // RFC 3339, "" for nil
	lifetime                      *int64
	deleted                       bool
	ignored                       bool
	prefix                        string
	problems                      []string // codes, in order
	detail                        string   // a substring of some Problem.Detail
}

var long5000 = strings.Repeat("v", 5000)
var long2000 = "/" + strings.Repeat("p", 1999)

var parseCases = []struct {
	name string
	line string
	want want
}{
	{"plain", "sid=abc123", want{name: "sid", value: "abc123"}},
	{"all attributes", "sid=abc; Expires=Sat, 21 Nov 2026 13:00:00 GMT; Max-Age=3600; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Strict; Partitioned",
		want{name: "sid", value: "abc", attrs: 8, secure: true, httpOnly: true, partitioned: true, sameSite: "Strict", sameSiteRaw: "Strict", hasSameSite: true,
			domain: "example.com", hasDomain: true, path: "/", hasPath: true, maxAge: i64(3600), expires: "2026-11-21T13:00:00Z", lifetime: i64(3600)}},
	{"case-insensitive attribute names", "a=b; SECURE; httponly; sAmEsItE=lax; PATH=/x; dOmAiN=Example.COM; max-AGE=10",
		want{name: "a", value: "b", attrs: 6, secure: true, httpOnly: true, sameSite: "Lax", sameSiteRaw: "lax", hasSameSite: true, domain: "example.com", hasDomain: true, path: "/x", hasPath: true, maxAge: i64(10), lifetime: i64(10)}},
	{"duplicate Secure", "a=b; Secure; Secure",
		want{name: "a", value: "b", attrs: 2, secure: true, problems: []string{CodeDuplicateAttribute}, detail: "identical"}},
	{"duplicate SameSite differing", "a=b; SameSite=Lax; Secure; samesite=None",
		want{name: "a", value: "b", attrs: 3, secure: true, sameSite: "None", sameSiteRaw: "None", hasSameSite: true, problems: []string{CodeDuplicateAttribute}, detail: "different values"}},
	{"duplicate with invalid last resets SameSite", "a=b; SameSite=Strict; SameSite=bogus",
		want{name: "a", value: "b", attrs: 2, sameSiteRaw: "bogus", hasSameSite: true, problems: []string{CodeSameSiteInvalid, CodeDuplicateAttribute}}},
	{"Max-Age 0", "a=b; Max-Age=0", want{name: "a", value: "b", attrs: 1, maxAge: i64(0), lifetime: i64(0), deleted: true}},
	{"Max-Age negative", "a=b; Max-Age=-1", want{name: "a", value: "b", attrs: 1, maxAge: i64(-1), lifetime: i64(-1), deleted: true}},
	{"Max-Age junk", "a=b; Max-Age=12s", want{name: "a", value: "b", attrs: 1, problems: []string{CodeMaxAgeUnparseable}}},
	{"Max-Age empty", "a=b; Max-Age=", want{name: "a", value: "b", attrs: 1, problems: []string{CodeMaxAgeUnparseable}}},
	{"Max-Age lone minus", "a=b; Max-Age=-", want{name: "a", value: "b", attrs: 1, problems: []string{CodeMaxAgeUnparseable}}},
	// Chromium reads Max-Age with base::StringToInt64: a '+' is a sign.
	{"Max-Age plus sign", "a=b; Max-Age=+5", want{name: "a", value: "b", attrs: 1, maxAge: i64(5), lifetime: i64(5)}},
	{"Max-Age plus and minus", "a=b; Max-Age=+-5", want{name: "a", value: "b", attrs: 1, problems: []string{CodeMaxAgeUnparseable}}},
	{"Max-Age huge negative saturates", "a=b; Max-Age=-99999999999999999999", want{name: "a", value: "b", attrs: 1, maxAge: i64(-1 << 63), lifetime: i64(-1 << 63), deleted: true}},
	{"Max-Age overflow then junk still saturates", "a=b; Max-Age=99999999999999999999x", want{name: "a", value: "b", attrs: 1, maxAge: i64(1<<63 - 1), lifetime: i64(1<<63 - 1)}},
	{"Max-Age junk before overflow", "a=b; Max-Age=9x999999999999999999999", want{name: "a", value: "b", attrs: 1, problems: []string{CodeMaxAgeUnparseable}}},
	{"Max-Age quoted", `a=b; Max-Age="60"`, want{name: "a", value: "b", attrs: 1, problems: []string{CodeMaxAgeUnparseable}}},
	{"Max-Age invalid Max-Age falls back to Expires", "a=b; Max-Age=abc; Expires=Sun, 22 Nov 2026 12:00:00 GMT",
		want{name: "a", value: "b", attrs: 2, expires: "2026-11-22T12:00:00Z", lifetime: i64(86400), problems: []string{CodeMaxAgeUnparseable}}},
	{"Max-Age huge saturates", "a=b; Max-Age=99999999999999999999999", want{name: "a", value: "b", attrs: 1, maxAge: i64(1<<63 - 1), lifetime: i64(1<<63 - 1)}},
	// Chromium keeps the last Max-Age, usable or not: a session cookie.
	{"Max-Age junk after valid: the last wins", "a=b; Max-Age=60; Max-Age=x",
		want{name: "a", value: "b", attrs: 2, problems: []string{CodeMaxAgeUnparseable, CodeDuplicateAttribute}}},
	{"Max-Age valid after negative: the last wins", "a=b; Max-Age=-1; Max-Age=60",
		want{name: "a", value: "b", attrs: 2, maxAge: i64(60), lifetime: i64(60), problems: []string{CodeDuplicateAttribute}}},
	{"Expires junk after valid: the last wins", "a=b; Expires=Sun, 22 Nov 2026 12:00:00 GMT; Expires=junk",
		want{name: "a", value: "b", attrs: 2, problems: []string{CodeExpiresUnparseable, CodeDuplicateAttribute}}},
	{"Expires past after future: the last wins", "a=b; Expires=Sun, 22 Nov 2026 12:00:00 GMT; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
		want{name: "a", value: "b", attrs: 2, expires: "1970-01-01T00:00:00Z", lifetime: i64(-date.Unix()), deleted: true, problems: []string{CodeDuplicateAttribute}}},
	{"Expires empty", "a=b; Expires=", want{name: "a", value: "b", attrs: 1}},
	{"Max-Age wins over Expires", "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=7200",
		want{name: "a", value: "b", attrs: 2, maxAge: i64(7200), expires: "1970-01-01T00:00:00Z", lifetime: i64(7200)}},
	{"Expires RFC 1123", "a=b; Expires=Sun, 22 Nov 2026 12:00:00 GMT",
		want{name: "a", value: "b", attrs: 1, expires: "2026-11-22T12:00:00Z", lifetime: i64(86400)}},
	{"Expires RFC 850", "a=b; Expires=Sunday, 06-Nov-94 08:49:37 GMT",
		want{name: "a", value: "b", attrs: 1, expires: "1994-11-06T08:49:37Z", lifetime: i64(time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC).Unix() - date.Unix()), deleted: true}},
	{"Expires asctime", "a=b; Expires=Sun Nov  6 08:49:37 2033",
		want{name: "a", value: "b", attrs: 1, expires: "2033-11-06T08:49:37Z", lifetime: i64(time.Date(2033, 11, 6, 8, 49, 37, 0, time.UTC).Unix() - date.Unix())}},
	{"Expires two-digit year 20xx", "a=b; Expires=Wed, 01-Jan-30 00:00:00 GMT",
		want{name: "a", value: "b", attrs: 1, expires: "2030-01-01T00:00:00Z", lifetime: i64(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - date.Unix())}},
	{"Expires junk", "a=b; Expires=tomorrow", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	{"Expires Feb 30", "a=b; Expires=30 Feb 2027 00:00:00", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	{"Expires hour 24", "a=b; Expires=01 Jan 2027 24:00:00", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	// Chromium clamps a year before 1601 to its earliest time: a deletion.
	{"Expires year 1600", "a=b; Expires=01 Jan 1600 00:00:00",
		want{name: "a", value: "b", attrs: 1, expires: "1600-01-01T00:00:00Z", lifetime: i64(time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - date.Unix()), deleted: true}},
	{"Expires two-digit year 70 is 1970", "a=b; Expires=Thu, 01-Jan-70 00:00:01 GMT",
		want{name: "a", value: "b", attrs: 1, expires: "1970-01-01T00:00:01Z", lifetime: i64(1 - date.Unix()), deleted: true}},
	{"Expires one-digit year is 200x", "a=b; Expires=01 Jan 5 00:00:00",
		want{name: "a", value: "b", attrs: 1, expires: "2005-01-01T00:00:00Z", lifetime: i64(time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - date.Unix()), deleted: true}},
	{"Expires five-digit year", "a=b; Expires=01 Jan 10000 00:00:00",
		want{name: "a", value: "b", attrs: 1, expires: "10000-01-01T00:00:00Z", lifetime: i64(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - date.Unix())}},
	{"Expires six-digit year", "a=b; Expires=01 Jan 210000 00:00:00", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	{"Expires year with a suffix", "a=b; Expires=01 Jan 2100x 00:00:00", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	{"Expires time with a suffix", "a=b; Expires=01 Jan 2100 00:00:00x", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	{"Expires second 60", "a=b; Expires=01 Jan 2100 00:00:60", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	// A token with a colon is never the day (RFC 6265 would read "12:30" as day 12).
	{"Expires colon token is not the day", "a=b; Expires=Jan 2100 12:30 01 00:00:00",
		want{name: "a", value: "b", attrs: 1, expires: "2100-01-01T00:00:00Z", lifetime: i64(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix() - date.Unix())}},
	{"Expires in the past", "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
		want{name: "a", value: "b", attrs: 1, expires: "1970-01-01T00:00:00Z", lifetime: i64(-date.Unix()), deleted: true}},
	{"Expires exactly at date is deleted", "a=b; Expires=Sat, 21 Nov 2026 12:00:00 GMT",
		want{name: "a", value: "b", attrs: 1, expires: "2026-11-21T12:00:00Z", lifetime: i64(0), deleted: true}},
	{"Expires junk around tokens", "a=b; Expires=xx 2027-Mar-05 10:11:12 Zulu",
		want{name: "a", value: "b", attrs: 1, expires: "2027-03-05T10:11:12Z", lifetime: i64(time.Date(2027, 3, 5, 10, 11, 12, 0, time.UTC).Unix() - date.Unix())}},
	{"Expires junk glued to the time", "a=b; Expires=xx 2027-Mar-05 10:11:12Zulu", want{name: "a", value: "b", attrs: 1, problems: []string{CodeExpiresUnparseable}}},
	{"SameSite lower-case lax", "a=b; SameSite=lax", want{name: "a", value: "b", attrs: 1, sameSite: "Lax", sameSiteRaw: "lax", hasSameSite: true}},
	{"SameSite STRICT", "a=b; SameSite=STRICT", want{name: "a", value: "b", attrs: 1, sameSite: "Strict", sameSiteRaw: "STRICT", hasSameSite: true}},
	{"SameSite none with Secure", "a=b; SameSite=none; Secure", want{name: "a", value: "b", attrs: 2, secure: true, sameSite: "None", sameSiteRaw: "none", hasSameSite: true}},
	{"SameSite true", "a=b; SameSite=true", want{name: "a", value: "b", attrs: 1, sameSiteRaw: "true", hasSameSite: true, problems: []string{CodeSameSiteInvalid}}},
	{"SameSite empty", "a=b; SameSite=", want{name: "a", value: "b", attrs: 1, hasSameSite: true, problems: []string{CodeSameSiteInvalid}}},
	{"SameSite without value", "a=b; SameSite", want{name: "a", value: "b", attrs: 1, hasSameSite: true, problems: []string{CodeSameSiteInvalid}}},
	{"SameSite=None without Secure", "a=b; SameSite=None",
		want{name: "a", value: "b", attrs: 1, sameSite: "None", sameSiteRaw: "None", hasSameSite: true, ignored: true, problems: []string{CodeSameSiteNoneInsecure}}},
	{"__Secure- ok", "__Secure-id=1; Secure", want{name: "__Secure-id", value: "1", attrs: 1, secure: true, prefix: PrefixSecure}},
	{"__Secure- without Secure", "__Secure-id=1", want{name: "__Secure-id", value: "1", prefix: PrefixSecure, ignored: true, problems: []string{CodePrefixSecure}}},
	{"__SECURE- upper-case without Secure", "__SECURE-id=1; HttpOnly",
		want{name: "__SECURE-id", value: "1", attrs: 1, httpOnly: true, prefix: PrefixSecure, ignored: true, problems: []string{CodePrefixSecure}}},
	{"__Host- ok", "__Host-id=1; Secure; Path=/", want{name: "__Host-id", value: "1", attrs: 2, secure: true, path: "/", hasPath: true, prefix: PrefixHost}},
	{"__Host- without Secure", "__Host-id=1; Path=/",
		want{name: "__Host-id", value: "1", attrs: 1, path: "/", hasPath: true, prefix: PrefixHost, ignored: true, problems: []string{CodePrefixHost}, detail: "no Secure"}},
	{"__Host- with Domain", "__Host-id=1; Secure; Path=/; Domain=example.com",
		want{name: "__Host-id", value: "1", attrs: 3, secure: true, path: "/", hasPath: true, domain: "example.com", hasDomain: true, prefix: PrefixHost, ignored: true, problems: []string{CodePrefixHost}, detail: "has Domain"}},
	{"__Host- with Path=/foo", "__Host-id=1; Secure; Path=/foo",
		want{name: "__Host-id", value: "1", attrs: 2, secure: true, path: "/foo", hasPath: true, prefix: PrefixHost, ignored: true, problems: []string{CodePrefixHost}, detail: "Path is not"}},
	{"__Host- without Path", "__Host-id=1; Secure",
		want{name: "__Host-id", value: "1", attrs: 1, secure: true, prefix: PrefixHost, ignored: true, problems: []string{CodePrefixHost}, detail: "no Path"}},
	{"__host- lower-case without Path", "__host-id=1; Secure",
		want{name: "__host-id", value: "1", attrs: 1, secure: true, prefix: PrefixHost, ignored: true, problems: []string{CodePrefixHost}}},
	{"nameless with prefix in value", "__Host-id; Secure; Path=/",
		want{value: "__Host-id", attrs: 2, secure: true, path: "/", hasPath: true, ignored: true, problems: []string{CodeNoEquals, CodePrefixInValue}}},
	{"empty name with prefix in value", "=__secure-x",
		want{value: "__secure-x", ignored: true, problems: []string{CodePrefixInValue}}},
	{"Domain with leading dot", "a=b; Domain=.Example.com", want{name: "a", value: "b", attrs: 1, domain: "example.com", hasDomain: true}},
	// Chromium keeps the last Domain: an empty one makes a host-only cookie.
	{"empty Domain last", "a=b; Domain=example.com; Domain=", want{name: "a", value: "b", attrs: 2, problems: []string{CodeDuplicateAttribute}}},
	{"non-ASCII Domain", "a=b; Domain=exämple.com", want{name: "a", value: "b", attrs: 1, domain: "exämple.com", hasDomain: true, ignored: true, problems: []string{CodeDomainNonASCII}}},
	{"Path not starting with slash", "a=b; Path=foo", want{name: "a", value: "b", attrs: 1, hasPath: true}},
	{"control character", "a=b\x01c; Secure", want{name: "a", value: "b\x01c", attrs: 1, secure: true, ignored: true, problems: []string{CodeControlCharacter}}},
	{"newline is a control character", "a=b\r\nSet-Cookie: x=y", want{name: "a", value: "b\r\nSet-Cookie: x=y", ignored: true, problems: []string{CodeControlCharacter}}},
	{"HTAB around names and values is whitespace", "a=\tb\t;\tSecure", want{name: "a", value: "b", attrs: 1, secure: true}},
	{"HTAB inside a value is a control character", "a=b\tc", want{name: "a", value: "b\tc", ignored: true, problems: []string{CodeControlCharacter}}},
	{"control character in an attribute name", "a=b; X\x01Y=1", want{name: "a", value: "b", attrs: 1, ignored: true, problems: []string{CodeControlCharacter}}},
	{"__Http- without HttpOnly", "__Http-id=1; Secure", want{name: "__Http-id", value: "1", attrs: 1, secure: true, ignored: true, problems: []string{CodePrefixHTTP}}},
	{"__Host-Http- ok", "__Host-Http-id=1; Secure; HttpOnly; Path=/", want{name: "__Host-Http-id", value: "1", attrs: 3, secure: true, httpOnly: true, path: "/", hasPath: true, prefix: PrefixHost}},
	{"no-equals cookie", "justavalue", want{value: "justavalue", problems: []string{CodeNoEquals}}},
	{"empty", "", want{ignored: true, problems: []string{CodeEmptyNameAndValue}}},
	{"only equals", " = ; Secure", want{attrs: 1, secure: true, ignored: true, problems: []string{CodeEmptyNameAndValue}}},
	{"empty name allowed", "=v", want{value: "v"}},
	{"5000-byte value", "a=" + long5000, want{name: "a", value: long5000, ignored: true, problems: []string{CodeNameValueTooLarge}}},
	{"4096 bytes exactly is fine", "a=" + long5000[:4095], want{name: "a", value: long5000[:4095]}},
	{"2000-byte attribute value", "a=b; Path=" + long2000 + "; Secure",
		want{name: "a", value: "b", attrs: 2, secure: true, problems: []string{CodeAttributeTooLong}}},
	{"long Path ignored keeps earlier", "a=b; Path=/ok; Path=" + long2000,
		want{name: "a", value: "b", attrs: 2, path: "/ok", hasPath: true, problems: []string{CodeAttributeTooLong, CodeDuplicateAttribute}}},
	{"Partitioned without Secure", "a=b; Partitioned", want{name: "a", value: "b", attrs: 1, partitioned: true, ignored: true, problems: []string{CodePartitionedInsecure}}},
	{"quoted value kept as is", `a="quoted value"; Secure`, want{name: "a", value: `"quoted value"`, attrs: 1, secure: true}},
	{"spaces around =", "  sid  =  abc  ;  Path  =  /  ", want{name: "sid", value: "abc", attrs: 1, path: "/", hasPath: true}},
	{"value with '='", "a=b=c==", want{name: "a", value: "b=c=="}},
	{"stray semicolons", "a=b;; ;Secure;", want{name: "a", value: "b", attrs: 1, secure: true}},
	{"unknown attribute kept", "a=b; Priority=High; foo", want{name: "a", value: "b", attrs: 2}},
	{"Secure with a value still Secure", "a=b; Secure=false", want{name: "a", value: "b", attrs: 1, secure: true}},
	{"unicode look-alike is not Secure", "a=b; \u017Fecure", want{name: "a", value: "b", attrs: 1}},
	{"duplicate unknown attribute", "a=b; foo=1; FOO=2", want{name: "a", value: "b", attrs: 2, problems: []string{CodeDuplicateAttribute}, detail: "different values"}},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			c := Parse(tc.line)
			w := tc.want
			got := want{
				name: c.Name, value: c.Value, attrs: len(c.Attrs),
				secure: c.Secure, httpOnly: c.HttpOnly, partitioned: c.Partitioned,
				sameSite: c.SameSite, sameSiteRaw: c.SameSiteRaw, hasSameSite: c.HasSameSite,
				domain: c.Domain, hasDomain: c.HasDomain, path: c.Path, hasPath: c.HasPath,
				maxAge: c.MaxAge, lifetime: c.Lifetime(date), deleted: c.Deleted(date),
				ignored: c.Ignored != "", prefix: c.Prefix(), detail: w.detail,
			}
			if c.Expires != nil {
				got.expires = c.Expires.Format(time.RFC3339)
			}
			for _, p := range c.Problems {
				got.problems = append(got.problems, p.Code)
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("Parse(%.80q)\n got %s\nwant %s\nproblems %v ignored %q", tc.line, show(got), show(w), c.Problems, c.Ignored)
			}
			if w.detail != "" && !hasDetail(c, w.detail) {
				t.Errorf("no Problem detail contains %q: %v", w.detail, c.Problems)
			}
			if c.Raw != tc.line || c.Attrs == nil || c.Problems == nil {
				t.Errorf("Raw/Attrs/Problems invariants broken: %+v", c)
			}
			for _, p := range c.Problems {
				if !c.Has(p.Code) {
					t.Errorf("Has(%q) = false", p.Code)
				}
			}
		})
	}
}

func hasDetail(c Cookie, s string) bool {
	for _, p := range c.Problems {
		if strings.Contains(p.Detail, s) {
			return true
		}
	}
	return false
}

// show prints a want with dereferenced pointers and shortened strings.
func show(w want) string {
	deref := func(n *int64) any {
		if n == nil {
			return nil
		}
		return *n
	}
	short := func(v string) string {
		if len(v) > 40 {
			return v[:40] + "…"
		}
		return v
	}
	return fmt.Sprintf("{name:%q value:%q attrs:%d secure:%v httpOnly:%v partitioned:%v sameSite:%q raw:%q has:%v domain:%q has:%v path:%q has:%v maxAge:%v expires:%q lifetime:%v deleted:%v ignored:%v prefix:%q problems:%v}",
		short(w.name), short(w.value), w.attrs, w.secure, w.httpOnly, w.partitioned, w.sameSite, w.sameSiteRaw, w.hasSameSite,
		w.domain, w.hasDomain, short(w.path), w.hasPath, deref(w.maxAge), w.expires, deref(w.lifetime), w.deleted, w.ignored, w.prefix, w.problems)
}

func TestAttrsAsSent(t *testing.T) {
	c := Parse("a=b; SameSite = Lax ; HttpOnly; X=")
	want := []Attr{{"SameSite", "Lax", true}, {"HttpOnly", "", false}, {"X", "", true}}
	if !reflect.DeepEqual(c.Attrs, want) {
		t.Fatalf("Attrs = %#v, want %#v", c.Attrs, want)
	}
}

func TestParseAll(t *testing.T) {
	cs := ParseAll([]string{"a=1", "b=2; Secure"})
	if len(cs) != 2 || cs[0].Name != "a" || !cs[1].Secure {
		t.Fatalf("ParseAll = %+v", cs)
	}
	if cs := ParseAll(nil); cs == nil || len(cs) != 0 {
		t.Fatalf("ParseAll(nil) = %#v, want empty non-nil", cs)
	}
}

func TestDomainCheck(t *testing.T) {
	cases := []struct {
		name, line, host, want string
	}{
		{"host-only", "a=b", "www.example.com", DomainHostOnly},
		{"empty Domain is host-only", "a=b; Domain=", "www.example.com", DomainHostOnly},
		{"equal", "a=b; Domain=www.example.com", "www.example.com", DomainHost},
		{"equal with dot and case", "a=b; Domain=.WWW.Example.com", "www.example.com", DomainHost},
		{"parent", "a=b; Domain=example.com", "www.example.com", DomainParent},
		{"parent two levels", "a=b; Domain=.example.com", "a.b.example.com", DomainParent},
		{"mismatch", "a=b; Domain=other.com", "www.example.com", DomainMismatch},
		{"mismatch child of host", "a=b; Domain=sub.www.example.com", "www.example.com", DomainMismatch},
		{"mismatch label suffix", "a=b; Domain=ample.com", "example.com", DomainMismatch},
		{"public suffix com", "a=b; Domain=com", "www.example.com", DomainPublicSuffix},
		{"public suffix co.uk", "a=b; Domain=.co.uk", "shop.example.co.uk", DomainPublicSuffix},
		{"private suffix github.io", "a=b; Domain=github.io", "me.github.io", DomainPublicSuffix},
		{"public suffix not matching host", "a=b; Domain=org", "www.example.com", DomainPublicSuffix},
		{"public suffix equal to host", "a=b; Domain=github.io", "github.io", DomainHost},
		{"registrable under private suffix", "a=b; Domain=me.github.io", "www.me.github.io", DomainParent},
		{"IP host different", "a=b; Domain=example.com", "192.0.2.1", DomainIP},
		{"IP host parent-like", "a=b; Domain=0.2.1", "192.0.2.1", DomainIP},
		{"IP host equal", "a=b; Domain=192.0.2.1", "192.0.2.1", DomainHost},
		{"IPv6 host equal", "a=b; Domain=[::1]", "::1", DomainHost},
		{"IPv6 host no domain", "a=b", "[::1]", DomainHostOnly},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DomainCheck(Parse(tc.line), tc.host); got != tc.want {
				t.Errorf("DomainCheck(%q, %q) = %q, want %q", tc.line, tc.host, got, tc.want)
			}
		})
	}
}

func TestRedactValue(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"a", "…(1 chars)"},
		{"12345678", "…(8 chars)"},
		{"123456789", "1234…(9 chars)"},
		{"a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", "a1b2…(32 chars)"},
		{"abcdéfghij", "abcd…(11 chars)"},
		{"abcéfghij", "abc…(10 chars)"}, // no cut inside "é"
		{"abcd…(9", "…(9 chars)"},       // would otherwise echo the value
	}
	for _, tc := range cases {
		if got := RedactValue(tc.in); got != tc.want {
			t.Errorf("RedactValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedacted(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sid=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6; Path=/; Secure", "sid=a1b2…(32 chars); Path=/; Secure"},
		{"sid=short; HttpOnly", "sid=…(5 chars); HttpOnly"},
		{"sid=; Max-Age=0", "sid=; Max-Age=0"},
		{"  sid =  secretsecret  ; Path=/", "  sid =  secr…(12 chars)  ; Path=/"},
		{"novalueequals", "nova…(13 chars)"},
		{"a=b=c=d=e=f; Domain=x", "a=b=c=…(9 chars); Domain=x"},
		{`a="<script>x</script>"; Path=/<b>`, `a="<sc…(20 chars); Path=/<b>`},
		{"a=tok\x00en123; Secure", "a=tok\x00…(9 chars); Secure"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := Parse(tc.in).Redacted(); got != tc.want {
			t.Errorf("Redacted(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNoTimeNow(t *testing.T) {
	// Lifetime must depend only on the date passed in.
	c := Parse("a=b; Expires=Sun, 22 Nov 2026 12:00:00 GMT")
	if l := c.Lifetime(date.Add(-time.Hour)); l == nil || *l != 90000 {
		t.Fatalf("Lifetime = %v", l)
	}
	if c.Deleted(date) || !c.Deleted(date.Add(48*time.Hour)) {
		t.Fatal("Deleted does not follow the given date")
	}
}
