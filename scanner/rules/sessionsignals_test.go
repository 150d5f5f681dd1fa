package rules_test

import (
	"strings"
	"testing"

	ob "github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

func crawlFindings(c ob.Crawl) []result.Finding {
	return rules.CrawlFindings(c, mustURL("https://app.test/"), false, crawlTime)
}

func findingsOf(fs []result.Finding, rule, cookie string) []result.Finding {
	var out []result.Finding
	for _, f := range fs {
		if f.Rule == rule && f.Cookie == cookie {
			out = append(out, f)
		}
	}
	return out
}

// Rotation is judged per cookie (issue 10): the login issues a new session
// cookie but keeps the anonymous visitor's other session cookie unchanged;
// that one gets session-not-rotated-on-login at medium, and the detail names
// the rotated cookie and the one left behind. Nothing rotated at all: high.
func TestRotationPerCookie(t *testing.T) {
	const fresh, visitor = "fedcba9876543210fedcba9876543210", "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	login := &ob.LoginResult{OK: true, FinalURL: "https://app.test/account"}
	c := ob.Crawl{Login: login,
		Responses: loginResp("sessionid=" + fresh + "; Path=/; Secure; HttpOnly"),
		Stored:    phases(jar("sessionid", sid, "visitor_sid", visitor), jar("sessionid", fresh, "visitor_sid", visitor))}
	fs := crawlFindings(c)
	if got := findingsOf(fs, "session-not-rotated-on-login", "sessionid"); len(got) != 0 {
		t.Errorf("the rotated cookie is reported: %+v", got)
	}
	got := findingsOf(fs, "session-not-rotated-on-login", "visitor_sid")
	if len(got) != 1 || got[0].Severity != medium || got[0].URL != login.FinalURL {
		t.Fatalf("visitor_sid: %+v, want one medium finding at %s", got, login.FinalURL)
	}
	if d := got[0].Detail; !strings.Contains(d, `"sessionid" rotated`) || !strings.Contains(d, `"visitor_sid"`) {
		t.Errorf("detail does not name the rotated and the left-behind cookie: %q", d)
	}

	// Two left behind, none issued: each is reported, at high.
	c = ob.Crawl{Login: login, Stored: phases(jar("sessionid", sid, "visitor_sid", visitor), jar("sessionid", sid, "visitor_sid", visitor))}
	fs = crawlFindings(c)
	for _, name := range []string{"sessionid", "visitor_sid"} {
		if got := findingsOf(fs, "session-not-rotated-on-login", name); len(got) != 1 || got[0].Severity != high {
			t.Errorf("%s: %+v, want one high finding", name, got)
		}
	}
}

// A cookie is session-like for a stated signal; being set at login is not
// one (issue 10: a real application's 30-day user-name and user-id cookies
// got session-cookie-persistent at medium). A value the login rotated and a
// cookie the logout removed are signals, and say so.
func TestSessionSignals(t *testing.T) {
	login := &ob.LoginResult{OK: true, FinalURL: "https://app.test/account"}
	c := ob.Crawl{Login: login,
		Responses: loginResp(
			"user_name=alice; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=2592000",
			"user_id=42; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=2592000",
			"theme=dark; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=2592000",
			"cart=c7Kq9ZpLw2Xr; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=2592000"),
		Stored: phases(jar("cart", "a3Vx8NqR1mTe"), jar("user_name", "alice", "user_id", "42", "theme", "dark", "cart", "c7Kq9ZpLw2Xr"))}
	fs := crawlFindings(c)
	for _, name := range []string{"user_name", "user_id", "theme"} {
		if got := findingsOf(fs, "session-cookie-persistent", name); len(got) != 0 {
			t.Errorf("%s, merely set at login, is judged a session cookie: %+v", name, got)
		}
	}
	// cart held one value before login and another after: the login rotated it.
	got := findingsOf(fs, "session-cookie-persistent", "cart")
	if len(got) != 1 || got[0].Severity != medium || !strings.Contains(got[0].Detail, "rotated at login") {
		t.Errorf("cart (rotated at login): %+v, want medium naming the signal", got)
	}
	if s := rules.SessionSignals(c); s["cart"] == "" || s["user_name"] != "" {
		t.Errorf("signals %q", s)
	}

	// Removed at logout.
	c = ob.Crawl{Login: login, Logout: &ob.LogoutResult{OK: true},
		Stored: map[string][]ob.StoredCookie{ob.PreLogin: nil, ob.PostLogin: jar("u", "a91f03c2b7d4e5f6", "theme", "dark"), "logout": jar("theme", "dark")}}
	if s := rules.SessionSignals(c); !strings.HasPrefix(s["u"], "removed at logout") || s["theme"] != "" {
		t.Errorf("signals %q, want u removed at logout and theme nothing", s)
	}
}

// A value with no room for a credential (under 64 bits in its alphabet) is
// no session cookie because the login changed it or the logout removed it:
// WordPress's logout deletes wp-settings-time-1, a 10-digit timestamp.
func TestNoCredentialNoBehaviourSignal(t *testing.T) {
	login := &ob.LoginResult{OK: true, FinalURL: "https://app.test/wp-admin/"}
	c := ob.Crawl{Login: login, Logout: &ob.LogoutResult{OK: true},
		Responses: loginResp("wp-settings-time-1=1796312345; Path=/; Max-Age=31536000", "step=2; Path=/"),
		Stored: map[string][]ob.StoredCookie{ob.PreLogin: jar("step", "1"),
			ob.PostLogin: jar("wp-settings-time-1", "1796312345", "step", "2"), "logout": nil}}
	if s := rules.SessionSignals(c); len(s) != 0 {
		t.Errorf("signals %q, want none", s)
	}
	if got := findingsOf(crawlFindings(c), "session-cookie-persistent", "wp-settings-time-1"); len(got) != 0 {
		t.Errorf("a timestamp judged a persistent session cookie: %+v", got)
	}
	for v, want := range map[string]bool{"1796312345": false, "12345678901234567890": true, "a91f03c2b7d4e5f": false,
		"a91f03c2b7d4e5f6": true, "c7Kq9ZpLw2X": true, "c7Kq9ZpLw2": false, "": false, "s%3Aab.cd": false} {
		if got := rules.CanCarryCredential(v); got != want {
			t.Errorf("CanCarryCredential(%q) = %v, want %v", v, got, want)
		}
	}
}

// A persistent cookie the login set because the flow ticked "remember me"
// is a remember-me cookie: session-cookie-persistent at info, explained
// (RULES.md), whatever its name.
func TestRememberMeByFlow(t *testing.T) {
	const token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	login := &ob.LoginResult{OK: true, FinalURL: "https://app.test/account"}
	line := "keep_token=" + token + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=2592000"
	c := ob.Crawl{Login: login, RememberMe: true, Responses: loginResp(line), Stored: phases(nil, jar("keep_token", token))}
	got := findingsOf(crawlFindings(c), "session-cookie-persistent", "keep_token")
	if len(got) != 1 || got[0].Severity != info || !strings.Contains(got[0].Detail, "remember") {
		t.Errorf("remember-me asked: %+v, want info, explained", got)
	}
	c.RememberMe = false
	got = findingsOf(crawlFindings(c), "session-cookie-persistent", "keep_token")
	if len(got) != 1 || got[0].Severity != medium {
		t.Errorf("not asked: %+v, want medium", got)
	}
}

// A cookie that changes on every response (a last-visit time) is not
// "rotated at login" because it changed at login too.
func TestChurningCookieIsNoRotation(t *testing.T) {
	pre := func(line string) ob.Response {
		return ob.Response{URL: "https://app.test/", Type: "Document", Status: 200, Phase: ob.PreLogin, Date: crawlTime, SetCookies: []string{line}}
	}
	c := ob.Crawl{Login: &ob.LoginResult{OK: true},
		Responses: append([]ob.Response{pre("last_visit=1700000001; Path=/"), pre("last_visit=1700000002; Path=/")},
			loginResp("last_visit=1700000003; Path=/", "cart=c7Kq9ZpLw2Xr; Path=/")...),
		Stored: phases(jar("last_visit", "1700000002", "cart", "a3Vx8NqR1mTe"), jar("last_visit", "1700000003", "cart", "c7Kq9ZpLw2Xr"))}
	s := rules.SessionSignals(c)
	if s["last_visit"] != "" || s["cart"] == "" {
		t.Errorf("signals %q, want cart rotated and last_visit nothing", s)
	}
}
