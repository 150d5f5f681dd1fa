package monitor_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// Two replicas on one PostgreSQL store, as an operator runs them: six targets
// on "@every 2s", one site switched from good to bad and back. Every slot is
// scanned once (no slot twice, none skipped between a target's first and last
// scan), both replicas scan, and the change alerts exactly once each way.
func TestFleetSharesScansAndAlertsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("fleet: runs for about 20 s")
	}
	storeName := pgStore(t)
	site := startSite(t, "hardened")
	hook := newReceiver(t)
	var targets strings.Builder
	for i := range 6 {
		s := siteTarget(site, "@every 2s", "")
		s = strings.Replace(s, "url: "+site.HTTPSURL, fmt.Sprintf("url: %sp%d", site.HTTPSURL, i), 1)
		targets.WriteString(s)
	}
	cfg := writeConfig(t, fmt.Sprintf(`store: %q
listen: "off"
concurrency: 2
targets:
%salerts:
  - webhook: %s/hook
    minSeverity: low
`, storeName, targets.String(), hook.URL))

	var logs [2]scanLog
	var stops [2]func()
	gate := newScanGate()
	for i := range 2 {
		m, err := monitor.New(context.Background(), cfg, monitor.Options{NoJitter: true, OnScan: logs[i].add, ScanHook: gate.hook,
			Replica: fmt.Sprintf("r%d", i), EnqueueInterval: 100 * time.Millisecond, OutboxInterval: 500 * time.Millisecond,
			Sender: alert.Sender{Tries: 2, Backoff: 10 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		stops[i] = runMonitor(t, m)
	}
	scansOf := func(target string) int { return logs[0].count(target) + logs[1].count(target) }
	// counts is every target's number of scans so far; each(from, more)
	// holds once every target has at least more scans than in from.
	counts := func() map[string]int {
		c := map[string]int{}
		for _, tg := range cfg.Targets {
			c[tg.URL.String()] = scansOf(tg.URL.String())
		}
		return c
	}
	each := func(from map[string]int, more int) func() bool {
		return func() bool {
			for _, tg := range cfg.Targets {
				if u := tg.URL.String(); scansOf(u) < from[u]+more {
					return false
				}
			}
			return true
		}
	}

	// The site changes between scans, never under one (the gate holds new
	// scans and waits for running ones): a scan that saw half of each would be
	// a real, second change, however busy the machine. Every target, not
	// only one, must be scanned in each state: on a loaded machine a
	// target's slots queue up behind the others'. (OnScan runs before the
	// gate's done, so counts taken after a change count only scans of the
	// new state.) The bounds only catch a hang.
	// A target first scanned while broken has no good scan to regress from.
	waitFor(t, 60*time.Second, "two good scans of each target", each(nil, 2))
	gate.between(func() { site.SetProfile("insecure") })
	waitFor(t, 60*time.Second, "two scans of each target while broken", each(counts(), 2))
	gate.between(func() { site.SetProfile("hardened") })
	waitFor(t, 60*time.Second, "two scans of each target once repaired", each(counts(), 2))
	waitFor(t, 30*time.Second, "the alerts", func() bool { return len(hook.raw()) >= 2*len(cfg.Targets) })
	time.Sleep(time.Second) // a late duplicate would arrive now
	stops[0]()
	stops[1]()

	if logs[0].total() == 0 || logs[1].total() == 0 {
		t.Errorf("one replica did all the work: %d and %d scans", logs[0].total(), logs[1].total())
	}
	evs := hook.events(t)
	for _, target := range cfg.Targets {
		u := target.URL.String()
		if got := countKind(evs, u, alert.KindRegression); got != 1 {
			t.Errorf("%s: %d regression alerts, want 1", u, got)
		}
		if got := countKind(evs, u, alert.KindRecovered); got != 1 {
			t.Errorf("%s: %d recovery alerts, want 1", u, got)
		}
	}

	st, err := store.Open(context.Background(), cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	total := 0
	for _, target := range cfg.Targets {
		u := target.URL.String()
		h, err := st.History(context.Background(), u, 0)
		if err != nil {
			t.Fatal(err)
		}
		total += len(h)
		var slots []time.Time
		for _, sc := range h {
			slot, err := time.Parse(time.RFC3339, strings.TrimPrefix(sc.RunKey, u+"@"))
			if err != nil {
				t.Fatalf("scan %d of %s has run key %q, not TARGET@SLOT", sc.ID, u, sc.RunKey)
			}
			slots = append(slots, slot)
		}
		sort.Slice(slots, func(i, j int) bool { return slots[i].Before(slots[j]) })
		for i := 1; i < len(slots); i++ {
			if gap := slots[i].Sub(slots[i-1]); gap != 2*time.Second {
				t.Errorf("%s: slots %s and %s: gap %s, want every 2 s slot exactly once", u, slots[i-1].Format("15:04:05"), slots[i].Format("15:04:05"), gap)
			}
		}
	}
	if ran := logs[0].total() + logs[1].total(); ran != total {
		t.Errorf("replicas recorded %d scans, the store has %d", ran, total)
	}
	if res, err := st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Errorf("integrity: %q %v", res, err)
	}
	t.Logf("%d scans: %d by r0, %d by r1; %d alerts", total, logs[0].total(), logs[1].total(), len(evs))
}

// scanGate runs a change between scans: while it runs no scan is in flight,
// and scans that would start wait for it.
type scanGate struct {
	mu       sync.Mutex
	cond     *sync.Cond
	running  int
	changing bool
}

func newScanGate() *scanGate {
	g := &scanGate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *scanGate) hook(string) func() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.changing {
		g.cond.Wait()
	}
	g.running++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.running--
		g.cond.Broadcast()
	}
}

func (g *scanGate) between(change func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.changing = true
	for g.running > 0 {
		g.cond.Wait()
	}
	change()
	g.changing = false
	g.cond.Broadcast()
}
