package html

// Browser tests: the rendered page opened from file:// in real headless
// Chromium. Only tests import chromedp here; the writer itself uses the standard
// library. One browser serves the whole test binary (a tab per test), as in
// browser/browser_test.go, and it starts only when a browser test runs.

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/result"
)

func TestMain(m *testing.M) {
	code := m.Run()
	chrome.stop()
	os.Exit(code)
}

// sharedChrome is one browser for the test binary, started on first use.
type sharedChrome struct {
	once   sync.Once
	ctx    context.Context
	err    error
	dir    string // profile and config; every helper process names it
	cancel []context.CancelFunc
}

var chrome sharedChrome

func chromePath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a new tab on the shared browser, closed when the test ends. It
// skips the test only when no Chromium executable exists.
func tab(t *testing.T) context.Context {
	t.Helper()
	path := chromePath()
	if path == "" {
		t.Skip("no Chromium executable (apt-get install -y chromium)")
	}
	chrome.once.Do(func() { chrome.err = startChrome(path) })
	if chrome.err != nil {
		t.Fatalf("start chromium: %v", chrome.err)
	}
	// The deadline bounds the tab's life, so a test that waits for something
	// that never comes fails instead of hanging; the browser is not affected.
	tctx, tcancel := context.WithTimeout(chrome.ctx, 60*time.Second)
	ctx, cancel := chromedp.NewContext(tctx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the tab
		cancel()
		tcancel()
	})
	return ctx
}

// startChrome uses the flags of package browser: headless, no sandbox (containers
// lack its namespaces), no GPU, and no background traffic of Chromium's own, so
// any request the test sees comes from the page.
func startChrome(path string) error {
	dir, err := os.MkdirTemp("", "report-html-chrome-")
	if err != nil {
		return err
	}
	chrome.dir = dir
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,HttpsUpgrades,NetworkTimeServiceQuerying"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		// Crashpad writes under the config home: keep it in dir, so stop finds it.
		chromedp.Env("XDG_CONFIG_HOME="+filepath.Join(dir, "config")),
	)
	// The browser lives as long as the test binary, so its contexts hang on
	// Background, not on any one test.
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	chrome.ctx, chrome.cancel = ctx, []context.CancelFunc{cancel, allocCancel}
	return chromedp.Do(ctx)
}

// stop closes the browser and removes its directory. Helpers such as crashpad's
// handler outlive the browser process; they are ours, found by the directory in
// their command line, and killed by pid.
func (c *sharedChrome) stop() {
	if c.ctx != nil {
		_ = chromedp.Cancel(c.ctx)
		for _, cancel := range c.cancel {
			cancel()
		}
	}
	if c.dir == "" {
		return
	}
	want := []byte(c.dir + string(filepath.Separator))
	for range 20 {
		entries, _ := os.ReadDir("/proc")
		found := false
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid == os.Getpid() {
				continue
			}
			if cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && bytes.Contains(cmd, want) {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill()
					found = true
				}
			}
		}
		if !found && os.RemoveAll(c.dir) == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "could not remove", c.dir)
}

// visit is what opening a page showed.
type visit struct {
	url      string
	mu       sync.Mutex
	problems []string // console errors, uncaught exceptions, browser-log errors (CSP violations)
	requests []string
	dialogs  []string
}

func (v *visit) snapshot() (problems, requests, dialogs []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.problems...), append([]string(nil), v.requests...), append([]string(nil), v.dialogs...)
}

