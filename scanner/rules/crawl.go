package rules

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// browserPolicy are Chromium's own third-party cookie policies: not site defects.
var browserPolicy = map[string]bool{"UserPreferences": true, "ThirdPartyPhaseout": true, "ThirdPartyBlockedInFirstPartySet": true}

// CrawlFindings judges what the browser saw: every Set-Cookie line of every
// response, cookies written by script, the proof over plain HTTP, the session
// across login and logout, HSTS across pages, and the redirects of navigations.
func CrawlFindings(c observe.Crawl, target *url.URL, hstsCovers bool, now time.Time) []result.Finding {
	var fs []result.Finding
	signals := SessionSignals(c)
	loginSet := LoginCookies(c)
	for _, r := range c.Responses {
		u, err := url.Parse(r.URL)
		if err != nil {
			continue
		}
		for _, line := range r.SetCookies {
			ck := sc.Parse(line)
			reasons := r.BlockedReasons(line)
			if onlyPolicy(reasons) {
				continue // third-party cookie blocked by Chromium's policy
			}
			fs = append(fs, CookieFindings(ck, CookieContext{URL: u, Status: r.Status, Date: r.Date,
				HSTSCovers: hstsCovers, Behaviour: signals[ck.Name], RememberMe: rememberMe(c, r, ck), BrowserSaw: true, BrowserReasons: reasons})...)
		}
	}
	// Script writes, judged from the string the script wrote: a write
	// Chromium refuses (HttpOnly, SameSite=None without Secure) is judged
	// too, and a lifetime is what the script asked for.
	written := map[string]bool{}
	for _, w := range c.ScriptWrites {
		if w.API != "document.cookie" {
			continue
		}
		u, ok := w.Base()
		if !ok {
			continue
		}
		ck := sc.Parse(w.Value)
		written[ck.Name] = true
		for _, f := range CookieFindings(ck, CookieContext{URL: u, Date: w.At, HSTSCovers: hstsCovers, Behaviour: signals[ck.Name], Script: true}) {
			f.Detail += " (Written by script on " + w.PageURL + ".)"
			f.Evidence = "document.cookie = " + quoteScript(ck.Redacted()) + "\n(on " + w.PageURL + ")"
			if fix := ScriptFix(f.Rule, ck.Name); fix != "" {
				f.Remediation.Framework, f.Remediation.Fix = ScriptFramework, fix
			}
			fs = append(fs, f)
		}
	}
	for _, s := range c.ScriptCookies {
		u, err := url.Parse(s.PageURL)
		if err != nil || written[s.Cookie.Name] {
			continue
		}
		ck := sc.Parse(SyntheticLine(s.Cookie))
		for _, f := range CookieFindings(ck, CookieContext{URL: u, Date: now, HSTSCovers: hstsCovers, Behaviour: signals[ck.Name], Script: true}) {
			f.Detail += " (Written by script on " + s.PageURL + ".)"
			f.Evidence = "document.cookie wrote " + ck.Name + " (seen in the cookie store after loading " + s.PageURL + ")"
			if fix := ScriptFix(f.Rule, ck.Name); fix != "" {
				f.Remediation.Framework, f.Remediation.Fix = ScriptFramework, fix
			}
			fs = append(fs, f)
		}
	}
	fs = append(fs, exposureFindings(c, loginSet)...)
	fs = append(fs, rotationFindings(c)...)
	fs = append(fs, logoutFindings(c, loginSet)...)
	fs = append(fs, urlSessionFindings(c)...)
	fs = append(fs, hstsConsistency(c, target)...)
	fs = append(fs, crawledHostsHSTS(c, target)...)
	fs = append(fs, navigationFindings(c)...)
	return Dedupe(fs)
}

func onlyPolicy(reasons []string) bool {
	if len(reasons) == 0 {
		return false
	}
	for _, r := range reasons {
		if !browserPolicy[r] {
			return false
		}
	}
	return true
}

// quoteScript renders what a script wrote for evidence: Go-quoted, so a
// control character shows as an escape.
func quoteScript(s string) string { return fmt.Sprintf("%q", s) }

