package browser

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"

	"github.com/cookiescan/cookiescan/scanner/observe"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

func TestFollow(t *testing.T) {
	s, err := newScan(observe.Request{StartURL: "https://www.example.co.uk/a", Exclude: []string{`\.pdf$`}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		href, text, want string
	}{
		{"https://www.example.co.uk/b#top", "", "https://www.example.co.uk/b"},
		{"http://shop.example.co.uk/", "", "http://shop.example.co.uk/"}, // same site, other host and scheme
		{"https://other.co.uk/", "", ""},
		{"https://co.uk/", "", ""},
		{"mailto:x@example.co.uk", "", ""},
		{"https://www.example.co.uk/account/logout?next=/", "", ""},
		{"https://www.example.co.uk/session/end", "Sign out", ""},
		{"https://www.example.co.uk/Log-Off", "", ""},
		{"https://www.example.co.uk/catalog.pdf", "", ""},
	} {
		got, ok := s.follow(Anchor{URL: tt.href, Text: tt.text})
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("follow(%q, %q) = %q, %v; want %q", tt.href, tt.text, got, ok, tt.want)
		}
	}
	s.req.FollowLogout = true
	if _, ok := s.follow(Anchor{URL: "https://www.example.co.uk/logout"}); !ok {
		t.Error("FollowLogout: logout link not followed")
	}
	s.include = s.exclude
	if _, ok := s.follow(Anchor{URL: "https://www.example.co.uk/b"}); ok {
		t.Error("a link that no Include pattern matches was followed")
	}

	ip, _ := newScan(observe.Request{StartURL: "http://127.0.0.1:8080/"})
	for href, want := range map[string]bool{"http://127.0.0.1:9090/x": true, "http://127.0.0.2/": false} {
		if _, ok := ip.follow(Anchor{URL: href}); ok != want {
			t.Errorf("from an IP, follow(%s) = %v", href, ok)
		}
	}
	if _, err := newScan(observe.Request{StartURL: "/relative"}); err == nil {
		t.Error("a relative start URL was accepted")
	}
	if _, err := newScan(observe.Request{StartURL: "https://x.test/", Include: []string{"("}}); err == nil {
		t.Error("a bad pattern was accepted")
	}
}

