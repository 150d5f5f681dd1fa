// Package monitor runs cookiescan as a service: scans on cron schedules, every
// result kept in an embedded SQLite history (scanner/monitor/store), regressions
// found with scanner/diff against the previous good scan, alerts sent once per
// change to webhooks (scanner/monitor/alert), and /metrics, /healthz and a status
// page served over HTTP.
//
// The design goal is that the monitor can be killed at any moment: each scan is
// committed with the alert decision it caused in one transaction, alerts wait in
// an outbox until delivered, and the alert state lives in the store rather than
// in memory, so a restart neither loses a scan nor repeats or forgets an alert.
package monitor

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// RenderFunc writes a stored report for /scans/ID and says its content type. The
// command hands in the report package's HTML writer; the default is JSON, which
// keeps this package free of report formats.
type RenderFunc func(w io.Writer, rep result.Report) (contentType string, err error)

// Options configure a Monitor beyond its config file: seams for the command and
// for tests.
type Options struct {
	Logger  *slog.Logger // default: discard
	Version string
	// NewCrawler starts a browser for targets that want one; nil means transport
	// checks only.
	NewCrawler CrawlerFactory
	Render     RenderFunc
	Sender     alert.Sender
	// NoJitter starts scheduled scans on the dot (tests).
	NoJitter bool
	// OutboxInterval is how often undelivered alerts are retried (default 1m);
	// PruneInterval how often retention runs (default 1h).
	OutboxInterval time.Duration
	PruneInterval  time.Duration
	// OnScan is told about each scan after it is committed.
	OnScan func(ScanResult)
	// ScanHook is called as a scan of target starts (it may block it) and the
	// func it returns once that scan has ended, recorded or not: tests change
	// a site only while no scan of it is running.
	ScanHook func(target string) (done func())
	// Now is the clock of alert state timestamps (default time.Now).
	Now func() time.Time
	// DialContext replaces the scanner's network dialer (tests).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Replica names this process in /metrics (label replica) and in the store
	// lock (default $COOKIESCAN_REPLICA, else the host name: a pod's name).
	Replica string
	// On a PostgreSQL store: RescueAfter is how long a scan job may run before
	// another replica takes it over (default: the longest scanTimeout + 30 s
	// + 1 min); EnqueueInterval how often this replica looks for due slots
	// (default 1 s).
	RescueAfter     time.Duration
	EnqueueInterval time.Duration
}

// ScanResult is one committed scan.
type ScanResult struct {
	ID       int64
	Target   string
	Grade    string
	Score    int
	Duration time.Duration
	Err      error
	Alerts   int // alerts queued (one per webhook and event)
}

// Monitor is a configured monitor with its store open.
type Monitor struct {
	cfg     *Config
	opts    Options
	log     *slog.Logger
	store   *store.Store
	metrics *metrics
	pool    *crawlerPool
	sem     chan struct{}
	kick    chan struct{}
	baseURL string
	replica string

	running atomic.Bool
	ln      net.Listener
	srv     *http.Server

	deliverMu sync.Mutex
	health    storeHealth

	fleet *fleet // nil on SQLite
}

