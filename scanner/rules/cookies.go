package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// CookieContext is where a Set-Cookie line was seen.
type CookieContext struct {
	URL    *url.URL  // the response that set it
	Status int       // its status (0 when unknown, e.g. set by script)
	Date   time.Time // the response's Date, for Expires arithmetic
	// HSTSCovers is true when a valid HSTS header with includeSubDomains protects the
	// host: a missing Secure then matters less (the Observatory's logic).
	HSTSCovers bool
	// SetAtLogin is the behaviour signal under its old name: when true and
	// Behaviour is empty, BehaviourSignal. Being set at login is not a
	// session signal by itself.
	SetAtLogin bool
	// Script: the line is a string a page's script wrote to document.cookie.
	Script bool
	// BrowserSaw: Chromium received this line; BrowserReasons are the
	// reasons it gave for refusing it (none: it did not refuse it).
	BrowserSaw     bool
	BrowserReasons []string
	// Behaviour is how the browser saw the cookie behave as a session
	// (SessionSignals), "" for not at all.
	Behaviour string
	// RememberMe: the cookie is a "remember me" one although its name does
	// not say so (set persistent at login because the flow asked for it).
	RememberMe bool
}

// Verdict is what Chromium does with the line in this context: the model's
// verdict (setcookie.Judge), overruled by what Chromium reported when it
// saw the line itself. Reasons that only the visit's context explains (a
// cross-site request's SameSite, third-party policy) are not the line's.
func (cc CookieContext) Verdict(c sc.Cookie) sc.Verdict {
	src := sc.FromHeader
	if cc.Script {
		src = sc.FromScript
	}
	v := sc.Judge(c, cc.URL, cc.Date, src)
	if !cc.BrowserSaw {
		return v
	}
	var own []string
	for _, r := range cc.BrowserReasons {
		if !browserPolicy[r] && !strings.HasPrefix(r, "SameSite") && !strings.HasPrefix(r, "SchemefulSameSite") || r == sc.ReasonSameSiteNoneInsecure {
			own = append(own, r)
		}
	}
	switch {
	case len(own) > 0:
		if !slices.Equal(own, v.Reasons) {
			v.Note = "Chromium refused it (" + strings.Join(own, ", ") + ")"
		}
		v.Stored, v.Deletion, v.Reasons = false, false, own
	case len(v.Reasons) > 0 && len(cc.BrowserReasons) == 0:
		// The model expected a refusal Chromium did not make: Chromium
		// is the truth.
		v.Deletion = c.Deleted(cc.Date)
		v.Stored, v.Reasons = !v.Deletion, []string{}
		v.Note = ""
	}
	return v
}

func cookieEvidence(c sc.Cookie, cc CookieContext) string {
	where := "on " + cc.URL.String()
	if cc.Status != 0 {
		where = fmt.Sprintf("on GET %s → %d", cc.URL, cc.Status)
	}
	return "Set-Cookie: " + c.Redacted() + "\n(" + where + ")"
}

