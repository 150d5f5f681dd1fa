package rules_test

import (
	"net/url"
	"testing"
	"time"

	ob "github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// crawlCase is a browser observation and the one verdict expected of one rule.
type crawlCase struct {
	rule   string
	want   result.Severity
	cookie string // the finding's cookie, "" for any
	crawl  ob.Crawl
}

var crawlTime = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

const sid = "0123456789abcdef0123456789abcdef"

func jar(kv ...string) []ob.StoredCookie {
	var out []ob.StoredCookie
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ob.StoredCookie{Name: kv[i], Value: kv[i+1], Domain: "app.test", Path: "/", Session: true})
	}
	return out
}

func phases(pre, post []ob.StoredCookie) map[string][]ob.StoredCookie {
	return map[string][]ob.StoredCookie{ob.PreLogin: pre, ob.PostLogin: post}
}

func loginResp(lines ...string) []ob.Response {
	return []ob.Response{{URL: "https://app.test/login", Type: "Document", Status: 302, Redirect: true, Phase: ob.Login, Date: crawlTime, SetCookies: lines}}
}

func doc(u string, hsts ...string) ob.Response {
	return ob.Response{URL: u, Type: "Document", Status: 200, Phase: ob.PreLogin, Date: crawlTime, HSTS: hsts}
}

func crawlCases() map[string]crawlCase {
	ok := &ob.LoginResult{OK: true, FinalURL: "https://app.test/account"}
	strong := "max-age=63072000; includeSubDomains"
	return map[string]crawlCase{
		// session-not-rotated-on-login
		"rotation/same id, nothing issued": {rule: "session-not-rotated-on-login", want: high, cookie: "sessionid",
			crawl: ob.Crawl{Login: ok, Stored: phases(jar("sessionid", sid), jar("sessionid", sid))}},
		"rotation/php id kept, remember-me issued": {rule: "session-not-rotated-on-login", want: high, cookie: "PHPSESSID",
			crawl: ob.Crawl{Login: ok, Responses: loginResp("remember_me=x; Secure"), Stored: phases(jar("PHPSESSID", sid), jar("PHPSESSID", sid, "remember_me", "x"))}},
		"rotation/random value under a neutral name": {rule: "session-not-rotated-on-login", want: high, cookie: "uid",
			crawl: ob.Crawl{Login: ok, Stored: phases(jar("uid", sid), jar("uid", sid))}},
		"rotation/new value": {rule: "session-not-rotated-on-login", want: none,
			crawl: ob.Crawl{Login: ok, Stored: phases(jar("sessionid", sid), jar("sessionid", "f"+sid[1:]))}},
		// Issue 10: judged per cookie; the unchanged one is left behind.
		"rotation/separate auth cookie issued": {rule: "session-not-rotated-on-login", want: medium, cookie: "sessionid",
			crawl: ob.Crawl{Login: ok, Responses: loginResp("auth_token=t; Secure"), Stored: phases(jar("sessionid", sid), jar("sessionid", sid, "auth_token", "t"))}},
		"rotation/same id re-sent at login": {rule: "session-not-rotated-on-login", want: high, cookie: "connect.sid",
			// express-session with cookie.maxAge sends the unchanged id again
			crawl: ob.Crawl{Login: ok, Responses: loginResp("connect.sid=s%3A" + sid + "; Path=/; Expires=Sat, 21 Nov 2026 13:00:00 GMT; HttpOnly"),
				Stored: phases(jar("connect.sid", "s%3A"+sid), jar("connect.sid", "s%3A"+sid))}},
		"rotation/new id sent at login": {rule: "session-not-rotated-on-login", want: none,
			crawl: ob.Crawl{Login: ok, Responses: loginResp("connect.sid=s%3Af" + sid[1:] + "; Path=/; HttpOnly"),
				Stored: phases(jar("connect.sid", "s%3A"+sid), jar("connect.sid", "s%3Af"+sid[1:]))}},
		"rotation/login failed": {rule: "session-not-rotated-on-login", want: none,
			crawl: ob.Crawl{Login: &ob.LoginResult{}, Stored: phases(jar("sessionid", sid), jar("sessionid", sid))}},
		"rotation/no login": {rule: "session-not-rotated-on-login", want: none,
			crawl: ob.Crawl{Stored: phases(jar("sessionid", sid), jar("sessionid", sid))}},

		// cookie-sent-over-http: proof from the browser; session-like high, others low.
		"sent/session id":  {rule: "cookie-sent-over-http", want: high, cookie: "sessionid", crawl: proof([]string{"sessionid"}, "")},
		"sent/jwt":         {rule: "cookie-sent-over-http", want: high, cookie: "jwt", crawl: proof([]string{"jwt"}, "")},
		"sent/theme":       {rule: "cookie-sent-over-http", want: low, cookie: "theme", crawl: proof([]string{"theme"}, "")},
		"sent/csrf":        {rule: "cookie-sent-over-http", want: low, cookie: "csrftoken", crawl: proof([]string{"csrftoken"}, "")},
		"sent/nothing":     {rule: "cookie-sent-over-http", want: none, crawl: proof(nil, "")},
		"sent/proof error": {rule: "cookie-sent-over-http", want: none, crawl: proof([]string{"sessionid"}, "net::ERR_CONNECTION_REFUSED")},
		"sent/no proof":    {rule: "cookie-sent-over-http", want: none, crawl: ob.Crawl{}},

		// hsts-inconsistent
		"hsts/one page lacks it": {rule: "hsts-inconsistent", want: low,
			crawl: ob.Crawl{Responses: []ob.Response{doc("https://app.test/", strong), doc("https://app.test/b")}}},
		"hsts/two values": {rule: "hsts-inconsistent", want: low,
			crawl: ob.Crawl{Responses: []ob.Response{doc("https://app.test/", strong), doc("https://app.test/b", "max-age=300")}}},
		"hsts/three pages, one differs": {rule: "hsts-inconsistent", want: low,
			crawl: ob.Crawl{Responses: []ob.Response{doc("https://app.test/", strong), doc("https://app.test/a", strong), doc("https://app.test/c", "max-age=0")}}},
		"hsts/all equal": {rule: "hsts-inconsistent", want: none,
			crawl: ob.Crawl{Responses: []ob.Response{doc("https://app.test/", strong), doc("https://app.test/b", strong)}}},
		"hsts/other host differs": {rule: "hsts-inconsistent", want: none,
			crawl: ob.Crawl{Responses: []ob.Response{doc("https://app.test/", strong), doc("https://cdn.test/x")}}},
		"hsts/plain-http page": {rule: "hsts-inconsistent", want: none,
			crawl: ob.Crawl{Responses: []ob.Response{doc("https://app.test/", strong), doc("http://app.test/x")}}},

		// session-id-in-url
		"url/jsessionid path param": {rule: "session-id-in-url", want: medium, crawl: pages("https://app.test/cart;jsessionid=ABCDEF0123456789")},
		"url/PHPSESSID query":       {rule: "session-id-in-url", want: medium, crawl: pages("https://app.test/?PHPSESSID=abcdef0123456789")},
		"url/sid query":             {rule: "session-id-in-url", want: medium, crawl: pages("https://app.test/x?a=1&sid=0123456789abcdef")},
		"url/short value":           {rule: "session-id-in-url", want: none, crawl: pages("https://app.test/?sid=1234")},
		"url/plain":                 {rule: "session-id-in-url", want: none, crawl: pages("https://app.test/session/help")},
		"url/other param":           {rule: "session-id-in-url", want: none, crawl: pages("https://app.test/?side=0123456789abcdef")},

		// session-cookie-not-cleared-on-logout
		"logout/kept": {rule: "session-cookie-not-cleared-on-logout", want: low, cookie: "sessionid", crawl: logout(jar("sessionid", sid), jar("sessionid", sid))},
		"logout/kept php": {rule: "session-cookie-not-cleared-on-logout", want: low, cookie: "PHPSESSID",
			crawl: logout(jar("PHPSESSID", sid), jar("PHPSESSID", sid))},
		"logout/kept express": {rule: "session-cookie-not-cleared-on-logout", want: low, cookie: "connect.sid",
			crawl: logout(jar("connect.sid", sid), jar("connect.sid", sid))},
		"logout/deleted":  {rule: "session-cookie-not-cleared-on-logout", want: none, crawl: logout(jar("sessionid", sid), nil)},
		"logout/replaced": {rule: "session-cookie-not-cleared-on-logout", want: none, crawl: logout(jar("sessionid", sid), jar("sessionid", "f"+sid[1:]))},
		"logout/remember-me kept": {rule: "session-cookie-not-cleared-on-logout", want: none,
			crawl: logout(jar("remember_me", sid), jar("remember_me", sid))},
		"logout/not run": {rule: "session-cookie-not-cleared-on-logout", want: none,
			crawl: ob.Crawl{Stored: map[string][]ob.StoredCookie{ob.PostLogin: jar("sessionid", sid), "logout": jar("sessionid", sid)}}},
	}
}