// LoginCookies are the names the browser saw behave as a session (see
// SessionSignals): the behaviour signal of SessionLike. A cookie the login
// merely set (a user name, a user id, a preference) is not among them.
func LoginCookies(c observe.Crawl) map[string]bool {
	m := map[string]bool{}
	for name := range SessionSignals(c) {
		m[name] = true
	}
	return m
}

// SessionSignals maps each cookie the browser saw behave as a session to how:
// held before login and given a new value by it (rotated at login; not a
// cookie whose value changed between responses before login already), or
// held after login and gone, deleted or replaced after the logout (removed
// at logout).
func SessionSignals(c observe.Crawl) map[string]string {
	m := map[string]string{}
	before := map[string][]string{}
	for _, b := range c.Stored[observe.PreLogin] {
		before[b.Name] = append(before[b.Name], b.Value)
	}
	// A cookie whose value already changed between responses before login
	// (a last-visit time, a counter) changes on every response, not at login.
	churn := map[string]bool{}
	firstSeen := map[string]string{}
	for _, r := range c.Responses {
		if r.Phase != observe.PreLogin {
			continue
		}
		for _, line := range r.SetCookies {
			ck := sc.Parse(line)
			if v, ok := firstSeen[ck.Name]; ok && v != ck.Value {
				churn[ck.Name] = true
			} else if !ok {
				firstSeen[ck.Name] = ck.Value
			}
		}
	}
	if c.Login != nil && c.Login.OK {
		rotated := func(name, value string) {
			if vals, ok := before[name]; ok && !churn[name] && !slices.Contains(vals, value) && CanCarryCredential(value) {
				m[name] = "rotated at login: the login gave it a new value"
			}
		}
		for _, r := range c.Responses {
			if r.Phase != observe.Login {
				continue
			}
			for _, line := range r.SetCookies {
				if ck := sc.Parse(line); ck.Ignored == "" && !ck.Deleted(r.Date) {
					rotated(ck.Name, ck.Value)
				}
			}
		}
		for _, a := range afterLogin(c) {
			rotated(a.Name, a.Value)
		}
	}
	if c.Logout != nil && c.Logout.OK {
		for _, b := range c.Stored[observe.PostLogin] {
			if _, ok := m[b.Name]; ok || c.IsSupplied(b) || !CanCarryCredential(b.Value) {
				continue
			}
			kept := false
			for _, a := range c.Stored["logout"] {
				kept = kept || (a.Name == b.Name && a.Domain == b.Domain && a.Path == b.Path && a.Value == b.Value)
			}
			if !kept {
				m[b.Name] = "removed at logout: the logout deleted or replaced it"
			}
		}
	}
	return m
}

// afterLogin is the cookie store once the login ended.
func afterLogin(c observe.Crawl) []observe.StoredCookie {
	if after := c.Stored[observe.PostLogin]; after != nil {
		return after
	}
	return c.Stored[observe.Login]
}

// SyntheticLine renders a stored cookie as the Set-Cookie line that would create it,
// so script cookies go through the same rules as header cookies.
func SyntheticLine(s observe.StoredCookie) string {
	var b strings.Builder
	b.WriteString(s.Name + "=" + s.Value)
	if s.Path != "" {
		b.WriteString("; Path=" + s.Path)
	}
	if strings.HasPrefix(s.Domain, ".") {
		b.WriteString("; Domain=" + s.Domain[1:])
	}
	if !s.Session && !s.Expires.IsZero() {
		b.WriteString("; Expires=" + s.Expires.UTC().Format(time.RFC1123))
	}
	if s.Secure {
		b.WriteString("; Secure")
	}
	if s.HTTPOnly {
		b.WriteString("; HttpOnly")
	}
	if s.SameSite != "" {
		b.WriteString("; SameSite=" + s.SameSite)
	}
	return b.String()
}