// New opens the store (migrating it) and prepares the metrics. Close it when done
// unless Run ran (Run closes it).
func New(ctx context.Context, cfg *Config, opts Options) (*Monitor, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Render == nil {
		opts.Render = renderJSON
	}
	if opts.OutboxInterval <= 0 {
		opts.OutboxInterval = time.Minute
	}
	if opts.PruneInterval <= 0 {
		opts.PruneInterval = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.EnqueueInterval <= 0 {
		opts.EnqueueInterval = time.Second
	}
	if opts.Sender.UserAgent == "" {
		opts.Sender.UserAgent = "cookiescan-monitor/" + opts.Version
	}
	st, err := store.Open(ctx, cfg.Store, store.Options{})
	if err != nil {
		return nil, err
	}
	// One monitor per SQLite store: a second would scan and alert everything
	// twice. Monitors on one PostgreSQL store share the work instead (fleet.go).
	if err := st.Lock(ctx, store.Holder()); err != nil {
		st.Close()
		return nil, err
	}
	m := &Monitor{cfg: cfg, opts: opts, log: opts.Logger, store: st, replica: replicaName(opts.Replica),
		sem: make(chan struct{}, cfg.Concurrency), kick: make(chan struct{}, 1),
		baseURL: cfg.PublicURL,
		pool:    newCrawlerPool(opts.NewCrawler, cfg.Concurrency, opts.Logger)}
	m.metrics = newMetrics(m)
	if err := m.metrics.load(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if st.Postgres() {
		if err := m.openFleet(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("store %s: %w", st.Path(), err)
		}
	}
	return m, nil
}

// Store is the monitor's history (tests and the command read it).
func (m *Monitor) Store() *store.Store { return m.store }

// Close releases the browsers and closes the store.
func (m *Monitor) Close() error {
	m.pool.close()
	if m.fleet != nil {
		m.fleet.pool.Close()
	}
	if m.ln != nil {
		m.ln.Close()
	}
	return m.store.Close()
}

// ListenError is a status address that cannot be bound (in use, no permission).
type ListenError struct{ Err error }

func (e *ListenError) Error() string { return e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }

// Listen binds the status address now, so a busy port is reported before any
// scan runs. Run calls it when the caller did not.
func (m *Monitor) Listen() error {
	if m.cfg.Listen == "" || m.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", m.cfg.Listen)
	if err != nil {
		return &ListenError{fmt.Errorf("listen %s: %w (set listen: to a free address, or \"off\")", m.cfg.Listen, err)}
	}
	m.ln = ln
	if m.cfg.PublicURL == "http://"+m.cfg.Listen {
		// An ephemeral port (":0") becomes a real one; links must use it.
		m.baseURL = "http://" + ln.Addr().String()
	}
	return nil
}

// Addr is the bound status address ("" before Listen or when off).
func (m *Monitor) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Run scans on schedule until ctx is cancelled, then stops gracefully: no new
// scans, running scans cancelled and waited for, the HTTP server shut down, the
// store closed. It returns nil after a clean shutdown.
func (m *Monitor) Run(ctx context.Context) error {
	defer m.Close()
	if err := m.Listen(); err != nil {
		return err
	}
	m.prune(ctx)
	if m.ln != nil {
		m.srv = &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := m.srv.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.log.Error("status server stopped", "err", err)
			}
		}()
		m.log.Info("serving /metrics, /healthz and the status page", "addr", "http://"+m.ln.Addr().String()+"/", "auth", m.cfg.Auth.Enabled())
		if exposed(m.cfg.Listen) && !m.cfg.Auth.Enabled() {
			m.log.Warn("the status page and /metrics are reachable beyond this machine without authentication: the reports name your sites' cookies (set auth: bearerToken: ${VAR}, or listen on 127.0.0.1)", "listen", m.cfg.Listen)
		}
	}

	if m.fleet != nil {
		return m.runShared(ctx)
	}
	c := cron.New(cron.WithParser(cronParser), cron.WithLogger(cronLogger{m.log}))
	jobs := make([]cron.Job, len(m.cfg.Targets))
	for i, t := range m.cfg.Targets {
		// SkipIfStillRunning: a scan slower than its interval is not queued up
		// behind itself; the next slot after it ends runs instead.
		jobs[i] = cron.NewChain(cron.Recover(cronLogger{m.log}), cron.SkipIfStillRunning(cronLogger{m.log})).
			Then(cron.FuncJob(func() { m.scheduled(ctx, t) }))
		c.Schedule(t.schedule, jobs[i])
	}
	c.Start()
	m.running.Store(true)
	m.log.Info("monitor started", "targets", len(m.cfg.Targets), "store", m.store.Path(), "concurrency", m.cfg.Concurrency)

	// Catch up: a target never scanned, or whose last run was missed while the
	// monitor was down, is scanned now rather than at its next slot (which may be
	// hours away). The same wrapped job runs, so it cannot overlap a cron run.
	var wg sync.WaitGroup
	for i, t := range m.cfg.Targets {
		if m.due(ctx, t) {
			wg.Add(1)
			go func() { defer wg.Done(); jobs[i].Run() }()
		}
	}
	wg.Add(1)
	go func() { defer wg.Done(); m.background(ctx) }()

	<-ctx.Done()
	m.log.Info("monitor stopping: cancelling running scans")
	stopped := c.Stop()
	wg.Wait()
	<-stopped.Done()
	m.running.Store(false)
	if m.srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = m.srv.Shutdown(sctx)
		cancel()
	}
	m.log.Info("monitor stopped")
	return nil
}

