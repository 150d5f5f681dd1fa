package monitor_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// The soak's replicas are this test binary run again with
// COOKIESCAN_TEST_REPLICA=CONFIG: a real process each, so one can be SIGKILLed.
const replicaEnv = "COOKIESCAN_TEST_REPLICA"

// replicaMain runs one monitor replica until SIGTERM (TestMain calls it).
func replicaMain(cfgPath string) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg, err := monitor.LoadConfig(cfgPath, monitor.LoadOptions{})
	if err != nil {
		log.Error("config", "err", err)
		return 2
	}
	rescue, _ := time.ParseDuration(os.Getenv("COOKIESCAN_TEST_RESCUE"))
	monitor.SetRecordMargin(2 * time.Second)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	m, err := monitor.New(ctx, cfg, monitor.Options{Logger: log, NoJitter: true, EnqueueInterval: 200 * time.Millisecond,
		OutboxInterval: time.Second, RescueAfter: rescue, Sender: alert.Sender{Tries: 2, Backoff: 50 * time.Millisecond}})
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	if err := m.Run(ctx); err != nil {
		log.Error("run", "err", err)
		return 1
	}
	return 0
}

type replica struct {
	name string
	cmd  *exec.Cmd
}

func startReplica(t *testing.T, name, cfgPath, dir string, rescue time.Duration) *replica {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), replicaEnv+"="+cfgPath, "COOKIESCAN_REPLICA="+name, "COOKIESCAN_TEST_RESCUE="+rescue.String())
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{name: name, cmd: cmd}
	t.Cleanup(func() {
		r.signal(syscall.SIGKILL)
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("replica %s log (tail):\n%s", name, b)
		}
	})
	return r
}