func exposureFindings(c observe.Crawl, loginSet map[string]bool) []result.Finding {
	p := c.HTTPProof
	if p == nil || p.Error != "" {
		return nil
	}
	var fs []result.Finding
	for _, name := range p.Attached {
		value := storedValue(c, name)
		if c.IsSupplied(observe.StoredCookie{Name: name, Value: value}) {
			continue // the operator's own cookie (the browser keeps it off plain HTTP anyway)
		}
		sess, signal := SessionLike(name, value, loginSet[name])
		sev, kind := low, "cookie"
		if sess {
			sev, kind = high, "session-like cookie ("+signal+")"
		}
		f := newFinding("cookie-sent-over-http", sev, p.URL,
			fmt.Sprintf("Chromium attached the %s %q to a plain-HTTP request to %s: anyone on the network path can read it.", kind, name, p.URL),
			"GET "+p.URL+"\nCookie sent by the browser: "+name+"=…")
		f.Cookie, f.CookieClass = name, Class(name, value, loginSet[name])
		for _, w := range c.ScriptCookies {
			if w.Cookie.Name == name {
				f.Remediation.Framework, f.Remediation.Fix = ScriptFramework, ScriptFix(f.Rule, name)
			}
		}
		fs = append(fs, f)
	}
	return fs
}

func storedValue(c observe.Crawl, name string) string {
	for _, phase := range []string{observe.PostLogin, observe.Login, observe.PreLogin} {
		for _, s := range c.Stored[phase] {
			if s.Name == name {
				return s.Value
			}
		}
	}
	return ""
}

func hash(v string) [32]byte { return sha256.Sum256([]byte(v)) }

// rememberMe reports a cookie judged as "remember me" although its name
// does not say so: the login flow ticked a remember-me box, and a login
// response set it persistent without the visitor holding it before.
func rememberMe(c observe.Crawl, r observe.Response, ck sc.Cookie) bool {
	if !c.RememberMe || r.Phase != observe.Login || ck.Lifetime(r.Date) == nil {
		return false
	}
	for _, b := range c.Stored[observe.PreLogin] {
		if b.Name == ck.Name {
			return false
		}
	}
	return true
}

// issuedSessions are the session-like cookies (not remember-me ones) a login
// response set to a value the visitor did not hold before. A framework that
// re-sends the same id at login (express-session with maxAge or rolling
// does) has not rotated anything.
func issuedSessions(c observe.Crawl) []string {
	before := map[string][]string{}
	for _, b := range c.Stored[observe.PreLogin] {
		before[b.Name] = append(before[b.Name], b.Value)
	}
	var out []string
	for _, r := range c.Responses {
		if r.Phase != observe.Login {
			continue
		}
		for _, line := range r.SetCookies {
			ck := sc.Parse(line)
			if ck.Ignored != "" || ck.Deleted(r.Date) || IsRememberMe(ck.Name) || slices.Contains(out, ck.Name) {
				continue
			}
			if sess, _ := SessionLike(ck.Name, ck.Value, false); !sess {
				continue
			}
			if !slices.Contains(before[ck.Name], ck.Value) {
				out = append(out, ck.Name)
			}
		}
	}
	return out
}

