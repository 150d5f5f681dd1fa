// Package rules turns what a scan observed into findings: the rule catalog of
// RULES.md (IDs, severities, penalties, fixes) and the pure functions that judge
// redirect chains, certificates, HSTS headers and Set-Cookie lines.
package rules

import (
	"github.com/cookiescan/cookiescan/scanner/result"
)

// Rule is one entry of the catalog. IDs are part of the JSON contract.
type Rule struct {
	ID       string
	Category string
	// Severity is the default; Severities lists every level the rule can take after
	// the documented adjustments (session-like, csrf, HSTS coverage).
	Severity   result.Severity
	Severities []result.Severity
	Title      string
	// Penalty is subtracted from the score once per rule (at the worst severity seen),
	// however many cookies or pages it fired on. Keep stable: monitoring compares grades.
	Penalty map[result.Severity]int
	Fix     string
}

const (
	catRedirect = "redirect and TLS"
	catHSTS     = "HSTS"
	catCookie   = "cookie attributes"
	catSession  = "session life cycle"
)

var (
	info   = result.SeverityInfo
	low    = result.SeverityLow
	medium = result.SeverityMedium
	high   = result.SeverityHigh
)

// p builds a penalty table from severity/points pairs.
func p(pairs ...any) map[result.Severity]int {
	m := map[result.Severity]int{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i].(result.Severity)] = pairs[i+1].(int)
	}
	return m
}

