package setcookie

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Each row is what Chromium does with the line from that URL; the
// differential test (browser.TestChromiumCookieOracle) asks Chromium the
// same about fixtures.CookieCases, which include every line here.
func TestJudge(t *testing.T) {
	const (
		https = "https://www.example.com/a/b"
		http  = "http://www.example.com/a/b"
	)
	type want struct {
		stored, deletion bool
		reasons          []string
		note             string // substring of Note ("" checks nothing)
		domain, path     string // "" checks nothing
		hostOnly         bool
		maxAge           *int64
	}
	for _, tc := range []struct {
		name, line, url string
		src             Source
		want            want
	}{
		{"plain", "a=1", https, FromHeader, want{stored: true, domain: "www.example.com", hostOnly: true, path: "/a"}},
		{"Secure over https", "a=1; Secure", https, FromHeader, want{stored: true}},
		// What is wrong today: probe-only cookies carried no verdict.
		{"Secure over http", "a=1; Secure", http, FromHeader, want{reasons: []string{ReasonSecureOnly}, note: "insecure origin"}},
		{"Secure deletion over http is refused first", "a=1; Secure; Max-Age=0", http, FromHeader, want{reasons: []string{ReasonSecureOnly}}},
		{"SameSite=None; Secure over http", "a=1; SameSite=None; Secure", http, FromHeader, want{reasons: []string{ReasonSecureOnly}}},
		{"__Secure- over http", "__Secure-a=1; Secure", http, FromHeader, want{reasons: []string{ReasonInvalidPrefix}, note: "insecure origin"}},
		{"__Host- over http", "__Host-a=1; Secure; Path=/", http, FromHeader, want{reasons: []string{ReasonInvalidPrefix}}},
		{"__Host- with Domain and a foreign Domain", "__Host-a=1; Secure; Path=/; Domain=other.com", https, FromHeader,
			want{reasons: []string{ReasonInvalidDomain, ReasonInvalidPrefix}}},
		{"__Host- with Domain equal to an IP host", "__Host-a=1; Secure; Path=/; Domain=127.0.0.1", "https://127.0.0.1/", FromHeader,
			want{stored: true, domain: "127.0.0.1", hostOnly: true}},
		{"__Http- needs HttpOnly", "__Http-a=1; Secure", https, FromHeader, want{reasons: []string{ReasonInvalidPrefix}, note: "no HttpOnly"}},
		{"__Host-Http- ok", "__Host-Http-a=1; Secure; HttpOnly; Path=/", https, FromHeader, want{stored: true}},
		{"nameless cookie with a prefix in its value", "= __Host-y", https, FromHeader, want{reasons: []string{ReasonInvalidPrefix}}},
		{"loopback http is a secure origin", "__Secure-a=1; Secure", "http://127.0.0.1:8080/x", FromHeader, want{stored: true}},
		{"localhost http is a secure origin", "a=1; Secure", "http://app.localhost/", FromHeader, want{stored: true}},
		// Deletions are their own rows.
		{"Max-Age=0", "a=1; Max-Age=0", https, FromHeader, want{deletion: true, note: "deletes", maxAge: i64(0)}},
		{"Max-Age negative", "a=1; Max-Age=-1", https, FromHeader, want{deletion: true, maxAge: i64(-1)}},
		{"Expires in 1970, two-digit year", "a=1; Expires=Thu, 01-Jan-70 00:00:01 GMT", https, FromHeader, want{deletion: true}},
		{"Max-Age=+60", "a=1; Max-Age=+60", https, FromHeader, want{stored: true, maxAge: i64(60)}},
		{"the last Max-Age wins", "a=1; Max-Age=60; Max-Age=abc", https, FromHeader, want{stored: true}},
		{"Max-Age over 400 days", "a=1; Max-Age=63072000", https, FromHeader, want{stored: true, maxAge: i64(63072000), note: "400 days at most"}},
		// Control characters: Chromium's DisallowedCharacter.
		{"SOH", "a=b\x01c", https, FromHeader, want{reasons: []string{ReasonDisallowedCharacter}}},
		{"TAB inside the value", "a=b\tc", https, FromHeader, want{reasons: []string{ReasonDisallowedCharacter}}},
		{"TAB around the value", "a=\tbc\t", https, FromHeader, want{stored: true}},
		{"SOH in an attribute", "a=1; Path=/\x01", https, FromHeader, want{reasons: []string{ReasonDisallowedCharacter}}},
		{"name and value over 4096 bytes", "a=" + strings.Repeat("v", 4096), https, FromHeader, want{reasons: []string{ReasonNameValuePairExceedsMaxSize}}},
		{"empty name and value", "=; Secure", https, FromHeader, want{reasons: []string{ReasonNoCookieContent}}},
		{"empty line", "", https, FromHeader, want{note: "empty"}},
		// Silent drops: no CDP reason, a note.
		{"Partitioned without Secure", "a=1; Partitioned", https, FromHeader, want{note: "Partitioned requires Secure"}},
		{"Partitioned; Secure over http", "a=1; Partitioned; Secure", http, FromHeader, want{note: "Partitioned"}},
		{"Partitioned; Secure", "a=1; Partitioned; Secure", https, FromHeader, want{stored: true}},
		{"SameSite=None without Secure", "a=1; SameSite=None", https, FromHeader, want{reasons: []string{ReasonSameSiteNoneInsecure}}},
		// Domain.
		{"Domain parent", "a=1; Domain=example.com", https, FromHeader, want{stored: true, domain: "example.com", hostOnly: false}},
		{"Domain equal to the host is not host-only", "a=1; Domain=www.example.com", https, FromHeader, want{stored: true, domain: "www.example.com", hostOnly: false}},
		{"Domain of another site", "a=1; Domain=other.com", https, FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain a public suffix", "a=1; Domain=co.uk", "https://www.shop.co.uk/", FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain a private public suffix", "a=1; Domain=blogspot.com", "https://x.blogspot.com/", FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain of a child", "a=1; Domain=a.www.example.com", https, FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain with a trailing dot", "a=1; Domain=example.com.", https, FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain with a port", "a=1; Domain=example.com:443", https, FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain non-ASCII", "a=1; Domain=exämple.com", https, FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"empty Domain last", "a=1; Domain=other.com; Domain=", https, FromHeader, want{stored: true, hostOnly: true, domain: "www.example.com"}},
		{"Domain of an unknown TLD's parent", "a=1; Domain=cookiescan.test", "https://www.cookiescan.test/", FromHeader, want{stored: true, domain: "cookiescan.test"}},
		{"Domain an unknown TLD", "a=1; Domain=test", "https://www.cookiescan.test/", FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		{"Domain equal to an IP host", "a=1; Domain=127.0.0.1", "https://127.0.0.1/", FromHeader, want{stored: true, hostOnly: true, domain: "127.0.0.1"}},
		{"Domain other IP", "a=1; Domain=0.0.1", "https://127.0.0.1/", FromHeader, want{reasons: []string{ReasonInvalidDomain}}},
		// Script writes.
		{"script HttpOnly", "x=1; HttpOnly", https, FromScript, want{note: "HttpOnly"}},
		{"script SameSite=None without Secure", "x=1; SameSite=None", https, FromScript, want{reasons: []string{ReasonSameSiteNoneInsecure}}},
		{"script two years", "x=1; Max-Age=63072000", https, FromScript, want{stored: true, maxAge: i64(63072000), path: "/a"}},
		{"script Secure over http", "x=1; Secure", http, FromScript, want{reasons: []string{ReasonSecureOnly}}},
		{"script newline", "x=a\nb", https, FromScript, want{reasons: []string{ReasonDisallowedCharacter}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse(tc.url)
			v := JudgeLine(tc.line, u, date, tc.src)
			w := tc.want
			if v.Stored != w.stored || v.Deletion != w.deletion || !slices.Equal(v.Reasons, append([]string{}, w.reasons...)) {
				t.Errorf("stored %v deletion %v reasons %q (note %q); want %v %v %q", v.Stored, v.Deletion, v.Reasons, v.Note, w.stored, w.deletion, w.reasons)
			}
			if v.Reasons == nil {
				t.Error("Reasons is nil; the JSON contract wants []")
			}
			if !strings.Contains(v.Note, w.note) {
				t.Errorf("note %q, want it to say %q", v.Note, w.note)
			}
			if w.domain != "" && (v.Domain != w.domain || v.HostOnly != w.hostOnly) {
				t.Errorf("domain %q hostOnly %v, want %q %v", v.Domain, v.HostOnly, w.domain, w.hostOnly)
			}
			if w.path != "" && v.Path != w.path {
				t.Errorf("path %q, want %q", v.Path, w.path)
			}
			if w.maxAge != nil && (v.MaxAge == nil || *v.MaxAge != *w.maxAge) {
				t.Errorf("maxAge %v, want %d", v.MaxAge, *w.maxAge)
			}
		})
	}
}

// Every line is exactly one of stored, deletion, refused; a refusal with
// reasons never stores.
func TestJudgeStatesExclusive(t *testing.T) {
	u, _ := url.Parse("https://www.example.com/")
	for _, tc := range parseCases {
		v := JudgeLine(tc.line, u, date, FromHeader)
		if v.Stored && (v.Deletion || len(v.Reasons) > 0) || v.Deletion && len(v.Reasons) > 0 {
			t.Errorf("%q: stored %v deletion %v reasons %q", tc.line, v.Stored, v.Deletion, v.Reasons)
		}
	}
}
