package browser

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

var hardenedLine = regexp.MustCompile(`^__Host-sessionid=[0-9a-f]{32}; Path=/; Secure; HttpOnly; SameSite=Lax$`)

// document finds the main-frame document (not a redirect hop) of v.
func document(t *testing.T, v Visit) Response {
	t.Helper()
	for _, r := range v.Responses {
		if r.MainFrame && !r.Redirect && r.Type == "Document" {
			return r
		}
	}
	t.Fatalf("no main-frame document among %d responses: %+v", len(v.Responses), v.Responses)
	return Response{}
}

func TestVisitHardened(t *testing.T) {
	s := session(t)
	useProfile(t, "hardened")
	url := site.URL("https", "cookiescan.test", "/")
	v, err := s.Visit(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if v.FinalURL != url || v.Status != 200 || v.Error != "" {
		t.Errorf("FinalURL, Status, Error = %q, %d, %q; want %q, 200, \"\"", v.FinalURL, v.Status, v.Error, url)
	}
	doc := document(t, v)
	if len(doc.SetCookies) != 1 || !hardenedLine.MatchString(doc.SetCookies[0]) {
		t.Errorf("SetCookies = %q, want one raw __Host-sessionid line", doc.SetCookies)
	}
	if want := []string{"max-age=63072000; includeSubDomains"}; !slices.Equal(doc.HSTS, want) {
		t.Errorf("HSTS = %q, want %q", doc.HSTS, want)
	}
	if len(doc.Blocked) != 0 {
		t.Errorf("Blocked = %+v, want none", doc.Blocked)
	}
	if doc.Headers["x-fixture-profile"] != "hardened" {
		t.Errorf("Headers lack x-fixture-profile: %v", doc.Headers)
	}

	cookies, err := s.Cookies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := StoredCookie{Name: "__Host-sessionid", Domain: "cookiescan.test", Path: "/",
		Secure: true, HTTPOnly: true, Session: true, SameSite: "Lax"}
	if len(cookies) != 1 {
		t.Fatalf("Cookies = %+v, want one", cookies)
	}
	// The favicon request gets its own __Host-sessionid from this fixture and
	// may overwrite the document's: the stored value must be one of those sent.
	got := cookies[0]
	if !sentValue(v, got.Name, got.Value) {
		t.Errorf("stored value %q was not sent in any response of %+v", got.Value, v.Responses)
	}
	got.Value = ""
	if got != want {
		t.Errorf("stored cookie = %+v, want %+v", got, want)
	}
}

// sentValue reports whether some response of v set name=value.
func sentValue(v Visit, name, value string) bool {
	for _, r := range v.Responses {
		for _, l := range r.SetCookies {
			if strings.HasPrefix(l, name+"="+value+";") {
				return true
			}
		}
	}
	return false
}

func TestVisitInsecure(t *testing.T) {
	s := session(t)
	useProfile(t, "insecure")
	v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/"))
	if err != nil {
		t.Fatal(err)
	}
	doc := document(t, v)
	if len(doc.SetCookies) != 2 ||
		!regexp.MustCompile(`^sessionid=[0-9a-f]{32}; Path=/; Expires=[A-Z][a-z]{2}, .* GMT$`).MatchString(doc.SetCookies[0]) ||
		!regexp.MustCompile(`^csrftoken=[0-9a-f]{32}; Path=/$`).MatchString(doc.SetCookies[1]) {
		t.Errorf("SetCookies = %q, want the sessionid and csrftoken lines", doc.SetCookies)
	}
	if len(doc.HSTS) != 0 {
		t.Errorf("HSTS = %q, want none", doc.HSTS)
	}

	// Over plain HTTP the page itself sets the session cookie.
	v, err = s.Visit(t.Context(), site.URL("http", "cookiescan.test", "/"))
	if err != nil {
		t.Fatal(err)
	}
	doc = document(t, v)
	if len(doc.SetCookies) != 1 || !regexp.MustCompile(`^sessionid=[0-9a-f]{32}; Path=/$`).MatchString(doc.SetCookies[0]) {
		t.Errorf("http SetCookies = %q, want the sessionid line", doc.SetCookies)
	}
	cookies, err := s.Cookies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cookies {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"csrftoken", "sessionid"}) {
		t.Errorf("stored cookies %q, want csrftoken and sessionid", names)
	}
}

