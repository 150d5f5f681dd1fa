package rules_test

import (
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/rules"
)

func TestSessionLike(t *testing.T) {
	tests := map[string]struct {
		name, value string
		login       bool
		want        bool
		signal      string // a substring of the signal; "" when not session-like
	}{
		"django sessionid":          {"sessionid", "abc", false, true, "django"},
		"PHPSESSID":                 {"PHPSESSID", "abc", false, true, "php"},
		"JSESSIONID":                {"JSESSIONID", "ABC", false, true, "spring"},
		"express connect.sid":       {"connect.sid", "s%3Aabc", false, true, "express"},
		"laravel_session":           {"laravel_session", "abc", false, true, "laravel"},
		"rails _myapp_session":      {"_myapp_session", "abc", false, true, "rails"},
		".AspNetCore.Session":       {".AspNetCore.Session", "abc", false, true, "aspnetcore"},
		"ASP.NET_SessionId":         {"ASP.NET_SessionId", "abc", false, true, "aspnet"},
		"name contains auth":        {"auth_token", "abc", false, true, "name contains"},
		"name contains jwt":         {"jwt", "abc", false, true, `"jwt"`},
		"name contains remember":    {"remember_me", "1", false, true, `"remember"`},
		"name contains login":       {"user_login", "1", false, true, `"login"`},
		"32-hex under a neutral id": {"uid", hex32a, false, true, "entropy"},
		"another 32-hex value":      {"visitor", hex32b, false, true, "entropy"},
		"set at login":              {"prefs", "1", true, true, "login"},
		"login signal wins":         {"sessionid", "abc", true, true, "login"},
		"csrftoken is not":          {"csrftoken", "abc", false, false, ""},
		"XSRF-TOKEN is not":         {"XSRF-TOKEN", "abc", false, false, ""},
		"csrf set at login is not":  {"csrftoken", hex32a, true, false, ""},
		"_ga with random value":     {"_ga", "GA1.1." + hex32a, false, false, ""},
		"_gid with random value":    {"_gid", hex32b, false, false, ""},
		"consent set at login":      {"OptanonConsent", "isGpcEnabled=0&datestamp=" + hex32a, true, false, ""},
		"theme=dark":                {"theme", "dark", false, false, ""},
		"a commenter's name":        {"comment_author_5c1b", "Bob%20Visitor", false, false, ""},
		"a constant check cookie":   {"wordpress_test_cookie", "WP%20Cookie%20check", false, false, ""},
		"a commenter's e-mail":      {"comment_author_email_5c1b", "bob%40example.test", false, false, ""},
		"a commenter's web site":    {"comment_author_url_5c1b", "https%3A%2F%2Fbob.example.test%2F", false, false, ""},
		"a token with an @":         {"tok", "Zx9@Qm3kP7rT2vW8yB4n", false, true, "long high-entropy value"},
		"sid inside a word":         {"inside_panel", "open", false, false, ""},
		"auth as a part":            {"x-auth", "1", false, true, `"auth"`},
		"phpsessid-like part":       {"my_phpsessid", "1", false, true, `"sess"`},
		"short neutral value":       {"lang", "en-US", false, false, ""},
		"long low-entropy value":    {"banner", strings.Repeat("ab", 20), false, false, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, signal := rules.SessionLike(tc.name, tc.value, tc.login)
			if got != tc.want {
				t.Fatalf("SessionLike(%q, %q, %v) = %v (%q), want %v", tc.name, tc.value, tc.login, got, signal, tc.want)
			}
			if tc.want && !strings.Contains(signal, tc.signal) {
				t.Errorf("signal %q does not mention %q", signal, tc.signal)
			}
			if !tc.want && signal != "" {
				t.Errorf("signal %q for a cookie that is not session-like", signal)
			}
		})
	}
}

func TestIsCSRF(t *testing.T) {
	tests := map[string]bool{
		"csrftoken":                   true,
		"XSRF-TOKEN":                  true,
		"_csrf":                       true,
		"CSRF-Token":                  true,
		"x-xsrf-cookie":               true,
		".AspNetCore.Antiforgery.Xyz": true,
		".aspnetcore.antiforgery.abc": true,
		"sessionid":                   false,
		"theme":                       false,
		"token":                       false,
		".AspNetCore.Session":         false,
	}
	for name, want := range tests {
		if got := rules.IsCSRF(name); got != want {
			t.Errorf("IsCSRF(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFrameworkDefault(t *testing.T) {
	tests := map[string]string{ // "" means no framework
		"sessionid":                        "django",
		"PHPSESSID":                        "php",
		"phpsessid":                        "php",
		"JSESSIONID":                       "spring",
		"connect.sid":                      "express",
		"laravel_session":                  "laravel",
		"_myapp_session":                   "rails",
		"_Shop_Session":                    "rails",
		"ASP.NET_SessionId":                "aspnet",
		".AspNetCore.Session":              "aspnetcore",
		".AspNetCore.Cookies":              "aspnetcore",
		".AspNetCore.Identity.Application": "aspnetcore",
		"csrftoken":                        "",
		"XSRF-TOKEN":                       "",
		".AspNetCore.Antiforgery.Xyz":      "",
		"theme":                            "",
		"mysession":                        "",
		"__session":                        "",
		"_session":                         "",
	}
	for name, want := range tests {
		got, ok := rules.FrameworkDefault(name)
		if got != want || ok != (want != "") {
			t.Errorf("FrameworkDefault(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestIsRememberMe(t *testing.T) {
	for name, want := range map[string]bool{"remember_web_59ba36": true, "remember-me": true, "REMEMBER": true, "sessionid": false, "member": false} {
		if got := rules.IsRememberMe(name); got != want {
			t.Errorf("IsRememberMe(%q) = %v, want %v", name, got, want)
		}
	}
}
