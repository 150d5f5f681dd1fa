package setcookie

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Source is how a line reached the browser.
type Source int

const (
	// FromHeader: a Set-Cookie line of an HTTP response (a page, a
	// redirect hop, a fetch, whether the browser or only the probe saw it).
	FromHeader Source = iota
	// FromScript: a string a page's script assigned to document.cookie.
	FromScript
)

// Chromium's names for a refused line (CDP Network.SetCookieBlockedReason).
// Only these go into Verdict.Reasons; our own words go into Verdict.Note.
const (
	ReasonSecureOnly                  = "SecureOnly"
	ReasonSameSiteNoneInsecure        = "SameSiteNoneInsecure"
	ReasonInvalidDomain               = "InvalidDomain"
	ReasonInvalidPrefix               = "InvalidPrefix"
	ReasonDisallowedCharacter         = "DisallowedCharacter"
	ReasonNameValuePairExceedsMaxSize = "NameValuePairExceedsMaxSize"
	ReasonNoCookieContent             = "NoCookieContent"
)

// MaxLifetime is the longest Chromium keeps a cookie: 400 days.
const MaxLifetime = 400 * 24 * 60 * 60

// Verdict is what Chromium does with one line received from one URL.
//
// Exactly one holds: Stored (the cookie is in the store), Deletion (a line
// Chromium accepts whose expiry has passed: it stores nothing and removes a
// stored cookie of the same name, domain and path), or refused — with
// Chromium's reasons, or with none when Chromium drops the line silently
// (Partitioned without Secure, HttpOnly from script, an empty line), which
// Note then explains.
type Verdict struct {
	Cookie
	Source   Source
	Stored   bool
	Deletion bool
	Reasons  []string // Chromium's names (Reason*), in Chromium's order; empty otherwise
	Note     string   // our own explanation, "" when there is nothing to add

	// Where the store keeps it: Domain without a leading dot, HostOnly
	// when Chromium keys it to the exact host.
	Domain   string
	HostOnly bool
	Path     string
	// MaxAge is the lifetime the line asked for, in seconds (Max-Age, or
	// Expires minus the response's Date), before Chromium's 400-day cap;
	// nil for a session cookie.
	MaxAge *int64
}

// Refused reports whether Chromium refused the line (with or without a reason).
func (v Verdict) Refused() bool { return !v.Stored && !v.Deletion }

// JudgeLine parses line and judges it: see Judge.
func JudgeLine(line string, u *url.URL, date time.Time, src Source) Verdict {
	return Judge(Parse(line), u, date, src)
}

// Judge decides what Chromium does with the parsed line c received from u
// (the response's URL, or the document's for a script write) in a
// first-party context. date is the response's Date (Chromium measures
// Expires from the server's clock), or the time of the write.
//
// Order and names follow Chromium's CanonicalCookie::Create and
// IsSetPermittedInContext: a line that does not parse is refused for that
// alone; then Domain and prefix (both may be given); then Partitioned; then
// Secure from an insecure origin, HttpOnly from script and SameSite=None
// without Secure; an accepted line whose expiry has passed is a deletion.
// What depends on the store (overwriting a Secure or HttpOnly cookie) is
// not judged here: the browser reports it when it saw the line.
func Judge(c Cookie, u *url.URL, date time.Time, src Source) Verdict {
	v := Verdict{Cookie: c, Source: src, Reasons: []string{}}
	host := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(u.Hostname(), "["), "]"))
	v.Domain, v.HostOnly, v.Path = host, true, c.Path
	if v.Path == "" {
		v.Path = DefaultPath(u.Path)
	}
	v.MaxAge = c.Lifetime(date)
	refuse := func(note string, reasons ...string) Verdict {
		v.Stored, v.Deletion = false, false
		v.Reasons = append(v.Reasons, reasons...)
		v.Note = note
		return v
	}

	// ParsedCookie: the line itself.
	switch {
	case trimWSP(c.Raw) == "":
		return refuse("an empty Set-Cookie line: Chromium ignores it")
	case c.Has(CodeControlCharacter):
		return refuse(problemText(c, CodeControlCharacter), ReasonDisallowedCharacter)
	case c.Has(CodeNameValueTooLarge):
		return refuse(problemText(c, CodeNameValueTooLarge), ReasonNameValuePairExceedsMaxSize)
	case c.Name == "" && c.Value == "":
		return refuse("no name and no value", ReasonNoCookieContent)
	}

	// CanonicalCookie::Create: Domain, then the prefixes.
	secureOrigin := SecureOrigin(u)
	var reasons, notes []string
	if c.HasDomain {
		if d, hostOnly, ok := cookieDomain(c, host); ok {
			v.Domain, v.HostOnly = d, hostOnly
		} else {
			reasons = append(reasons, ReasonInvalidDomain)
			notes = append(notes, "Domain="+c.Domain+" does not fit the host "+host)
		}
	}
	if why := prefixBroken(c, host, secureOrigin); why != "" {
		reasons = append(reasons, ReasonInvalidPrefix)
		notes = append(notes, why)
	}
	if len(reasons) > 0 {
		return refuse(strings.Join(notes, "; "), reasons...)
	}
	if c.Partitioned && (!c.Secure || !secureOrigin) {
		return refuse("Partitioned requires Secure and a secure origin: Chromium drops the line without a reason")
	}

	// IsSetPermittedInContext.
	switch {
	case c.Secure && !secureOrigin:
		return refuse("Secure cookie set from the insecure origin "+u.Scheme+"://"+u.Host, ReasonSecureOnly)
	case src == FromScript && c.HttpOnly:
		return refuse("a script cannot set an HttpOnly cookie: Chromium ignores the write (no reason is reported for a script)")
	case c.SameSite == "None" && !c.Secure:
		return refuse("SameSite=None requires Secure", ReasonSameSiteNoneInsecure)
	}

	if c.Deleted(date) {
		v.Deletion = true
		v.Note = "deletes the cookie (" + expiryText(c) + "): Chromium stores nothing and removes a stored cookie of this name, domain and path"
		return v
	}
	v.Stored = true
	if v.MaxAge != nil && *v.MaxAge > MaxLifetime {
		v.Note = fmt.Sprintf("asks for %s; Chromium keeps it 400 days at most", lifetimeText(*v.MaxAge))
	}
	return v
}

