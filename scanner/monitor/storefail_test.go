package monitor_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
)

// metricValue reads an unlabelled counter or gauge from /metrics (-1: absent).
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	code, body, _ := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := fams[name]
	if !ok || len(f.Metric) == 0 {
		return -1
	}
	if c := f.Metric[0].Counter; c != nil {
		return c.GetValue()
	}
	return f.Metric[0].Gauge.GetValue()
}

// storeBreak is one real way the store stops taking writes while the monitor
// runs, and (when the monitor can see it heal) how it is repaired.
type storeBreak struct {
	name   string
	setup  func(t *testing.T) (dir string) // the store's directory ("" a temp dir)
	breaks func(t *testing.T, db string)
	repair func(t *testing.T, db string) // nil: only a restart helps
	reason string                        // in /healthz and the alert
	// seen: /healthz notices it before any write tries (a stat of the file).
	seen bool
}

// chattr sets or clears the immutable attribute, which stops even root.
func chattr(t *testing.T, flag string, files ...string) {
	t.Helper()
	if out, err := exec.Command("chattr", append([]string{flag}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("chattr %s: %v %s", flag, err, out)
	}
}

var storeBreaks = []storeBreak{
	{
		name: "removed",
		breaks: func(t *testing.T, db string) {
			for _, f := range []string{db, db + "-wal", db + "-shm"} {
				if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		},
		reason: "removed",
		seen:   true,
	},
	{
		name: "immutable",
		setup: func(t *testing.T) string {
			dir := t.TempDir()
			probe := filepath.Join(dir, "probe")
			os.WriteFile(probe, nil, 0o644)
			if err := exec.Command("chattr", "+i", probe).Run(); err != nil {
				t.Skip("chattr +i needs root and a file system with attributes")
			}
			chattr(t, "-i", probe)
			return dir
		},
		breaks: func(t *testing.T, db string) {
			chattr(t, "+i", db, db+"-wal")
			t.Cleanup(func() { exec.Command("chattr", "-i", db, db+"-wal").Run() })
		},
		repair: func(t *testing.T, db string) { chattr(t, "-i", db, db+"-wal") },
		reason: "I/O error",
	},
	{
		name: "full disk",
		setup: func(t *testing.T) string {
			dir := t.TempDir()
			if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
				t.Skipf("a small tmpfs needs mount rights: %v", err)
			}
			t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
			return dir
		},
		breaks: func(t *testing.T, db string) {
			f, err := os.Create(filepath.Join(filepath.Dir(db), "filler"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			chunk := make([]byte, 4096)
			for {
				if _, err := f.Write(chunk); err != nil {
					return // ENOSPC: the disk is full
				}
			}
		},
		repair: func(t *testing.T, db string) { os.Remove(filepath.Join(filepath.Dir(db), "filler")) },
		reason: "full",
	},
}

// A store that stops taking writes while the monitor runs (its file removed,
// made immutable, its disk full) is not silent: the scan is not recorded into a
// deleted file, /healthz says 503 with the reason, the store error counter
// rises and a store-failed alert reaches the webhook without going through the
// store's outbox. When the store heals, /healthz is 200 again and a recovered
// alert follows.
func TestStoreFailureIsLoud(t *testing.T) {
	site := startSite(t, "hardened")
	for _, sb := range storeBreaks {
		t.Run(sb.name, func(t *testing.T) {
			dir := t.TempDir()
			if sb.setup != nil {
				dir = sb.setup(t)
			}
			db := filepath.Join(dir, "s.db")
			hook := newReceiver(t)
			cfg := writeConfig(t, fmt.Sprintf("store: %s\nlisten: 127.0.0.1:0\ntargets:\n%salerts:\n  - webhook: %s\n",
				db, siteTarget(site, "@every 1h", ""), hook.URL))
			var log scanLog
			m, err := monitor.New(context.Background(), cfg, monitor.Options{NoJitter: true, OnScan: log.add,
				OutboxInterval: 50 * time.Millisecond, Sender: alert.Sender{Tries: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Listen(); err != nil {
				t.Fatal(err)
			}
			base := "http://" + m.Addr()
			runMonitor(t, m)
			waitFor(t, 10*time.Second, "the catch-up scan", func() bool { return log.total() == 1 })
			if code, body, _ := get(t, base+"/healthz"); code != http.StatusOK {
				t.Fatalf("healthz before the failure: %d %s", code, body)
			}
			before := metricValue(t, base, "cookiescan_store_errors_total")

			sb.breaks(t, db)
			if sb.seen {
				if code, body, _ := get(t, base+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, sb.reason) {
					t.Errorf("healthz before the next scan: %d %q; want 503 naming %q", code, body, sb.reason)
				}
			}
			if res, err := m.Scan(context.Background(), cfg.Targets[0]); err == nil {
				t.Errorf("scan %d reported as recorded into a store that cannot take it", res.ID)
			}
			code, body, _ := get(t, base+"/healthz")
			if code != http.StatusServiceUnavailable || !strings.Contains(body, sb.reason) {
				t.Errorf("healthz with the store %s: %d %q; want 503 naming %q", sb.name, code, body, sb.reason)
			}
			if after := metricValue(t, base, "cookiescan_store_errors_total"); after < 1 || after <= before {
				t.Errorf("cookiescan_store_errors_total %v → %v; want it to count the failure", before, after)
			}
			var failed alert.Event
			waitFor(t, 10*time.Second, "a store-failed alert", func() bool {
				for _, e := range hook.events(t) {
					if e.Kind == "store-failed" {
						failed = e
						return true
					}
				}
				return false
			})
			if !strings.Contains(failed.Error, sb.reason) || !strings.Contains(failed.Summary, db) {
				t.Errorf("store-failed alert: summary %q error %q; want the store path and %q", failed.Summary, failed.Error, sb.reason)
			}
			if sb.name == "removed" {
				if _, err := os.Stat(db); err == nil {
					t.Errorf("the monitor re-created %s behind the operator's back", db)
				}
			}
			if sb.repair == nil {
				return
			}

			sb.repair(t, db)
			waitFor(t, 10*time.Second, "healthz 200 after the repair", func() bool {
				code, _, _ := get(t, base+"/healthz")
				return code == http.StatusOK
			})
			waitFor(t, 10*time.Second, "a recovered alert", func() bool {
				for _, e := range hook.events(t) {
					if e.Kind == alert.KindRecovered && e.RecoveredFrom == "store-failed" {
						return true
					}
				}
				return false
			})
			if _, err := m.Scan(context.Background(), cfg.Targets[0]); err != nil {
				t.Errorf("scan after the repair: %v", err)
			}
			if n := len(hook.events(t)); n != 2 {
				t.Errorf("%d alerts, want store-failed and recovered once each", n)
			}
		})
	}
}