// runShared is Run on a PostgreSQL store: River schedules the scans across
// every replica (fleet.go); this process delivers alerts and prunes as on
// SQLite.
func (m *Monitor) runShared(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.background(ctx) }()
	m.running.Store(true)
	m.log.Info("monitor started", "targets", len(m.cfg.Targets), "store", m.store.Path(), "concurrency", m.cfg.Concurrency)
	err := m.runFleet(ctx)
	m.running.Store(false)
	cancel()
	wg.Wait()
	if m.srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = m.srv.Shutdown(sctx)
		cancel()
	}
	m.log.Info("monitor stopped")
	return err
}

// due reports whether a target's latest scheduled run has no scan after it.
func (m *Monitor) due(ctx context.Context, t *Target) bool {
	h, err := m.store.History(ctx, t.URL.String(), 1)
	if err != nil || len(h) == 0 {
		return true
	}
	return !t.schedule.Next(h[0].StartedAt).After(m.opts.Now())
}

// background retries the outbox on every kick and tick, and prunes hourly.
func (m *Monitor) background(ctx context.Context) {
	tick := time.NewTicker(m.opts.OutboxInterval)
	defer tick.Stop()
	prune := time.NewTicker(m.opts.PruneInterval)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.kick:
			m.Deliver(ctx)
		case <-tick.C:
			m.watchStore(ctx)
			m.Deliver(ctx)
		case <-prune.C:
			m.prune(ctx)
		}
	}
}

// scheduled runs one cron-triggered scan: jitter, then the scan.
func (m *Monitor) scheduled(ctx context.Context, t *Target) {
	if !m.opts.NoJitter {
		if d := randomJitter(jitterFor(t.schedule, m.opts.Now())); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
		}
	}
	if _, err := m.Scan(ctx, t); err != nil && ctx.Err() == nil {
		m.log.Error("scan not recorded", "target", t.URL.String(), "err", err)
	}
}

// errShutdown marks a scan cut short by shutdown: not recorded, because it says
// nothing about the target.
var errShutdown = errors.New("monitor shutting down")

// Scan scans one target now (waiting for a concurrency slot), commits the result
// and its alert decision, and kicks the outbox.
func (m *Monitor) Scan(ctx context.Context, t *Target) (ScanResult, error) {
	return m.scanRun(ctx, t, "")
}

