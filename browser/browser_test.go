package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/proxy"
)

// One browser and one demo site for the whole test binary, as chromedp's own
// tests do; each test opens its own Session. The site switches profiles, so
// tests that use it take siteMu and do not run in parallel.
var (
	shared     *Browser
	site       *fixtures.Site
	siteMu     sync.Mutex
	skipReason string
)

// testRules maps the demo site's names (and one name Chromium would upgrade
// to https, see TestNoHTTPSUpgrade) to loopback. .test names are not
// "potentially trustworthy" as localhost and 127.0.0.1 are, so Secure-cookie
// behaviour is the real one.
const testRules = "MAP *.test 127.0.0.1, MAP upgrade-probe.com 127.0.0.1"

const testPageTimeout = 4 * time.Second

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	if _, err := findExec(""); err != nil {
		skipReason = err.Error()
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "browser-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	site, err = fixtures.Start(fixtures.Options{Profile: "hardened", Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start fixtures:", err)
		return 1
	}
	defer site.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shared, err = Start(ctx, Options{CAPEM: site.CAPEM, HostResolverRules: testRules, PageTimeout: testPageTimeout})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := shared.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close browser:", err)
			code = 1
		}
	}()
	return m.Run()
}

// session opens a session on the shared browser, closed with the test.
func session(t *testing.T) *Session {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	s, err := shared.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close session: %v", err)
		}
	})
	return s
}

// useProfile switches the shared site to profile for the rest of the test.
func useProfile(t *testing.T, profile string) {
	t.Helper()
	siteMu.Lock()
	t.Cleanup(siteMu.Unlock)
	if err := site.SetProfile(profile); err != nil {
		t.Fatal(err)
	}
}

func TestStartNotFound(t *testing.T) {
	_, err := Start(t.Context(), Options{ExecPath: filepath.Join(t.TempDir(), "chromium")})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing ExecPath: err = %v, want ErrNotFound", err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = Start(t.Context(), Options{})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "apt-get install -y chromium") {
		t.Fatalf("empty PATH: err = %v, want ErrNotFound naming apt-get install -y chromium", err)
	}
}