// rotationFindings: each session-like cookie held before login that keeps
// its value after login. When the login issued no session cookie at all,
// nothing was rotated: session fixation (high). When it issued another one,
// the cookie left behind is fixable only if the site still trusts it, which
// cannot be told from outside (medium); the detail names both.
func rotationFindings(c observe.Crawl) []result.Finding {
	if c.Login == nil || !c.Login.OK {
		return nil
	}
	after := afterLogin(c)
	issued := issuedSessions(c)
	var fs []result.Finding
	for _, b := range c.Stored[observe.PreLogin] {
		sess, signal := SessionLike(b.Name, b.Value, false)
		if !sess || b.Value == "" || IsRememberMe(b.Name) || c.IsSupplied(b) {
			continue
		}
		for _, a := range after {
			if a.Name != b.Name || a.Domain != b.Domain || a.Path != b.Path || hash(a.Value) != hash(b.Value) {
				continue
			}
			others := slices.DeleteFunc(slices.Clone(issued), func(n string) bool { return n == b.Name })
			sev := high
			detail := fmt.Sprintf("The session-like cookie %q (%s) has the same value before and after login, and the login issued no new session cookie: an attacker who plants a session id before login owns the session after it (session fixation).", b.Name, signal)
			if len(others) > 0 {
				sev = medium
				detail = fmt.Sprintf("The login issued a new session cookie (%s rotated) but left the session-like cookie %q (%s) unchanged: it has the same value before and after login. If the site still trusts %q for the logged-in user, an attacker who planted it before login owns the session (session fixation); rotate or delete it at login.",
					quoteAll(others), b.Name, signal, b.Name)
			}
			f := newFinding("session-not-rotated-on-login", sev, c.Login.FinalURL, detail,
				fmt.Sprintf("%s before login: %s; after login: %s (values compared by SHA-256)", b.Name, sc.RedactValue(b.Value), sc.RedactValue(a.Value)))
			f.Cookie, f.CookieClass, f.CookieDomain, f.CookiePath = b.Name, "session", strings.TrimPrefix(b.Domain, "."), b.Path
			fs = append(fs, f)
		}
	}
	return fs
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func logoutFindings(c observe.Crawl, loginSet map[string]bool) []result.Finding {
	if c.Logout == nil || !c.Logout.OK {
		return nil
	}
	var fs []result.Finding
	for _, b := range c.Stored[observe.PostLogin] {
		sess, _ := SessionLike(b.Name, b.Value, loginSet[b.Name])
		if !sess || IsRememberMe(b.Name) || c.IsSupplied(b) {
			continue
		}
		for _, a := range c.Stored["logout"] {
			if a.Name == b.Name && a.Domain == b.Domain && a.Path == b.Path && hash(a.Value) == hash(b.Value) {
				f := newFinding("session-cookie-not-cleared-on-logout", low, "",
					fmt.Sprintf("After logging out, the session cookie %q is still in the browser with the same value. The server may have invalidated it, but the cookie should be expired too.", b.Name),
					b.Name+"="+sc.RedactValue(b.Value)+" kept after logout")
				f.Cookie, f.CookieClass = b.Name, "session"
				fs = append(fs, f)
			}
		}
	}
	return fs
}

var sessionInURL = regexp.MustCompile(`(?i)(;jsessionid=|[?&;](phpsessid|jsessionid|sid|sessionid|session_id)=)([^&#;/?]+)`)

func urlSessionFindings(c observe.Crawl) []result.Finding {
	var fs []result.Finding
	for _, p := range c.Pages {
		for _, u := range []string{p.URL, p.FinalURL} {
			if m := sessionInURL.FindStringSubmatch(u); m != nil && len(m[3]) > 8 {
				fs = append(fs, newFinding("session-id-in-url", medium, u,
					"A session identifier travels in the URL, where it leaks through logs, history and Referer headers.",
					strings.Replace(u, m[3], sc.RedactValue(m[3]), 1)))
			}
		}
	}
	return fs
}

// hstsConsistency compares the HSTS header of every HTTPS document on the host.
func hstsConsistency(c observe.Crawl, target *url.URL) []result.Finding {
	byValue := map[string][]string{}
	for _, r := range c.Responses {
		u, err := url.Parse(r.URL)
		if err != nil || r.Type != "Document" || r.Redirect || u.Scheme != "https" || !sameHost(u, target) || r.Status < 200 || r.Status > 299 {
			continue
		}
		v := "(none)"
		if len(r.HSTS) > 0 {
			v = r.HSTS[0]
		}
		byValue[v] = append(byValue[v], r.URL)
	}
	if len(byValue) < 2 {
		return nil
	}
	keys := make([]string, 0, len(byValue))
	for k := range byValue {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%s on %d page(s), e.g. %s", k, len(byValue[k]), byValue[k][0]))
	}
	return []result.Finding{newFinding("hsts-inconsistent", low, target.String(),
		fmt.Sprintf("HTTPS pages of %s send %d different HSTS headers; which protection a visitor gets depends on the page they land on.", target.Hostname(), len(keys)),
		strings.Join(lines, "\n"))}
}

// crawledHostsHSTS judges the HSTS of every other host the crawl landed on
// (www, a login host of the same site): the first HTTPS document of each.
// The target's own host is judged from the probe's page.
func crawledHostsHSTS(c observe.Crawl, target *url.URL) []result.Finding {
	var fs []result.Finding
	for _, r := range c.LandingDocuments(map[string]bool{strings.ToLower(target.Host): true}) {
		ev := fmt.Sprintf("GET %s → %d, no Strict-Transport-Security header", r.URL, r.Status)
		if len(r.HSTS) > 0 {
			ev = fmt.Sprintf("GET %s → %d\nStrict-Transport-Security: %s", r.URL, r.Status, strings.Join(r.HSTS, "\nStrict-Transport-Security: "))
		}
		fs = append(fs, JudgeHSTS(r.URL, r.HSTS, ev, "the crawl reached")...)
	}
	return fs
}

// navigationFindings: redirects met while crawling, judged like the probe's.
func navigationFindings(c observe.Crawl) []result.Finding {
	var fs []result.Finding
	for _, p := range c.Pages {
		for _, h := range p.Hops {
			from, err1 := url.Parse(h.URL)
			to, err2 := url.Parse(h.Location)
			if err1 != nil || err2 != nil {
				continue
			}
			to = from.ResolveReference(to)
			if from.Scheme == "https" && to.Scheme == "http" {
				fs = append(fs, newFinding("redirect-https-downgrade", high, h.URL,
					fmt.Sprintf("Following the link %s, %s redirects to %s: from HTTPS back to plain HTTP.", p.URL, h.URL, to), fmt.Sprintf("%d Location: %s", h.Status, h.Location)))
			}
		}
		if strings.Contains(p.Error, "ERR_TOO_MANY_REDIRECTS") {
			fs = append(fs, newFinding("redirect-loop", medium, p.URL,
				"Following the link "+p.URL+" never reaches a page: the browser gave up after too many redirects.", p.Error))
		}
	}
	// Navigations the login and logout steps made (a form's POST, a
	// logout link) are no crawled pages: their hops are in the responses.
	for _, r := range c.Responses {
		if !r.MainFrame || !r.Redirect || r.Location == "" || (r.Phase != observe.Login && r.Phase != observe.PostLogin) {
			continue
		}
		from, err1 := url.Parse(r.URL)
		to, err2 := url.Parse(r.Location)
		if err1 != nil || err2 != nil {
			continue
		}
		if to = from.ResolveReference(to); from.Scheme == "https" && to.Scheme == "http" {
			fs = append(fs, newFinding("redirect-https-downgrade", high, r.URL,
				fmt.Sprintf("During the %s, %s redirects to %s: from HTTPS back to plain HTTP, with the fresh session cookie.", stepsName(r.Phase), r.URL, to), fmt.Sprintf("%d Location: %s", r.Status, r.Location)))
		}
	}
	return fs
}

func stepsName(phase string) string {
	if phase == observe.Login {
		return "login steps"
	}
	return "logged-in visit (or the logout steps)"
}

// ProofUnderHSTS weighs the proof over plain HTTP against the target's HSTS
// policy (maxAge > 0: valid and in force, as the probe parsed it). The proof
// runs in a browser context that never received HSTS; a browser that got the
// cookie from the site over HTTPS got the policy with it and upgrades every
// http:// request to that host, so only a browser that never saw the policy
// (a first visit typed as http://, a cleared HSTS store) sends the cookie.
// cookie-missing-secure is lowered for the same reason.
func ProofUnderHSTS(fs []result.Finding, target *url.URL, maxAge int64) {
	if maxAge <= 0 || target == nil {
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.Rule != "cookie-sent-over-http" {
			continue
		}
		u, err := url.Parse(f.URL)
		if err != nil || !strings.EqualFold(u.Hostname(), target.Hostname()) {
			continue
		}
		if f.Severity > medium {
			f.Severity = medium
		}
		f.Detail += fmt.Sprintf(" The site's HSTS policy (max-age=%d) makes a browser that received it upgrade such requests to HTTPS, so only a browser that never saw the policy sends it; Secure on the cookie closes that gap.", maxAge)
	}
}
