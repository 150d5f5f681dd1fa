package monitor

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// Auth is what the status server asks of a request: a bearer token, basic
// auth, or either when both are set (Prometheus can send either). Empty: no
// authentication.
type Auth struct {
	BearerToken string
	User        string
	Password    string
}

// Enabled reports whether any authentication is configured.
func (a Auth) Enabled() bool { return a.BearerToken != "" || a.User != "" }

type rawAuth struct {
	BearerToken at[string] `yaml:"bearerToken"`
	User        at[string] `yaml:"user"`
	Password    at[string] `yaml:"password"`
}

// auth checks the auth: block. A secret must be a ${VAR} and nothing else: the
// config file is read by everyone who runs `monitor history` and is kept in
// repositories and ConfigMaps.
func (v *validator) auth(raw rawAuth) Auth {
	var a Auth
	secret := func(f at[string], key string) string {
		if !f.Set {
			return ""
		}
		val := strings.TrimSpace(f.V)
		if !envRE.MatchString(val) || envRE.FindString(val) != val {
			v.add(f.Line, "write "+key+": ${COOKIESCAN_STATUS_"+strings.ToUpper(key)+"} and export that variable", "auth.%s must come from the environment, not be written in the config", key)
			return ""
		}
		if v.lenient {
			return "" // history and show serve nothing
		}
		out, err := Expand(val, v.getenv)
		switch {
		case err != nil:
			v.add(f.Line, "export it before starting the monitor", "auth.%s: %v", key, err)
		case out == "":
			v.add(f.Line, "set it to a long random value (openssl rand -hex 32)", "auth.%s: %s is empty", key, val)
		}
		return out
	}
	a.BearerToken = secret(raw.BearerToken, "bearerToken")
	a.Password = secret(raw.Password, "password")
	if raw.User.Set {
		a.User = strings.TrimSpace(raw.User.V)
		if a.User == "" || strings.Contains(a.User, ":") {
			v.add(raw.User.Line, "write a user name without ':'", "auth.user %q is not a user name", raw.User.V)
		}
	}
	if raw.User.Set != raw.Password.Set {
		line := raw.User.Line
		if raw.Password.Set {
			line = raw.Password.Line
		}
		v.add(line, "give both user: and password: (${VAR}) for basic auth, or neither", "auth.user and auth.password go together")
	}
	if v.lenient {
		a = Auth{}
	}
	return a
}

// requireAuth lets a request through when it carries the configured bearer
// token or basic credentials. /healthz stays open: probes carry no secret and
// it tells nothing about the scanned sites.
func (m *Monitor) requireAuth(next http.Handler) http.Handler {
	a := m.cfg.Auth
	if !a.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || a.allows(r) {
			next.ServeHTTP(w, r)
			return
		}
		if a.BearerToken != "" {
			w.Header().Add("WWW-Authenticate", `Bearer realm="cookiescan"`)
		}
		if a.User != "" {
			w.Header().Add("WWW-Authenticate", `Basic realm="cookiescan", charset="UTF-8"`)
		}
		http.Error(w, "authentication required (auth: in the monitor config)", http.StatusUnauthorized)
	})
}

func (a Auth) allows(r *http.Request) bool {
	if a.BearerToken != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && same(strings.TrimSpace(tok), a.BearerToken) {
			return true
		}
	}
	if a.User != "" {
		if u, p, ok := r.BasicAuth(); ok && same(u, a.User) && same(p, a.Password) {
			return true
		}
	}
	return false
}

// same compares in constant time (hashes first, so lengths leak nothing).
func same(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// exposed reports whether a listen address reaches beyond this machine.
func exposed(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
