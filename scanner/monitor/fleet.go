package monitor

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/robfig/cron/v3"
)

// A fleet is every monitor process on one PostgreSQL store. They share the
// work through River (github.com/riverqueue/river), a job queue kept in the
// same database:
//
//   - Every replica computes, for each target, the latest slot of its schedule
//     (a grid every replica agrees on: @every D slots are multiples of D since
//     the zero time, cron slots are cron's) and inserts one scan job per
//     (target, slot). The job is unique by its arguments, so however many
//     replicas insert it, one job exists, and any live replica inserts it: no
//     slot depends on one process being up. (River's periodic jobs run on the
//     elected leader only and start each schedule from when that leader
//     started, so a leader change could skip or repeat a slot.)
//   - One replica's River client takes the job and runs the scan. The scan is
//     recorded with the run key TARGET@SLOT, unique in the scans table, so a
//     slot is recorded at most once even if two replicas ran it.
//   - A replica killed mid-scan leaves its job running in the table; River's
//     rescuer (on the elected leader, every 30 s) makes it retryable once it
//     has run longer than RescueAfter (the scan timeout plus a minute), and
//     another replica runs it: a lost scan is rerun within
//     scanTimeout + 1 min + 30 s + a second of retry backoff.
//   - The alert decision is taken in the scan's transaction under an advisory
//     lock on the target, so it is taken once per scan and in order; alerts
//     wait in the outbox, which replicas claim with a lease (Store.Claim).
//
// Replicas join and leave at any time: a new one starts taking jobs at once,
// one that leaves cancels its running scans, whose jobs are retried by others.

// scanArgs is one scheduled scan: a target and the slot it is due for.
type scanArgs struct {
	Target string    `json:"target"`
	Slot   time.Time `json:"slot"`
}

func (scanArgs) Kind() string { return "cookiescan_scan" }

func (scanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		// A few tries: a scan fails as a recorded failed scan, not as a job
		// error; a job error means the store could not record or the replica
		// stopped, and another replica should try again.
		MaxAttempts: 5,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// runKey names a slot's scan in the store.
func runKey(target string, slot time.Time) string {
	return target + "@" + slot.UTC().Format(time.RFC3339)
}

type scanWorker struct {
	river.WorkerDefaults[scanArgs]
	m *Monitor
}

// Timeout is the target's scan timeout plus time to record: past it the job's
// context ends and the scan is recorded as timed out.
func (w *scanWorker) Timeout(job *river.Job[scanArgs]) time.Duration {
	if t := w.m.fleet.targets[job.Args.Target]; t != nil {
		return t.ScanTimeout + recordMargin
	}
	return time.Minute
}

func (w *scanWorker) Work(ctx context.Context, job *river.Job[scanArgs]) error {
	m := w.m
	t := m.fleet.targets[job.Args.Target]
	if t == nil {
		// A replica with an older config inserted it: this config has no
		// such target, so nothing is scanned.
		m.log.Warn("scan job for a target not in this replica's config; skipped", "target", job.Args.Target)
		return nil
	}
	key := runKey(job.Args.Target, job.Args.Slot)
	if done, err := m.store.HasRun(ctx, key); err != nil {
		return err
	} else if done {
		return nil // a rescued job whose first run did finish
	}
	if _, err := m.scanRun(ctx, t, key); err != nil {
		return err // not recorded: River retries it, here or on another replica
	}
	return nil
}

// recordMargin is the time a job has beyond its scan timeout to commit.
var recordMargin = 30 * time.Second

// fleet is the River side of a monitor on PostgreSQL.
type fleet struct {
	pool    *pgxpool.Pool
	client  *river.Client[pgx.Tx]
	targets map[string]*Target
	// enqueued is the latest slot this replica has inserted (or found done)
	// per target; next the slot after it, before which there is nothing to do.
	enqueued map[string]time.Time
	next     map[string]time.Time
}

// rescueAfter is how long a job may run before River hands it to another
// replica: the longest scan timeout, the record margin and a minute.
func (m *Monitor) rescueAfter() time.Duration {
	if m.opts.RescueAfter > 0 {
		return m.opts.RescueAfter
	}
	return m.jobTimeout() + time.Minute
}

func (m *Monitor) jobTimeout() time.Duration {
	longest := time.Duration(0)
	for _, t := range m.cfg.Targets {
		longest = max(longest, t.ScanTimeout)
	}
	return longest + recordMargin
}

// fleetMigrationKey serialises River's migrations between replicas.
const fleetMigrationKey = 0x636f6f6b72697672 // "cookrivr"

// openFleet connects River to the store's database, migrates River's tables
// and prepares the client (Run starts it).
func (m *Monitor) openFleet(ctx context.Context) error {
	pool, err := pgxpool.New(ctx, m.cfg.Store)
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if err := migrateRiver(ctx, pool); err != nil {
		pool.Close()
		return fmt.Errorf("job queue: migrate River's tables: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &scanWorker{m: m})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		ID:                   fmt.Sprintf("%s-%d-%d", m.replica, os.Getpid(), time.Now().UnixNano()%1e6),
		Logger:               slog.New(warnOnly{m.log.Handler()}),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: m.cfg.Concurrency}},
		Workers:              workers,
		JobTimeout:           m.jobTimeout(),
		RescueStuckJobsAfter: m.rescueAfter(),
	})
	if err != nil {
		pool.Close()
		return fmt.Errorf("job queue: %w", err)
	}
	f := &fleet{pool: pool, client: client, targets: map[string]*Target{}, enqueued: map[string]time.Time{}, next: map[string]time.Time{}}
	for _, t := range m.cfg.Targets {
		f.targets[t.URL.String()] = t
	}
	m.fleet = f
	return nil
}