// CookieFindings judges one Set-Cookie line.
func CookieFindings(c sc.Cookie, cc CookieContext) []result.Finding {
	var fs []result.Finding
	behaviour := cc.Behaviour
	if behaviour == "" && cc.SetAtLogin {
		behaviour = BehaviourSignal
	}
	sessionLike, signal := sessionLike(c.Name, c.Value, behaviour)
	csrf := IsCSRF(c.Name)
	class := Class(c.Name, c.Value, behaviour != "")
	remember := cc.RememberMe || IsRememberMe(c.Name)
	domain, path := c.Domain, c.Path
	if domain == "" {
		domain = strings.ToLower(cc.URL.Hostname())
	}
	if path == "" {
		path = "/"
	}
	add := func(id string, sev result.Severity, detail string) {
		f := newFinding(id, sev, cc.URL.String(), detail, cookieEvidence(c, cc))
		f.Cookie, f.CookieClass, f.CookieDomain, f.CookiePath = c.Name, class, domain, path
		fs = append(fs, f)
	}
	kind := "cookie"
	if sessionLike {
		kind = "session-like cookie (" + signal + ")"
	} else if csrf {
		kind = "anti-CSRF cookie"
	}
	name := fmt.Sprintf("%q", c.Name)

	// Lines Chromium refuses: say why (its reasons, or ours when it drops
	// the line silently), whatever else is wrong.
	v := cc.Verdict(c)
	if v.Refused() {
		why := v.Note
		if len(v.Reasons) > 0 {
			why = strings.Join(v.Reasons, ", ") + ": " + v.Note
		}
		has := func(r string) bool { return slices.Contains(v.Reasons, r) }
		switch {
		case has(sc.ReasonInvalidPrefix):
			add("cookie-prefix-violation", medium, "Chromium refuses "+name+" ("+why+").")
		case has(sc.ReasonNameValuePairExceedsMaxSize):
			add("cookie-too-large", low, "Chromium refuses "+name+" ("+why+").")
		case has(sc.ReasonSameSiteNoneInsecure):
			add("cookie-samesite-none-insecure", medium, "Chromium refuses "+name+": SameSite=None requires Secure.")
		case c.Has(sc.CodePartitionedInsecure):
			add("cookie-partitioned-insecure", low, "Chromium drops "+name+" without saying why: Partitioned requires Secure.")
		case has(sc.ReasonInvalidDomain) && len(v.Reasons) == 1:
			add("cookie-domain-invalid", low, fmt.Sprintf("Domain=%s does not fit the host %s; Chromium refuses %s (InvalidDomain).", c.Domain, strings.ToLower(cc.URL.Hostname()), name))
		default:
			add("cookie-rejected-by-browser", low, "Chromium refuses "+name+" ("+why+").")
		}
		return fs
	}
	if v.Deletion {
		// Nothing is stored, so attribute rules would only add noise.
		return fs
	}
	if cc.URL.Scheme == "http" {
		sev := low
		if sessionLike {
			sev = medium
		}
		add("cookie-set-over-http", sev, fmt.Sprintf("The %s %s is set by a plain-HTTP response: anyone on the network can read or replace it.", kind, name))
		return fs
	}

	if !c.Secure {
		sev, why := low, ""
		if sessionLike {
			sev = high
			if cc.HSTSCovers {
				sev, why = medium, " HSTS with includeSubDomains lowers the risk for browsers that have seen it."
			}
		}
		add("cookie-missing-secure", sev, fmt.Sprintf("The %s %s has no Secure attribute, so the browser also sends it over plain HTTP.%s", kind, name, why))
	}
	if !c.HttpOnly {
		sev, why := info, ""
		switch {
		case sessionLike:
			sev = medium
		case csrf:
			why = " Anti-CSRF cookies are read by script by design; HttpOnly would add nothing."
		}
		add("cookie-missing-httponly", sev, fmt.Sprintf("The %s %s has no HttpOnly attribute, so scripts on the page can read it.%s", kind, name, why))
	}
	switch {
	case !c.HasSameSite:
		sev := info
		if sessionLike || csrf {
			sev = low
		}
		add("cookie-missing-samesite", sev, fmt.Sprintf("The %s %s has no SameSite attribute. Chromium treats it as Lax; Firefox and Safari send it on cross-site requests.", kind, name))
	case c.SameSite == "" && c.Has(sc.CodeSameSiteInvalid):
		add("cookie-samesite-invalid", low, problemDetail(c, sc.CodeSameSiteInvalid)+"; browsers ignore it and apply their default (Lax in Chromium, none elsewhere).")
	case c.SameSite == "None" && c.Secure:
		add("cookie-samesite-none", info, fmt.Sprintf("%s is sent on every cross-site request (SameSite=None). Legitimate for SSO and embeds; otherwise use Lax.", name))
	}
	host := strings.ToLower(cc.URL.Hostname())
	switch sc.DomainCheck(c, host) {
	case "parent":
		sev := info
		if sessionLike {
			sev = low
		}
		add("cookie-domain-broad", sev, fmt.Sprintf("Domain=%s sends %s to every subdomain of %s; any of them can read or overwrite it.", c.Domain, name, c.Domain))
	}
	if life := v.MaxAge; life != nil && *life > 0 {
		// Compare seconds, not time.Duration: "forever" dates overflow a Duration.
		const day = 86400
		if sessionLike {
			sev := info
			switch {
			case remember:
			case *life > 7*day:
				sev = medium
			case *life > day:
				sev = low
			}
			detail := fmt.Sprintf("The %s %s is stored on disk for %s instead of ending with the browser session.", kind, name, humanSeconds(uint64(*life)))
			if remember {
				detail += " A \"remember me\" cookie is long-lived by design; keep it separate from the session and revocable."
				if !IsRememberMe(c.Name) {
					detail += " (Judged as remember-me: the login set it persistent when the login flow asked to be remembered.)"
				}
			}
			add("session-cookie-persistent", sev, detail)
		}
		if *life > 400*day {
			add("cookie-lifetime-over-400d", info, fmt.Sprintf("%s asks to live %s; browsers cap cookie lifetimes at 400 days.", name, humanSeconds(uint64(*life))))
		}
	}
	if c.Has(sc.CodeExpiresUnparseable) || c.Has(sc.CodeMaxAgeUnparseable) {
		add("cookie-expiry-unparseable", info, problemDetail(c, sc.CodeExpiresUnparseable, sc.CodeMaxAgeUnparseable)+"; the browser treats "+name+" as a session cookie.")
	}
	if c.Has(sc.CodeDuplicateAttribute) {
		add("cookie-duplicate-attribute", info, problemDetail(c, sc.CodeDuplicateAttribute)+"; browsers keep only the last.")
	}
	if c.Has(sc.CodeAttributeTooLong) {
		add("cookie-too-large", low, problemDetail(c, sc.CodeAttributeTooLong)+".")
	}
	if sessionLike {
		if c.Prefix() != sc.PrefixHost {
			add("session-cookie-no-host-prefix", info, fmt.Sprintf("%s is not named __Host-…; a subdomain or a man-in-the-middle on HTTP could plant a cookie of the same name.", name))
		}
		if fw, ok := FrameworkDefault(c.Name); ok {
			add("framework-default-session-name", info, fmt.Sprintf("%s is the default session cookie name of %s, which tells attackers the stack.", name, fw))
		}
	}
	return fs
}

func problemDetail(c sc.Cookie, codes ...string) string {
	var out []string
	for _, p := range c.Problems {
		for _, code := range codes {
			if p.Code == code {
				out = append(out, p.Detail)
			}
		}
	}
	return strings.Join(out, "; ")
}

// hopCookieFindings judges every Set-Cookie line on the probe's hops.
func hopCookieFindings(o Observation) []result.Finding {
	var fs []result.Finding
	covers := false
	if f, ok := PageHSTS(o); ok {
		h := f.First()
		covers = h.Valid && h.IncludeSubDomains && h.MaxAge != nil && *h.MaxAge > 0
	}
	for _, ch := range []probe.Chain{o.HTTP, o.HTTPS} {
		for _, h := range ch.Hops {
			for _, line := range h.SetCookies {
				fs = append(fs, CookieFindings(sc.Parse(line), CookieContext{
					URL: h.URL, Status: h.Status, Date: h.Date, HSTSCovers: covers,
				})...)
			}
		}
	}
	return fs
}