// open loads file in the tab, recording what the page did while loading.
func open(t *testing.T, ctx context.Context, file string) *visit {
	t.Helper()
	v := &visit{url: (&url.URL{Scheme: "file", Path: file}).String()}
	err := chromedp.Listen(ctx, func(ev any) {
		// Runs in the tab's read loop: record and return, no commands here.
		v.mu.Lock()
		defer v.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				v.problems = append(v.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			v.problems = append(v.problems, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			// CSP violations (a wrong hash would block our own style or
			// script) arrive here, not as console calls.
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				v.problems = append(v.problems, "log "+string(ev.Entry.Source)+": "+ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			v.requests = append(v.requests, ev.Request.URL)
		case *page.EventJavascriptDialogOpening:
			v.dialogs = append(v.dialogs, string(ev.Type)+": "+ev.Message)
			// A dialog blocks the page (and the navigation waiting on it).
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// The tab exists now (Listen opened it), so a deadline here bounds this
	// navigation only, not the tab's life.
	nctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(nctx, chromedp.Navigate(v.url)); err != nil {
		t.Fatalf("open %s: %v", v.url, err)
	}
	return v
}

// assertQuiet fails on any console error, exception, dialog, or request other
// than the document itself.
func assertQuiet(t *testing.T, v *visit) {
	t.Helper()
	problems, requests, dialogs := v.snapshot()
	for _, p := range problems {
		t.Errorf("page reported: %s", p)
	}
	for _, d := range dialogs {
		t.Errorf("a dialog opened: %s", d)
	}
	for _, r := range requests {
		if r != v.url {
			t.Errorf("page made a request: %s", r)
		}
	}
	if len(requests) > 1 {
		t.Errorf("%d requests, want only the document: %v", len(requests), requests)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// scanProfile scans a demo-site profile for real (TLS through the site's CA).
func scanProfile(t *testing.T, profile string) result.Report {
	t.Helper()
	s, err := fixtures.Start(fixtures.Options{Profile: profile, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	target, _ := url.Parse(s.HTTPSURL)
	httpURL, _ := url.Parse(s.HTTPURL)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	rep, err := scanner.Run(ctx, scanner.Options{Target: target, HTTPURL: httpURL, CAPEM: s.CAPEM, Timeout: 5 * time.Second, Version: "test"})
	if err != nil {
		t.Fatalf("scan %s: %v", profile, err)
	}
	return rep
}

func writeReport(t *testing.T, reps ...result.Report) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, render(t, reps...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	art := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(art, png, 0o644); err != nil {
		t.Fatal(err)
	}
	// A copy that outlives the test, for a person to look at.
	tmp := filepath.Join(os.TempDir(), "cookiescan-"+name)
	if err := os.WriteFile(tmp, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (copy: %s)", art, tmp)
}

func setMedia(t *testing.T, ctx context.Context, media string, features ...*emulation.MediaFeature) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media, Features: features}); err != nil {
		t.Fatal(err)
	}
}

func TestChromiumInsecureReport(t *testing.T) {
	ctx := tab(t)
	rep := scanProfile(t, "insecure")
	if len(rep.Cookies) == 0 || len(rep.Findings) == 0 {
		t.Fatalf("the insecure profile gave %d cookies and %d findings", len(rep.Cookies), len(rep.Findings))
	}
	v := open(t, ctx, writeReport(t, rep))
	assertQuiet(t, v)

	if _, grade, _ := rep.Graded(); eval[string](t, ctx, `document.querySelector(".grade .letter").textContent`) != grade {
		t.Errorf("grade shown is not %q", grade)
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("tr.cookie").length`); got != len(rep.Cookies) {
		t.Errorf("%d cookie rows, want %d", got, len(rep.Cookies))
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("article.finding").length`); got != len(rep.Findings) {
		t.Errorf("%d findings shown, want %d", got, len(rep.Findings))
	}
	// The hashes in the CSP let our own style and script run.
	if got := eval[string](t, ctx, `getComputedStyle(document.querySelector(".grade")).display`); got != "flex" {
		t.Errorf("stylesheet not applied (.grade display %q)", got)
	}
	if got := eval[bool](t, ctx, `!document.querySelector(".filter").hidden && document.querySelectorAll("th button").length === 10`); !got {
		t.Fatal("script did not run (filter hidden or no sort buttons)")
	}

	// Sorting by a real click, then filtering by typing.
	names := `Array.from(document.querySelectorAll("tr.cookie td:first-child code")).map(c => c.textContent).join(",")`
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("th:first-child button"))); err != nil {
		t.Fatal(err)
	}
	asc := eval[string](t, ctx, names)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("th:first-child button"))); err != nil {
		t.Fatal(err)
	}
	desc := eval[string](t, ctx, names)
	if a := strings.Split(asc, ","); a[0] > a[len(a)-1] || asc == desc {
		t.Errorf("sort by name: ascending %q, descending %q", asc, desc)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("input.filter-input"), "csrf")); err != nil {
		t.Fatal(err)
	}
	if got := eval[int](t, ctx, `Array.from(document.querySelectorAll("tr.cookie")).filter(r => !r.hidden).length`); got != 1 {
		t.Errorf("filter csrf: %d rows visible, want 1", got)
	}
	clear := `(i => { i.value = ""; i.dispatchEvent(new Event("input")); return document.querySelectorAll("tr.cookie:not([hidden])").length })(document.querySelector("input.filter-input"))`
	if got := eval[int](t, ctx, clear); got != len(rep.Cookies) {
		t.Errorf("filter cleared: %d rows visible, want %d", got, len(rep.Cookies))
	}
	screenshot(t, ctx, "report.png")

	// Dark mode and print change the look, not the content.
	setMedia(t, ctx, "", &emulation.MediaFeature{Name: "prefers-color-scheme", Value: "dark"})
	if got := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); got != "rgb(13, 17, 23)" {
		t.Errorf("dark mode background %q", got)
	}
	screenshot(t, ctx, "report-dark.png")
	setMedia(t, ctx, "print")
	if got := eval[string](t, ctx, `getComputedStyle(document.querySelector(".filter")).display + " " + getComputedStyle(document.body).backgroundColor`); got != "none rgb(255, 255, 255)" {
		t.Errorf("print: filter display and background = %q, want none and white", got)
	}
	setMedia(t, ctx, "")

	// A phone: nothing wider than the screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	if got := eval[[]int](t, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`); got[0] > got[1] {
		t.Errorf("phone: page is %d px wide on a %d px screen", got[0], got[1])
	}
	screenshot(t, ctx, "report-phone.png")
	assertQuiet(t, v)
}