// TestCloseLeavesNoProcess starts a browser of its own, because closing is
// what it tests.
func TestCloseLeavesNoProcess(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skipf("no /proc to inspect processes: %v", err)
	}
	b, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := b.pid(), b.dir
	s, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Visit(t.Context(), "data:text/html,<p>hi"); err != nil {
		t.Fatal(err)
	}
	// The browser, its zygotes, renderers, GPU and network processes, and
	// crashpad's handler (a child of init, not of the browser).
	if n := len(processesUsing(dir)); n < 4 {
		t.Fatalf("%d processes mention %s before Close, want the browser and its helpers", n, dir)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("browser process %d still exists after Close (kill 0: %v)", pid, err)
	}
	if pids := processesUsing(dir); len(pids) != 0 {
		t.Errorf("processes %v still mention %s after Close", pids, dir)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there after Close (%v)", dir, err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestBrowserCrash: a browser that dies is a browser error, not an
// unreachable site, and Close still cleans up.
func TestBrowserCrash(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	b, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(b.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err = s.Visit(t.Context(), "data:text/html,<p>hi")
	if err == nil || errors.Is(err, ErrPageLoad) {
		t.Errorf("Visit after a crash: err = %v, want a browser error", err)
	}
	t.Logf("Visit after a crash: %v", err)
	b.Close()
	if pids := processesUsing(b.dir); len(pids) != 0 {
		t.Errorf("processes %v survive the crashed browser", pids)
	}
}

// TestStartTimeout: an executable that never opens a DevTools endpoint (here
// a script that sleeps, with a child of its own) fails Start after
// StartTimeout, with no process and no directory left behind.
func TestStartTimeout(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skipf("no /proc to inspect processes: %v", err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where Start makes its cookiescan-browser-* directory
	bin := t.TempDir()
	pids := filepath.Join(bin, "pids")
	script := filepath.Join(bin, "fake-chrome")
	body := "#!/bin/sh\nsleep 600 &\necho $$ $! > " + pids + "\nwait\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		b, err := Start(context.Background(), Options{ExecPath: script, StartTimeout: time.Second})
		if err == nil {
			b.Close()
		}
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Start still waiting for a browser that never answers after 60s")
	}
	if err == nil || !strings.Contains(err.Error(), "DevTools") || !strings.Contains(err.Error(), "1s") {
		t.Errorf("err = %v, want a start timeout naming the DevTools endpoint and 1s", err)
	}
	data, rerr := os.ReadFile(pids)
	if rerr != nil {
		t.Fatalf("the fake browser never ran: %v", rerr)
	}
	for _, f := range strings.Fields(string(data)) {
		pid, _ := strconv.Atoi(f)
		if alive(pid) {
			t.Errorf("process %d of the fake browser still runs", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "cookiescan-browser-*"))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// alive reports whether pid runs; a zombie (killed, not yet reaped by an
// init that does not reap) counts as gone.
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// TestLaunchTab: the first session of a launched browser is the tab Chromium
// opened at launch (no new browser context, no new renderer to wait for);
// every later one gets a browser context of its own, and none shares a
// cookie with another.
func TestLaunchTab(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	useProfile(t, "hardened")
	b, err := Start(t.Context(), Options{CAPEM: site.CAPEM, HostResolverRules: testRules, PageTimeout: testPageTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pages := func() int {
		res, err := chromedp.CallBrowser(b.ctx, target.GetTargets, target.GetTargetsParams{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ti := range res.TargetInfos {
			if ti.Type == "page" {
				n++
			}
		}
		return n
	}
	first, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n, id := pages(), chromedp.FromContext(first.ctx).BrowserContextID; n != 1 || id != "" {
		t.Errorf("first session: %d page targets and browser context %q, want the launch tab alone, in the default context", n, id)
	}
	second, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if id := chromedp.FromContext(second.ctx).BrowserContextID; id == "" {
		t.Error("second session: in the default browser context, want one of its own")
	}
	if _, err := first.Visit(t.Context(), site.URL("https", "cookiescan.test", "/")); err != nil {
		t.Fatal(err)
	}
	if c, err := first.Cookies(t.Context()); err != nil || len(c) != 1 {
		t.Fatalf("first session cookies = %+v, %v; want the site's one", c, err)
	}
	if c, err := second.Cookies(t.Context()); err != nil || len(c) != 0 {
		t.Errorf("second session cookies = %+v, %v; want none", c, err)
	}
	first.Close()
	third, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if c, err := third.Cookies(t.Context()); err != nil || len(c) != 0 {
		t.Errorf("a session after the launch tab closed: cookies = %+v, %v; want none (the default context is not handed out twice)", c, err)
	}
	second.Close()
}

// TestProxy: with a proxy, Chromium's requests go through it (CONNECT for
// https, absolute form for http), and so does the check of the private CA's
// certificate; the pages load as without one.
func TestProxy(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	useProfile(t, "hardened")
	px, err := fixtures.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	pu := &url.URL{Scheme: "http", Host: px.Addr}
	b, err := Start(t.Context(), Options{CAPEM: site.CAPEM, HostResolverRules: testRules, PageTimeout: testPageTimeout,
		Proxy: proxy.Config{HTTP: pu, HTTPS: pu}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, err := b.NewSession(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	httpsURL, httpURL := site.URL("https", "cookiescan.test", "/"), site.URL("http", "cookiescan.test", "/")
	for _, u := range []string{httpsURL, httpURL} {
		v, err := s.Visit(t.Context(), u)
		if err != nil || len(v.Responses) == 0 {
			t.Fatalf("visit %s through the proxy: %v (%d responses)", u, err, len(v.Responses))
		}
	}
	host := strings.TrimPrefix(strings.TrimSuffix(httpsURL, "/"), "https://")
	var connects, plain int
	for _, r := range px.Requests() {
		if r.Method == "CONNECT" && r.Target == host && strings.Contains(r.UserAgent, "Chrome") {
			connects++
		}
		if r.Method == "GET" && strings.HasPrefix(r.Target, "http://cookiescan.test:") && strings.Contains(r.UserAgent, "Chrome") {
			plain++
		}
	}
	if connects == 0 || plain == 0 {
		t.Errorf("Chromium's requests at the proxy: %d CONNECT to %s, %d plain GET; want both: %+v", connects, host, plain, px.Requests())
	}
}
