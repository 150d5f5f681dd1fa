package monitor_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
)

// --once, as a Kubernetes CronJob runs it: a new process each time, the state in
// the store. Alerts still fire once per change, and an alert the webhook refused
// waits in the outbox for the next run.
func TestOnceAcrossRestarts(t *testing.T) {
	site := startSite(t, "hardened")
	hook := newReceiver(t)
	cfg := writeConfig(t, fmt.Sprintf("store: once.db\nlisten: \"off\"\ntargets:\n%salerts:\n  - webhook: %s\n",
		siteTarget(site, "@daily", ""), hook.URL))
	target := cfg.Targets[0].URL.String()
	run := func(step string) monitor.OnceSummary {
		t.Helper()
		m, err := monitor.New(context.Background(), cfg, monitor.Options{OutboxInterval: time.Millisecond,
			Sender: alert.Sender{Tries: 2, Backoff: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := m.RunOnce(context.Background())
		if err != nil || sum.Scans != 1 {
			t.Fatalf("%s: %+v, %v", step, sum, err)
		}
		return sum
	}
	kinds := func() []string {
		var out []string
		for _, e := range hook.events(t) {
			out = append(out, e.Kind)
		}
		return out
	}

	run("hardened")
	site.SetProfile("insecure")
	hook.fail = 2 // both tries of this run fail
	if sum := run("broken"); sum.AlertsFailed != 1 || sum.AlertsSent != 0 {
		t.Fatalf("broken run: %+v, want the alert kept for retry", sum)
	}
	if got := kinds(); len(got) != 0 {
		t.Fatalf("alerts %v before the webhook worked", got)
	}
	if sum := run("still broken"); sum.AlertsSent != 1 {
		t.Fatalf("still broken: %+v, want the kept alert delivered", sum)
	}
	run("still broken again")
	site.SetProfile("hardened")
	run("repaired")
	run("still repaired")
	got := kinds()
	if len(got) != 2 || got[0] != alert.KindRegression || got[1] != alert.KindRecovered {
		t.Fatalf("alerts %v, want [regression recovered]", got)
	}
	if e := hook.events(t)[0]; e.Target != target || len(e.NewFindings) == 0 {
		t.Errorf("regression payload: %+v", e)
	}
}

// A target that cannot be scanned: scan-failed after failuresBeforeAlert, once;
// recovered once when it answers again.
func TestScanFailedAlerts(t *testing.T) {
	site := startSite(t, "hardened")
	hook := newReceiver(t)
	cfg := writeConfig(t, fmt.Sprintf("store: f.db\nlisten: \"off\"\nfailuresBeforeAlert: 2\ntargets:\n%salerts:\n  - webhook: %s\n",
		strings.Replace(siteTarget(site, "@daily", "    scanTimeout: 3s\n"), "timeout: 2s", "timeout: 300ms", 1), hook.URL))
	run := func() monitor.OnceSummary {
		m, err := monitor.New(context.Background(), cfg, monitor.Options{})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := m.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	run()
	site.SetProfile("hang") // accepts, never answers: each request times out
	for i := 0; i < 3; i++ {
		if sum := run(); sum.Failed != 1 {
			t.Fatalf("hang run %d: %+v", i, sum)
		}
	}
	site.SetProfile("hardened")
	run()
	run()
	var kinds []string
	for _, e := range hook.events(t) {
		kinds = append(kinds, e.Kind+"/"+e.RecoveredFrom)
		if e.Kind == alert.KindScanFailed && (e.Failures != 2 || e.Error == "") {
			t.Errorf("scan-failed payload: %+v", e)
		}
	}
	if fmt.Sprint(kinds) != "[scan-failed/ recovered/scan-failed]" {
		t.Fatalf("alerts %v", kinds)
	}
}

// A certificate that will expire soon is a regression (a new tls-cert-expiring
// finding), announced once.
func TestCertExpiringAlert(t *testing.T) {
	site := startSite(t, "hardened")
	hook := newReceiver(t)
	cfg := writeConfig(t, fmt.Sprintf("store: c.db\nlisten: \"off\"\ntargets:\n%salerts:\n  - webhook: %s\n    minSeverity: low\n",
		siteTarget(site, "@daily", ""), hook.URL))
	for i, profile := range []string{"hardened", "cert-expiring", "cert-expiring"} {
		site.SetProfile(profile)
		m, err := monitor.New(context.Background(), cfg, monitor.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if sum, err := m.RunOnce(context.Background()); err != nil || sum.Failed != 0 {
			t.Fatalf("run %d: %+v %v", i, sum, err)
		}
	}
	evs := hook.events(t)
	if len(evs) != 1 || evs[0].Kind != alert.KindRegression || !mentions(evs[0], "tls-cert-expiring") {
		t.Fatalf("alerts: %+v", evs)
	}
}
