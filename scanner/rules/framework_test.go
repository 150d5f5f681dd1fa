package rules

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
)

func TestDetectFrameworks(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	cases := map[string]struct {
		cookies []string
		headers []http.Header
		want    string // framework IDs, strongest first
	}{
		"django":              {[]string{"csrftoken", "sessionid"}, nil, "django"},
		"django behind nginx": {[]string{"sessionid"}, []http.Header{h("Server", "nginx/1.22.1")}, "django,nginx"},
		"express":             {[]string{"connect.sid"}, []http.Header{h("X-Powered-By", "Express")}, "express"},
		"rails":               {[]string{"_shop_session"}, []http.Header{h("X-Runtime", "0.01", "X-Request-Id", "x")}, "rails"},
		"laravel not php":     {[]string{"laravel_session", "XSRF-TOKEN"}, []http.Header{h("X-Powered-By", "PHP/8.2")}, "laravel"},
		"php":                 {[]string{"PHPSESSID"}, nil, "php"},
		"wordpress on nginx with php-fpm": {[]string{"wordpress_test_cookie", "wp-settings-time-1"},
			[]http.Header{h("Server", "nginx/1.22.1", "Link", `<https://wp.test/wp-json/>; rel="https://api.w.org/"`)}, "wordpress,php,nginx"},
		"wordpress by its REST link": {nil, []http.Header{h("Link", `<https://wp.test/wp-json/>; rel="https://api.w.org/"`)}, "wordpress,php"},
		"spring":                     {[]string{"JSESSIONID"}, nil, "spring"},
		"aspnet core":                {[]string{".AspNetCore.Antiforgery.abc"}, []http.Header{h("Server", "Kestrel")}, "aspnetcore"},
		"apache only":                {[]string{"theme"}, []http.Header{h("Server", "Apache/2.4.57 (Debian)")}, "apache"},
		"nothing":                    {[]string{"theme"}, []http.Header{h("Server", "cloudflare")}, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var ids []string
			for _, fw := range DetectFrameworks(tc.cookies, tc.headers) {
				ids = append(ids, fw.Name)
				if len(fw.Evidence) == 0 || fw.Label == "" {
					t.Errorf("%s without evidence or label", fw.Name)
				}
			}
			if got := strings.Join(ids, ","); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRemediateByCookieClass(t *testing.T) {
	fws := DetectFrameworks([]string{"sessionid", "csrftoken"}, nil)
	fs := []result.Finding{
		{Rule: "cookie-missing-secure", Cookie: "sessionid", CookieClass: "session"},
		{Rule: "cookie-missing-secure", Cookie: "csrftoken", CookieClass: "csrf"},
		{Rule: "hsts-missing"},
		{Rule: "cookie-missing-secure", Cookie: "theme", CookieClass: "other"},
		{Rule: "cookie-too-large", Cookie: "x", CookieClass: "other"},
	}
	Remediate(fs, fws)
	want := []string{"SESSION_COOKIE_SECURE = True", "CSRF_COOKIE_SECURE = True", "SECURE_HSTS_SECONDS = 31536000", "set_cookie(", ""}
	for i, w := range want {
		if !strings.Contains(fs[i].Remediation.Fix, w) || (w == "" && fs[i].Remediation.Fix != "") {
			t.Errorf("%s/%s: fix %q, want %q", fs[i].Rule, fs[i].Cookie, fs[i].Remediation.Fix, w)
		}
		if w != "" && fs[i].Remediation.Framework != "django" {
			t.Errorf("framework %q", fs[i].Remediation.Framework)
		}
	}
}

// A cookie other than the session gets the per-cookie setter, never the
// session store's setting (express-session for a theme cookie was wrong); a
// framework with no per-cookie entry gives no framework fix rather than that.
func TestRemediateOtherCookiesNotSessionStore(t *testing.T) {
	express := DetectFrameworks([]string{"connect.sid"}, nil)
	spring := DetectFrameworks([]string{"JSESSIONID"}, nil)
	for _, tc := range []struct {
		fws        []result.Framework
		rule, want string
	}{
		{express, "cookie-missing-httponly", `res.cookie("theme", value, { httpOnly: true`},
		{express, "cookie-missing-samesite", `res.cookie("theme", value,`},
		{express, "cookie-missing-secure", `res.cookie("theme", value,`},
		{spring, "cookie-missing-httponly", ""},
		{spring, "cookie-missing-samesite", ""},
	} {
		fs := []result.Finding{{Rule: tc.rule, Cookie: "theme", CookieClass: "other"}}
		Remediate(fs, tc.fws)
		got := fs[0].Remediation.Fix
		if (tc.want == "" && got != "") || !strings.Contains(got, tc.want) || strings.Contains(got, "session") {
			t.Errorf("%s on %s: fix %q, want %q", tc.rule, tc.fws[0].Name, got, tc.want)
		}
	}
}

// A site's own session-like cookie on a Django site (set by its own
// middleware, not sessionid) gets Django's per-response way with its name,
// never SESSION_COOKIE_SECURE or SESSION_COOKIE_NAME, which do not touch it
// (issue 10); Django's own cookies keep their settings; behind nginx the
// proxy's rewrite fits every cookie; with no framework, the generic fix only.
func TestRemediateNamesTheSetter(t *testing.T) {
	django := DetectFrameworks([]string{"sessionid", "csrftoken"}, nil)
	for _, tc := range []struct {
		rule, cookie, class, want string
	}{
		{"cookie-missing-secure", "app_auth", "session", `response.set_cookie("app_auth", value, secure=True, httponly=True, samesite="Lax")`},
		{"cookie-missing-httponly", "app_auth", "session", `response.set_cookie("app_auth", value, httponly=True`},
		{"cookie-missing-samesite", "app_auth", "session", `response.set_cookie("app_auth", value,`},
		{"session-cookie-no-host-prefix", "app_auth", "session", `response.set_cookie("__Host-" + "app_auth"`},
		{"session-cookie-persistent", "app_auth", "session", `response.set_cookie("app_auth", value, secure=True, httponly=True, samesite="Lax")  (no max_age`},
		{"cookie-sent-over-http", "app_auth", "session", `response.set_cookie("app_auth"`},
		{"cookie-missing-secure", "sessionid", "session", `SESSION_COOKIE_SECURE = True`},
		{"session-cookie-no-host-prefix", "sessionid", "session", `SESSION_COOKIE_NAME = "__Host-sessionid"`},
		{"cookie-missing-secure", "csrftoken", "csrf", `CSRF_COOKIE_SECURE = True`},
		{"cookie-missing-secure", "my_csrf", "csrf", `response.set_cookie("my_csrf"`},
	} {
		fs := []result.Finding{{Rule: tc.rule, Cookie: tc.cookie, CookieClass: tc.class}}
		Remediate(fs, django)
		got := fs[0].Remediation
		if got.Framework != "django" || !strings.Contains(got.Fix, tc.want) {
			t.Errorf("%s on %s: %+v, want django %q", tc.rule, tc.cookie, got, tc.want)
		}
		if tc.cookie == "app_auth" && strings.Contains(got.Fix, "SESSION_COOKIE") {
			t.Errorf("%s on %s: a session-store setting: %q", tc.rule, tc.cookie, got.Fix)
		}
	}
	nginx := DetectFrameworks(nil, []http.Header{{"Server": {"nginx/1.24.0"}}})
	fs := []result.Finding{{Rule: "cookie-missing-secure", Cookie: "app_auth", CookieClass: "session"}}
	Remediate(fs, nginx)
	if !strings.HasPrefix(fs[0].Remediation.Fix, `proxy_cookie_flags ~ secure;`) {
		t.Errorf("behind nginx: %+v", fs[0].Remediation)
	}
	fs = []result.Finding{{Rule: "cookie-missing-secure", Cookie: "app_auth", CookieClass: "session"}}
	Remediate(fs, nil)
	if fs[0].Remediation.Fix != "" || fs[0].Remediation.Framework != "" {
		t.Errorf("setter unknown: %+v, want the generic fix only", fs[0].Remediation)
	}
}

// WordPress behind nginx with PHP-FPM (seen on a real install): nginx's
// proxy_cookie_flags never touches a fastcgi_pass response, so it is never
// the fix; WordPress's own cookies get WordPress's settings (or none), a
// plugin's cookie PHP's setcookie().
func TestRemediateWordPressBehindNginx(t *testing.T) {
	fws := DetectFrameworks([]string{"wordpress_logged_in_abc", "wordpress_test_cookie"}, []http.Header{{"Server": {"nginx/1.22.1"}}})
	for _, tc := range []struct {
		rule, cookie, class, fw, want string
	}{
		{"cookie-missing-secure", "wordpress_logged_in_abc", "session", "wordpress", `FORCE_SSL_ADMIN`},
		{"cookie-missing-secure", "wordpress_test_cookie", "other", "wordpress", `FORCE_SSL_ADMIN`},
		{"cookie-missing-samesite", "wordpress_sec_abc", "session", "wordpress", `no SameSite setting`},
		{"cookie-missing-httponly", "wordpress_test_cookie", "other", "", ""},
		{"cookie-missing-samesite", "cart_id", "other", "php", `setcookie("cart_id", $value, [`},
		{"cookie-missing-httponly", "PHPSESSID", "session", "php", `session.cookie_httponly = 1`},
		{"hsts-missing", "", "", "php", `add_header Strict-Transport-Security`},
		// nginx's redirect still fits a PHP site; only its cookie rewrite does not.
		{"cookie-set-over-http", "cart_id", "other", "nginx", `return 301 https://`},
	} {
		fs := []result.Finding{{Rule: tc.rule, Cookie: tc.cookie, CookieClass: tc.class}}
		Remediate(fs, fws)
		got := fs[0].Remediation
		if got.Framework != tc.fw || !strings.Contains(got.Fix, tc.want) {
			t.Errorf("%s on %q: %+v, want %q %q", tc.rule, tc.cookie, got, tc.fw, tc.want)
		}
		if strings.Contains(got.Fix, "proxy_cookie_flags") {
			t.Errorf("%s on %q: nginx's proxy rewrite for a PHP-FPM site: %q", tc.rule, tc.cookie, got.Fix)
		}
	}
}

// A cookie written by script keeps its JavaScript fix whatever the server runs.
func TestRemediateKeepsScriptFix(t *testing.T) {
	fs := []result.Finding{{Rule: "cookie-missing-secure", Cookie: "theme", CookieClass: "other",
		Remediation: result.Remediation{Framework: ScriptFramework, Fix: ScriptFix("cookie-missing-secure", "theme")}}}
	Remediate(fs, DetectFrameworks([]string{"connect.sid"}, nil))
	if fs[0].Remediation.Framework != ScriptFramework || !strings.Contains(fs[0].Remediation.Fix, `document.cookie = "theme=`) {
		t.Errorf("remediation %+v, want the document.cookie fix", fs[0].Remediation)
	}
	if FrameworkLabel(ScriptFramework) != "Page script" {
		t.Errorf("label %q", FrameworkLabel(ScriptFramework))
	}
}

func TestEveryRuleIsDocumented(t *testing.T) {
	for _, r := range All() {
		d := DocFor(r.ID)
		if d.Why == "" || len(d.Refs) == 0 {
			t.Errorf("%s: no explanation or references in docs.go", r.ID)
		}
	}
}

func TestGroupOneFindingPerCookie(t *testing.T) {
	var fs []result.Finding
	for _, u := range []string{"https://a.test/1", "https://a.test/2", "https://a.test/1"} {
		fs = append(fs, result.Finding{Rule: "cookie-missing-secure", Severity: result.SeverityLow, Cookie: "sid", CookieDomain: "a.test", CookiePath: "/", URL: u})
	}
	fs = append(fs,
		result.Finding{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Cookie: "sid", CookieDomain: "a.test", CookiePath: "/", URL: "https://a.test/3"},
		result.Finding{Rule: "cookie-missing-secure", Severity: result.SeverityLow, Cookie: "sid", CookieDomain: "a.test", CookiePath: "/app", URL: "https://a.test/app"},
		result.Finding{Rule: "hsts-missing", Severity: result.SeverityMedium, URL: "https://a.test/1"},
		result.Finding{Rule: "hsts-missing", Severity: result.SeverityMedium, URL: "https://a.test/2"},
	)
	got := Group(fs)
	if len(got) != 4 {
		t.Fatalf("%d findings, want 4: %+v", len(got), got)
	}
	if g := got[0]; g.Severity != result.SeverityHigh || strings.Join(g.URLs, " ") != "https://a.test/1 https://a.test/2 https://a.test/3" {
		t.Errorf("grouped: %v %v", g.Severity, g.URLs)
	}
}
