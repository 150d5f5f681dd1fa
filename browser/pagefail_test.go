package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/observe"
)

// pageOf finds the crawled page linked as path.
func pageOf(t *testing.T, c observe.Crawl, path string) observe.Page {
	t.Helper()
	for _, p := range c.Pages {
		if strings.HasSuffix(p.URL, path) {
			return p
		}
	}
	t.Fatalf("%s was not visited; pages %+v", path, c.Pages)
	return observe.Page{}
}

// TestCrawlBrokenPages: a script that never yields, one that exhausts memory
// and redirects to file:, javascript: and data: each give their page an error
// that says why; the crawl still reaches the page after them (one tab: the
// tab a spinning script wedged must load it), within about the page timeouts.
// A download is no failure. Before, the pages after /spin all timed out.
func TestCrawlBrokenPages(t *testing.T) {
	c := crawler(t)
	useProfile(t, "broken-pages")
	req := crawlRequest("/")
	req.Concurrency = 1
	start := time.Now()
	got, err := c.Crawl(t.Context(), req)
	took := time.Since(start)
	t.Logf("crawl took %s", took)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/spin": "timeout", "/spin-later": "stopped answering", "/oom": "timeout", "/to-file": "file:", "/to-javascript": "javascript:", "/to-data": "data:"}
	for _, path := range fixtures.BrokenPages {
		p := pageOf(t, got, path)
		t.Logf("%s: status %d, error %q", path, p.Status, p.Error)
		if !strings.Contains(p.Error, want[path]) {
			t.Errorf("%s: error %q, want one that says %q", path, p.Error, want[path])
		}
	}
	if p := pageOf(t, got, "/spin"); !strings.Contains(p.Error, "stopped answering") {
		t.Errorf("/spin: error %q does not say the page was stuck", p.Error)
	}
	for _, path := range []string{"/fine", "/report.csv"} {
		if p := pageOf(t, got, path); p.Error != "" || p.Status != 200 {
			t.Errorf("%s: status %d, error %q; want it loaded", path, p.Status, p.Error)
		}
	}
	// No clock: the wedged tab is caught above by /fine, which loads only
	// in a tab the crawl replaced (with one tab, it would time out too).
}

// TestCrawlRendererCrash: a renderer that dies during a visit ("Aw, Snap!";
// a real out-of-memory crash takes longer than a test should) fails that page
// at once, and the next page loads in a fresh tab of the same browser context.
func TestCrawlRendererCrash(t *testing.T) {
	_ = crawler(t) // skips without Chromium
	useProfile(t, "broken-pages")
	req := crawlRequest("/")
	req.Concurrency, req.PageTimeout = 1, 20*time.Second
	req.Include = []string{`/$`, `/spin$`, `/fine$`}
	var sc *scan
	req.Progress = func(step string) {
		if !strings.HasSuffix(step, "/spin") {
			return
		}
		tab := sc.tabs[0] // the crawl's goroutine for tab 0 runs this
		go func() {
			time.Sleep(500 * time.Millisecond)
			ctx, cancel := context.WithTimeout(tab.ctx, time.Second)
			defer cancel()
			_, _ = chromedp.Call(ctx, page.Crash, cdp.Empty{})
		}()
	}
	sc, err := newScan(req)
	if err != nil {
		t.Fatal(err)
	}
	sc.b = shared
	start := time.Now()
	got, err := sc.run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	spin := pageOf(t, got, "/spin")
	// The crash, not the page timeout, ended the visit: the error says
	// which (no clock, which a loaded machine would make flaky).
	if !strings.Contains(spin.Error, "crashed") || strings.Contains(spin.Error, "timeout") {
		t.Errorf("/spin: error %q, want the crash and no timeout", spin.Error)
	}
	t.Logf("crawl took %s", time.Since(start))
	if p := pageOf(t, got, "/fine"); p.Error != "" || p.Status != 200 {
		t.Errorf("/fine after the crash: status %d, error %q", p.Status, p.Error)
	}
	if _, ok := storedValue(got.Stored[observe.PreLogin], "__Host-sessionid"); !ok {
		t.Errorf("the cookie jar was lost with the tab: %+v", got.Stored)
	}
}