// scanRun is Scan with a run key: the scheduled slot a replica claimed ("" for
// none), so the slot is recorded once however often it is run.
func (m *Monitor) scanRun(ctx context.Context, t *Target, runKey string) (ScanResult, error) {
	select {
	case m.sem <- struct{}{}:
	case <-ctx.Done():
		return ScanResult{}, errShutdown
	}
	defer func() { <-m.sem }()

	target := t.URL.String()
	if m.opts.ScanHook != nil {
		defer m.opts.ScanHook(target)()
	}
	m.log.Info("scan started", "target", target)
	rep, scanErr, dur := m.runScan(ctx, t)
	if scanErr != nil && ctx.Err() != nil {
		// Cut short by shutdown. A scan that finished just before is kept.
		m.log.Info("scan cancelled by shutdown", "target", target)
		return ScanResult{}, errShutdown
	}
	// Commit even if shutdown begins now: the scan completed and must not be lost.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	res, err := m.record(rctx, t, rep, scanErr, dur, runKey)
	if errors.Is(err, store.ErrAlreadyRecorded) {
		// Another replica recorded this slot (it ran past its rescue time):
		// its result, and its alerts, stand.
		m.log.Info("scan already recorded by another replica; this one is dropped", "target", target, "run", runKey, "id", res.ID)
		return res, nil
	}
	if err != nil {
		m.storeFailed("record scan of "+target, err)
		return res, err
	}
	m.storeWorks()
	scanErr = res.Err // record counts a report that was not scanned as failed
	m.metrics.observe(t, rep, scanErr, dur)
	lvl := slog.LevelInfo
	attrs := []any{"target", target, "id", res.ID}
	if score, grade, ok := rep.Graded(); ok {
		attrs = append(attrs, "grade", grade, "score", score)
	} else {
		attrs = append(attrs, "notScanned", rep.NotScanned)
	}
	attrs = append(attrs, "duration", dur.Round(time.Millisecond))
	if scanErr != nil {
		lvl = slog.LevelWarn
		attrs = append(attrs, "err", scanErr.Error())
	}
	if res.Alerts > 0 {
		attrs = append(attrs, "alerts", res.Alerts)
	}
	m.log.Log(ctx, lvl, "scan done", attrs...)
	select {
	case m.kick <- struct{}{}:
	default:
	}
	if m.opts.OnScan != nil {
		m.opts.OnScan(res)
	}
	return res, nil
}

// runScan runs scanner.Run with the target's settings, a browser from the pool
// when the target wants one, and the per-scan time limit.
func (m *Monitor) runScan(ctx context.Context, t *Target) (result.Report, error, time.Duration) {
	sctx, cancel := context.WithTimeout(ctx, t.ScanTimeout)
	defer cancel()
	started := time.Now()
	opts := t.ScannerOptions()
	opts.Version = m.opts.Version
	if m.opts.DialContext != nil {
		opts.DialContext = m.opts.DialContext
	}
	var (
		crawler  Crawler
		key      string
		crawlErr error
	)
	if !t.NoBrowser && m.pool.enabled() {
		// The browser outlives the scan, so it is started with the monitor's
		// context, not the scan's time limit (which would kill it at the end of
		// this scan).
		crawler, key, crawlErr = m.pool.get(ctx, t.Browser())
		if crawler != nil {
			opts.Crawler = crawler
		}
	}
	rep, err := scanner.Run(sctx, opts)
	dur := time.Since(started)
	if crawler != nil {
		// A browser that failed is closed and started afresh for the next scan.
		m.pool.put(key, crawler, errors.Is(err, scanner.ErrBrowser))
	}
	if err == nil && crawlErr != nil {
		err = fmt.Errorf("%w: %v", scanner.ErrBrowser, crawlErr)
	}
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("scan did not finish within scanTimeout %s (raise scanTimeout, or lower maxPages)", t.ScanTimeout)
	}
	return rep, err, dur
}

