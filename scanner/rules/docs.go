package rules

import "strings"

// Doc explains a rule for `cookiescan rules ID`: why it matters and where the
// requirement comes from.
type Doc struct {
	Why  string
	Refs []string
}

var docs = map[string]Doc{
	"http-no-redirect":                     {"People type the bare host name; without a redirect they stay on plain HTTP, where anyone on the network can read and change the page.", []string{"RFC 6797 §7.2", "MDN HTTP Observatory redirection-missing (−20)", "hstspreload redirects.http.no_redirect", "Mozilla Web Security Guidelines"}},
	"http-unavailable":                     {"Informational: a closed port 80 is a valid choice for APIs, but browsers typing the bare host name get an error instead of the HTTPS site.", []string{"hstspreload redirects.http.does_not_exist (warning)", "MDN HTTP Observatory (passes)"}},
	"redirect-final-not-https":             {"A chain that ends on http:// leaves the visitor on an unencrypted page.", []string{"MDN HTTP Observatory redirection-not-to-https (−20)", "hstspreload redirects.insecure.*"}},
	"redirect-first-hop-not-https":         {"Every extra plain-HTTP hop is one more place to strip HTTPS; the host itself never gets HSTS.", []string{"MDN HTTP Observatory (−10)", "hstspreload redirects.http.first_redirect.insecure / www_first"}},
	"redirect-first-hop-other-host":        {"HSTS is learned per host: if http://example.com goes straight to https://www.example.com, example.com never receives HSTS.", []string{"MDN HTTP Observatory redirection-off-host-from-http (−5)", "hstspreload redirects.http.www_first"}},
	"redirect-https-downgrade":             {"A redirect from HTTPS to HTTP hands the visitor, and any cookie without Secure, to the network.", []string{"testssl.sh insecure_redirect (HIGH)", "hstspreload redirects.insecure.initial/subsequent"}},
	"redirect-loop":                        {"The page never loads; browsers give up after about 20 redirects.", []string{"hstspreload redirects.too_many"}},
	"redirect-not-permanent":               {"Harmless once HSTS is set, but a temporary redirect is not cached, so every bare-host visit makes a plain-HTTP request first.", []string{"RFC 6797 §7.2 (SHOULD be permanent)", "ASP.NET Core UseHttpsRedirection defaults to 307"}},
	"tls-cert-invalid":                     {"Browsers show an interstitial, and ignore HSTS received over a connection with certificate errors.", []string{"RFC 6797 §8.1", "MDN HTTP Observatory hsts-invalid-cert (−20)", "hstspreload domain.tls.invalid_cert_chain"}},
	"tls-cert-expiring":                    {"An expired certificate takes the site down for every visitor, and HSTS forbids clicking through.", []string{"RFC 6797 §12.1 (no user recourse)"}},
	"hsts-missing":                         {"Without HSTS, every visit that starts from a plain-HTTP link or a typed host name can be intercepted before the redirect (SSL stripping).", []string{"RFC 6797", "OWASP ZAP 10035-1", "MDN HTTP Observatory hsts-not-implemented (−20)", "Django security.W004"}},
	"hsts-missing-on-redirect":             {"hstspreload.org requires HSTS on the first HTTPS response; a visitor who only passes the redirect does not learn it.", []string{"hstspreload redirects.http.first_redirect.no_hsts", "nginx add_header needs 'always' for 3xx"}},
	"hsts-inconsistent":                    {"Protection then depends on which page a visitor lands on; the weakest header wins over time.", []string{"RFC 6797 §6.1"}},
	"hsts-invalid":                         {"Browsers ignore a header that does not parse: the site has no HSTS at all. Chromium rejects a repeated directive, a missing or non-numeric max-age, and junk after a directive; a quoted max-age is valid.", []string{"RFC 6797 §6.1, §8.1", "Chromium ParseHSTSHeader", "OWASP ZAP 10035-5/-7/-8", "MDN HTTP Observatory hsts-header-invalid (−20)"}},
	"hsts-multiple-headers":                {"Browsers use only the first header; the others are dead weight, and the first may be the weaker one.", []string{"RFC 6797 §7.1, §8.1", "OWASP ZAP 10035-3", "hstspreload response.multiple_headers"}},
	"hsts-max-age-zero":                    {"max-age=0 deletes the host's HSTS entry in every browser that sees it.", []string{"RFC 6797 §6.1.1", "OWASP ZAP 10035-2", "hstspreload header.preloadable.max_age.zero"}},
	"hsts-max-age-short":                   {"Browsers forget HSTS soon after the last visit; returning visitors are exposed again. Short values are normal only during a ramp-up.", []string{"MDN HTTP Observatory hsts-implemented-max-age-less-than-six-months (−10)", "testssl.sh (<180 days)"}},
	"hsts-max-age-below-1y":                {"One year is the hstspreload.org minimum and the common recommendation.", []string{"hstspreload header.preloadable.max_age.below_1_year", "OWASP HSTS cheat sheet (2 years)"}},
	"hsts-no-includesubdomains":            {"Subdomains stay reachable over HTTP, and a subdomain can set cookies for the parent domain.", []string{"Django security.W005", "OWASP HSTS cheat sheet"}},
	"hsts-preload-ineligible":              {"The header asks for preloading, but hstspreload.org would refuse the submission; the reasons name each failed requirement.", []string{"hstspreload.org requirements", "hstspreload issue codes"}},
	"hsts-on-http":                         {"Browsers ignore HSTS received over plain HTTP; the header there protects nothing (harmless).", []string{"RFC 6797 §7.2, §8.1", "hstspreload redirects.http.useless_header"}},
	"hsts-meta-tag":                        {"Browsers ignore HSTS in <meta http-equiv>; only the response header counts.", []string{"RFC 6797 §8.5", "OWASP ZAP 10035-6"}},
	"cookie-missing-secure":                {"Without Secure the browser sends the cookie on every plain-HTTP request to the site, where it can be read. Session cookies are high; with HSTS covering the host they drop to medium; other cookies are low.", []string{"RFC 6265bis §8.6 (Weak Confidentiality)", "OWASP ZAP 10011", "MDN HTTP Observatory (−40 session, −20 others)", "Django security.W012/W016"}},
	"cookie-set-over-http":                 {"A cookie set by a plain-HTTP response can be read or replaced in transit; set cookies after the redirect to HTTPS.", []string{"OWASP Session Management Cheat Sheet", "MDN HTTP Observatory (set over HTTP −20)"}},
	"cookie-sent-over-http":                {"Proof, not inference: Chromium, sent to the site's http:// URL, attached this cookie. Anyone on the network path can take it.", []string{"RFC 6265bis §8.6", "Chromium Network.requestWillBeSentExtraInfo associatedCookies"}},
	"cookie-missing-httponly":              {"Scripts, including injected ones, can read the cookie. Session cookies are medium; anti-CSRF cookies are read by script by design and stay info.", []string{"OWASP ZAP 10010", "MDN HTTP Observatory (session −30)", "Django security.W013 (and the removal of W017)"}},
	"cookie-missing-samesite":              {"Chromium treats a missing SameSite as Lax, but Firefox and Safari send the cookie on cross-site requests.", []string{"RFC 6265bis §4.1.2.7", "OWASP ZAP 10054-1", "MDN compatibility data (Dec 2023 correction)"}},
	"cookie-samesite-none":                 {"The cookie travels on every cross-site request: legitimate for SSO, embeds and payment frames, a CSRF surface otherwise.", []string{"OWASP ZAP 10054-2"}},
	"cookie-samesite-none-insecure":        {"Browsers reject SameSite=None without Secure: the cookie is never stored.", []string{"RFC 6265bis §5.7 step 19", "Chromium SameSiteNoneInsecure", "MDN HTTP Observatory samesite invalid (−20)"}},
	"cookie-samesite-invalid":              {"An unknown SameSite value is ignored; browsers apply their own default.", []string{"RFC 6265bis §5.6.7", "OWASP ZAP 10054-3"}},
	"cookie-prefix-violation":              {"Browsers reject a __Secure- cookie without Secure, and a __Host- cookie without Secure, with a Domain, or with a Path other than /.", []string{"RFC 6265bis §4.1.3", "Chromium InvalidPrefix"}},
	"cookie-domain-broad":                  {"A Domain attribute sends the cookie to every subdomain, any of which can read or overwrite it.", []string{"OWASP ZAP 90033", "OWASP Session Management Cheat Sheet"}},
	"cookie-domain-invalid":                {"The Domain does not contain the host (or is a public suffix): browsers reject the cookie.", []string{"RFC 6265bis §5.7 steps 8–10", "Chromium InvalidDomain"}},
	"session-cookie-persistent":            {"A session that survives on disk outlives the browser session: shared computers, stolen disks. Over 7 days is medium, over 1 day low; remember-me cookies (by name, or set persistent at login when the login flow clicked a remember-me control) are info by design. A cookie is session-like for a stated signal: a framework session name, a word of its name, a long high-entropy value, its value rotated at login, or its removal at logout; being set at login is not a signal by itself (a user name, a user id).", []string{"OWASP Session Management Cheat Sheet", "OWASP ZAP 40013-3"}},
	"cookie-lifetime-over-400d":            {"Browsers cap cookie lifetimes at 400 days; the longer value has no effect.", []string{"RFC 6265bis §5.5"}},
	"cookie-expiry-unparseable":            {"An Expires or Max-Age the browser cannot parse is ignored, turning the cookie into a session cookie.", []string{"RFC 6265bis §5.6.1, §5.6.2"}},
	"cookie-duplicate-attribute":           {"Browsers keep only the last copy of an attribute; conflicting copies usually hide a mistake.", []string{"RFC 6265bis §4.1 (servers MUST NOT)"}},
	"cookie-too-large":                     {"Browsers drop a cookie whose name and value exceed 4096 bytes, and an attribute over 1024 bytes.", []string{"RFC 6265bis §5.6", "Chromium NameValuePairExceedsMaxSize"}},
	"cookie-partitioned-insecure":          {"Browsers reject Partitioned cookies without Secure.", []string{"CHIPS specification"}},
	"cookie-rejected-by-browser":           {"Chromium refused the cookie for a reason no other rule names (the reason is quoted); the site's code is not doing what it intends.", []string{"Chrome DevTools Protocol SetCookieBlockedReason"}},
	"session-not-rotated-on-login":         {"If the session id does not change at login, an attacker who planted or saw it before login owns the authenticated session (session fixation). Judged per cookie: every session-like cookie held before login and unchanged after it is reported; high when the login issued no new session cookie, medium when it issued another one (the cookie left behind is a fixation only if the site still trusts it, which cannot be seen from outside).", []string{"OWASP Session Management Cheat Sheet (renew after privilege change)", "OWASP ZAP 40013"}},
	"session-cookie-not-cleared-on-logout": {"After logout the browser keeps the session cookie; if the server did not invalidate it, it still works.", []string{"OWASP Session Management Cheat Sheet (logout)"}},
	"session-id-in-url":                    {"URLs leak through logs, history, bookmarks and Referer headers.", []string{"OWASP ZAP 3", "OWASP Session Management Cheat Sheet"}},
	"session-cookie-no-host-prefix":        {"A __Host- cookie cannot be set by a subdomain or over HTTP, so it cannot be fixated or shadowed.", []string{"RFC 6265bis §4.1.3.2", "OWASP Session Management Cheat Sheet"}},
	"framework-default-session-name":       {"The default name tells an attacker the stack, and which exploits to try.", []string{"OWASP Session Management Cheat Sheet (session ID name fingerprinting)"}},
}

// DocFor returns a rule's explanation.
func DocFor(id string) Doc { return docs[id] }

// Fixes lists a rule's framework settings by framework ID, the session variant.
func Fixes(id string) map[string]string {
	out := map[string]string{}
	for fw, fix := range fixes[id] {
		out[fw] = fix
	}
	return out
}

// OwnCookieFixes are the per-response fixes of rule id for a cookie the site
// sets itself (not the framework's session or CSRF cookie), by framework ID;
// NAME stands for the cookie's name.
func OwnCookieFixes(id string) map[string]string {
	out := map[string]string{}
	for fw, fix := range fixes[id+"#other"] {
		out[fw] = strings.ReplaceAll(fix, "{name}", "NAME")
	}
	return out
}