// TestRedirectHop: the 301 of plain HTTP is recorded as its own response,
// with the same request id as the page it leads to.
func TestRedirectHop(t *testing.T) {
	s := session(t)
	useProfile(t, "hardened")
	from, to := site.URL("http", "cookiescan.test", "/"), site.URL("https", "cookiescan.test", "/")
	v, err := s.Visit(t.Context(), from)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Responses) == 0 {
		t.Fatal("no responses")
	}
	hop := v.Responses[0]
	if !hop.Redirect || hop.Status != 301 || hop.URL != from || hop.Headers["location"] != to || !hop.MainFrame || hop.Type != "Document" {
		t.Errorf("first response = %+v, want the 301 hop from %s to %s", hop, from, to)
	}
	doc := document(t, v)
	if doc.RequestID != hop.RequestID || doc.URL != to || v.FinalURL != to || v.Status != 200 {
		t.Errorf("document %s %s (request %s), FinalURL %s: want %s in request %s", doc.URL, doc.Headers["x-fixture-profile"], doc.RequestID, v.FinalURL, to, hop.RequestID)
	}
	if len(doc.SetCookies) != 1 || len(hop.SetCookies) != 0 {
		t.Errorf("cookies on hop %q and document %q, want none and one", hop.SetCookies, doc.SetCookies)
	}
}

