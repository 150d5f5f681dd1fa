package browser

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/loginflow"
	"github.com/cookiescan/cookiescan/scanner/observe"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// crawler crawls with the shared browser.
func crawler(t *testing.T) *Crawler {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	return newCrawlerOn(shared)
}

// password is the environment a flow's ${COOKIESCAN_PASSWORD} reads.
func password(name string) (string, bool) {
	if name == "COOKIESCAN_PASSWORD" {
		return fixtures.FixturePassword, true
	}
	return "", false
}

// flow parses a flow of fixtures/flows; the Recorder export's URLs point at
// https://cookiescan.test/ and are moved to the test site's port.
func flow(t *testing.T, name string) *loginflow.Flow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "flows", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseFlow(t, strings.ReplaceAll(string(data), "https://cookiescan.test/", site.URL("https", "cookiescan.test", "/")))
}

func parseFlow(t *testing.T, text string) *loginflow.Flow {
	t.Helper()
	f, err := loginflow.Parse([]byte(text), password)
	if err != nil {
		t.Fatal(err)
	}
	return &f
}

// crawlRequest is a crawl of the test site from path.
func crawlRequest(path string) observe.Request {
	return observe.Request{StartURL: site.URL("https", "cookiescan.test", path), PageTimeout: testPageTimeout, Concurrency: 4, Depth: DefaultDepth}
}

// headerCookies maps each cookie name set by a Set-Cookie line to the
// phases it was set in.
func headerCookies(c observe.Crawl) map[string][]string {
	out := map[string][]string{}
	for _, r := range c.Responses {
		for _, l := range r.SetCookies {
			n := sc.Parse(l).Name
			if !slices.Contains(out[n], r.Phase) {
				out[n] = append(out[n], r.Phase)
			}
		}
	}
	return out
}

func blockedReasons(c observe.Crawl, name string) []string {
	for _, r := range c.Responses {
		for _, b := range r.Blocked {
			if sc.Parse(b.Line).Name == name {
				return b.Reasons
			}
		}
	}
	return nil
}

