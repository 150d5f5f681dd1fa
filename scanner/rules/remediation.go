package rules

import (
	"strconv"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// fixes maps a rule (optionally "#csrf" or "#other" for cookie classes) to the exact
// setting that fixes it in each framework (research §7.5). Keys are framework IDs.
type fixTable map[string]map[string]string

var redirectFix = map[string]string{
	"django":     `SECURE_SSL_REDIRECT = True  (behind a TLS proxy also SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https"))`,
	"express":    `app.set("trust proxy", 1); app.use((req, res, next) => req.secure ? next() : res.redirect(301, "https://" + req.hostname + req.originalUrl))`,
	"rails":      `config.force_ssl = true`,
	"spring":     `web.xml <security-constraint><web-resource-collection><url-pattern>/*</url-pattern></web-resource-collection><user-data-constraint><transport-guarantee>CONFIDENTIAL</transport-guarantee></user-data-constraint></security-constraint>  (Spring Security: http.requiresChannel(c -> c.anyRequest().requiresSecure()))`,
	"aspnetcore": `builder.Services.AddHttpsRedirection(o => o.RedirectStatusCode = StatusCodes.Status308PermanentRedirect); app.UseHttpsRedirection();`,
	"laravel":    `redirect at the web server (nginx: return 301 https://$host$request_uri;), and URL::forceScheme('https') in AppServiceProvider`,
	"php":        `redirect at the web server: nginx return 301 https://$host$request_uri; / Apache Redirect permanent / https://HOST/`,
	"flask":      `redirect at the proxy, or use flask-talisman: Talisman(app, force_https=True)`,
	"nginx":      `server { listen 80; server_name HOST; return 301 https://$host$request_uri; }`,
	"apache":     `<VirtualHost *:80> Redirect permanent / https://HOST/ </VirtualHost>`,
}

var hstsFix = map[string]string{
	"django":     `SECURE_HSTS_SECONDS = 31536000; SECURE_HSTS_INCLUDE_SUBDOMAINS = True`,
	"express":    `app.use(helmet.strictTransportSecurity({ maxAge: 31536000, includeSubDomains: true }))`,
	"rails":      `config.force_ssl = true; config.ssl_options = { hsts: { expires: 1.year, subdomains: true } }`,
	"spring":     `Tomcat web.xml filter org.apache.catalina.filters.HttpHeaderSecurityFilter with hstsMaxAgeSeconds=31536000, hstsIncludeSubDomains=true  (Spring Security: http.headers(h -> h.httpStrictTransportSecurity(s -> s.includeSubDomains(true).maxAgeInSeconds(31536000))))`,
	"aspnetcore": `builder.Services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; }); app.UseHsts();`,
	"laravel":    `send it from the web server: add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`,
	"php":        `send it from the web server: add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`,
	"flask":      `Talisman(app, strict_transport_security_max_age=31536000, strict_transport_security_include_subdomains=True)`,
	"nginx":      `add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;`,
	"apache":     `Header always set Strict-Transport-Security "max-age=63072000; includeSubDomains"`,
}

var secureFix = map[string]string{
	"django":     `SESSION_COOKIE_SECURE = True`,
	"express":    `session({ cookie: { secure: true } })  (behind a proxy also app.set("trust proxy", 1))`,
	"rails":      `config.force_ssl = true  (marks every cookie Secure)`,
	"spring":     `web.xml <session-config><cookie-config><secure>true</secure></cookie-config></session-config>  (Spring Boot: server.servlet.session.cookie.secure=true)`,
	"aspnetcore": `builder.Services.Configure<CookiePolicyOptions>(o => o.Secure = CookieSecurePolicy.Always); app.UseCookiePolicy();`,
	"laravel":    `SESSION_SECURE_COOKIE=true  (.env)`,
	"php":        `session.cookie_secure = 1  (php.ini)`,
	"flask":      `SESSION_COOKIE_SECURE = True`,
	"wordpress":  wordPressSecureFix,
	"nginx":      `proxy_cookie_flags ~ secure;  (proxy_pass backends only)`,
	"apache":     `Header always edit Set-Cookie "^((?!.*;\s*Secure).*)$" "$1; Secure"`,
}

var otherSecureFix = map[string]string{
	"django":     `response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")`,
	"express":    `res.cookie({name}, value, { secure: true, httpOnly: true, sameSite: "lax" })`,
	"rails":      `config.force_ssl = true  (marks every cookie Secure)`,
	"aspnetcore": `builder.Services.Configure<CookiePolicyOptions>(o => o.Secure = CookieSecurePolicy.Always); app.UseCookiePolicy();`,
	"php":        `setcookie({name}, $value, ["secure" => true, "httponly" => true, "samesite" => "Lax"])`,
	"laravel":    `cookie({name}, $value, secure: true)`,
	"flask":      `response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")`,
	"nginx":      `proxy_cookie_flags ~ secure;  (proxy_pass backends only)`,
	"apache":     `Header always edit Set-Cookie "^((?!.*;\s*Secure).*)$" "$1; Secure"`,
}

var renameFix = map[string]string{
	"django":     `SESSION_COOKIE_NAME = "__Host-sessionid"  (with SESSION_COOKIE_SECURE = True, no SESSION_COOKIE_DOMAIN)`,
	"express":    `session({ name: "__Host-sid", cookie: { secure: true, path: "/" } })`,
	"rails":      `Rails.application.config.session_store :cookie_store, key: "__Host-app_session"`,
	"spring":     `web.xml <cookie-config><name>__Host-JSESSIONID</name><path>/</path><secure>true</secure></cookie-config>  (Spring Boot: server.servlet.session.cookie.name=__Host-JSESSIONID)`,
	"aspnetcore": `options.Cookie.Name = "__Host-session"`,
	"laravel":    `SESSION_COOKIE=__Host-laravel_session  (.env)`,
	"php":        `session.name = __Host-PHPSESSID  (php.ini, with session.cookie_secure = 1)`,
}

// wordPressSecureFix: WordPress marks its auth cookie Secure when the request
// came over HTTPS, and its logged-in cookie only when the Site Address is
// https:// as well (wp_set_auth_cookie).
const wordPressSecureFix = `define("FORCE_SSL_ADMIN", true);  in wp-config.php, and https:// in both addresses of Settings → General (the logged-in cookie is Secure only when the Site Address is https://; behind a TLS proxy also $_SERVER["HTTPS"] = "on" when X-Forwarded-Proto is https)`

var fixes = fixTable{
	"http-no-redirect":              redirectFix,
	"redirect-final-not-https":      redirectFix,
	"redirect-first-hop-not-https":  redirectFix,
	"redirect-first-hop-other-host": redirectFix,
	"redirect-not-permanent": {
		"aspnetcore": redirectFix["aspnetcore"], "nginx": redirectFix["nginx"], "apache": redirectFix["apache"],
		"express": redirectFix["express"],
	},
	"redirect-https-downgrade": {
		"django":     `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  (Django thinks the request was plain HTTP)`,
		"express":    `app.set("trust proxy", 1)`,
		"rails":      `config.assume_ssl = true`,
		"spring":     `Tomcat server.xml <Valve className="org.apache.catalina.valves.RemoteIpValve" protocolHeader="X-Forwarded-Proto"/>  (Spring Boot: server.forward-headers-strategy=native)`,
		"aspnetcore": `app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedProto });`,
		"nginx":      `proxy_set_header X-Forwarded-Proto $scheme; proxy_redirect http:// https://;`,
		"apache":     `RequestHeader set X-Forwarded-Proto "https"  (and ProxyPassReverse for the backend)`,
	},
	"hsts-missing":              hstsFix,
	"hsts-invalid":              hstsFix,
	"hsts-max-age-zero":         hstsFix,
	"hsts-max-age-short":        hstsFix,
	"hsts-max-age-below-1y":     hstsFix,
	"hsts-no-includesubdomains": hstsFix,
	"hsts-inconsistent":         hstsFix,
	"hsts-multiple-headers": {
		"django": `set HSTS in one place: either SECURE_HSTS_SECONDS or the proxy's header, not both`,
		"nginx":  `send the header from one layer only (remove the app's or the proxy's copy)`,
		"apache": `Header always set (not add) Strict-Transport-Security "max-age=63072000; includeSubDomains"`,
	},
	"hsts-missing-on-redirect": {"nginx": hstsFix["nginx"], "apache": hstsFix["apache"]},
	"hsts-preload-ineligible": {
		"django":     `SECURE_HSTS_SECONDS = 31536000; SECURE_HSTS_INCLUDE_SUBDOMAINS = True; SECURE_HSTS_PRELOAD = True`,
		"express":    `helmet.strictTransportSecurity({ maxAge: 31536000, includeSubDomains: true, preload: true })`,
		"aspnetcore": `AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; o.Preload = true; })`,
		"nginx":      `add_header Strict-Transport-Security "max-age=63072000; includeSubDomains; preload" always;`,
	},
	"hsts-on-http": {"nginx": `move add_header Strict-Transport-Security into the listen 443 server block`},

	"cookie-missing-secure":       secureFix,
	"cookie-missing-secure#csrf":  {"django": `CSRF_COOKIE_SECURE = True`, "spring": `CookieCsrfTokenRepository: repo.setCookieCustomizer(c -> c.secure(true))`, "aspnetcore": `builder.Services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);`, "nginx": secureFix["nginx"], "laravel": secureFix["laravel"]},
	"cookie-missing-secure#other": otherSecureFix,
	"cookie-sent-over-http":       secureFix,
	"cookie-sent-over-http#csrf":  {"django": `CSRF_COOKIE_SECURE = True`},
	"cookie-sent-over-http#other": otherSecureFix,
	"cookie-set-over-http": {
		"django": `SECURE_SSL_REDIRECT = True and SESSION_COOKIE_SECURE = True`, "express": redirectFix["express"],
		"rails": `config.force_ssl = true`, "nginx": redirectFix["nginx"], "apache": redirectFix["apache"], "aspnetcore": redirectFix["aspnetcore"],
		"wordpress": `redirect at the web server (nginx: return 301 https://$host$request_uri;) and define("FORCE_SSL_ADMIN", true);  in wp-config.php`,
	},
	"cookie-samesite-none-insecure": secureFix,
	"cookie-missing-httponly": {
		"django":     `SESSION_COOKIE_HTTPONLY = True  (the default: check it is not overridden)`,
		"express":    `session({ cookie: { httpOnly: true } })`,
		"rails":      `Rails.application.config.session_store :cookie_store, httponly: true`,
		"spring":     `web.xml <cookie-config><http-only>true</http-only></cookie-config>  (Spring Boot: server.servlet.session.cookie.http-only=true)`,
		"aspnetcore": `builder.Services.Configure<CookiePolicyOptions>(o => o.HttpOnly = HttpOnlyPolicy.Always);`,
		"laravel":    `'http_only' => true  (config/session.php)`,
		"php":        `session.cookie_httponly = 1  (php.ini)`,
		"nginx":      `proxy_cookie_flags ~ httponly;  (proxy_pass backends only)`,
	},
	"cookie-missing-httponly#other": {
		"django":     `response.set_cookie({name}, value, httponly=True, secure=True, samesite="Lax")`,
		"express":    `res.cookie({name}, value, { httpOnly: true, secure: true, sameSite: "lax" })`,
		"rails":      `cookies[{name}] = { value: value, httponly: true, secure: true, same_site: :lax }`,
		"aspnetcore": otherSecureFix["aspnetcore"],
		"php":        otherSecureFix["php"],
		"laravel":    `cookie({name}, $value, httpOnly: true)`,
		"flask":      `response.set_cookie({name}, value, httponly=True, secure=True, samesite="Lax")`,
		"nginx":      `proxy_cookie_flags ~ httponly;  (proxy_pass backends only)`,
	},
	"cookie-missing-httponly#csrf": {"django": `nothing to do: Django reads csrftoken from script by design (CSRF_COOKIE_HTTPONLY adds no protection)`},
	"cookie-missing-samesite": {
		"django":     `SESSION_COOKIE_SAMESITE = "Lax"`,
		"express":    `session({ cookie: { sameSite: "lax" } })`,
		"rails":      `config.action_dispatch.cookies_same_site_protection = :lax`,
		"spring":     `Tomcat context.xml <CookieProcessor sameSiteCookies="lax"/>  (Spring Boot: server.servlet.session.cookie.same-site=lax)`,
		"aspnetcore": `builder.Services.Configure<CookiePolicyOptions>(o => o.MinimumSameSitePolicy = SameSiteMode.Lax);`,
		"laravel":    `'same_site' => 'lax'  (config/session.php)`,
		"php":        `session.cookie_samesite = "Lax"  (php.ini)`,
		"wordpress":  `WordPress core has no SameSite setting for its cookies: override the pluggable wp_set_auth_cookie() in a must-use plugin, or add it where the server rewrites Set-Cookie (Apache: Header always edit Set-Cookie; nginx cannot rewrite a fastcgi_pass response)`,
		"nginx":      `proxy_cookie_flags ~ samesite=lax;  (proxy_pass backends only)`,
	},
	"cookie-missing-samesite#other": {
		"django":  otherSecureFix["django"],
		"express": otherSecureFix["express"],
		"rails":   `cookies[{name}] = { value: value, same_site: :lax, secure: true }`,
		"php":     otherSecureFix["php"],
		"laravel": `cookie({name}, $value, sameSite: 'lax')`,
		"flask":   `response.set_cookie({name}, value, samesite="Lax", secure=True)`,
		"nginx":   `proxy_cookie_flags ~ samesite=lax;  (proxy_pass backends only)`,
	},
	"cookie-missing-samesite#csrf": {"django": `CSRF_COOKIE_SAMESITE = "Lax"`, "nginx": `proxy_cookie_flags ~ samesite=lax;  (proxy_pass backends only)`},
	"session-cookie-persistent": {
		"django":     `SESSION_EXPIRE_AT_BROWSER_CLOSE = True  (or a shorter SESSION_COOKIE_AGE)`,
		"express":    `session({ cookie: { maxAge: null } })  (a browser-session cookie)`,
		"rails":      `Rails.application.config.session_store :cookie_store, expire_after: nil`,
		"spring":     `leave server.servlet.session.cookie.max-age unset; use server.servlet.session.timeout for the server side`,
		"aspnetcore": `options.ExpireTimeSpan = TimeSpan.FromHours(8); options.SlidingExpiration = true;`,
		"laravel":    `SESSION_EXPIRE_ON_CLOSE=true  (.env)`,
		"php":        `session.cookie_lifetime = 0  (php.ini)`,
		"wordpress":  `WordPress sets the lifetime itself: its auth cookies (wordpress_sec_*, wordpress_logged_in_*) last 14 days only with "Remember Me" (shorten: add_filter("auth_cookie_expiration", fn() => 8 * HOUR_IN_SECONDS);), its comment_author_* cookies about a year (add_filter("comment_cookie_lifetime", fn() => DAY_IN_SECONDS);)`,
	},
	"session-not-rotated-on-login": {
		"django":     `log users in with django.contrib.auth.login(), which cycles the session key (custom auth: request.session.cycle_key())`,
		"express":    `req.session.regenerate(err => { req.session.user = user; ... })`,
		"rails":      `reset_session before setting the signed-in user`,
		"spring":     `request.changeSessionId() after authenticating (container login does it by default: Tomcat's changeSessionIdOnAuthentication); Spring Security: http.sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))`,
		"aspnetcore": `issue the auth cookie with HttpContext.SignInAsync and do not trust a pre-login session id`,
		"laravel":    `$request->session()->regenerate();  after Auth::attempt()`,
		"php":        `session_regenerate_id(true);  right after a successful login`,
	},
	"session-cookie-not-cleared-on-logout": {
		"django":  `log out with django.contrib.auth.logout(request), which flushes the session`,
		"express": `req.session.destroy(() => res.clearCookie("connect.sid"))`,
		"rails":   `reset_session`,
		"laravel": `Auth::logout(); $request->session()->invalidate(); $request->session()->regenerateToken();`,
		"php":     `session_destroy(); setcookie(session_name(), "", ["expires" => 1, "path" => "/"]);`,
	},
	// A site's own cookie (not the framework's session or CSRF cookie) is
	// fixed where the site sets it, per response; {name} becomes its name.
	"session-cookie-persistent#other": {
		"django":  `response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")  (no max_age or expires: it ends with the browser session)`,
		"flask":   `response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")  (no max_age or expires: it ends with the browser session)`,
		"express": `res.cookie({name}, value, { secure: true, httpOnly: true, sameSite: "lax" })  (no maxAge or expires: it ends with the browser session)`,
		"rails":   `cookies[{name}] = { value: value, secure: true, httponly: true, same_site: :lax }  (no expires: it ends with the browser session)`,
		"php":     `setcookie({name}, $value, ["secure" => true, "httponly" => true, "samesite" => "Lax"])  (no "expires": it ends with the browser session)`,
		"laravel": `cookie({name}, $value, 0, secure: true, httpOnly: true, sameSite: 'lax')  (minutes 0: it ends with the browser session)`,
	},
	"session-cookie-no-host-prefix#other": {
		"django":  `response.set_cookie("__Host-" + {name}, value, path="/", secure=True, httponly=True, samesite="Lax")  (no domain)`,
		"flask":   `response.set_cookie("__Host-" + {name}, value, path="/", secure=True, httponly=True, samesite="Lax")  (no domain)`,
		"express": `res.cookie("__Host-" + {name}, value, { path: "/", secure: true, httpOnly: true, sameSite: "lax" })  (no domain)`,
		"php":     `setcookie("__Host-" . {name}, $value, ["path" => "/", "secure" => true, "httponly" => true, "samesite" => "Lax"])  (no domain)`,
	},
	"cookie-domain-broad#other": {
		"django":  `response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")  (no domain=)`,
		"flask":   `response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")  (no domain=)`,
		"express": `res.cookie({name}, value, { secure: true, httpOnly: true, sameSite: "lax" })  (no domain option)`,
		"php":     `setcookie({name}, $value, ["secure" => true, "httponly" => true, "samesite" => "Lax"])  (no "domain")`,
	},
	"session-not-rotated-on-login#other": {
		"django":  `at login, set a fresh value: response.set_cookie({name}, secrets.token_urlsafe(32), secure=True, httponly=True, samesite="Lax"), or response.delete_cookie({name}) if the session no longer needs it`,
		"flask":   `at login, set a fresh value: response.set_cookie({name}, secrets.token_urlsafe(32), secure=True, httponly=True, samesite="Lax"), or response.delete_cookie({name})`,
		"express": `at login, set a fresh value: res.cookie({name}, crypto.randomBytes(32).toString("base64url"), { secure: true, httpOnly: true, sameSite: "lax" }), or res.clearCookie({name})`,
		"php":     `at login, set a fresh value: setcookie({name}, bin2hex(random_bytes(32)), ["secure" => true, "httponly" => true, "samesite" => "Lax"]), or delete it`,
	},
	"cookie-set-over-http#other": {
		"django":  `SECURE_SSL_REDIRECT = True  (the cookie is then set over HTTPS only), and response.set_cookie({name}, value, secure=True, httponly=True, samesite="Lax")`,
		"express": redirectFix["express"], "rails": `config.force_ssl = true`, "nginx": redirectFix["nginx"], "apache": redirectFix["apache"], "aspnetcore": redirectFix["aspnetcore"],
	},
	"cookie-samesite-none-insecure#other": otherSecureFix,
	"session-cookie-no-host-prefix":       renameFix,
	"framework-default-session-name":      renameFix,
	"cookie-domain-broad": {
		"django":  `SESSION_COOKIE_DOMAIN = None`,
		"express": `drop the domain option from session({ cookie })`,
		"spring":  `leave server.servlet.session.cookie.domain unset`,
		"laravel": `SESSION_DOMAIN=null  (.env)`,
		"php":     `session.cookie_domain =  (empty, php.ini)`,
	},
}

// Remediate fills each finding's framework fix from the first detected framework
// that has one for the rule. A cookie's fix depends on what sets it: the
// framework's own cookie (its session or CSRF cookie, see CookieOwners) gets
// the framework's setting; any other cookie the per-response way of setting
// it (Django response.set_cookie, Express res.cookie, …) with its name, or
// only the generic fix when the framework has none; a web server's rewrite
// (nginx proxy_cookie_flags) fits every cookie. A finding that already
// carries its exact fix (a cookie written by script) keeps it.
func Remediate(fs []result.Finding, frameworks []result.Framework) {
	for i := range fs {
		f := &fs[i]
		if f.Remediation.Fix != "" {
			continue
		}
		if f.Cookie == "" {
			f.Remediation.Framework, f.Remediation.Fix = fixFor([]string{f.Rule}, frameworks)
			continue
		}
		owners := CookieOwners(f.Cookie)
		own := f.Rule + "#other"
		ownerHasNone := false
		for _, fw := range frameworks {
			var keys []string
			switch {
			case webServers[fw.Name]:
				keys = []string{f.Rule + "#" + f.CookieClass, f.Rule}
			case ownerHasNone:
				// The cookie's owner sets it: another framework's
				// per-response call would not touch it.
				continue
			case owners[fw.Name] && (f.CookieClass != "other" || coreSetsAll[fw.Name]):
				keys = []string{f.Rule + "#" + f.CookieClass, f.Rule}
			default:
				// The site's own cookie, or the framework's cookie of
				// no session or CSRF kind: set per response. The plain
				// entry is the session store's setting, wrong here.
				keys = []string{own}
			}
			fwName, fix := fixFor(keys, []result.Framework{fw})
			if fwName == "nginx" && strings.Contains(fix, "proxy_cookie_flags") && fastCGI(frameworks) {
				// proxy_cookie_flags acts on proxy_pass only, not on
				// PHP-FPM's fastcgi_pass responses.
				fix = ""
			}
			if fix != "" {
				f.Remediation.Framework, f.Remediation.Fix = fwName, strings.ReplaceAll(fix, "{name}", strconv.Quote(f.Cookie))
				break
			}
			ownerHasNone = ownerHasNone || owners[fw.Name]
		}
	}
}

// webServers rewrite every cookie that passes through them.
var webServers = map[string]bool{"nginx": true, "apache": true}

// coreSetsAll are frameworks whose every own cookie is set by their core and
// fixed by their settings, whatever its class.
var coreSetsAll = map[string]bool{"wordpress": true}

// fastCGI: a PHP application, which nginx serves through PHP-FPM.
func fastCGI(frameworks []result.Framework) bool {
	for _, fw := range frameworks {
		if fw.Name == "php" || fw.Name == "laravel" || fw.Name == "wordpress" {
			return true
		}
	}
	return false
}

// CookieOwners are the frameworks that set a cookie of this name themselves:
// their session cookie (FrameworkDefault), their CSRF cookie, their
// remember-me cookie. Any other cookie is the site's own.
func CookieOwners(name string) map[string]bool {
	m := map[string]bool{}
	if fw, ok := FrameworkDefault(name); ok {
		m[fw] = true
	}
	n := strings.ToLower(name)
	switch {
	case n == "csrftoken" || n == "django_language":
		m["django"] = true
	case n == "xsrf-token":
		m["laravel"], m["spring"] = true, true
	case strings.HasPrefix(n, "remember_web_"):
		m["laravel"] = true
	case strings.HasPrefix(n, ".aspnetcore."):
		m["aspnetcore"] = true
	case n == "_csrf":
		m["express"] = true
	case isWordPressCookie(n):
		m["wordpress"] = true
	}
	return m
}

// ScriptFramework marks the fix of a cookie written by script.
const ScriptFramework = result.FrameworkScript

// ScriptFix is the fix for rule on a cookie that script wrote with
// document.cookie, "" when the server-side fix applies as well.
func ScriptFix(rule, name string) string {
	switch rule {
	case "cookie-missing-secure", "cookie-sent-over-http", "cookie-samesite-none-insecure", "cookie-missing-samesite":
		return `document.cookie = "` + name + `=…; path=/; Secure; SameSite=Lax"`
	case "cookie-missing-httponly":
		return `script cannot set HttpOnly: set ` + name + ` from the server (Set-Cookie … HttpOnly) if no script needs to read it`
	}
	return ""
}

func fixFor(keys []string, frameworks []result.Framework) (string, string) {
	for _, fw := range frameworks {
		for _, k := range keys {
			if fix, ok := fixes[k][fw.Name]; ok {
				return fw.Name, fix
			}
		}
	}
	return "", ""
}