func (r *replica) signal(sig syscall.Signal) {
	if r.cmd.Process != nil && r.cmd.ProcessState == nil {
		r.cmd.Process.Signal(sig)
		if sig == syscall.SIGKILL {
			r.cmd.Wait()
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (r *replica) stop(t *testing.T) {
	t.Helper()
	if r.cmd.ProcessState != nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("replica %s: %v", r.name, err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("replica %s did not stop within 30 s of SIGTERM", r.name)
		r.signal(syscall.SIGKILL)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// fleetConfig writes a config of n targets on site (paths /p0 ... /pN-1) and
// the watched targets on watch (paths /w0 ...), every `every`.
func fleetConfig(t *testing.T, dir, storeName string, site *fixtures.Site, n int, watch *fixtures.Site, nw int, every time.Duration, concurrency int, hook string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "store: %q\nlisten: \"off\"\nconcurrency: %d\nretention: 0\ntargets:\n", storeName, concurrency)
	add := func(s *fixtures.Site, path string) {
		fmt.Fprintf(&b, "  - url: %s%s\n    httpUrl: %s%s\n    caCert: %s\n    schedule: \"@every %s\"\n    noBrowser: true\n    timeout: 5s\n    scanTimeout: 8s\n",
			s.HTTPSURL, path, s.HTTPURL, path, s.CAFile, every)
	}
	for i := range n {
		add(site, fmt.Sprintf("p%d", i))
	}
	for i := range nw {
		add(watch, fmt.Sprintf("w%d", i))
	}
	if hook != "" {
		fmt.Fprintf(&b, "alerts:\n  - webhook: %s/hook\n    minSeverity: low\n", hook)
	}
	path := filepath.Join(dir, "monitor.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hitsPerScan is how many requests one --no-browser scan of a hardened fixture
// target makes, measured with one scan of a site of its own.
func hitsPerScan(t *testing.T) int {
	site := startSite(t, "hardened")
	dir := t.TempDir()
	cfg, err := monitor.LoadConfig(fleetConfig(t, dir, filepath.Join(dir, "cal.db"), site, 1, nil, 0, time.Hour, 1, ""), monitor.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := monitor.New(context.Background(), cfg, monitor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	k := site.Hits("/p0")
	if k == 0 {
		t.Fatal("calibration scan reached no fixture page")
	}
	return k
}

// The acceptance soak (make soak): 3 replicas on one PostgreSQL, 200
// --no-browser targets on the fixture site every 20 s, 5 watched targets on a
// second site switched from good to bad and back, one replica SIGKILLed
// mid-run and restarted. Every due slot is scanned exactly once (the store's
// run keys, and the fixture's request count: hits = requests per scan ×
// scans, but for scans cut by the kill), every watched target alerts one
// regression and one recovery, and the store passes its integrity check.
func TestFleetSoak(t *testing.T) {
	if os.Getenv("COOKIESCAN_SOAK") == "" {
		t.Skip("distributed soak: make soak (COOKIESCAN_SOAK=1); about 3 minutes")
	}
	n := envInt("COOKIESCAN_SOAK_TARGETS", 200)
	every := time.Duration(envInt("COOKIESCAN_SOAK_EVERY_S", 20)) * time.Second
	const replicas, concurrency, watched = 3, 8, 5
	rescue := 12 * time.Second // above the job timeout: scanTimeout 8 s + record margin 2 s
	site, watch := startSite(t, "hardened"), startSite(t, "hardened")
	k := hitsPerScan(t)
	site.SetLatency(100 * time.Millisecond) // scans last long enough to be cut by the kill
	hook := newReceiver(t)
	storeName := pgStore(t)
	dir := t.TempDir()
	cfgPath := fleetConfig(t, dir, storeName, site, n, watch, watched, every, concurrency, hook.URL)
	cfg, err := monitor.LoadConfig(cfgPath, monitor.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}

	t0 := time.Now()
	rs := make([]*replica, replicas)
	for i := range rs {
		rs[i] = startReplica(t, fmt.Sprintf("r%d", i), cfgPath, dir, rescue)
	}
	db, err := sql.Open("pgx", cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Jobs running on r1: the last client that attempted them is one of r1's.
	running := func() int {
		var c int
		db.QueryRow(`SELECT COUNT(*) FROM river_job WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] LIKE 'r1-%'`).Scan(&c)
		return c
	}
	at := func(d time.Duration) { time.Sleep(time.Until(t0.Add(d))) }

	// The watched site changes between two slots' scans, never under one.
	midSlot := func() {
		now := time.Now()
		mid := now.Truncate(every).Add(every / 2)
		if mid.Before(now) {
			mid = mid.Add(every)
		}
		time.Sleep(time.Until(mid))
	}
	at(30 * time.Second)
	midSlot()
	watch.SetProfile("insecure")
	at(45 * time.Second)
	waitFor(t, 30*time.Second, "scans running on r1", func() bool { return running() > 0 })
	inFlight := running()
	rs[1].signal(syscall.SIGKILL)
	killedAt := time.Now()
	t.Logf("SIGKILLed r1 at +%s with %d jobs running on it", killedAt.Sub(t0).Round(time.Second), inFlight)
	time.Sleep(10 * time.Second)
	rs[1] = startReplica(t, "r1", cfgPath, dir, rescue)
	restartedAt := time.Now()
	at(80 * time.Second)
	midSlot()
	watch.SetProfile("hardened")
	at(150 * time.Second)
	// Every slot up to here must be scanned, the rescued ones included.
	horizon := time.Now().Add(-2 * every)
	waitFor(t, 60*time.Second, "the outbox to drain", func() bool {
		var c int
		db.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&c)
		return c == 0
	})
	// How long the killed replica's jobs waited: the latest completion of a job
	// attempted more than once, after the kill.
	var rescuedLast sql.NullTime
	var rescued int
	db.QueryRow(`SELECT MAX(finalized_at), COUNT(*) FROM river_job WHERE attempt > 1 AND state = 'completed'`).Scan(&rescuedLast, &rescued)
	for _, r := range rs {
		r.stop(t)
	}
	end := time.Now()
	if rescued < inFlight {
		t.Errorf("%d jobs were running on r1 when it was killed, %d were run again", inFlight, rescued)
	}
	if rescuedLast.Valid {
		t.Logf("the killed replica's %d jobs were all rerun by +%s after the kill (bound: rescueAfter %s + River's 30 s rescuer interval + retry)", rescued, rescuedLast.Time.Sub(killedAt).Round(time.Second), rescue)
	}

	st, err := store.Open(context.Background(), cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	total, uneven := 0, 0
	firstSlot := t0.Truncate(every).Add(every)
	for i, target := range cfg.Targets {
		u := target.URL.String()
		h, err := st.History(ctx, u, 0)
		if err != nil {
			t.Fatal(err)
		}
		total += len(h)
		slots := map[int64]int{} // by Unix second: parsed and computed times differ in location and monotonic reading
		for _, sc := range h {
			slot, err := time.Parse(time.RFC3339, strings.TrimPrefix(sc.RunKey, u+"@"))
			if err != nil {
				t.Fatalf("scan %d of %s has run key %q", sc.ID, u, sc.RunKey)
			}
			slots[slot.Unix()]++
		}
		for s := firstSlot; !s.After(horizon); s = s.Add(every) {
			if slots[s.Unix()] != 1 {
				t.Errorf("%s: slot %s scanned %d times, want once", u, s.Format("15:04:05"), slots[s.Unix()])
			}
		}
		if i < n {
			hits := site.Hits("/p" + strconv.Itoa(i))
			switch extra := hits - k*len(h); {
			case extra < 0:
				t.Errorf("%s: %d requests at the fixture for %d stored scans (%d each): a stored scan the site never saw", u, hits, len(h), k)
			case extra > k:
				t.Errorf("%s: %d requests at the fixture for %d stored scans (%d each): more than one scan ran unrecorded", u, hits, len(h), k)
			case extra > 0:
				uneven++ // a scan cut by the kill or by the final SIGTERM, rerun
			}
		}
	}
	if uneven > 2*replicas*concurrency {
		t.Errorf("%d targets had a scan run but not recorded; the kill and the stop can cut at most %d", uneven, 2*replicas*concurrency)
	}

	evs := hook.events(t)
	keys := map[string]int{}
	for _, e := range evs {
		keys[e.IdempotencyKey]++
	}
	dups := 0
	for _, c := range keys {
		dups += c - 1
	}
	for _, target := range cfg.Targets[n:] {
		u := target.URL.String()
		if got := countKind(evs, u, alert.KindRegression); got-dupsOf(evs, u, alert.KindRegression) != 1 {
			t.Errorf("%s: %d regression alerts, want 1", u, got)
		}
		if got := countKind(evs, u, alert.KindRecovered); got-dupsOf(evs, u, alert.KindRecovered) != 1 {
			t.Errorf("%s: %d recovery alerts, want 1", u, got)
		}
	}
	if other := len(evs) - dups - 2*watched; other != 0 {
		t.Errorf("%d alerts beyond the watched targets' regression and recovery", other)
	}
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity: %q %v", res, err)
	}
	dur := end.Sub(t0)
	t.Logf("soak: %d targets every %s, %d replicas (r1 SIGKILLed at +%s with %d jobs running, restarted at +%s): %d scans in %s (%.0f/min), %d alerts (%d repeated deliveries, same idempotency key), %d targets with a cut scan rerun",
		len(cfg.Targets), every, replicas, killedAt.Sub(t0).Round(time.Second), inFlight, restartedAt.Sub(t0).Round(time.Second), total, dur.Round(time.Second),
		float64(total)/dur.Minutes(), len(evs), dups, uneven)
}

// dupsOf counts repeated deliveries (same idempotency key) of a target's kind.
func dupsOf(evs []alert.Event, target, kind string) int {
	seen := map[string]bool{}
	d := 0
	for _, e := range evs {
		if e.Target != target || e.Kind != kind {
			continue
		}
		if seen[e.IdempotencyKey] {
			d++
		}
		seen[e.IdempotencyKey] = true
	}
	return d
}

// Throughput with 1, 2 and 3 replicas (make soak): 200 --no-browser targets
// every 2 s (6000 scans/min), more than the machine scans, so the count is the
// fleet's rate.
func TestFleetScale(t *testing.T) {
	if os.Getenv("COOKIESCAN_SOAK") == "" {
		t.Skip("fleet throughput: make soak (COOKIESCAN_SOAK=1); about 2 minutes")
	}
	n := envInt("COOKIESCAN_SOAK_TARGETS", 200)
	site := startSite(t, "hardened")
	var lines []string
	for r := 1; r <= 3; r++ {
		storeName := pgStore(t)
		dir := t.TempDir()
		cfgPath := fleetConfig(t, dir, storeName, site, n, nil, 0, 2*time.Second, 4, "")
		cfg, err := monitor.LoadConfig(cfgPath, monitor.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var rs []*replica
		for i := range r {
			rs = append(rs, startReplica(t, fmt.Sprintf("s%d-%d", r, i), cfgPath, dir, 30*time.Second))
		}
		var st *store.Store
		waitFor(t, 60*time.Second, "the replicas to create the store", func() bool {
			st, err = store.Open(context.Background(), cfg.Store, store.Options{ReadOnly: true})
			return err == nil
		})
		time.Sleep(10 * time.Second) // every replica up
		before, _ := st.Count(context.Background(), "")
		window := 30 * time.Second
		time.Sleep(window)
		after, _ := st.Count(context.Background(), "")
		st.Close()
		for _, x := range rs {
			x.stop(t)
		}
		lines = append(lines, fmt.Sprintf("%d replica(s): %.0f scans/min", r, float64(after-before)/window.Minutes()))
	}
	sort.Strings(lines)
	t.Log("fleet throughput, --no-browser scans of a loopback fixture, concurrency 4 per replica, this machine:\n  " + strings.Join(lines, "\n  "))
}