func proof(attached []string, errText string) ob.Crawl {
	return ob.Crawl{
		HTTPProof: &ob.HTTPProof{URL: "http://app.test/", Attached: attached, Error: errText},
		Stored:    map[string][]ob.StoredCookie{ob.PreLogin: jar("sessionid", sid, "jwt", "eyJ", "theme", "dark", "csrftoken", "c")},
	}
}

func pages(urls ...string) ob.Crawl {
	var c ob.Crawl
	for _, u := range urls {
		c.Pages = append(c.Pages, ob.Page{URL: u, FinalURL: u, Status: 200, Phase: ob.PreLogin})
	}
	return c
}

func logout(before, after []ob.StoredCookie) ob.Crawl {
	return ob.Crawl{Logout: &ob.LogoutResult{OK: true},
		Stored: map[string][]ob.StoredCookie{ob.PostLogin: before, "logout": after}}
}

func TestCrawlRules(t *testing.T) {
	target, _ := url.Parse("https://app.test/")
	for name, tc := range crawlCases() {
		t.Run(name, func(t *testing.T) {
			var got result.Severity
			for _, f := range rules.CrawlFindings(tc.crawl, target, false, crawlTime) {
				if f.Rule == tc.rule && (tc.cookie == "" || f.Cookie == tc.cookie) && f.Severity > got {
					got = f.Severity
					if f.Detail == "" || f.Evidence == "" {
						t.Errorf("finding without detail or evidence: %+v", f)
					}
				}
			}
			if got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.rule, got, tc.want)
			}
		})
	}
}
