// Package setcookie is a strict Set-Cookie parser for auditing.
//
// net/http.ParseSetCookie is built to be forgiving: it silently drops bad
// attributes and collapses duplicates, which hides exactly what an audit has to
// report. This parser follows the user-agent algorithm of RFC 6265bis §5.6 to
// compute the attributes a browser would actually apply, but it also keeps every
// attribute as sent and records each deviation as a Problem, so rules can report
// duplicates, unparseable dates, broken prefixes and lines a browser would drop.
//
// Site data is hostile: nothing here panics, nothing returns an error, and the
// raw line is kept byte-exact (escaping is the renderers' job).
package setcookie

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Problem codes. They are part of the API: rules match on them.
const (
	CodeDuplicateAttribute   = "duplicate-attribute"
	CodeExpiresUnparseable   = "expires-unparseable"
	CodeMaxAgeUnparseable    = "max-age-unparseable"
	CodeAttributeTooLong     = "attribute-too-long"
	CodeNameValueTooLarge    = "name-value-too-large"
	CodeControlCharacter     = "control-character"
	CodeEmptyNameAndValue    = "empty-name-and-value"
	CodeNoEquals             = "no-equals"
	CodeSameSiteInvalid      = "samesite-invalid"
	CodePrefixSecure         = "prefix-secure"
	CodePrefixHost           = "prefix-host"
	CodePrefixInValue        = "prefix-in-value"
	CodePrefixHTTP           = "prefix-http" // __Http-/__Host-Http- without HttpOnly or Secure
	CodePartitionedInsecure  = "partitioned-insecure"
	CodeSameSiteNoneInsecure = "samesite-none-insecure"
	// CodeDomainNonASCII: 6265bis §5.7 step 8 makes a UA ignore the whole
	// cookie when the Domain attribute holds a non-ASCII byte.
	CodeDomainNonASCII = "domain-non-ascii"
)

// Limits from RFC 6265bis §5.6 / §5.7.
const (
	maxAttrValue = 1024 // longer attribute values are ignored
	maxNameValue = 4096 // longer name+value makes the cookie ignored
)

// Canonical prefix spellings (§4.1.3); UAs match them case-insensitively.
const (
	PrefixSecure = "__Secure-"
	PrefixHost   = "__Host-"
	// PrefixHTTP and PrefixHostHTTP also require HttpOnly (so no script
	// can set them); __Host-Http- keeps __Host-'s rules too.
	PrefixHTTP     = "__Http-"
	PrefixHostHTTP = "__Host-Http-"
)

// Attr is one attribute exactly as sent.
type Attr struct {
	Name     string // as sent, trimmed (case preserved)
	Value    string // trimmed; "" when no '='
	HasValue bool
}

// Problem is one deviation from RFC 6265bis seen in a Set-Cookie line.
type Problem struct{ Code, Detail string }

// Cookie is one parsed Set-Cookie line: the raw attributes plus the
// effective ones a user agent would apply (RFC 6265bis §5.6).
type Cookie struct {
	Raw   string
	Name  string
	Value string
	Attrs []Attr // in order (empty slice when none)

	// Effective attributes, as Chromium reads them: the last occurrence
	// of each wins, even when its value is unusable (an unparseable
	// Max-Age or Expires then counts as absent, an empty Domain makes a
	// host-only cookie); unknown attributes and attribute values over 1024
	// octets are ignored.
	Secure, HttpOnly, Partitioned bool
	SameSite                      string     // "Strict", "Lax", "None" when valid; "" when absent or invalid
	SameSiteRaw                   string     // the value as sent (last occurrence); "" when absent
	HasSameSite                   bool       // the attribute is present (valid or not)
	Domain                        string     // last Domain, leading '.' stripped, lower-cased
	HasDomain                     bool       // the last Domain attribute is not empty
	Path                          string     // last Path if it starts with '/', else "" (default-path applies)
	HasPath                       bool       // a Path attribute was accepted (even if default-path applies)
	MaxAge                        *int64     // nil when absent or unparseable; may be <= 0
	Expires                       *time.Time // UTC; nil when absent or unparseable
	Ignored                       string     // non-empty when a UA would drop the whole line: why
	Problems                      []Problem  // every issue seen, in order (empty slice when none)
}

