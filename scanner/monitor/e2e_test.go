package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// Two demo sites on "@every 2s", a JSON webhook (minSeverity low) and a Slack one
// (minSeverity medium). Site A drops to a one-day HSTS (low), site B to the
// insecure profile (high); each regression is announced exactly once however many
// scans see it, and the recovery exactly once.
//
// The same on both stores: a SQLite file, and a database on a real PostgreSQL.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs for about 10 s")
	}
	t.Run("sqlite", func(t *testing.T) { testEndToEnd(t, "history.db") })
	t.Run("postgres", func(t *testing.T) { testEndToEnd(t, pgStore(t)) })
}

func testEndToEnd(t *testing.T, storeName string) {
	siteA, siteB := startSite(t, "hardened"), startSite(t, "hardened")
	hook, slack := newReceiver(t), newReceiver(t)
	cfg := writeConfig(t, fmt.Sprintf(`store: %q
listen: 127.0.0.1:0
concurrency: 2
failuresBeforeAlert: 2
targets:
%s%salerts:
  - webhook: %s/hook
    on: [regression, scan-failed, recovered]
    minSeverity: low
  - webhook: %s/slack
    format: slack
    minSeverity: medium
`, storeName, siteTarget(siteA, "@every 2s", ""), siteTarget(siteB, "@every 2s", ""), hook.URL, slack.URL))
	a, b := cfg.Targets[0].URL.String(), cfg.Targets[1].URL.String()

	var log scanLog
	m, err := monitor.New(context.Background(), cfg, monitor.Options{NoJitter: true, OnScan: log.add, Version: "test",
		Sender: alert.Sender{Tries: 2, Backoff: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	stop := runMonitor(t, m)

	// Baseline: both sites scanned twice while hardened.
	waitFor(t, 10*time.Second, "two scans of each site", func() bool { return log.count(a) >= 2 && log.count(b) >= 2 })
	if n := len(hook.raw()) + len(slack.raw()); n != 0 {
		t.Fatalf("alerts before anything changed: %d", n)
	}

	// Regression: three scans while broken, one alert each.
	siteA.SetProfile("hsts-short")
	siteB.SetProfile("insecure")
	na, nb := log.count(a), log.count(b)
	waitFor(t, 12*time.Second, "three scans of each broken site", func() bool { return log.count(a) >= na+3 && log.count(b) >= nb+3 })
	waitFor(t, 5*time.Second, "the regression alerts", func() bool { return len(hook.raw()) >= 2 && len(slack.raw()) >= 1 })
	evs := hook.events(t)
	if got := countKind(evs, a, alert.KindRegression); got != 1 {
		t.Fatalf("site A: %d regression alerts, want exactly 1: %+v", got, evs)
	}
	if got := countKind(evs, b, alert.KindRegression); got != 1 {
		t.Fatalf("site B: %d regression alerts, want exactly 1: %+v", got, evs)
	}
	for _, e := range evs {
		switch e.Target {
		case a:
			if !mentions(e, "Strict-Transport-Security") || !mentions(e, "hsts-max-age-short") {
				t.Errorf("site A's alert does not name the HSTS header and finding: %+v", e)
			}
			if e.Grade.From == "" || e.ReportURL == "" || e.BaselineURL == "" || e.ScanID == 0 {
				t.Errorf("site A's alert lacks grade, links or scan ID: %+v", e)
			}
		case b:
			if !mentions(e, "sessionid") || !mentions(e, "http-no-redirect") {
				t.Errorf("site B's alert does not name the cookie and the lost redirect: %+v", e)
			}
		}
	}
	// The stored-report link works.
	checkLink(t, m, evs[0].ReportURL)

	// Slack only heard of B (A's change is low, under its minSeverity medium).
	sl := slack.raw()
	if len(sl) != 1 {
		t.Fatalf("slack got %d messages, want 1 (site B only)", len(sl))
	}
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(sl[0], &msg); err != nil || msg.Text == "" || len(msg.Blocks) < 2 {
		t.Fatalf("not a Slack message: %v %s", err, sl[0])
	}

	// Recovery: one alert each, however many good scans follow.
	siteA.SetProfile("hardened")
	siteB.SetProfile("hardened")
	na, nb = log.count(a), log.count(b)
	waitFor(t, 10*time.Second, "two scans of each repaired site", func() bool { return log.count(a) >= na+2 && log.count(b) >= nb+2 })
	waitFor(t, 5*time.Second, "the recovery alerts", func() bool { return len(hook.raw()) >= 4 && len(slack.raw()) >= 2 })
	stop()

	evs = hook.events(t)
	for _, target := range []string{a, b} {
		if got := countKind(evs, target, alert.KindRecovered); got != 1 {
			t.Errorf("%s: %d recovery alerts, want exactly 1", target, got)
		}
		if got := countKind(evs, target, alert.KindRegression); got != 1 {
			t.Errorf("%s: %d regression alerts in all, want exactly 1", target, got)
		}
	}
	if len(evs) != 4 {
		t.Errorf("%d alerts to the JSON webhook, want 4", len(evs))
	}
	keys := map[string]bool{}
	for _, e := range evs {
		if e.IdempotencyKey == "" || keys[e.IdempotencyKey] {
			t.Errorf("alert without its own idempotency key: %+v", e)
		}
		keys[e.IdempotencyKey] = true
	}
	if n := len(slack.raw()); n != 2 {
		t.Errorf("%d Slack messages, want 2 (B's regression and recovery)", n)
	}

	// The history holds every scan the monitor ran, and nothing waits in the outbox.
	st, err := store.Open(context.Background(), cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Count(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if rows != log.total() {
		t.Errorf("store has %d scans, the monitor ran %d", rows, log.total())
	}
	if p, _ := st.Pending(context.Background()); p != 0 {
		t.Errorf("%d alerts still in the outbox", p)
	}
	t.Logf("%d scans, %d JSON alerts, %d Slack messages", rows, len(evs), len(slack.raw()))
	if testing.Verbose() {
		for _, b := range append(hook.raw(), slack.raw()...) {
			t.Logf("payload: %s", b)
		}
	}
}
