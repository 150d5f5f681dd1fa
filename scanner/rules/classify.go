package rules

import (
	"math"
	"net/url"
	"strings"
)

// defaultSessionNames maps framework default session cookie names (lower-cased) to
// the framework; the name alone fingerprints the stack.
var defaultSessionNames = map[string]string{
	"sessionid":                        "django",
	"phpsessid":                        "php",
	"laravel_session":                  "laravel",
	"jsessionid":                       "spring",
	"connect.sid":                      "express",
	"asp.net_sessionid":                "aspnet",
	".aspnetcore.session":              "aspnetcore",
	".aspnetcore.cookies":              "aspnetcore",
	".aspnetcore.identity.application": "aspnetcore",
	"rack.session":                     "rails",
	"ci_session":                       "php",
	"session":                          "flask",
}

// FrameworkDefault reports the framework whose default session cookie name this is.
func FrameworkDefault(name string) (string, bool) {
	n := strings.ToLower(name)
	// A prefix renames nothing: __Host-sessionid is still Django's session.
	n = strings.TrimPrefix(strings.TrimPrefix(n, "__host-"), "__secure-")
	if f, ok := defaultSessionNames[n]; ok {
		return f, true
	}
	// Rails: _<app>_session.
	if strings.HasPrefix(n, "_") && strings.HasSuffix(n, "_session") && len(n) > len("__session") {
		return "rails", true
	}
	return "", false
}

// IsCSRF reports an anti-CSRF cookie: readable by script by design.
func IsCSRF(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "csrf") || strings.Contains(n, "xsrf") || strings.HasPrefix(n, ".aspnetcore.antiforgery.")
}

// notSession are well-known cookies whose values look random but hold no session:
// exact names, and prefixes that end in a delimiter (so _gallery_session is not _ga).
var (
	notSessionNames    = []string{"_ga", "_gid", "_gat", "_fbp", "_fbc", "cookieconsent", "cookie_consent", "__cf_bm", "_cfuvid", "heroku-session-affinity", "optanonconsent", "optanonalertboxclosed"}
	notSessionPrefixes = []string{"_ga_", "_gat_", "_gcl_", "_hj", ".aspnetcore.culture", ".aspnetcore.mvc.", ".aspnetcore.correlation."}
)

var sessionWords = []string{"sess", "sid", "auth", "token", "login", "remember", "jwt"}

// sessionWord is the session word a lower-cased cookie name holds, "" for
// none. Words are matched in the name's parts (split at any non-alphanumeric)
// so that "comment_author" (a commenter's name) or "inside_panel" do not read
// as auth or sid, while "phpsessid", "authToken" or "x-auth" still do.
func sessionWord(n string) string {
	parts := strings.FieldsFunc(n, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') })
	for _, w := range sessionWords {
		for _, p := range parts {
			switch w {
			case "auth":
				if strings.HasPrefix(p, "auth") && !strings.HasPrefix(p, "author") || strings.HasSuffix(p, "auth") {
					return w
				}
			case "sid":
				if p == "sid" || strings.HasSuffix(p, "sid") && len(p) <= 10 {
					return w
				}
			case "login":
				if strings.HasPrefix(p, "login") || strings.HasSuffix(p, "login") {
					return w
				}
			default:
				if strings.Contains(p, w) {
					return w
				}
			}
		}
	}
	return ""
}

// BehaviourSignal is the signal SessionLike names when the browser saw the
// cookie behave as a session: its value changed at login, or the logout
// removed it (LoginCookies). Being set at login is not such a signal by
// itself: sites set a user name, a user id or a preference there too.
const BehaviourSignal = "rotated at login or removed at logout"

// SessionLike classifies a cookie as carrying a session or credential, and says
// which signal matched: a behaviour the browser saw (rotated at login or
// removed at logout, see LoginCookies), a framework's session name, a word of
// the name, or a long high-entropy value.
func SessionLike(name, value string, behaviour bool) (bool, string) {
	return sessionLike(name, value, map[bool]string{true: BehaviourSignal}[behaviour])
}

// sessionLike is SessionLike with the behaviour signal spelled out ("" for none).
func sessionLike(name, value, behaviour string) (bool, string) {
	if IsCSRF(name) {
		return false, ""
	}
	n := strings.ToLower(name)
	for _, p := range notSessionNames {
		if n == p {
			return false, ""
		}
	}
	for _, p := range notSessionPrefixes {
		if strings.HasPrefix(n, p) {
			return false, ""
		}
	}
	if behaviour != "" {
		return true, behaviour
	}
	if f, ok := FrameworkDefault(name); ok {
		return true, "framework default session name (" + f + ")"
	}
	if w := sessionWord(n); w != "" {
		return true, "name contains \"" + w + "\""
	}
	if looksRandom(value) {
		return true, "long high-entropy value"
	}
	return false, ""
}

// IsRememberMe reports a long-lived "remember me" cookie by its name,
// persistent by design. A cookie the login set only because the flow asked
// to be remembered is one too (CookieContext.RememberMe).
func IsRememberMe(name string) bool { return strings.Contains(strings.ToLower(name), "remember") }

// CanCarryCredential: the value has room for 64 random bits (OWASP's floor
// for a session id) in the alphabet it uses. A 10-digit timestamp or a short
// flag cannot be a credential however the site treats it, so rotating or
// removing it says nothing (WordPress's logout deletes wp-settings-time-1).
func CanCarryCredential(v string) bool {
	digits, hex, alnum := true, true, true
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
		case r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F':
			digits = false
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			digits, hex = false, false
		default:
			digits, hex, alnum = false, false, false
		}
	}
	alphabet := 64.0
	switch {
	case digits:
		alphabet = 10
	case hex:
		alphabet = 16
	case alnum:
		alphabet = 62
	}
	return float64(len(v))*math.Log2(alphabet) >= 64
}

// looksRandom is true for values of 16+ characters with high per-character entropy,
// the shape of generated identifiers. Hex tops out at 4 bits a character, and a
// random 32-hex id often measures under 3.5, hence the threshold of 3.
func looksRandom(v string) bool {
	if len(v) < 16 {
		return false
	}
	// Words with spaces ("WP Cookie check", percent- or form-encoded) are
	// text, whatever their letters measure; a generated id has no space.
	if d, err := url.QueryUnescape(v); err == nil && (strings.ContainsRune(d, ' ') || isAddress(d)) {
		return false
	}
	var counts [256]int
	for i := 0; i < len(v); i++ {
		counts[v[i]]++
	}
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(len(v))
			h -= p * math.Log2(p)
		}
	}
	return h >= 3.0
}

// isAddress: an e-mail address or a web address (WordPress's
// comment_author_email_* holds "bob%40example.test"): data the user typed,
// not a generated id, whatever its letters measure.
func isAddress(d string) bool {
	if strings.HasPrefix(d, "http://") || strings.HasPrefix(d, "https://") {
		return true
	}
	at := strings.IndexByte(d, '@')
	return at > 0 && strings.Count(d, "@") == 1 && strings.Contains(d[at+1:], ".") && !strings.ContainsAny(d, " /=")
}

// Class is the cookie class findings carry: "session", "csrf" or "other".
func Class(name, value string, behaviour bool) string {
	if sess, _ := SessionLike(name, value, behaviour); sess {
		return "session"
	}
	if IsCSRF(name) {
		return "csrf"
	}
	return "other"
}