// Parse parses one Set-Cookie header value (or a string a script assigns
// to document.cookie) the way Chromium's ParsedCookie does: the line is
// split at ';', each name and value trimmed of SP and HTAB, and the last
// occurrence of each attribute decides. It never fails: problems are data.
func Parse(line string) Cookie {
	c := Cookie{Raw: line, Attrs: []Attr{}, Problems: []Problem{}}

	pair, rest, hasAttrs := strings.Cut(line, ";")
	name, value, hasEq := strings.Cut(pair, "=")
	if !hasEq {
		// A pair without '=' is a nameless cookie.
		name, value = "", pair
	}
	c.Name, c.Value = trimWSP(name), trimWSP(value)
	// Chromium refuses a control character (HTAB included) inside a name,
	// a value, an attribute name or an attribute value; around them HTAB
	// is whitespace. We keep parsing so the report can still name the cookie.
	c.checkCTL(c.Name + "=" + c.Value)
	switch {
	case c.Name == "" && c.Value == "":
		c.problem(CodeEmptyNameAndValue, "cookie name and value are both empty")
		c.ignore("empty name and value")
	case !hasEq:
		c.problem(CodeNoEquals, "no '=' in the name-value pair: a nameless cookie with value "+quote(c.Value))
	}
	if n := len(c.Name) + len(c.Value); n > maxNameValue {
		c.problem(CodeNameValueTooLarge, fmt.Sprintf("name+value is %d bytes (limit %d)", n, maxNameValue))
		c.ignore("name+value over 4096 bytes")
	}

	var expires, maxAge *Attr // the last of each decides (Chromium keeps one index per attribute)
	if hasAttrs {
		for _, seg := range strings.Split(rest, ";") {
			if trimWSP(seg) == "" {
				continue // stray ';' or trailing "; ": nothing was sent
			}
			an, av, eq := strings.Cut(seg, "=")
			a := Attr{Name: trimWSP(an), Value: trimWSP(av), HasValue: eq}
			c.checkCTL(a.Name + "=" + a.Value)
			c.Attrs = append(c.Attrs, a)
			if len(a.Value) > maxAttrValue {
				c.problem(CodeAttributeTooLong, fmt.Sprintf("%s value is %d bytes (limit %d); attribute ignored", quote(a.Name), len(a.Value), maxAttrValue))
				continue
			}
			switch asciiLower(a.Name) {
			case "expires":
				expires = &a
			case "max-age":
				maxAge = &a
			default:
				c.apply(a)
			}
		}
	}
	if maxAge != nil {
		if n, ok := parseMaxAge(maxAge.Value); ok {
			c.MaxAge = &n
		} else {
			c.problem(CodeMaxAgeUnparseable, "Max-Age="+quote(maxAge.Value)+" is not an integer; ignored")
		}
	}
	if expires != nil && expires.Value != "" {
		if t, ok := parseCookieDate(expires.Value); ok {
			c.Expires = &t
		} else {
			c.problem(CodeExpiresUnparseable, "Expires="+quote(expires.Value)+" is not a cookie-date; ignored")
		}
	}

	c.checkDuplicates()
	c.checkPrefixes()
	if c.Partitioned && !c.Secure {
		c.problem(CodePartitionedInsecure, "Partitioned without Secure")
		c.ignore("Partitioned without Secure")
	}
	if c.SameSite == "None" && !c.Secure {
		c.problem(CodeSameSiteNoneInsecure, "SameSite=None without Secure")
		c.ignore("SameSite=None without Secure")
	}
	return c
}

// checkCTL records the first control character of s (one problem per line).
func (c *Cookie) checkCTL(s string) {
	if c.Has(CodeControlCharacter) {
		return
	}
	if i := ctlIndex(s); i >= 0 {
		c.problem(CodeControlCharacter, fmt.Sprintf("control character 0x%02X", s[i]))
		c.ignore("contains a control character")
	}
}

// ParseAll parses each line.
func ParseAll(lines []string) []Cookie {
	out := make([]Cookie, 0, len(lines))
	for _, l := range lines {
		out = append(out, Parse(l))
	}
	return out
}

