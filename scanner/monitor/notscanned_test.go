package monitor_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
)

// A target that stops answering while a regression is open: the scans that
// could not reach it are stored as not scanned (no grade, no score), the status
// page says so, and none of them reads as a recovery.
func TestNotScannedInMonitor(t *testing.T) {
	site := startSite(t, "hardened")
	hook := newReceiver(t)
	cfg := writeConfig(t, fmt.Sprintf("store: n.db\nlisten: \"off\"\nfailuresBeforeAlert: 5\ntargets:\n%salerts:\n  - webhook: %s\n",
		strings.Replace(siteTarget(site, "@daily", "    scanTimeout: 5s\n"), "timeout: 2s", "timeout: 300ms", 1), hook.URL))
	target := cfg.Targets[0].URL.String()
	var m *monitor.Monitor
	run := func(profile string) monitor.OnceSummary {
		t.Helper()
		if err := site.SetProfile(profile); err != nil {
			t.Fatal(err)
		}
		var err error
		if m, err = monitor.New(context.Background(), cfg, monitor.Options{}); err != nil {
			t.Fatal(err)
		}
		sum, err := m.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	run("hardened")
	run("insecure")                          // opens a regression
	if sum := run("hang"); sum.Failed != 1 { // accepts, never answers
		t.Fatalf("hang: %+v, want a failed scan", sum)
	}
	run("hang")

	var kinds []string
	for _, e := range hook.events(t) {
		kinds = append(kinds, e.Kind)
	}
	if fmt.Sprint(kinds) != "["+alert.KindRegression+"]" {
		t.Errorf("alerts %v, want only the regression: a scan that reached nothing recovers nothing", kinds)
	}

	st, err := monitorStore(cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.History(context.Background(), target, 10)
	if err != nil || len(h) != 4 {
		t.Fatalf("history: %d rows, %v", len(h), err)
	}
	if last := h[0]; last.OK || last.Grade != "" || last.Score != 0 {
		t.Errorf("stored unreachable scan: ok %v grade %q score %d, want a failure without grade or score", last.OK, last.Grade, last.Score)
	}

	m, err = monitor.New(context.Background(), cfg, monitor.Options{}) // RunOnce closed the last one
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	code, page, _ := get(t, srv.URL+"/")
	if code != 200 || !strings.Contains(page, "not scanned: ") || !strings.Contains(page, "not scanned\"") {
		t.Errorf("status page does not show the last scans as not scanned:\n%s", page)
	}
	if !strings.Contains(page, "against <a href=\"/scans/1\">") {
		t.Errorf("status page no longer shows the open regression against scan 1:\n%s", page)
	}
}
