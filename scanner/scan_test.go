package scanner_test

import (
	"context"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// site is shared by the tests of this package; each switches it to its profile.
func startSite(t *testing.T, profile string) *fixtures.Site {
	t.Helper()
	s, err := fixtures.Start(fixtures.Options{Profile: profile, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func scan(t *testing.T, s *fixtures.Site, mod func(*scanner.Options)) (result.Report, error) {
	t.Helper()
	target, err := url.Parse(s.HTTPSURL)
	if err != nil {
		t.Fatal(err)
	}
	httpURL, _ := url.Parse(s.HTTPURL)
	opts := scanner.Options{Target: target, HTTPURL: httpURL, CAPEM: s.CAPEM, Timeout: 3 * time.Second, Version: "test"}
	if mod != nil {
		mod(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return scanner.Run(ctx, opts)
}

func rulesOf(r result.Report) map[string]result.Severity {
	m := map[string]result.Severity{}
	for _, f := range r.Findings {
		if f.Severity > m[f.Rule] {
			m[f.Rule] = f.Severity
		}
	}
	return m
}

// Every profile's planted problems are reported; nothing else above info.
func TestProfiles(t *testing.T) {
	s := startSite(t, "hardened")
	for _, p := range fixtures.Profiles() {
		if p.Name == "hang" || p.Name == "trickle" {
			continue // timing profiles have their own tests
		}
		t.Run(p.Name, func(t *testing.T) {
			if err := s.SetProfile(p.Name); err != nil {
				t.Fatal(err)
			}
			rep, err := scan(t, s, func(o *scanner.Options) { o.Insecure = p.Name == "cert-untrusted" })
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			got := rulesOf(rep)
			for _, id := range p.Expect {
				if _, ok := got[id]; !ok {
					t.Errorf("rule %s did not fire; got %v", id, got)
				}
			}
			expected := map[string]bool{}
			for _, id := range p.Expect {
				expected[id] = true
			}
			for id, sev := range got {
				if sev > result.SeverityInfo && !expected[id] {
					t.Errorf("unexpected %s finding %s", sev, id)
				}
			}
		})
	}
}

func TestHardenedScoresAPlus(t *testing.T) {
	rep, err := scan(t, startSite(t, "hardened"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if score, grade, _ := rep.Graded(); grade != "A+" || score != 100 {
		t.Errorf("grade %s score %d, want A+ 100; findings %+v", grade, score, rep.Findings)
	}
	if !rep.Redirect.UpgradedToHTTPS || !rep.HSTS.Valid || !rep.HSTS.IncludeSubDomains || !rep.TLS.Valid {
		t.Errorf("report sections wrong: redirect %+v hsts %+v tls %+v", rep.Redirect, rep.HSTS, rep.TLS)
	}
	if len(rep.Cookies) != 1 || !rep.Cookies[0].Secure || rep.Cookies[0].SameSite != "Lax" {
		t.Errorf("cookies %+v", rep.Cookies)
	}
	if strings.Contains(rep.Cookies[0].Raw, rep.Cookies[0].Value) && rep.Cookies[0].Value != "" {
		t.Errorf("value not redacted: %q", rep.Cookies[0].Raw)
	}
}

func TestPreloadEligible(t *testing.T) {
	rep, err := scan(t, startSite(t, "preload"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.HSTS.Preload || !rep.HSTS.PreloadEligible {
		t.Errorf("preload profile not eligible: %+v", rep.HSTS)
	}
}

func TestUntrustedCertWithoutInsecure(t *testing.T) {
	rep, err := scan(t, startSite(t, "cert-untrusted"), nil)
	if !errors.Is(err, scanner.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if _, ok := rulesOf(rep)["tls-cert-invalid"]; !ok {
		t.Errorf("tls-cert-invalid missing: %+v", rep.Findings)
	}
	if len(rep.Errors) == 0 || !strings.Contains(rep.Errors[len(rep.Errors)-1].Message, "--ca-cert") {
		t.Errorf("errors should point at --ca-cert: %+v", rep.Errors)
	}
}

func TestUnreachable(t *testing.T) {
	s := startSite(t, "hardened")
	s.Close()
	rep, err := scan(t, s, nil)
	if !errors.Is(err, scanner.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if len(rep.Errors) == 0 || rep.Findings == nil || rep.Cookies == nil {
		t.Errorf("partial report incomplete: errors %v", rep.Errors)
	}
}

// A server that never answers, or trickles its body, ends within the timeout.
func TestSlowServersEndWithinTimeout(t *testing.T) {
	for _, profile := range []string{"hang", "trickle"} {
		t.Run(profile, func(t *testing.T) {
			s := startSite(t, profile)
			start := time.Now()
			rep, _ := scan(t, s, func(o *scanner.Options) { o.Timeout = 500 * time.Millisecond })
			if d := time.Since(start); d > 60*time.Second { // a hang, not a slow machine
				t.Errorf("scan took %s", d)
			}
			found := false
			for _, e := range rep.Errors {
				found = found || strings.Contains(e.Message, "timed out")
			}
			if !found {
				t.Errorf("no timeout error recorded: %+v", rep.Errors)
			}
		})
	}
}

func TestBigHeaderIsRead(t *testing.T) {
	rep, err := scan(t, startSite(t, "big-header"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, grade, _ := rep.Graded(); grade != "A+" {
		t.Errorf("grade %s; findings %+v errors %+v", grade, rep.Findings, rep.Errors)
	}
}

// fakeCrawler is a browser stand-in that reports a fixed crawl.
type fakeCrawler observe.Crawl

func (c fakeCrawler) Crawl(context.Context, observe.Request) (observe.Crawl, error) {
	return observe.Crawl(c), nil
}

// The start page the probe ended on and the crawl visited first is listed
// once; the same URL in another phase is another page.
func TestPagesListedOnce(t *testing.T) {
	s := startSite(t, "hardened")
	start := s.HTTPSURL
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Crawler = fakeCrawler{Pages: []observe.Page{
			{URL: start, FinalURL: start, Status: 200, Phase: result.PhasePreLogin},
			{URL: start + "about", FinalURL: start + "about", Status: 200, Phase: result.PhasePreLogin, Busy: true},
			{URL: start, FinalURL: start, Status: 200, Phase: result.PhasePostLogin},
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	// A page the crawl left with work pending is marked busy, and a note
	// says what that means.
	want := []result.Page{
		{URL: start, Status: 200, Phase: result.PhasePreLogin},
		{URL: start + "about", Status: 200, Phase: result.PhasePreLogin, Busy: true},
		{URL: start, Status: 200, Phase: result.PhasePostLogin},
	}
	if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "1 page(s) still had work pending") }) {
		t.Errorf("notes %q: no word of the busy page", rep.Notes)
	}
	if len(rep.Pages) != len(want) {
		t.Fatalf("Pages = %+v, want %+v", rep.Pages, want)
	}
	for i := range want {
		if rep.Pages[i] != want[i] {
			t.Errorf("Pages[%d] = %+v, want %+v", i, rep.Pages[i], want[i])
		}
	}
}

// The page both chains end on is one HSTS response, not two.
func TestHSTSResponsesListedOnce(t *testing.T) {
	s := startSite(t, "hardened")
	rep, err := scan(t, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[2]string]int{}
	for _, r := range rep.HSTS.Responses {
		seen[[2]string{r.URL, r.Raw}]++
	}
	if len(seen) == 0 {
		t.Fatal("no HSTS responses")
	}
	for r, n := range seen {
		if n > 1 {
			t.Errorf("%s listed %d times", r[0], n)
		}
	}
}

// A logout's deletion and the fresh cookie set after it are two rows: the
// new cookie's flags must not hide behind the deletion's.
func TestDeletionIsItsOwnRow(t *testing.T) {
	s := startSite(t, "hardened")
	now := time.Now()
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Crawler = fakeCrawler{Responses: []observe.Response{
			{URL: s.HTTPSURL + "logout", Status: 302, Redirect: true, Phase: result.PhasePostLogin, Date: now,
				SetCookies: []string{"connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}},
			{URL: s.HTTPSURL, Status: 200, Phase: result.PhasePostLogin, Date: now,
				SetCookies: []string{"connect.sid=s%3Anew; Path=/; Secure; HttpOnly; SameSite=Lax"}},
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	var deleted, live int
	for _, c := range rep.Cookies {
		if c.Name != "connect.sid" {
			continue
		}
		switch {
		case c.MaxAge != nil && *c.MaxAge <= 0:
			deleted++
		case c.Secure && c.HTTPOnly:
			live++
		default:
			t.Errorf("unexpected row %+v", c)
		}
	}
	if deleted != 1 || live != 1 {
		t.Errorf("%d deletion and %d live rows, want one each", deleted, live)
	}
}

// Tomcat issues one session with the login form and a new one at
// j_security_check: each has a row, so the session the login created is
// there to read. Outside the login steps a cookie set again keeps one row.
func TestEachSessionIssuedAtLoginIsARow(t *testing.T) {
	s := startSite(t, "hardened")
	now := time.Now()
	line := func(v string) string { return "JSESSIONID=" + v + "; Path=/; Secure; HttpOnly" }
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Crawler = fakeCrawler{Responses: []observe.Response{
			{URL: s.HTTPSURL + "login", Status: 200, Phase: result.PhaseLogin, Date: now, SetCookies: []string{line("ANON")}},
			{URL: s.HTTPSURL + "j_security_check", Status: 303, Redirect: true, Phase: result.PhaseLogin, Date: now, SetCookies: []string{line("AUTHED")}},
			{URL: s.HTTPSURL + "j_security_check", Status: 303, Redirect: true, Phase: result.PhaseLogin, Date: now, SetCookies: []string{line("AUTHED")}},
			{URL: s.HTTPSURL + "a", Status: 200, Phase: result.PhasePostLogin, Date: now, SetCookies: []string{line("P1")}},
			{URL: s.HTTPSURL + "b", Status: 200, Phase: result.PhasePostLogin, Date: now, SetCookies: []string{line("P2")}},
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, c := range rep.Cookies {
		if c.Name == "JSESSIONID" {
			rows[c.Phase] = append(rows[c.Phase], c.URL)
		}
	}
	if want := []string{s.HTTPSURL + "login", s.HTTPSURL + "j_security_check"}; !slices.Equal(rows[result.PhaseLogin], want) {
		t.Errorf("login rows set at %q, want %q", rows[result.PhaseLogin], want)
	}
	if want := []string{s.HTTPSURL + "a"}; !slices.Equal(rows[result.PhasePostLogin], want) {
		t.Errorf("post-login rows set at %q, want %q", rows[result.PhasePostLogin], want)
	}
}

// TestSecretsNeverOverPlainHTTP: the scan's --header and --cookie values reach
// the target's HTTPS origin and nothing else, although every server here
// lives on the same host (127.0.0.1).
func TestSecretsNeverOverPlainHTTP(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{}
	record := func(name string, next http.HandlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = append(got[name], r.Header.Get("Authorization")+"|"+r.Header.Get("Cookie"))
			mu.Unlock()
			next(w, r)
		})
	}
	other := httptest.NewTLSServer(record("https other port", func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	target := httptest.NewTLSServer(record("https target", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		}
	}))
	defer target.Close()
	plain := httptest.NewServer(record("http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusMovedPermanently)
	}))
	defer plain.Close()
	tu, _ := url.Parse(target.URL + "/")
	hu, _ := url.Parse(plain.URL + "/")
	_, err := scanner.Run(context.Background(), scanner.Options{Target: tu, HTTPURL: hu, Timeout: 3 * time.Second, Version: "test",
		CAPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: target.Certificate().Raw}),
		Header: http.Header{"Authorization": {"Bearer s3cret"}, "Cookie": {"sid=opaque"}}})
	if err != nil {
		t.Fatal(err)
	}
	for name, reqs := range got {
		for _, r := range reqs {
			if r != "|" && name != "https target" {
				t.Errorf("%s received %q", name, r)
			}
		}
	}
	if !slices.Contains(got["https target"], "Bearer s3cret|sid=opaque") {
		t.Errorf("the target's HTTPS origin did not get the secrets: %q", got["https target"])
	}
}

// TestCertificateFromTheHopsConnection: the certificate's details come from
// the HTTPS requests' own handshake; a scan of a redirecting site opens one
// TLS connection, not a third one for the certificate.
func TestCertificateFromTheHopsConnection(t *testing.T) {
	s := startSite(t, "hardened")
	var mu sync.Mutex
	dials := map[string]int{}
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dials[addr]++
			mu.Unlock()
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.TLS.Valid || rep.TLS.NotAfter == nil {
		t.Errorf("tls %+v, want the certificate's details", rep.TLS)
	}
	https, _ := url.Parse(s.HTTPSURL)
	if n := dials[https.Host]; n != 1 {
		t.Errorf("%d connections to %s, want 1 (dials %v)", n, https.Host, dials)
	}
}

// A page the browser could not load is an error of stage "page" with its URL
// and reason, and the page says so too; the scan still completes. Only a start
// page that did not load fails the scan (ErrStartPage: exit 3).
func TestPageFailuresAreErrors(t *testing.T) {
	s := startSite(t, "hardened")
	start := s.HTTPSURL
	crawl := fakeCrawler{Pages: []observe.Page{
		{URL: start, FinalURL: start, Status: 200, Phase: result.PhasePreLogin},
		{URL: start + "spin", FinalURL: start + "spin", Status: 200, Phase: result.PhasePreLogin,
			Error: "timeout: page did not finish loading within 2s (a script kept the page busy; it was stopped)"},
		{URL: start + "to-file", Phase: result.PhasePreLogin,
			Error: "redirects to a file: URL, which browsers refuse to follow (Location: file:///etc/passwd; net::ERR_UNSAFE_REDIRECT)"},
	}}
	rep, err := scan(t, s, func(o *scanner.Options) { o.Crawler = crawl })
	if err != nil {
		t.Fatalf("other pages failing must not fail the scan: %v", err)
	}
	var pageErrs []result.ScanError
	for _, e := range rep.Errors {
		if e.Stage == result.StagePage {
			pageErrs = append(pageErrs, e)
		}
	}
	if len(pageErrs) != 2 || pageErrs[0].URL != start+"spin" || !strings.Contains(pageErrs[0].Message, "busy") ||
		pageErrs[1].URL != start+"to-file" || !strings.Contains(pageErrs[1].Message, "file:") {
		t.Errorf("page errors %+v, want /spin and /to-file with their reasons", pageErrs)
	}
	if rep.PageFailures() != 2 {
		t.Errorf("PageFailures() = %d, want 2", rep.PageFailures())
	}
	failed := 0
	for _, p := range rep.Pages {
		if p.Error != "" {
			failed++
		}
		if p.URL == "" {
			t.Errorf("page without URL: %+v", p)
		}
	}
	if failed != 2 {
		t.Errorf("pages %+v: want the two failures marked", rep.Pages)
	}

	crawl.Pages[0].Error = "the page crashed its renderer (out of memory, or a Chromium bug)"
	rep, err = scan(t, s, func(o *scanner.Options) { o.Crawler = crawl })
	if !errors.Is(err, scanner.ErrStartPage) || !strings.Contains(err.Error(), "crashed") {
		t.Errorf("start page failed: err = %v, want ErrStartPage with the reason", err)
	}
	if _, _, ok := rep.Graded(); !ok {
		t.Errorf("the transport checks still grade the site: %+v", rep)
	}
}

// A link the scope refused (a redirect to the metadata address, off the
// site) is no page and no failure of the site: a note says it was not
// followed.
func TestRefusedLinksAreNotes(t *testing.T) {
	s := startSite(t, "hardened")
	start := s.HTTPSURL
	rep, err := scan(t, s, func(o *scanner.Options) {
		o.Crawler = fakeCrawler{Pages: []observe.Page{
			{URL: start, FinalURL: start, Status: 200, Phase: result.PhasePreLogin},
			{URL: start + "to-metadata", Phase: result.PhasePreLogin, Refused: true,
				Error: "http://169.254.169.254/latest/meta-data/: not requested: 169.254.169.254 is a link-local address"},
		}}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Pages {
		if strings.Contains(p.URL, "metadata") || strings.Contains(p.URL, "169.254") {
			t.Errorf("the refused link is listed as a page: %+v", p)
		}
	}
	if rep.PageFailures() != 0 {
		t.Errorf("%d page failures, want none: %+v", rep.PageFailures(), rep.Errors)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "not followed") || !strings.Contains(rep.Notes[0], "link-local") {
		t.Errorf("notes %q, want the refusal", rep.Notes)
	}
}