func storedValue(store []observe.StoredCookie, name string) (string, bool) {
	for _, c := range store {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

func TestCrawlLogin(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/")
	req.HTTPURL = site.URL("http", "cookiescan.test", "/")
	req.Login = flow(t, "login.yaml")
	var progress []string
	var mu sync.Mutex
	start := time.Now()
	req.Progress = func(s string) {
		mu.Lock()
		progress = append(progress, s)
		mu.Unlock()
		t.Logf("%6.2fs %s", time.Since(start).Seconds(), s)
	}
	got, err := c.Crawl(t.Context(), req)
	t.Logf("crawl took %s, %d pages, %d responses", time.Since(start), len(got.Pages), len(got.Responses))
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Login; l == nil || !l.OK || l.FailedStep != "" || !strings.HasSuffix(l.FinalURL, "/account") {
		t.Fatalf("Login = %+v, want OK ending on /account", l)
	}
	for _, phase := range []string{observe.PreLogin, observe.Login, observe.PostLogin, PhaseLogout} {
		if _, ok := got.Stored[phase]; !ok {
			t.Errorf("Stored lacks phase %q", phase)
		}
	}
	if got.Logout == nil || !got.Logout.OK {
		t.Errorf("Logout = %+v, want OK", got.Logout)
	}
	pre, _ := storedValue(got.Stored[observe.PreLogin], "sessionid")
	post, _ := storedValue(got.Stored[observe.PostLogin], "sessionid")
	if pre == "" || post == "" || pre == post {
		t.Errorf("sessionid before login %q, after %q: want a new one (this profile rotates)", pre, post)
	}
	// /logout expires it and redirects home, which issues a fresh one.
	if out, _ := storedValue(got.Stored[PhaseLogout], "sessionid"); out == post {
		t.Errorf("sessionid after logout %q, want the logged-in one gone", out)
	}

	hc := headerCookies(got)
	want := map[string]string{ // a phase each cookie must be set in
		"sessionid": observe.Login, "prefs": observe.PreLogin, "api_seen": observe.PreLogin,
		"visit": observe.PostLogin, "last_seen": observe.Login, "remember_me": observe.Login,
		"embed": observe.PostLogin, "__Host-bad": observe.PostLogin,
	}
	for name, phase := range want {
		if !slices.Contains(hc[name], phase) {
			t.Errorf("%s set in phases %q, want among them %q", name, hc[name], phase)
		}
	}
	if !slices.Contains(hc["sessionid"], observe.PreLogin) {
		t.Errorf("sessionid phases %q, want pre-login too", hc["sessionid"])
	}
	if r := blockedReasons(got, "embed"); !slices.Contains(r, "SameSiteNoneInsecure") {
		t.Errorf("embed blocked for %q, want SameSiteNoneInsecure", r)
	}
	if r := blockedReasons(got, "__Host-bad"); !slices.Contains(r, "InvalidPrefix") {
		t.Errorf("__Host-bad blocked for %q, want InvalidPrefix", r)
	}
	if len(got.ScriptCookies) != 1 || got.ScriptCookies[0].Cookie.Name != "ui_theme" ||
		got.ScriptCookies[0].Phase != observe.PreLogin || !strings.HasSuffix(got.ScriptCookies[0].PageURL, "/") {
		t.Errorf("ScriptCookies = %+v, want ui_theme once, pre-login, on /", got.ScriptCookies)
	}
	names := []string{}
	for n := range hc {
		names = append(names, n)
	}
	for _, s := range got.ScriptCookies {
		names = append(names, s.Cookie.Name)
	}
	sort.Strings(names)
	if all := []string{"__Host-bad", "api_seen", "embed", "last_seen", "prefs", "remember_me", "sessionid", "ui_theme", "visit"}; !slices.Equal(names, all) {
		t.Errorf("cookies seen %q, want exactly %q", names, all)
	}

	for _, p := range got.Pages {
		if strings.Contains(p.URL, "/logout") {
			t.Errorf("followed a logout link: %+v", p)
		}
		if p.Phase != observe.PreLogin && p.Phase != observe.PostLogin {
			t.Errorf("page %s in phase %q", p.URL, p.Phase)
		}
		if strings.HasSuffix(p.URL, "/go") {
			if len(p.Hops) != 1 || p.Hops[0].Status != 302 || p.Hops[0].Location != "/about" || !strings.HasSuffix(p.FinalURL, "/about") {
				t.Errorf("/go page = %+v, want one 302 hop to /about", p)
			}
		}
	}
	// Depth 2 from / and /account: /, /account, /settings, /about, /go,
	// /login, /page/1, /page/2, /page/3, after / before login.
	if len(got.Pages) != 10 || got.Pages[0].Phase != observe.PreLogin {
		t.Errorf("%d pages, first %+v: want 10, the start page first and pre-login", len(got.Pages), got.Pages[0])
	}
	for _, r := range got.Responses {
		if r.Date.IsZero() || r.PageURL == "" || r.Phase == "" {
			t.Errorf("response without date, page or phase: %+v", r)
		}
	}
	if p := got.HTTPProof; p == nil || p.Error != "" || slices.Contains(p.Attached, "sessionid") {
		t.Errorf("HTTPProof = %+v, want no Secure sessionid attached", p)
	} else {
		t.Logf("attached over http: %q", p.Attached)
	}
	if len(progress) == 0 || !strings.HasPrefix(progress[0], "page 1/20: https://cookiescan.test:") {
		t.Errorf("progress %q", progress)
	}
}

func TestCrawlRecorderFlow(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/")
	req.MaxPages = 1 // the start page, then the login; no crawl after it
	req.Login = flow(t, "login.recorder.json")
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Login; l == nil || !l.OK || !strings.HasSuffix(l.FinalURL, "/account") || len(l.Notes) != 2 {
		t.Fatalf("Login = %+v, want OK on /account with two notes (setViewport, keyUp)", l)
	}
	if !slices.Contains(headerCookies(got)["remember_me"], observe.Login) {
		t.Errorf("remember_me not set at login")
	}
}

func TestCrawlFixation(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login-fixation")
	req := crawlRequest("/")
	req.MaxPages = 2
	req.HTTPURL = site.URL("http", "cookiescan.test", "/")
	req.Login = flow(t, "login.yaml")
	req.Login.Logout = nil // the proof uses the store before logout anyway
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got.Login == nil || !got.Login.OK {
		t.Fatalf("Login = %+v", got.Login)
	}
	pre, _ := storedValue(got.Stored[observe.PreLogin], "sessionid")
	post, _ := storedValue(got.Stored[observe.PostLogin], "sessionid")
	if pre == "" || pre != post {
		t.Errorf("sessionid before login %q, after %q: want the same (fixation)", pre, post)
	}
	if p := got.HTTPProof; p == nil || p.Error != "" || !slices.Contains(p.Attached, "sessionid") {
		t.Errorf("HTTPProof = %+v, want sessionid attached", p)
	}
}

func TestCrawlLoginFails(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/")
	req.MaxPages = 3
	req.Login = parseFlow(t, `timeout: 1s
steps:
  - goto: /login
  - fill: {selector: "#nope", value: alice}
success: {selector: "#welcome"}
`)
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Login; l == nil || l.OK || l.FailedStep != "step 2 (fill #nope)" || !strings.Contains(l.Error, `"#nope"`) {
		t.Fatalf("Login = %+v, want step 2 failed naming #nope", l)
	}
	if len(got.Pages) != 3 {
		t.Errorf("%d pages after a failed login, want 3", len(got.Pages))
	}
	for _, p := range got.Pages {
		if p.Phase != observe.PreLogin {
			t.Errorf("page %s in phase %s after a failed login", p.URL, p.Phase)
		}
	}
	if _, ok := got.Stored[observe.PostLogin]; ok {
		t.Errorf("Stored has post-login after a failed login")
	}
}

// TestCrawlTrapAndLogoutLink: a crawl trap ends at MaxPages; a logout link
// is followed when asked, and Include limits the crawl.
func TestCrawlTrapAndLogoutLink(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/trap/1")
	req.MaxPages, req.Depth, req.Concurrency = 5, 100, 2
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) != 5 {
		t.Errorf("trap: %d pages, want 5", len(got.Pages))
	}

	// TestCrawlLogin shows the link is not followed by default.
	req = crawlRequest("/")
	req.Include = []string{`/(logout)?$`}
	req.FollowLogout = true
	got, err = c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, p := range got.Pages {
		urls = append(urls, p.URL)
	}
	if len(urls) != 2 || !strings.HasSuffix(urls[1], "/logout") {
		t.Errorf("FollowLogout with Include /(logout)?$: pages %q, want / and /logout", urls)
	}
}

// TestLateWritersAllReported: every way a page writes a cookie after its
// load event without a request or short timer announcing it (an animation
// frame, a fetch's promise chain, a script inserted after load, an image's
// onload, an interval, ...) is waited for: each page's cookie is reported
// with its write, although the crawl moves on to the next page as soon as it
// can. Each writer runs alone on its pages, so no other keeps the visit open
// for it. The subresources' bodies come 150 ms after their headers.
func TestLateWritersAllReported(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	for _, k := range fixtures.LateWriters {
		t.Run(k, func(t *testing.T) {
			req := crawlRequest("/lpage/1?w=" + k)
			req.MaxPages, req.Depth = 4, 20
			got, err := c.Crawl(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			written := map[string]bool{}
			for _, s := range got.ScriptCookies {
				written[s.Cookie.Name] = s.Write != nil
			}
			if len(got.Pages) != 4 {
				t.Errorf("%d pages, want 4", len(got.Pages))
			}
			for _, p := range got.Pages {
				u, _ := url.Parse(p.URL)
				name := k + "_" + path.Base(u.Path)
				if w, ok := written[name]; !ok || !w {
					t.Errorf("%s: reported %v, with its write %v", name, ok, w)
				}
			}
		})
	}
}

// TestAnimationLoopsDoNotHold: of two animation loops started in different
// frames, only each loop's first frame is waited for; a loop's later frames,
// requested inside a frame's callback, are not (they would keep a visit
// pending until its cap).
func TestAnimationLoopsDoNotHold(t *testing.T) {
	s := session(t)
	useProfile(t, "login")
	rec, stop, err := s.watch()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/raf-loops")); err != nil {
		t.Fatal(err)
	}
	// Wait (a bound only against a hang) until both loops ran 30 frames.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		frames, err := chromedp.Run(s.ctx, chromedp.Evaluate[int]("Math.min(window.loopA || 0, window.loopB || 0)"))
		if err != nil {
			t.Fatal(err)
		}
		if frames >= 30 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the loops ran %d frames", frames)
		case <-time.After(50 * time.Millisecond):
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.scheduled != 2 {
		t.Errorf("%d callbacks waited for, want 2 (each loop's first frame)", rec.scheduled)
	}
}

// TestBusyOnlyWhileWorkIsPending: a visit is left at its cap (Busy) only
// when the page keeps scheduling work, not because of something that never
// reports done to the tab: a worker's script (its events go to the worker's
// own target) or an animation loop's later frames.
func TestBusyOnlyWhileWorkIsPending(t *testing.T) {
	s := session(t)
	useProfile(t, "login")
	for path, busy := range map[string]bool{"/with-worker": false, "/raf-loops": false, "/poll": true, "/lpage/1": false} {
		v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if v.Busy != busy {
			t.Errorf("%s: Busy %v, want %v", path, v.Busy, busy)
		}
	}
}

// TestExtraTabsTakePages: the tabs beyond the first open while the crawl
// runs on the first, and then take pages of their own; a crawl that ends
// before they are open still ends, with every page.
func TestExtraTabsTakePages(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	site.SetLatency(200 * time.Millisecond)
	defer site.SetLatency(0)
	site.ResetPeak()
	req := crawlRequest("/spage/1")
	req.MaxPages, req.Depth = 20, 10 // one tab alone: 4 s of latency
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) != 20 {
		t.Errorf("%d pages, want 20", len(got.Pages))
	}
	// One tab has at most its page and the favicon Chromium fetches for it
	// in flight at once.
	if p := site.Peak(); p < 3 {
		t.Errorf("at most %d requests at once: the extra tabs took no page", p)
	}
	cookies := headerCookies(got)
	if len(cookies["page_seen"]) == 0 {
		t.Errorf("no page_seen cookie recorded: %v", cookies)
	}

	site.SetLatency(0)
	req = crawlRequest("/spage/50") // links only home, whose links lead on
	req.MaxPages, req.Depth = 1, 0
	if got, err = c.Crawl(t.Context(), req); err != nil || len(got.Pages) != 1 {
		t.Errorf("one-page crawl with 4 tabs: %d pages, %v", len(got.Pages), err)
	}
}

