package rules

import (
	"net/http"
	"sort"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

// appFrameworks come before web servers: their settings fix cookies at the source.
var frameworkOrder = []string{"django", "rails", "laravel", "wordpress", "express", "spring", "aspnetcore", "flask", "php", "nginx", "apache"}

// FrameworkLabel is the display name of a framework ID ("aspnetcore" → "ASP.NET
// Core"); the names live with the rest of the report vocabulary.
func FrameworkLabel(id string) string { return vocab.FrameworkName(id) }

// FrameworkOrder lists framework IDs strongest first: application frameworks fix
// cookies at the source, web servers come last.
func FrameworkOrder() []string { return append([]string(nil), frameworkOrder...) }

// DetectFrameworks names the stacks behind a site from the cookie names it sets and
// the headers of its responses, strongest first.
func DetectFrameworks(cookieNames []string, headers []http.Header) []result.Framework {
	ev := map[string][]string{}
	note := func(fw, why string) {
		for _, e := range ev[fw] {
			if e == why {
				return
			}
		}
		ev[fw] = append(ev[fw], why)
	}
	for _, name := range cookieNames {
		n := strings.ToLower(name)
		switch {
		case n == "csrftoken" || n == "django_language":
			note("django", "cookie "+name)
		case n == "xsrf-token" && hasCookie(cookieNames, "laravel_session"):
			note("laravel", "cookie "+name)
		case strings.HasPrefix(n, ".aspnetcore.") || n == "asp.net_sessionid" || n == ".aspxauth":
			note("aspnetcore", "cookie "+name)
		case strings.HasPrefix(n, "remember_web_"):
			note("laravel", "cookie "+name)
		}
		if isWordPressCookie(n) {
			note("wordpress", "cookie "+name)
		}
		if fw, ok := FrameworkDefault(name); ok && fw != "flask" {
			note(fw, "cookie "+name)
		}
	}
	for _, h := range headers {
		powered := strings.ToLower(h.Get("X-Powered-By"))
		server := strings.ToLower(h.Get("Server"))
		switch {
		case strings.Contains(powered, "express"):
			note("express", "X-Powered-By: "+h.Get("X-Powered-By"))
		case strings.Contains(powered, "php"):
			note("php", "X-Powered-By: "+h.Get("X-Powered-By"))
		case strings.Contains(powered, "asp.net"):
			note("aspnetcore", "X-Powered-By: "+h.Get("X-Powered-By"))
		}
		for _, link := range h.Values("Link") {
			if strings.Contains(link, `rel="https://api.w.org/"`) {
				note("wordpress", "Link: rel=\"https://api.w.org/\" (the WordPress REST API)")
			}
		}
		if h.Get("X-Pingback") != "" {
			note("wordpress", "X-Pingback header")
		}
		if h.Get("X-Runtime") != "" && h.Get("X-Request-Id") != "" {
			note("rails", "X-Runtime and X-Request-Id headers")
		}
		switch {
		case strings.HasPrefix(server, "nginx"):
			note("nginx", "Server: "+h.Get("Server"))
		case strings.HasPrefix(server, "apache"):
			note("apache", "Server: "+h.Get("Server"))
		case strings.HasPrefix(server, "kestrel"):
			note("aspnetcore", "Server: "+h.Get("Server"))
		case strings.Contains(server, "wsgiserver") || strings.Contains(server, "gunicorn"):
			if _, ok := ev["django"]; !ok {
				note("flask", "Server: "+h.Get("Server")) // a Python WSGI app; Django is told apart by its cookies
			}
		}
	}
	// WordPress is PHP (often behind nginx with PHP-FPM, which sends no
	// X-Powered-By): its plugins' cookies are set with PHP's setcookie().
	if _, ok := ev["wordpress"]; ok {
		note("php", "WordPress runs on PHP")
	}
	// Laravel sets PHPSESSID-free sessions; a laravel_session makes "php" redundant.
	if _, ok := ev["laravel"]; ok {
		delete(ev, "php")
	}
	var out []result.Framework
	for _, fw := range frameworkOrder {
		if e, ok := ev[fw]; ok {
			sort.Strings(e)
			out = append(out, result.Framework{Name: fw, Label: vocab.FrameworkName(fw), Evidence: e})
		}
	}
	return out
}

func hasCookie(names []string, want string) bool {
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return true
		}
	}
	return false
}

// isWordPressCookie: the cookies WordPress core sets itself (auth, logged-in,
// login test, per-user settings, comment author), name lowercased.
func isWordPressCookie(n string) bool {
	for _, p := range []string{"wordpress_", "wp-settings-", "comment_author_", "wp_lang"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}