func migrateRiver(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(fleetMigrationKey)); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(fleetMigrationKey))
	mig, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	_, err = mig.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// runFleet takes jobs and inserts due slots until ctx ends, then stops the
// client, cancelling running scans (their jobs are retried by other replicas).
func (m *Monitor) runFleet(ctx context.Context) error {
	f := m.fleet
	if err := f.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	m.log.Info("fleet mode: scans shared with every monitor on this PostgreSQL store", "replica", m.replica,
		"rescueAfter", m.rescueAfter())
	tick := time.NewTicker(m.opts.EnqueueInterval)
	defer tick.Stop()
	for {
		m.enqueueDue(ctx)
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			err := f.client.StopAndCancel(sctx)
			cancel()
			f.pool.Close()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return nil
		case <-tick.C:
		}
	}
}

// enqueueDue inserts the jobs of each target's slots that came since this
// replica last looked: the latest one at start (a slot missed while the whole
// fleet was down is scanned once, not once per missed slot), then every slot,
// none skipped. Unique jobs make the other replicas' inserts no-ops.
func (m *Monitor) enqueueDue(ctx context.Context) {
	f := m.fleet
	now := m.opts.Now()
	var params []river.InsertManyParams
	type pending struct {
		target     string
		slot, next time.Time
	}
	var marks []pending
	for _, t := range m.cfg.Targets {
		target := t.URL.String()
		if next, ok := f.next[target]; ok && now.Before(next) {
			continue // the common case: nothing due, no work
		}
		last := lastSlot(t.schedule, now)
		if last.IsZero() {
			continue
		}
		slots := []time.Time{last}
		if prev := f.enqueued[target]; !prev.IsZero() {
			slots = slots[:0]
			for s := nextSlot(t.schedule, prev); !s.IsZero() && !s.After(last) && len(slots) < maxCatchUp; s = nextSlot(t.schedule, s) {
				slots = append(slots, s)
			}
			if len(slots) == 0 || slots[len(slots)-1] != last {
				slots = append(slots, last)
			}
		}
		for _, slot := range slots {
			// Already scanned for this slot (by this fleet, or a monitor
			// before it): nothing to insert. A job River has cleaned up since
			// would otherwise be inserted again.
			done, err := m.store.HasRun(ctx, runKey(target, slot))
			if err != nil {
				if ctx.Err() == nil {
					m.log.Error("job queue: check slot", "target", target, "err", err)
				}
				return
			}
			if !done && f.enqueued[target].IsZero() {
				// First look of this process: a scan after the slot (run by a
				// monitor without run keys, or by --once) counts.
				if h, err := m.store.History(ctx, target, 1); err == nil && len(h) > 0 && !h[0].StartedAt.Before(slot) {
					done = true
				}
			}
			if done {
				continue
			}
			opts := scanArgs{}.InsertOpts()
			opts.ScheduledAt = slot
			if !m.opts.NoJitter {
				opts.ScheduledAt = slot.Add(stableJitter(target, jitterFor(t.schedule, now)))
			}
			params = append(params, river.InsertManyParams{Args: scanArgs{Target: target, Slot: slot}, InsertOpts: &opts})
		}
		marks = append(marks, pending{target, last, nextSlot(t.schedule, last)})
	}
	if len(params) > 0 {
		if _, err := f.client.InsertMany(ctx, params); err != nil {
			if ctx.Err() == nil {
				m.log.Error("job queue: insert due scans", "scans", len(params), "err", err)
			}
			return
		}
	}
	for _, p := range marks {
		f.enqueued[p.target], f.next[p.target] = p.slot, p.next
	}
}

// maxCatchUp bounds the slots one look inserts for a target (a replica that
// stalled for hours does not queue hundreds of scans of one site).
const maxCatchUp = 10

// nextSlot is the slot after slot on the same grid as lastSlot.
func nextSlot(s cron.Schedule, slot time.Time) time.Time {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return slot.Add(c.Delay)
	}
	return s.Next(slot)
}

// lastSlot is the latest time at or before now the schedule fires, on a grid
// every replica computes alike (zero when it never fired in the last years).
func lastSlot(s cron.Schedule, now time.Time) time.Time {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(c.Delay)
	}
	for _, back := range []time.Duration{time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour} {
		t := s.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := s.Next(t)
			if n.IsZero() || n.After(now) {
				return t
			}
			t = n
		}
	}
	return time.Time{}
}

// stableJitter spreads targets of one schedule over the jitter window, the
// same delay for a target on every replica.
func stableJitter(target string, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(target))
	return time.Duration(h.Sum64() % uint64(max))
}

// warnOnly passes River's warnings and errors to the monitor's log and drops
// its chatter.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}
func (w warnOnly) WithAttrs(a []slog.Attr) slog.Handler { return warnOnly{w.Handler.WithAttrs(a)} }
func (w warnOnly) WithGroup(n string) slog.Handler      { return warnOnly{w.Handler.WithGroup(n)} }