// TestDialogAndPopup: an alert is dismissed (the page loads) and the window
// the page opens is closed.
func TestDialogAndPopup(t *testing.T) {
	s := session(t)
	useProfile(t, "login")
	v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/alert"))
	if err != nil || v.Status != 200 {
		t.Fatalf("visit /alert: %d, %v", v.Status, err)
	}
	id := chromedp.FromContext(s.ctx).BrowserContextID
	deadline := time.Now().Add(3 * time.Second)
	for {
		infos, err := chromedp.Targets(s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var pages []string
		for _, i := range infos {
			if i.Type == "page" && i.BrowserContextID == id {
				pages = append(pages, i.URL)
			}
		}
		if len(pages) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tabs of the session: %q, want the popup closed", pages)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The tab still works.
	if v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", "/about")); err != nil || v.Status != 200 {
		t.Errorf("visit after the alert: %d, %v", v.Status, err)
	}
}

// TestCrawlNeverLoads: PageTimeout bounds a page whose load never fires,
// and the crawl goes on.
func TestCrawlNeverLoads(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/never")
	req.PageTimeout = 1500 * time.Millisecond
	start := time.Now()
	got, err := c.Crawl(t.Context(), req)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pages) != 1 || !strings.Contains(got.Pages[0].Error, "timeout") || got.Pages[0].Status != 200 {
		t.Errorf("pages %+v, want /never with a timeout", got.Pages)
	}
	// Only a hang fails: the page timeout ends the visit, and a loaded
	// machine may take several times as long around it.
	if took > 30*time.Second {
		t.Errorf("crawl took %s: the page timeout did not end the visit", took)
	}
}

