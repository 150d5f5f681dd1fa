package monitor_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cookiescan/cookiescan/scanner/monitor"
)

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

// gauge finds the value of a metric with the given label.
func gauge(t *testing.T, fams map[string]*dto.MetricFamily, name, label, value string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if l.GetName() == label && l.GetValue() == value {
				switch {
				case m.Gauge != nil:
					return m.Gauge.GetValue()
				case m.Counter != nil:
					return m.Counter.GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{%s=%q}", name, label, value)
	return 0
}

// A good target and a dead one, scanned once: /metrics parses as Prometheus text
// and says so, /healthz is ok, the status page renders (in Chromium too, when
// installed, with no console error), and the stored reports are linked.
func TestStatusMetricsHealth(t *testing.T) {
	site := startSite(t, "hardened")
	cfg := writeConfig(t, fmt.Sprintf(`store: s.db
listen: 127.0.0.1:0
targets:
%s  - url: https://127.0.0.1:1/
    schedule: "@every 1h"
    timeout: 1s
    noBrowser: true
`, siteTarget(site, "@every 1h", "")))
	good, dead := cfg.Targets[0].URL.String(), cfg.Targets[1].URL.String()
	var log scanLog
	m, err := monitor.New(context.Background(), cfg, monitor.Options{NoJitter: true, OnScan: log.add, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}

	// Before the scheduler runs, /healthz says so.
	pre := httptest.NewServer(m.Handler())
	if code, body, _ := get(t, pre.URL+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "scheduler") {
		t.Errorf("healthz before Run: %d %s", code, body)
	}
	pre.Close()

	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + m.Addr()
	runMonitor(t, m)
	waitFor(t, 10*time.Second, "both targets scanned", func() bool { return log.count(good) == 1 && log.count(dead) == 1 })

	if code, body, _ := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("healthz: %d %q", code, body)
	}

	code, body, hdr := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text format (%s): %v", hdr.Get("Content-Type"), err)
	}
	if v := gauge(t, fams, "cookiescan_target_score", "target", good); v != 100 {
		t.Errorf("score = %v", v)
	}
	if v := gauge(t, fams, "cookiescan_target_last_scan_success", "target", dead); v != 0 {
		t.Errorf("dead target success = %v", v)
	}
	if v := gauge(t, fams, "cookiescan_scan_failures_total", "target", dead); v != 1 {
		t.Errorf("failures = %v", v)
	}
	if v := gauge(t, fams, "cookiescan_target_findings", "severity", "high"); v != 0 {
		t.Errorf("high findings = %v", v)
	}
	for _, name := range []string{"cookiescan_target_last_scan_timestamp_seconds", "cookiescan_target_last_scan_duration_seconds",
		"cookiescan_alerts_sent_total", "cookiescan_alerts_failed_total", "cookiescan_alerts_pending", "cookiescan_target_regression_open",
		"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	code, page, hdr := get(t, base+"/")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("status page: %d %s", code, hdr.Get("Content-Type"))
	}
	for _, want := range []string{good, dead, `http-equiv="Content-Security-Policy"`, "default-src 'none'", "<svg", `href="/scans/1"`, "not scanned:"} {
		if !strings.Contains(page, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "src=\"http", "@import", "<link rel=\"stylesheet"} {
		if strings.Contains(page, bad) {
			t.Errorf("status page has %q: it must be self-contained", bad)
		}
	}
	if hdr.Get("Content-Security-Policy") == "" {
		t.Errorf("no CSP header")
	}
	if code, body, _ := get(t, base+"/scans/1"); code != 200 || !strings.Contains(body, `"schemaVersion": "1"`) {
		t.Errorf("/scans/1: %d %.100s", code, body)
	}
	if code, _, _ := get(t, base+"/scans/999"); code != 404 {
		t.Errorf("/scans/999: %d", code)
	}
	if code, _, _ := get(t, base+"/scans/x"); code != 404 {
		t.Errorf("/scans/x: %d", code)
	}

	t.Run("chromium", func(t *testing.T) { statusInChromium(t, base+"/") })
}

// statusInChromium opens the status page in headless Chromium and fails on any
// console message of level error (a CSP violation, a failed request, a script
// error) or a page that did not render its table.
func statusInChromium(t *testing.T, url string) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH")
	}
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first Do starts the browser; it must not carry a short timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Skipf("chromium does not start here: %v", err)
	}
	watch, stopWatch := context.WithTimeout(ctx, 3*time.Second)
	defer stopWatch()
	messages := chromedp.Console(watch)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tbody tr").length`))
	if err != nil || rows != 2 {
		t.Errorf("rendered %d target rows, %v", rows, err)
	}
	// Give late messages (a blocked resource, a CSP report) a moment, then stop.
	go func() { time.Sleep(time.Second); stopWatch() }()
	for msg, err := range messages {
		if err != nil {
			break
		}
		if msg.Type == chromedp.ConsoleError || msg.IsException() {
			t.Errorf("console %s: %s (%s)", msg.Type, msg.Text, msg.Source)
		}
	}
}