// record commits the scan and the alert decision in one transaction.
func (m *Monitor) record(ctx context.Context, t *Target, rep result.Report, scanErr error, dur time.Duration, runKey string) (ScanResult, error) {
	target := t.URL.String()
	rep = rep.Normalized()
	if rep.Target == "" {
		rep.Target = target
	}
	if rep.StartedAt.IsZero() {
		rep.StartedAt = m.opts.Now().UTC()
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return ScanResult{}, fmt.Errorf("encode report: %w", err)
	}
	// A target that was not reached is stored with grade "" and score 0 and
	// never as OK, so it is neither a baseline nor a recovery.
	score, grade, scanned := rep.Graded()
	if scanErr == nil && !scanned {
		scanErr = errors.New("not scanned: " + rep.NotScanned)
	}
	sc := store.Scan{Target: target, StartedAt: rep.StartedAt, Duration: dur, OK: scanErr == nil, RunKey: runKey,
		Grade: grade, Score: score, Counts: countsOf(rep.Findings)}
	if scanErr != nil {
		sc.Error = scanErr.Error()
	}
	res := ScanResult{Target: target, Grade: grade, Score: score, Duration: dur, Err: scanErr}
	id, err := m.store.SaveScan(ctx, sc, body, func(tx *store.Tx, id int64) error {
		// A scan that finishes after a later-started scan of the target was
		// recorded (two slots running at once on a fleet) is history, not news:
		// judging it now would close and reopen the regression.
		if stale, err := tx.NewerScan(target, sc.StartedAt, id); err != nil || stale {
			if stale {
				m.log.Info("scan finished after a later one of the target; recorded without an alert decision", "target", target, "scan", id)
			}
			return err
		}
		st, err := tx.AlertState(target)
		if err != nil {
			return err
		}
		in := evalInput{State: st, ScanID: id, Report: rep, Err: scanErr, Min: m.minSeverity(),
			FailuresBeforeAlert: m.cfg.FailuresBeforeAlert, Now: m.opts.Now()}
		if in.Prev, err = load(tx.LastOK(target, id)); err != nil {
			return err
		}
		if st.Open() {
			if in.Baseline, err = load(tx.Scan(st.BaselineScan)); err != nil {
				return err
			}
		}
		next, evs := evaluate(in)
		if err := tx.PutAlertState(next); err != nil {
			return err
		}
		for _, ev := range evs {
			for _, a := range m.cfg.Alerts {
				e, ok := payload(ev, a, target, id, rep, m.baseURL)
				if !ok {
					continue
				}
				e.IdempotencyKey = idempotencyKey(id, ev.Kind)
				ct, body, err := alert.Render(e, a.Format)
				if err != nil {
					return err
				}
				if err := tx.Enqueue(store.OutboxItem{ScanID: id, Target: target, Kind: ev.Kind,
					Destination: a.Webhook, ContentType: ct, Body: body, IdempotencyKey: e.IdempotencyKey}); err != nil {
					return err
				}
				res.Alerts++
			}
			m.log.Info("alert", "kind", ev.Kind, "target", target, "scan", id, "items", len(ev.Items))
		}
		return nil
	})
	res.ID = id
	return res, err
}

// replicaName is the given name, else $COOKIESCAN_REPLICA, else the host name.
func replicaName(name string) string {
	if name != "" {
		return name
	}
	if name = os.Getenv("COOKIESCAN_REPLICA"); name != "" {
		return name
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "unknown"
}

// idempotencyKey names one alert: its scan, its kind and a random part (scan
// IDs of two stores can coincide). Every delivery of the alert carries it.
func idempotencyKey(scanID int64, kind string) string {
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("cookiescan-%d-%s-%x", scanID, kind, b)
}

// load decodes a scan read inside the transaction (nil when there is none).
func load(sc store.Scan, body []byte, ok bool, err error) (*storedScan, error) {
	if err != nil || !ok {
		return nil, err
	}
	var rep result.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, fmt.Errorf("decode stored scan %d: %w", sc.ID, err)
	}
	return &storedScan{ID: sc.ID, Report: rep}, nil
}

// minSeverity is the lowest threshold of any webhook: the open regression holds
// everything some webhook cares about, and each webhook gets its own share.
func (m *Monitor) minSeverity() result.Severity {
	if len(m.cfg.Alerts) == 0 {
		return DefaultMinSeverity
	}
	s := result.SeverityCritical
	for _, a := range m.cfg.Alerts {
		s = min(s, a.MinSeverity)
	}
	return s
}

func countsOf(fs []result.Finding) store.Counts {
	var c store.Counts
	for _, f := range fs {
		switch f.Severity {
		case result.SeverityCritical:
			c.Critical++
		case result.SeverityHigh:
			c.High++
		case result.SeverityMedium:
			c.Medium++
		case result.SeverityLow:
			c.Low++
		case result.SeverityInfo:
			c.Info++
		}
	}
	return c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// cronLogger sends the cron library's messages to slog (its default logger
// writes to stdout, which belongs to results).
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

func renderJSON(w io.Writer, rep result.Report) (string, error) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return "application/json; charset=utf-8", enc.Encode(rep.Normalized())
}