func TestChromiumHostilePayloadsStayText(t *testing.T) {
	ctx := tab(t)
	rep := scanProfile(t, "hostile")
	v := open(t, ctx, writeReport(t, rep))
	assertQuiet(t, v)

	body := eval[string](t, ctx, `document.body.innerText`)
	for _, s := range []string{
		"x<script>alert(1)</script>",
		"</script><script>alert(2)</script>",
		`"><svg onload=alert(4)>`,
		`"><img src=x onerror=alert(5)>`,
		"Express</script><script>alert(6)</script>",
		"/<iframe src=javascript:alert(7)>",
		"<i>Lax</i>",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("payload %q is not visible as text", s)
		}
	}
	// Markup from the payloads must not exist as elements; our one script does.
	if got := eval[string](t, ctx, `Array.from(document.querySelectorAll("img,svg,iframe,object,embed,i,a[href^='javascript' i],[onerror],[onload]")).map(e => e.outerHTML.slice(0, 80)).join("\n")`); got != "" {
		t.Errorf("payload elements in the DOM:\n%s", got)
	}
	if got := eval[int](t, ctx, `document.scripts.length`); got != 1 {
		t.Errorf("%d script elements, want 1", got)
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("tr.cookie").length`); got != len(rep.Cookies) {
		t.Errorf("%d cookie rows, want %d", got, len(rep.Cookies))
	}
	screenshot(t, ctx, "report-hostile.png")
}

func TestChromiumLargeReportLoadsFast(t *testing.T) {
	ctx := tab(t)
	path := writeReport(t, synthetic(200, 100))
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	v := open(t, ctx, path)
	assertQuiet(t, v)
	// performance.now() at the end of the load event, from navigation start.
	load := `performance.getEntriesByType("navigation")[0].loadEventEnd`
	ms := eval[float64](t, ctx, load)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	again := eval[float64](t, ctx, load)
	t.Logf("200 cookies, 100 findings: %.1f KB, loaded in %.0f ms in a new tab, %.0f ms on reload", float64(info.Size())/1024, ms, again)
	if ms <= 0 || ms >= 3000 {
		t.Errorf("load took %.0f ms, want under 3 s (target 1 s)", ms)
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("tr.cookie").length * 1000 + document.querySelectorAll("article.finding").length`); got != 200*1000+100 {
		t.Errorf("rows*1000+findings = %d", got)
	}
}