// apply folds one attribute other than Expires and Max-Age into the
// effective values: the last occurrence wins, as in Chromium.
func (c *Cookie) apply(a Attr) {
	switch asciiLower(a.Name) {
	case "domain":
		// The last Domain decides; an empty one makes a host-only cookie.
		c.Domain, c.HasDomain = "", false
		if a.Value == "" {
			return
		}
		d := strings.TrimPrefix(a.Value, ".")
		if !isASCII(d) {
			c.problem(CodeDomainNonASCII, "Domain="+quote(a.Value)+" contains non-ASCII bytes")
			c.ignore("non-ASCII Domain")
		}
		c.Domain, c.HasDomain = asciiLower(d), true
	case "path":
		c.HasPath = true
		c.Path = ""
		if strings.HasPrefix(a.Value, "/") {
			c.Path = a.Value
		}
	case "secure":
		c.Secure = true
	case "httponly":
		c.HttpOnly = true
	case "partitioned":
		c.Partitioned = true
	case "samesite":
		c.HasSameSite, c.SameSiteRaw = true, a.Value
		switch asciiLower(a.Value) {
		case "strict":
			c.SameSite = "Strict"
		case "lax":
			c.SameSite = "Lax"
		case "none":
			c.SameSite = "None"
		default:
			// The last SameSite decides, so an invalid one resets to Default.
			c.SameSite = ""
			c.problem(CodeSameSiteInvalid, "SameSite="+quote(a.Value)+" is not Strict, Lax or None")
		}
	}
}

// checkDuplicates reports each attribute name sent more than once (servers
// MUST NOT, §4.1.2), once per name, in order of first appearance.
func (c *Cookie) checkDuplicates() {
	var order []string
	seen := map[string][]Attr{}
	for _, a := range c.Attrs {
		if a.Name == "" {
			continue
		}
		k := asciiLower(a.Name)
		if _, ok := seen[k]; !ok {
			order = append(order, k)
		}
		seen[k] = append(seen[k], a)
	}
	for _, k := range order {
		as := seen[k]
		if len(as) < 2 {
			continue
		}
		vals := make([]string, len(as))
		differ := false
		for i, a := range as {
			vals[i] = quote(a.Value)
			if a.Value != as[0].Value || a.HasValue != as[0].HasValue {
				differ = true
			}
		}
		d := fmt.Sprintf("%s sent %d times", as[0].Name, len(as))
		if differ {
			d += " with different values (" + strings.Join(vals, ", ") + "); the last one wins"
		} else {
			d += ", identical copies"
		}
		c.problem(CodeDuplicateAttribute, d)
	}
}

// checkPrefixes applies the cookie-prefix requirements (§4.1.3, §5.7 steps
// 20-22); browsers reject the cookie when they are broken.
func (c *Cookie) checkPrefixes() {
	switch c.Prefix() {
	case PrefixSecure:
		if !c.Secure {
			c.problem(CodePrefixSecure, "__Secure- cookie without Secure")
			c.ignore("__Secure- prefix without Secure")
		}
	case PrefixHost:
		var why []string
		if !c.Secure {
			why = append(why, "no Secure")
		}
		if c.HasDomain {
			why = append(why, "has Domain="+quote(c.Domain))
		}
		switch {
		case !c.HasPath:
			why = append(why, "no Path")
		case c.Path != "/":
			why = append(why, "Path is not \"/\"")
		}
		if len(why) > 0 {
			c.problem(CodePrefixHost, "__Host- cookie: "+strings.Join(why, ", "))
			c.ignore("__Host- prefix rules broken")
		}
	}
	if hasPrefixFold(c.Name, PrefixHTTP) || hasPrefixFold(c.Name, PrefixHostHTTP) {
		var why []string
		if !c.Secure {
			why = append(why, "no Secure")
		}
		if !c.HttpOnly {
			why = append(why, "no HttpOnly")
		}
		if len(why) > 0 {
			p := PrefixHTTP
			if hasPrefixFold(c.Name, PrefixHostHTTP) {
				p = PrefixHostHTTP
			}
			c.problem(CodePrefixHTTP, p+" cookie: "+strings.Join(why, ", "))
			c.ignore("__Http- prefix rules broken")
		}
	}
	if c.Name == "" && (hasPrefixFold(c.Value, PrefixSecure) || hasPrefixFold(c.Value, PrefixHost)) {
		// Stops a nameless cookie from posing as a prefixed one in the Cookie header.
		c.problem(CodePrefixInValue, "nameless cookie whose value starts with a cookie prefix")
		c.ignore("nameless cookie with a prefix in its value")
	}
}