// catalog is the single source of rule metadata and of the penalty table, calibrated
// on the MDN HTTP Observatory's modifiers (session cookie without Secure −40, without
// HttpOnly −30, no redirect −20, HSTS missing −20, ...).
var catalog = []Rule{
	// Redirect and TLS.
	{ID: "http-no-redirect", Category: catRedirect, Severity: high, Title: "HTTP does not redirect to HTTPS", Penalty: p(high, 20),
		Fix: "Answer every plain-HTTP request with a 301 (or 308) redirect to the same URL over HTTPS."},
	{ID: "http-unavailable", Category: catRedirect, Severity: info, Title: "Nothing answers on HTTP", Penalty: p(info, 0),
		Fix: "Nothing to fix if intended; browsers typing the bare host name will not reach the site over HTTP. Serving a redirect helps old clients."},
	{ID: "redirect-final-not-https", Category: catRedirect, Severity: high, Title: "The redirect chain from HTTP does not end on HTTPS", Penalty: p(high, 20),
		Fix: "Make the last hop of the redirect chain an HTTPS URL."},
	{ID: "redirect-first-hop-not-https", Category: catRedirect, Severity: medium, Title: "The first redirect from HTTP goes to another HTTP URL", Penalty: p(medium, 10),
		Fix: "Redirect http://host/ first to https://host/ (same host), and only then to www or elsewhere."},
	{ID: "redirect-first-hop-other-host", Category: catRedirect, Severity: low, Title: "The first redirect from HTTP goes to HTTPS on another host", Penalty: p(low, 5),
		Fix: "Redirect http://host/ to https://host/ on the same host first, so the host itself receives HSTS."},
	{ID: "redirect-https-downgrade", Category: catRedirect, Severity: high, Title: "A redirect goes from HTTPS back to HTTP", Penalty: p(high, 20),
		Fix: "Never redirect from an https URL to an http one; fix the Location (often a proxy that does not know the original scheme)."},
	{ID: "redirect-loop", Category: catRedirect, Severity: medium, Title: "Redirect loop or more than 10 redirects", Penalty: p(medium, 20),
		Fix: "Fix the redirect rules so that the chain ends on a page within a few hops."},
	{ID: "redirect-not-permanent", Category: catRedirect, Severity: info, Title: "The HTTP→HTTPS redirect is temporary", Penalty: p(info, 0),
		Fix: "Use 301 or 308 for the HTTP→HTTPS redirect so clients and caches remember it."},
	{ID: "tls-cert-invalid", Category: catRedirect, Severity: high, Title: "The certificate does not verify", Penalty: p(high, 20),
		Fix: "Serve a certificate chain that is valid for the host name and signed by a trusted CA (include the intermediates)."},
	{ID: "tls-cert-expiring", Category: catRedirect, Severity: medium, Severities: []result.Severity{low, medium}, Title: "The certificate expires soon", Penalty: p(medium, 10, low, 5),
		Fix: "Renew the certificate, and automate renewal (ACME) so it happens 30 days before expiry."},

	// HSTS.
	{ID: "hsts-missing", Category: catHSTS, Severity: medium, Title: "No Strict-Transport-Security header", Penalty: p(medium, 20),
		Fix: "Send Strict-Transport-Security: max-age=63072000; includeSubDomains on every HTTPS response."},
	{ID: "hsts-missing-on-redirect", Category: catHSTS, Severity: low, Title: "The first HTTPS redirect lacks HSTS", Penalty: p(low, 5),
		Fix: "Send the HSTS header on redirect responses too (nginx: add_header ... always; Apache: Header always set)."},
	{ID: "hsts-inconsistent", Category: catHSTS, Severity: low, Title: "HTTPS pages disagree on HSTS", Penalty: p(low, 5),
		Fix: "Set the HSTS header once, at the edge, for every response of the host."},
	{ID: "hsts-invalid", Category: catHSTS, Severity: medium, Title: "The HSTS header is invalid and ignored by browsers", Penalty: p(medium, 20),
		Fix: "Send exactly: Strict-Transport-Security: max-age=63072000; includeSubDomains (directives separated by ';', each once)."},
	{ID: "hsts-multiple-headers", Category: catHSTS, Severity: low, Title: "More than one HSTS header", Penalty: p(low, 5),
		Fix: "Send a single Strict-Transport-Security header; browsers use only the first."},
	{ID: "hsts-max-age-zero", Category: catHSTS, Severity: medium, Title: "HSTS max-age=0 switches HSTS off", Penalty: p(medium, 20),
		Fix: "Set max-age to at least 31536000 unless you are deliberately removing HSTS."},
	{ID: "hsts-max-age-short", Category: catHSTS, Severity: low, Title: "HSTS max-age under 180 days", Penalty: p(low, 10),
		Fix: "Raise max-age to 31536000 or more (short values are fine only while ramping up: 300 → 604800 → 2592000)."},
	{ID: "hsts-max-age-below-1y", Category: catHSTS, Severity: info, Title: "HSTS max-age under one year", Penalty: p(info, 0),
		Fix: "Raise max-age to 31536000 (one year) or 63072000 (two years)."},
	{ID: "hsts-no-includesubdomains", Category: catHSTS, Severity: info, Title: "HSTS without includeSubDomains", Penalty: p(info, 0),
		Fix: "Add includeSubDomains once every subdomain serves HTTPS."},
	{ID: "hsts-preload-ineligible", Category: catHSTS, Severity: low, Title: "HSTS asks for preload but does not qualify", Penalty: p(low, 5),
		Fix: "Meet every hstspreload.org requirement, or remove the preload directive."},
	{ID: "hsts-on-http", Category: catHSTS, Severity: info, Title: "HSTS header sent over plain HTTP (ignored)", Penalty: p(info, 0),
		Fix: "Send HSTS only on HTTPS responses; on HTTP it is ignored."},
	{ID: "hsts-meta-tag", Category: catHSTS, Severity: info, Title: "HSTS in a <meta> tag (ignored)", Penalty: p(info, 0),
		Fix: "Browsers ignore HSTS in <meta http-equiv>; send it as a response header."},

	// Cookie attributes.
	{ID: "cookie-missing-secure", Category: catCookie, Severity: high, Severities: []result.Severity{low, medium, high}, Title: "Cookie without Secure", Penalty: p(high, 40, medium, 10, low, 5),
		Fix: "Add the Secure attribute so the cookie is never sent over plain HTTP."},
	{ID: "cookie-set-over-http", Category: catCookie, Severity: medium, Severities: []result.Severity{low, medium}, Title: "Cookie set over plain HTTP", Penalty: p(medium, 20, low, 20),
		Fix: "Set cookies only after the redirect to HTTPS, never on plain-HTTP responses."},
	{ID: "cookie-sent-over-http", Category: catCookie, Severity: high, Severities: []result.Severity{low, high}, Title: "The browser sends the cookie over plain HTTP", Penalty: p(high, 40, low, 20),
		Fix: "Add the Secure attribute; the browser then keeps the cookie off http:// requests."},
	{ID: "cookie-missing-httponly", Category: catCookie, Severity: medium, Severities: []result.Severity{info, medium}, Title: "Cookie without HttpOnly", Penalty: p(medium, 30, info, 0),
		Fix: "Add HttpOnly so scripts (and injected scripts) cannot read the cookie."},
	{ID: "cookie-missing-samesite", Category: catCookie, Severity: low, Severities: []result.Severity{info, low}, Title: "Cookie without SameSite", Penalty: p(low, 5, info, 0),
		Fix: "Set SameSite=Lax (or Strict) explicitly; only Chromium defaults to Lax."},
	{ID: "cookie-samesite-none", Category: catCookie, Severity: info, Title: "Cookie with SameSite=None", Penalty: p(info, 0),
		Fix: "Keep SameSite=None only for cookies that must travel in cross-site requests (SSO, embeds)."},
	{ID: "cookie-samesite-none-insecure", Category: catCookie, Severity: medium, Title: "SameSite=None without Secure (rejected by browsers)", Penalty: p(medium, 20),
		Fix: "Add Secure to every SameSite=None cookie."},
	{ID: "cookie-samesite-invalid", Category: catCookie, Severity: low, Title: "Invalid SameSite value", Penalty: p(low, 20),
		Fix: "Use SameSite=Strict, Lax or None; any other value is ignored."},
	{ID: "cookie-prefix-violation", Category: catCookie, Severity: medium, Title: "__Secure-/__Host- prefix rules broken (rejected by browsers)", Penalty: p(medium, 10),
		Fix: "__Secure- needs Secure; __Host- needs Secure, Path=/ and no Domain."},
	{ID: "cookie-domain-broad", Category: catCookie, Severity: low, Severities: []result.Severity{info, low}, Title: "Cookie Domain covers every subdomain", Penalty: p(low, 5, info, 0),
		Fix: "Leave Domain unset so the cookie stays with this host."},
	{ID: "cookie-domain-invalid", Category: catCookie, Severity: low, Title: "Cookie Domain does not match the host (rejected)", Penalty: p(low, 5),
		Fix: "Set Domain to the host or one of its parents (never a public suffix), or leave it unset."},
	{ID: "session-cookie-persistent", Category: catCookie, Severity: medium, Severities: []result.Severity{info, low, medium}, Title: "Session cookie persists on disk", Penalty: p(medium, 10, low, 5, info, 0),
		Fix: "Let session cookies expire with the browser (no Expires/Max-Age), or keep their lifetime to hours."},
	{ID: "cookie-lifetime-over-400d", Category: catCookie, Severity: info, Title: "Cookie lifetime beyond 400 days (browsers cap it)", Penalty: p(info, 0),
		Fix: "Keep lifetimes at or below 400 days; browsers shorten longer ones."},
	{ID: "cookie-expiry-unparseable", Category: catCookie, Severity: info, Title: "Unparseable Expires or Max-Age", Penalty: p(info, 0),
		Fix: "Send Expires as an IMF-fixdate (Wed, 21 Oct 2026 07:28:00 GMT) or Max-Age as whole seconds."},
	{ID: "cookie-duplicate-attribute", Category: catCookie, Severity: info, Title: "The same cookie attribute twice", Penalty: p(info, 0),
		Fix: "Send each attribute once; browsers keep only the last."},
	{ID: "cookie-too-large", Category: catCookie, Severity: low, Title: "Cookie too large", Penalty: p(low, 5),
		Fix: "Keep name and value under 4096 bytes and every attribute under 1024."},
	{ID: "cookie-partitioned-insecure", Category: catCookie, Severity: low, Title: "Partitioned without Secure (rejected)", Penalty: p(low, 5),
		Fix: "Add Secure to Partitioned cookies."},
	{ID: "cookie-rejected-by-browser", Category: catCookie, Severity: low, Title: "The browser rejected the cookie", Penalty: p(low, 5),
		Fix: "Fix the Set-Cookie line so that the browser stores it."},

	// Session life cycle.
	// Medium, not RULES.md's high alone: when the login issued another
	// session cookie, the one left behind is a fixation only if the site
	// still trusts it, which the scan cannot see.
	{ID: "session-not-rotated-on-login", Category: catSession, Severity: high, Severities: []result.Severity{medium, high}, Title: "Session not rotated at login", Penalty: p(high, 30, medium, 15),
		Fix: "Issue a new session identifier when the user logs in (session fixation), and rotate or delete every other session cookie the visitor held before."},
	{ID: "session-cookie-not-cleared-on-logout", Category: catSession, Severity: low, Title: "Session cookie kept after logout", Penalty: p(low, 5),
		Fix: "On logout, invalidate the session on the server and expire the cookie (Max-Age=0)."},
	{ID: "session-id-in-url", Category: catSession, Severity: medium, Title: "Session identifier in a URL", Penalty: p(medium, 20),
		Fix: "Keep session identifiers in cookies only; disable URL rewriting."},
	{ID: "session-cookie-no-host-prefix", Category: catSession, Severity: info, Title: "Session cookie without the __Host- prefix", Penalty: p(info, 0),
		Fix: "Name the session cookie __Host-… (with Secure, Path=/, no Domain) so subdomains cannot overwrite it."},
	{ID: "framework-default-session-name", Category: catSession, Severity: info, Title: "Framework default session cookie name", Penalty: p(info, 0),
		Fix: "Rename the session cookie; the default name tells attackers the stack."},
}

