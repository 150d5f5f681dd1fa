package monitor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/observe"
)

// fakeCrawler stands in for the browser: it fails when told to.
type fakeCrawler struct {
	id     int
	fail   *bool
	mu     *sync.Mutex
	closed *[]int
}

func (f *fakeCrawler) Crawl(ctx context.Context, req observe.Request) (observe.Crawl, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *f.fail {
		*f.fail = false
		return observe.Crawl{}, errors.New("browser crashed")
	}
	return observe.Crawl{}, nil
}

func (f *fakeCrawler) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.closed = append(*f.closed, f.id)
	return nil
}

// One browser serves scan after scan; one that fails is closed and replaced; one
// that cannot start makes the scan fail (not silently drop to transport checks,
// which would read as cookies resolved).
func TestBrowserReuseAndRestart(t *testing.T) {
	site := startSite(t, "hardened")
	cfg := writeConfig(t, fmt.Sprintf("store: b.db\nlisten: \"off\"\ntargets:\n%s",
		strings.Replace(siteTarget(site, "@daily", ""), "noBrowser: true", "noBrowser: false", 1)))
	var (
		mu      sync.Mutex
		started int
		closed  []int
		fail    bool
		noStart = true
	)
	factory := func(ctx context.Context, b monitor.BrowserConfig) (monitor.Crawler, error) {
		mu.Lock()
		defer mu.Unlock()
		if noStart {
			noStart = false
			return nil, errors.New("chromium not found")
		}
		if b.CAPEM == nil {
			t.Errorf("the browser is not told about the target's CA")
		}
		started++
		return &fakeCrawler{id: started, fail: &fail, mu: &mu, closed: &closed}, nil
	}
	m, err := monitor.New(context.Background(), cfg, monitor.Options{NewCrawler: factory})
	if err != nil {
		t.Fatal(err)
	}
	scan := func(wantErr bool) {
		t.Helper()
		res, err := m.Scan(context.Background(), cfg.Targets[0])
		if err != nil {
			t.Fatal(err)
		}
		if (res.Err != nil) != wantErr || (wantErr && !errors.Is(res.Err, scanner.ErrBrowser)) {
			t.Fatalf("scan %d: err %v, want error %v", res.ID, res.Err, wantErr)
		}
	}
	scan(true) // cannot start
	scan(false)
	scan(false)
	mu.Lock()
	fail = true
	mu.Unlock()
	scan(true) // crashes: closed
	scan(false)
	m.Close()
	mu.Lock()
	defer mu.Unlock()
	if started != 2 || fmt.Sprint(closed) != "[1 2]" {
		t.Errorf("browsers started %d, closed %v; want 2 started, [1 2] closed (the crashed one at once, the other at Close)", started, closed)
	}
}

// Cancelling Run (SIGTERM in the command) stops a scan in progress at once,
// records nothing for it, and closes the store.
func TestGracefulShutdown(t *testing.T) {
	site := startSite(t, "hang")
	cfg := writeConfig(t, fmt.Sprintf("store: g.db\nlisten: 127.0.0.1:0\ntargets:\n%s",
		strings.Replace(siteTarget(site, "@every 1h", ""), "timeout: 2s", "timeout: 120s", 1)))
	m, err := monitor.New(context.Background(), cfg, monitor.Options{NoJitter: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	time.Sleep(500 * time.Millisecond) // the catch-up scan is waiting on the hanging site
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		// The hanging scan's own limit is far longer: only a scan that was
		// not cancelled keeps Run this long.
		t.Fatalf("Run did not return within %s after cancel; the running scan was not cancelled", time.Since(start))
	}
	if err := m.Store().Ping(context.Background()); err == nil {
		t.Errorf("the store is still open after Run returned")
	}
	st, err := monitorStore(cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.Count(context.Background(), ""); n != 0 {
		t.Errorf("%d scans recorded; a scan cut short by shutdown says nothing about the target", n)
	}
}