// Prefix returns the canonical cookie prefix of the name ("__Secure-",
// "__Host-") or "". UAs match prefixes case-insensitively.
func (c Cookie) Prefix() string {
	switch {
	case hasPrefixFold(c.Name, PrefixSecure):
		return PrefixSecure
	case hasPrefixFold(c.Name, PrefixHost):
		return PrefixHost
	}
	return ""
}

// Has reports whether a Problem with that code was seen.
func (c Cookie) Has(code string) bool {
	for _, p := range c.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// Lifetime is the number of seconds the server asked the cookie to live:
// Max-Age when present (it wins, §5.7), else Expires minus date (the
// response's Date, or the scan's clock). nil means a session cookie.
func (c Cookie) Lifetime(date time.Time) *int64 {
	if c.MaxAge != nil {
		n := *c.MaxAge
		return &n
	}
	if c.Expires != nil {
		// Unix seconds, not Sub: Duration overflows beyond ~292 years.
		n := c.Expires.Unix() - date.Unix()
		return &n
	}
	return nil
}

// Deleted reports whether the line deletes the cookie: Max-Age <= 0, or (with
// no Max-Age) Expires at or before date.
func (c Cookie) Deleted(date time.Time) bool {
	if c.MaxAge != nil {
		return *c.MaxAge <= 0
	}
	return c.Expires != nil && !c.Expires.After(date)
}

func (c *Cookie) problem(code, detail string) {
	c.Problems = append(c.Problems, Problem{Code: code, Detail: detail})
}

// ignore records why a UA would drop the line; several reasons are joined.
func (c *Cookie) ignore(why string) {
	if c.Ignored != "" {
		c.Ignored += "; "
	}
	c.Ignored += why
}

// parseMaxAge is base::StringToInt64 as Chromium's ParseExpiration uses it:
// an optional '+' or '-', then digits only. A number too large saturates,
// and Chromium uses the saturated value (its time is then the largest or the
// smallest it can hold), even when junk follows; other junk makes the
// attribute unusable.
func parseMaxAge(v string) (int64, bool) {
	neg := false
	digits := v
	if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") {
		neg, digits = v[0] == '-', v[1:]
	}
	if digits == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		b := digits[i]
		if b < '0' || b > '9' {
			return 0, false
		}
		d := int64(b - '0')
		if neg {
			if n < (math.MinInt64+d)/10 {
				return math.MinInt64, true
			}
			n = n*10 - d
		} else {
			if n > (math.MaxInt64-d)/10 {
				return math.MaxInt64, true
			}
			n = n*10 + d
		}
	}
	return n, true
}

// ctlIndex returns the index of the first CTL (HTAB included), or -1.
func ctlIndex(s string) int {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7F {
			return i
		}
	}
	return -1
}

// trimWSP trims SP and HTAB only, as the RFC says (not Unicode space).
func trimWSP(s string) string { return strings.Trim(s, " \t") }

// asciiLower lower-cases A-Z only: strings.ToLower/EqualFold would fold
// Unicode look-alikes (e.g. U+017F "ſ" to "s"), which browsers do not.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b >= 'A' && b <= 'Z' {
			bs := []byte(s)
			for j := i; j < len(bs); j++ {
				if bs[j] >= 'A' && bs[j] <= 'Z' {
					bs[j] += 'a' - 'A'
				}
			}
			return string(bs)
		}
	}
	return s
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiLower(s[:len(prefix)]) == asciiLower(prefix)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// quote renders a site-supplied value for a Detail message, shortened so one
// hostile attribute cannot bloat every report.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q…(%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}