// TestNoHTTPSUpgrade: Chromium's HTTPS-Upgrades would try https:// first for
// a public-looking name on port 80 (a synthetic 307 with
// Non-Authoritative-Reason: HttpsUpgrades) and hide the site's own answer.
func TestNoHTTPSUpgrade(t *testing.T) {
	s := session(t)
	l, err := net.Listen("tcp", "127.0.0.1:80")
	if err != nil {
		t.Skipf("needs port 80 on loopback, where Chromium upgrades: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>plain http</p>")
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	v, err := s.Visit(t.Context(), "http://upgrade-probe.com/")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range v.Responses {
		if r.Redirect || strings.HasPrefix(r.URL, "https:") {
			t.Errorf("Chromium upgraded the request: %+v", r)
		}
	}
	if v.Status != 200 || v.FinalURL != "http://upgrade-probe.com/" {
		t.Errorf("Status %d FinalURL %s, want 200 http://upgrade-probe.com/", v.Status, v.FinalURL)
	}
}

// TestCertUntrusted: a certificate from a CA other than CAPEM is refused
// before any request is sent, and the error says so.
func TestCertUntrusted(t *testing.T) {
	s := session(t)
	useProfile(t, "cert-untrusted")
	v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/"))
	if !errors.Is(err, ErrPageLoad) {
		t.Fatalf("err = %v, want ErrPageLoad", err)
	}
	if !strings.Contains(v.Error, "ERR_CERT_AUTHORITY_INVALID") || !strings.Contains(v.Error, "certificate") {
		t.Errorf("Error = %q, want the certificate error and why", v.Error)
	}
	for _, r := range v.Responses {
		t.Errorf("unexpected response %+v", r)
	}
	if cookies, err := s.Cookies(t.Context()); err != nil || len(cookies) != 0 {
		t.Errorf("Cookies = %+v, %v; want none", cookies, err)
	}
}

// TestHang: a server that never answers costs one PageTimeout, and the
// session is usable afterwards.
func TestHang(t *testing.T) {
	s := session(t)
	useProfile(t, "hang")
	start := time.Now()
	v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/"))
	took := time.Since(start)
	if !errors.Is(err, ErrPageLoad) || !strings.Contains(v.Error, "timeout") {
		t.Errorf("err = %v, Error = %q; want a timeout", err, v.Error)
	}
	// Not sooner than the timeout; later only by a hang (a loaded machine
	// is slow around it).
	if took < testPageTimeout || took > testPageTimeout+30*time.Second {
		t.Errorf("Visit took %s, want about %s", took, testPageTimeout)
	}

	if err := site.SetProfile("hardened"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/")); err != nil || v.Status != 200 {
		t.Errorf("visit after timeout: status %d, %v", v.Status, err)
	}
}

// TestLateFetchAndLinks: a fetch made after the load event is recorded with
// its cookie, and links come back absolute.
func TestLateFetchAndLinks(t *testing.T) {
	s := session(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api":
			http.SetCookie(w, &http.Cookie{Name: "api", Value: "1", Path: "/", SameSite: http.SameSiteNoneMode})
			fmt.Fprint(w, "{}")
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/about">about</a> <a href="https://other.test/x?y=1">other</a> <a href="/about">again</a>
<script>addEventListener("load", () => setTimeout(() => fetch("/api"), 200))</script>`)
		}
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	base := "http://cookiescan.test:" + port

	v, err := s.Visit(t.Context(), base+"/")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{base + "/about", "https://other.test/x?y=1"}; !slices.Equal(v.Links, want) {
		t.Errorf("Links = %q, want %q", v.Links, want)
	}
	var api *Response
	for i, r := range v.Responses {
		if r.URL == base+"/api" {
			api = &v.Responses[i]
		}
	}
	if api == nil {
		t.Fatalf("the late fetch is missing from %+v", v.Responses)
	}
	if api.Type != "Fetch" || len(api.SetCookies) != 1 || len(api.Blocked) != 1 ||
		!slices.Equal(api.Blocked[0].Reasons, []string{"SameSiteNoneInsecure"}) {
		t.Errorf("fetch response = %+v, want type Fetch with its cookie blocked as SameSiteNoneInsecure", *api)
	}
}

// TestSessionsIsolated: a cookie stored in one session is not in another.
func TestSessionsIsolated(t *testing.T) {
	a, b := session(t), session(t)
	useProfile(t, "hardened")
	if _, err := a.Visit(t.Context(), site.URL("https", "cookiescan.test", "/")); err != nil {
		t.Fatal(err)
	}
	if c, err := a.Cookies(t.Context()); err != nil || len(c) != 1 {
		t.Fatalf("first session cookies = %+v, %v", c, err)
	}
	if c, err := b.Cookies(t.Context()); err != nil || len(c) != 0 {
		t.Errorf("second session cookies = %+v, %v; want none", c, err)
	}
}

// TestInsecure: with Options.Insecure a browser of its own loads a page whose
// certificate no known CA signed (the probe reports it; the crawl goes on).
func TestInsecure(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	b, err := Start(t.Context(), Options{Insecure: true, HostResolverRules: testRules, PageTimeout: testPageTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	useProfile(t, "cert-untrusted")
	v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/"))
	if err != nil || v.Status != 200 {
		t.Fatalf("Visit: status %d, error %q, %v; want the page", v.Status, v.Error, err)
	}
}

// TestHeadersOnlyToTarget: a --header value goes with every request to the
// scanned host, redirect hops included, and with none to another host (the
// page's image from localhost).
func TestHeadersOnlyToTarget(t *testing.T) {
	s := session(t)
	useProfile(t, "login")
	origin, _ := url.Parse(site.URL("https", "cookiescan.test", "/"))
	if err := s.install(t.Context(), &guard{header: map[string]string{fixtures.EchoHeader: "token-1"}, origin: origin, scope: scope.Site}); err != nil {
		t.Fatal(err)
	}
	seen := func(v Visit) map[string]string {
		m := map[string]string{}
		for _, r := range v.Responses {
			m[r.URL] = r.Headers[strings.ToLower(fixtures.EchoHeader)+"-seen"]
		}
		return m
	}
	v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/third-party"))
	if err != nil {
		t.Fatal(err)
	}
	got := seen(v)
	page, pixel := site.URL("https", "cookiescan.test", "/third-party"), site.URL("https", "localhost", "/pixel.gif")
	if got[page] != "token-1" {
		t.Errorf("the page's request carried %q, want token-1 (responses %v)", got[page], got)
	}
	if g, ok := got[pixel]; !ok || g != "" {
		t.Errorf("the other host's image: seen %v, carried %q; want it loaded without the header", ok, g)
	}
	v, err = s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/go"))
	if err != nil {
		t.Fatal(err)
	}
	got = seen(v)
	for _, u := range []string{site.URL("https", "cookiescan.test", "/go"), site.URL("https", "cookiescan.test", "/about")} {
		if got[u] != "token-1" {
			t.Errorf("%s carried %q, want token-1 on each hop", u, got[u])
		}
	}
}

// TestLoadReport: the page hooks tell a visit at the load event whether the
// document has script and, if not, its links, so no evaluation asks; and
// the page's own scripts cannot reach the binding.
func TestLoadReport(t *testing.T) {
	s := session(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/plain":
			fmt.Fprint(w, `<p><a href="/a">a</a> <a href="/b">b</a></p>`)
		default:
			fmt.Fprint(w, `<p id=p></p><script>
const a = document.createElement("a");
a.href = typeof __cookiescanHook === "undefined" ? "/binding-hidden" : "/binding-visible";
a.textContent = "x"; document.getElementById("p").append(a);</script>`)
		}
	}))
	t.Cleanup(srv.Close)
	base := srv.URL

	v, err := s.Visit(t.Context(), base+"/plain")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Scriptless || !slices.Equal(v.Links, []string{base + "/a", base + "/b"}) {
		t.Errorf("scriptless page: Scriptless=%v Links=%q, want true and /a, /b", v.Scriptless, v.Links)
	}
	v, err = s.Visit(t.Context(), base+"/script")
	if err != nil {
		t.Fatal(err)
	}
	if v.Scriptless || !slices.Equal(v.Links, []string{base + "/binding-hidden"}) {
		t.Errorf("script page: Scriptless=%v Links=%q, want false and /binding-hidden", v.Scriptless, v.Links)
	}
	if n := s.inspections.Load(); n != 0 {
		t.Errorf("%d documents needed an evaluation at load; the hooks' report should have spared them", n)
	}
}