func TestLineKey(t *testing.T) {
	u, _ := url.Parse("https://Www.Example.com/shop/cart?x=1")
	for line, want := range map[string]cookieKey{
		"a=1":                                {"a", "www.example.com", "/shop"},
		"a=1; Path=/":                        {"a", "www.example.com", "/"},
		"a=1; Domain=.Example.com; Path=/x":  {"a", ".example.com", "/x"},
		"a=1; Domain=example.com; Path=nope": {"a", ".example.com", "/shop"},
		"novalue":                            {"", "www.example.com", "/shop"},
		// Chromium: the last Domain wins, an empty one is host-only; an
		// IP host's own Domain is host-only.
		"a=1; Domain=example.com; Domain=": {"a", "www.example.com", "/shop"},
	} {
		if got := lineKey(sc.Parse(line), u); got != want {
			t.Errorf("lineKey(%q) = %+v, want %+v", line, got, want)
		}
	}
	for p, want := range map[string]string{"": "/", "/": "/", "/a": "/", "/a/b": "/a", "x": "/"} {
		if got := sc.DefaultPath(p); got != want {
			t.Errorf("DefaultPath(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestLedger: a cookie no header explains is a script cookie, once; one
// another tab's response stored just before the read is not.
func TestLedger(t *testing.T) {
	start, _ := url.Parse("https://x.test/")
	l := newLedger()
	l.seed([]observe.StoredCookie{{Name: "seeded"}}, start)
	t0 := time.Now()
	l.explain(Response{URL: "https://x.test/", SetCookies: []string{"sid=1; Path=/", "bad=1; SameSite=None"},
		Blocked: []BlockedCookie{{Line: "bad=1; SameSite=None"}}, at: t0}, 0)
	store := []*network.Cookie{
		{Name: "sid", Domain: "x.test", Path: "/"},
		{Name: "seeded", Domain: "x.test", Path: "/"},
		{Name: "theme", Domain: "x.test", Path: "/"},
		{Name: "bad", Domain: "x.test", Path: "/"}, // set by script after the header was refused
		{Name: "race", Domain: "x.test", Path: "/"},
	}
	read := t0.Add(time.Millisecond)
	l.check(store, "https://x.test/", observe.PreLogin, 0, read)
	// Tab 1's response arrived a moment after tab 0's read.
	l.explain(Response{URL: "https://x.test/other", SetCookies: []string{"race=1; Path=/"}, at: read.Add(50 * time.Millisecond)}, 1)
	l.check(store, "https://x.test/later", observe.PostLogin, 0, read.Add(time.Second))
	var names []string
	for _, s := range l.settle() {
		names = append(names, s.Cookie.Name+"@"+s.PageURL)
	}
	if want := []string{"theme@https://x.test/", "bad@https://x.test/"}; !slices.Equal(names, want) {
		t.Errorf("script cookies %q, want %q", names, want)
	}
	l.check(store, "https://x.test/again", observe.PostLogin, 0, read.Add(2*time.Second))
	if again := l.settle(); len(again) != 0 {
		t.Errorf("script cookies reported twice: %+v", again)
	}
}

// TestSelectors: each kind of login-flow selector finds its element.
func TestSelectors(t *testing.T) {
	s := session(t)
	const page = `data:text/html,<h1>Log in</h1>
<label>User <input id="user"></label>
<input id="pw" type="password" aria-label="Password">
<select id="sel"><option>a</option><option>b</option></select>
<button id="go">Log in</button>
<p id="p">Hello <b>there</b></p>
You are logged in as remote user
<div id="host"></div>
<script>document.getElementById('host').attachShadow({mode: 'open'}).innerHTML = '<span id="inner">deep</span>'</script>`
	if _, err := s.Visit(t.Context(), page); err != nil {
		t.Fatal(err)
	}
	rec, stop, err := s.watch()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	r := &stepRunner{tab: s, rec: rec}
	find := func(sels []string, timeout time.Duration) (runtime.RemoteObjectID, error) {
		ctx, cancel := context.WithTimeout(t.Context(), timeout)
		defer cancel()
		return r.find(ctx, sels, timeout)
	}
	for sel, want := range map[string]string{
		"#user":                       "user",
		`xpath///*[@id="pw"]`:         "pw",
		"aria/User":                   "user",
		"aria/Password":               "pw",
		"aria/Log in":                 "go", // the button, not the heading
		`aria/Log in[role="heading"]`: "",
		"text/there":                  "",
		"text/logged in as remote":    "BODY", // text directly in <body>
		"pierce/#inner":               "inner",
		"pierce/#host >>> #inner":     "inner",
	} {
		obj, err := find([]string{"#missing", sel}, time.Second)
		if err != nil {
			t.Errorf("%s: %v", sel, err)
			continue
		}
		raw, err := r.callOn(t.Context(), obj, `function () { return this.id || this.tagName; }`)
		if got := string(raw); err != nil || (want != "" && got != `"`+want+`"`) {
			t.Errorf("%s found %s (%v), want #%s", sel, got, err, want)
		}
	}
	if obj, _ := find([]string{"#user"}, time.Second); obj != "" {
		if err := r.fill(t.Context(), obj, "alice"); err != nil {
			t.Fatal(err)
		}
		if raw, _ := r.callOn(t.Context(), obj, `function () { return this.value; }`); string(raw) != `"alice"` {
			t.Errorf("filled value %s", raw)
		}
	}
	_, err = find([]string{"#nope", "::bad("}, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), `"#nope"`) || !strings.Contains(err.Error(), `"::bad(" is invalid`) {
		t.Errorf("missing selectors: %v", err)
	}
}