func TestCrawlNotFound(t *testing.T) {
	c := NewCrawler(Options{ExecPath: filepath.Join(t.TempDir(), "chromium")})
	defer c.Close()
	_, err := c.Crawl(t.Context(), observe.Request{StartURL: "https://example.com/"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

// TestCrawlBrowserKilled: a browser killed mid-crawl ends the Crawl at once
// with an error and the pages seen so far; Close leaves no process; the next
// Crawl starts a new browser.
func TestCrawlBrowserKilled(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	useProfile(t, "login")
	c := NewCrawler(Options{CAPEM: site.CAPEM, HostResolverRules: testRules, PageTimeout: testPageTimeout})
	defer c.Close()
	req := crawlRequest("/page/1")
	req.MaxPages, req.Depth, req.Concurrency = 50, 10, 2
	var once sync.Once
	var dir string
	var killedAt time.Time
	req.Progress = func(step string) {
		if strings.HasPrefix(step, "page 4/") {
			once.Do(func() {
				dir = c.b.dir
				killedAt = time.Now()
				syscall.Kill(c.b.pid(), syscall.SIGKILL)
			})
		}
	}
	got, err := c.Crawl(t.Context(), req)
	took := time.Since(killedAt)
	t.Logf("after the kill: %d pages, err %v, in %s", len(got.Pages), err, took)
	if !errors.Is(err, ErrBrowserExited) {
		t.Errorf("err = %v, want ErrBrowserExited", err)
	}
	if len(got.Pages) < 3 || len(got.Pages) > 10 {
		t.Errorf("%d pages, want those seen before the kill", len(got.Pages))
	}
	// Only a hang fails (the clock starts at the kill, after the browser
	// was up): the crawl must notice the dead browser, not wait for pages.
	if took > 60*time.Second {
		t.Errorf("Crawl took %s after the kill", took)
	}

	req = crawlRequest("/")
	req.MaxPages = 1
	if got, err := c.Crawl(t.Context(), req); err != nil || len(got.Pages) != 1 || got.Pages[0].Status != 200 {
		t.Errorf("crawl after a restart: %+v, %v", got.Pages, err)
	}
	c.Close()
	if pids := processesUsing(dir); len(pids) != 0 {
		t.Errorf("processes %v of the killed browser remain", pids)
	}
}

// TestCrawlHeaderAndSeed: extra headers and seed cookies reach the target's
// HTTPS origin, and nothing else: not the plain-HTTP URL of the proof, not
// another host; a seeded cookie is not taken for a script's.
func TestCrawlHeaderAndSeed(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	before := len(site.Received())
	req := crawlRequest("/third-party")
	req.MaxPages, req.Concurrency = 2, 1
	req.HTTPURL = site.URL("http", "cookiescan.test", "/")
	req.Header = map[string]string{"Authorization": "Bearer tok-1", fixtures.EchoHeader: "tok-1"}
	req.Cookies = []observe.StoredCookie{{Name: "seed", Value: "s1"}}
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got.HTTPProof == nil || got.HTTPProof.Error != "" {
		t.Fatalf("proof over http did not run: %+v", got.HTTPProof)
	}
	target := strings.TrimPrefix(site.URL("https", "cookiescan.test", ""), "https://")
	// The target's origin gets them with the crawl's requests (the proof's
	// session follows the site's redirect to https without them).
	var toTarget, elsewhere int
	for _, r := range site.Received()[before:] {
		carried := r.Authorization != "" || r.Echo != "" || strings.Contains(r.Cookie, "seed=")
		switch {
		case r.TLS && r.Host == target:
			if r.Authorization == "Bearer tok-1" && strings.Contains(r.Cookie, "seed=s1") {
				toTarget++
			}
		default:
			elsewhere++
			if carried {
				t.Errorf("tls=%v %s%s received a secret: Authorization %q, Cookie %q", r.TLS, r.Host, r.Path, r.Authorization, r.Cookie)
			}
		}
	}
	if toTarget == 0 || elsewhere < 2 { // the proof's http request and the other host's image
		t.Errorf("requests: %d to the target with the secrets, %d elsewhere; want both", toTarget, elsewhere)
	}
	if len(got.ScriptCookies) != 0 {
		t.Errorf("ScriptCookies = %+v, want none", got.ScriptCookies)
	}
	// A seed without Domain is host-only: sent to the target host alone.
	for _, c := range got.Stored[observe.PreLogin] {
		if c.Name == "seed" && (c.Domain != "cookiescan.test" || !c.Secure) {
			t.Errorf("seed stored for domain %q secure %v, want a host-only Secure cookie of cookiescan.test", c.Domain, c.Secure)
		}
	}
	if slices.Contains(got.HTTPProof.Attached, "seed") {
		t.Errorf("the proof over http carried the seed: %v", got.HTTPProof.Attached)
	}
}

// TestCrawlScope: a same-site link that redirects to the cloud metadata
// address, or to another site, is not followed: the page says why, and no
// page of those places is recorded.
func TestCrawlScope(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	req := crawlRequest("/scope")
	req.MaxPages, req.Depth = 10, 1
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]string{}
	for _, p := range got.Pages {
		errs[strings.TrimPrefix(p.URL, site.URL("https", "cookiescan.test", ""))] = p.Error
		if strings.Contains(p.FinalURL, "169.254") || strings.Contains(p.FinalURL, "localhost") {
			t.Errorf("recorded a page out of bounds: %+v", p)
		}
	}
	if !strings.Contains(errs["/to-metadata"], "link-local") {
		t.Errorf("/to-metadata: error %q, want it refused as link-local", errs["/to-metadata"])
	}
	if !strings.Contains(errs["/to-elsewhere"], "leaves the site") {
		t.Errorf("/to-elsewhere: error %q, want it refused as off-site", errs["/to-elsewhere"])
	}
	if errs["/about"] != "" {
		t.Errorf("/about: %q, want it crawled", errs["/about"])
	}
	for _, r := range got.Responses {
		if strings.Contains(r.URL, "169.254") {
			t.Errorf("a response from the metadata address: %+v", r)
		}
	}
}

// TestProofOnLoopback: Chromium sends Secure cookies to http://127.0.0.1
// (a secure context to it), which it would never do to a real host: the
// proof counts them as discounted, not as sent over HTTP.
func TestProofOnLoopback(t *testing.T) {
	c := crawler(t)
	useProfile(t, "hardened")
	req := observe.Request{StartURL: site.HTTPSURL, HTTPURL: site.HTTPURL, MaxPages: 1, PageTimeout: testPageTimeout}
	got, err := c.Crawl(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	p := got.HTTPProof
	if p == nil || p.Error != "" {
		t.Fatalf("proof over http did not run: %+v", p)
	}
	if len(p.Attached) != 0 {
		t.Errorf("attached %v: Secure cookies sent to loopback only are no proof", p.Attached)
	}
	if len(p.Discounted) == 0 {
		t.Errorf("discounted none: Chromium sends the hardened profile's Secure cookie to loopback over http")
	}
}

// TestLateCookies: what arrives after the load event is still recorded, and
// a page that never goes quiet still ends: a cookie a timer writes 500 ms
// after load, a fetch 1 s after load that sets one, a page polling forever,
// a cookie written from a cross-site iframe (no hook of the page sees it; the
// phase's store read does).
func TestLateCookies(t *testing.T) {
	c := crawler(t)
	useProfile(t, "login")
	script := func(got observe.Crawl, name string) *observe.ScriptCookie {
		for i, s := range got.ScriptCookies {
			if s.Cookie.Name == name {
				return &got.ScriptCookies[i]
			}
		}
		return nil
	}
	t.Run("timer", func(t *testing.T) {
		req := crawlRequest("/late-timer")
		req.MaxPages = 1
		got, err := c.Crawl(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		s := script(got, "late_timer")
		if s == nil || s.Write == nil || s.Write.API != "document.cookie" || !strings.HasPrefix(s.Write.Value, "late_timer=1") {
			t.Errorf("late_timer: %+v; want a script cookie with its document.cookie write (writes %+v)", s, got.ScriptWrites)
		}
	})
	t.Run("frame", func(t *testing.T) {
		req := crawlRequest("/late-raf")
		req.MaxPages = 1
		got, err := c.Crawl(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if s := script(got, "late_raf"); s == nil || s.Write == nil {
			t.Errorf("late_raf: %+v; want a script cookie with its write (writes %+v)", s, got.ScriptWrites)
		}
	})
	t.Run("fetch", func(t *testing.T) {
		req := crawlRequest("/late-fetch")
		req.MaxPages = 1
		got, err := c.Crawl(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := headerCookies(got)["late_fetch"]; !ok {
			t.Errorf("the fetch 1 s after load is missing: responses %d", len(got.Responses))
		}
	})
	t.Run("poll", func(t *testing.T) {
		req := crawlRequest("/poll")
		req.MaxPages = 1
		got, err := c.Crawl(t.Context(), req)
		if err != nil || len(got.Pages) != 1 || got.Pages[0].Error != "" || !got.Pages[0].Busy {
			t.Errorf("pages %+v, err %v: want the polling page visited and left busy at the cap", got.Pages, err)
		}
	})
	t.Run("iframe", func(t *testing.T) {
		req := crawlRequest("/with-iframe")
		req.MaxPages = 1
		got, err := c.Crawl(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if s := script(got, "from_iframe"); s == nil {
			t.Errorf("the cross-site iframe's cookie is missing: script cookies %+v, store %+v", got.ScriptCookies, got.Stored)
		}
	})
}