var byID = func() map[string]*Rule {
	m := make(map[string]*Rule, len(catalog))
	for i := range catalog {
		r := &catalog[i]
		if len(r.Severities) == 0 {
			r.Severities = []result.Severity{r.Severity}
		}
		m[r.ID] = r
	}
	return m
}()

// All returns the catalog in a stable order (category, then as listed in RULES.md).
func All() []Rule {
	out := make([]Rule, len(catalog))
	copy(out, catalog)
	return out
}

// Lookup finds a rule by ID.
func Lookup(id string) (Rule, bool) {
	r, ok := byID[id]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}

// Score subtracts each fired rule's penalty once, at the worst severity seen.
func Score(findings []result.Finding) int {
	impacts := scoreImpacts(findings)
	score := 100
	for _, n := range impacts {
		score -= n
	}
	if score < 0 {
		score = 0
	}
	return score
}

// ScoreImpacts sets each finding's ScoreImpact, the points it costs the score,
// so every report format can say what fixing it is worth. A rule's penalty is
// counted once (Score): it goes to the rule's first finding at its worst severity,
// and the rule's other findings cost 0; the impacts add up to 100 − Score (before
// the score stops at 0).
func ScoreImpacts(findings []result.Finding) {
	for i, n := range scoreImpacts(findings) {
		findings[i].ScoreImpact = n
	}
}

func scoreImpacts(findings []result.Finding) []int {
	worst := map[string]result.Severity{}
	for _, f := range findings {
		if f.Severity > worst[f.Rule] {
			worst[f.Rule] = f.Severity
		}
	}
	out := make([]int, len(findings))
	charged := map[string]bool{}
	for i, f := range findings {
		r, ok := byID[f.Rule]
		if !ok || charged[f.Rule] || f.Severity != worst[f.Rule] {
			continue
		}
		charged[f.Rule] = true
		out[i] = r.Penalty[f.Severity]
	}
	return out
}

// gradeBands are the MDN HTTP Observatory's, so users can compare.
var gradeBands = []struct {
	min   int
	grade string
}{
	{100, "A+"}, {90, "A"}, {85, "A-"}, {80, "B+"}, {70, "B"}, {65, "B-"},
	{60, "C+"}, {50, "C"}, {45, "C-"}, {40, "D+"}, {30, "D"}, {25, "D-"},
}

// Grade maps a score to a letter grade.
func Grade(score int) string {
	for _, b := range gradeBands {
		if score >= b.min {
			return b.grade
		}
	}
	return "F"
}