// SecureOrigin reports whether Chromium lets u set Secure and prefixed
// cookies: an https or wss URL, or a potentially trustworthy host
// (localhost, *.localhost, 127.0.0.0/8, ::1) over any scheme.
func SecureOrigin(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https", "wss":
		return true
	}
	h := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// cookieDomain is Chromium's GetCookieDomainWithString for a non-empty
// Domain: the domain the cookie is stored under and whether it is
// host-only, or ok false (InvalidDomain).
func cookieDomain(c Cookie, host string) (domain string, hostOnly, ok bool) {
	raw := c.Domain // lower-cased, one leading '.' removed
	if !isASCII(raw) || strings.Contains(raw, "%") {
		return "", false, false
	}
	if net.ParseIP(host) != nil {
		// An IP address takes a Domain equal to itself, as a host cookie.
		return host, true, raw == host
	}
	for _, label := range strings.Split(raw, ".") {
		if label == "" || strings.ContainsFunc(label, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) {
			return "", false, false // not a host name Chromium canonicalises (port, empty label, space...)
		}
	}
	hostSite, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		// The host is a public suffix itself: only Domain=host, and
		// then the cookie is host-only.
		return host, true, raw == host
	}
	if site, err := publicsuffix.EffectiveTLDPlusOne(raw); err != nil || site != hostSite {
		return "", false, false
	}
	if host != raw && !strings.HasSuffix(host, "."+raw) {
		return "", false, false
	}
	return raw, false, true
}

// prefixBroken says why the name's prefix forbids the line, or "".
func prefixBroken(c Cookie, host string, secureOrigin bool) string {
	var why []string
	need := func(ok bool, what string) {
		if !ok {
			why = append(why, what)
		}
	}
	name := c.Name
	if name == "" {
		if hasPrefixFold(c.Value, PrefixSecure) || hasPrefixFold(c.Value, PrefixHost) {
			return "a nameless cookie whose value starts with a cookie prefix"
		}
		return ""
	}
	switch {
	case hasPrefixFold(name, PrefixSecure), hasPrefixFold(name, PrefixHTTP):
		need(c.Secure, "no Secure")
		need(secureOrigin, "set from an insecure origin")
	case hasPrefixFold(name, PrefixHost):
		need(c.Secure, "no Secure")
		need(secureOrigin, "set from an insecure origin")
		need(!c.HasDomain || (net.ParseIP(host) != nil && c.Domain == host), "has Domain="+c.Domain)
		need(c.HasPath && c.Path == "/", "Path is not \"/\"")
	default:
		return ""
	}
	if hasPrefixFold(name, PrefixHTTP) || hasPrefixFold(name, PrefixHostHTTP) {
		need(c.HttpOnly, "no HttpOnly")
	}
	if len(why) == 0 {
		return ""
	}
	p := name[:strings.IndexByte(name[2:], '-')+3]
	if hasPrefixFold(name, PrefixHostHTTP) {
		p = name[:len(PrefixHostHTTP)]
	}
	return p + " cookie: " + strings.Join(why, ", ")
}

// DefaultPath is the default-path of a request path (RFC 6265bis §5.1.4):
// the directory of the path, "/" at most.
func DefaultPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return "/"
	}
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

func problemText(c Cookie, code string) string {
	for _, p := range c.Problems {
		if p.Code == code {
			return p.Detail
		}
	}
	return code
}

func expiryText(c Cookie) string {
	if c.MaxAge != nil {
		if *c.MaxAge == math.MinInt64 {
			return "Max-Age below the smallest number"
		}
		return fmt.Sprintf("Max-Age=%d", *c.MaxAge)
	}
	if c.Expires != nil {
		return "Expires " + c.Expires.Format("2006-01-02 15:04:05") + " UTC, in the past"
	}
	return "expired"
}

func lifetimeText(s int64) string {
	const day = 86400
	if s >= 2*365*day {
		return fmt.Sprintf("%d years", s/(365*day))
	}
	return fmt.Sprintf("%d days", s/day)
}