// The report leads with the fix: at 1280×800, before any scrolling, a reader
// sees the grade, when and what was scanned with which version, the whole
// action plan and the first finding; the inventory (cookies, redirects) comes
// after the findings.
func TestChromiumActionPlanAboveTheFold(t *testing.T) {
	ctx := tab(t)
	rep := scanProfile(t, "insecure")
	v := open(t, ctx, writeReport(t, rep))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	type box struct {
		Top, Bottom float64
		Found       bool
	}
	rect := func(sel string) box {
		js := `(el => el ? (r => ({Top: r.top + scrollY, Bottom: r.bottom + scrollY, Found: true}))(el.getBoundingClientRect()) : {Found: false})(document.querySelector(` + strconv.Quote(sel) + `))`
		return eval[box](t, ctx, js)
	}
	fold := eval[float64](t, ctx, `innerHeight`)
	if fold != 800 {
		t.Fatalf("viewport is %v px high, want 800", fold)
	}
	grade, plan, steps := rect(".grade"), rect("section.plan"), eval[int](t, ctx, `document.querySelectorAll("section.plan li.step").length`)
	first, firstHead := rect("article.finding"), rect("article.finding h5")
	cookies, redirects := rect("section.cookies"), rect("section.chains")
	for name, b := range map[string]box{"grade": grade, "action plan": plan, "first finding": first, "cookies": cookies, "redirects": redirects} {
		if !b.Found {
			t.Fatalf("no %s in the page", name)
		}
	}
	t.Logf("fold at %.0f px: grade %.0f–%.0f, action plan (%d steps) %.0f–%.0f, first finding from %.0f (heading to %.0f)",
		fold, grade.Top, grade.Bottom, steps, plan.Top, plan.Bottom, first.Top, firstHead.Bottom)
	if steps < 2 {
		t.Errorf("the action plan has %d steps; the insecure profile needs several fixes", steps)
	}
	if plan.Bottom > fold {
		t.Errorf("the action plan ends at %.0f px, below the fold (%.0f)", plan.Bottom, fold)
	}
	if firstHead.Bottom > fold {
		t.Errorf("the first finding's heading ends at %.0f px, below the fold (%.0f)", firstHead.Bottom, fold)
	}
	if !(grade.Bottom <= plan.Top && plan.Bottom <= first.Top && first.Top < redirects.Top && redirects.Top < cookies.Top) {
		t.Errorf("order is not grade, plan, findings, then the inventory: %+v %+v %+v %+v %+v", grade, plan, first, redirects, cookies)
	}
	head := eval[string](t, ctx, `document.querySelector(".summary").innerText`)
	for _, want := range []string{rep.Target, "Scanned " + rep.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), "cookiescan test"} {
		if !strings.Contains(head, want) {
			t.Errorf("the summary does not say %q:\n%s", want, head)
		}
	}
	// Every step links the finding it removes, and each finding shows its points.
	if got := eval[int](t, ctx, `Array.from(document.querySelectorAll("section.plan a")).filter(a => !document.getElementById(a.getAttribute("href").slice(1))).length`); got != 0 {
		t.Errorf("%d plan links point nowhere", got)
	}
	if got := eval[int](t, ctx, `document.querySelectorAll("article.finding .pts").length`); got != len(rep.Findings) {
		t.Errorf("%d findings show their points, want %d", got, len(rep.Findings))
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{t.ArtifactDir(), os.TempDir()} {
		path := filepath.Join(dir, "cookiescan-report-fold.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of the first screen: %s", path)
	}
	assertQuiet(t, v)
}
