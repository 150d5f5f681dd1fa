package monitor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// storeHealth is whether the store takes writes. It lives in memory because the
// store is what failed: a failure is announced once (store-failed), /healthz
// answers 503 with the reason until a write succeeds again, and the recovery is
// announced once. Those two alerts are posted directly, never queued in the
// outbox, which is in the store that cannot be written.
type storeHealth struct {
	mu     sync.Mutex
	err    error // nil: healthy
	direct []directAlert
}

// directAlert is an alert kept in memory until a webhook takes it.
type directAlert struct {
	kind, dest, contentType string
	body                    []byte
	attempts                int
	next                    time.Time
}

// maxDirect bounds the in-memory queue (a store flapping for days against a
// dead webhook must not grow it without end); the oldest are dropped.
const maxDirect = 100

// storeProblem is why the store cannot record, or nil. While healthy it checks
// that the file is still the one opened (a stat), so /healthz notices a removed
// or replaced file before the next scan does.
func (m *Monitor) storeProblem() error {
	m.health.mu.Lock()
	err := m.health.err
	m.health.mu.Unlock()
	if err != nil {
		return err
	}
	if err := m.store.CheckFile(); err != nil {
		m.storeFailed("check the store file", err)
		return err
	}
	return nil
}

// storeFailed counts a store write that failed (or a file found changed) and,
// on the first since the store was healthy, logs it loudly and queues the
// store-failed alert.
func (m *Monitor) storeFailed(op string, err error) {
	// A write into a removed file fails as "unable to open database file":
	// say what happened instead.
	if cerr := m.store.CheckFile(); cerr != nil {
		err = cerr
	}
	if strings.Contains(err.Error(), "readonly database") {
		// This connection was opened while the file could not be
		// written and stays read-only: the next write opens afresh.
		m.store.DropIdle()
	}
	err = m.storeHint(err)
	m.metrics.storeErrors.Inc()
	m.metrics.storeWritable.Set(0)
	m.health.mu.Lock()
	first := m.health.err == nil
	m.health.err = err
	if first {
		m.queueDirect(alert.Event{Kind: alert.KindStoreFailed, Error: err.Error()}, func(a *Alert) bool { return a.On[alert.KindStoreFailed] })
	}
	m.health.mu.Unlock()
	if first {
		m.log.Error("store cannot record scans: /healthz answers 503 until a write succeeds", "store", m.store.Path(), "op", op, "err", err)
		m.kickDelivery()
	} else {
		m.log.Error("store write failed", "store", m.store.Path(), "op", op, "err", err)
	}
}

// storeWorks records a successful write; after a failure it announces the
// recovery.
func (m *Monitor) storeWorks() {
	m.health.mu.Lock()
	was := m.health.err
	m.health.err = nil
	if was != nil {
		m.queueDirect(alert.Event{Kind: alert.KindRecovered, RecoveredFrom: alert.KindStoreFailed},
			func(a *Alert) bool { return a.On[alert.KindRecovered] && a.On[alert.KindStoreFailed] })
	}
	m.health.mu.Unlock()
	m.metrics.storeWritable.Set(1)
	if was != nil {
		m.log.Info("store records scans again", "store", m.store.Path(), "was", was.Error())
		m.kickDelivery()
	}
}

// watchStore runs on each outbox tick: while the store is failing it probes
// with a real write (so /healthz turns 200 once the disk has room again, not at
// the next scan hours later); while healthy it checks the file.
func (m *Monitor) watchStore(ctx context.Context) {
	m.health.mu.Lock()
	failing := m.health.err != nil
	m.health.mu.Unlock()
	if !failing {
		_ = m.storeProblem()
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := m.store.Probe(pctx)
	if ctx.Err() != nil {
		return
	}
	if err == nil {
		m.storeWorks()
		return
	}
	if cerr := m.store.CheckFile(); cerr != nil {
		err = cerr // a removed file, said as such (see storeFailed)
	}
	m.health.mu.Lock()
	m.health.err = m.storeHint(err) // the latest reason, without counting or alerting again
	m.health.mu.Unlock()
}

// storeHint adds to a store error what to check, for /healthz and alerts.
func (m *Monitor) storeHint(err error) error {
	switch {
	case errors.Is(err, store.ErrFileChanged):
		return err
	case m.store.Postgres():
		return fmt.Errorf("%w (check that PostgreSQL is running and reachable, and that the database has room)", err)
	default:
		return fmt.Errorf("%w (check that the disk has room and that the store, its -wal file and its directory are writable)", err)
	}
}

// queueDirect renders ev for each webhook that wants it. Called with health.mu held.
func (m *Monitor) queueDirect(ev alert.Event, wants func(*Alert) bool) {
	ev.Store = m.store.Path()
	ev.ScannedAt = m.opts.Now().UTC()
	ev.Summary = alert.Summary(ev.Normalized())
	for _, a := range m.cfg.Alerts {
		if !wants(a) {
			continue
		}
		ct, body, err := alert.Render(ev, a.Format)
		if err != nil {
			m.log.Error("render alert", "kind", ev.Kind, "err", err)
			continue
		}
		m.health.direct = append(m.health.direct, directAlert{kind: ev.Kind, dest: a.Webhook, contentType: ct, body: body})
	}
	if n := len(m.health.direct); n > maxDirect {
		m.health.direct = append([]directAlert(nil), m.health.direct[n-maxDirect:]...)
	}
}

func (m *Monitor) kickDelivery() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// deliverDirect posts the due in-memory alerts, in order; a failure keeps the
// alert for a later tick, as the outbox would.
func (m *Monitor) deliverDirect(ctx context.Context) (sent, failed int) {
	m.health.mu.Lock()
	queue := m.health.direct
	m.health.direct = nil
	m.health.mu.Unlock()
	var keep []directAlert
	for i, d := range queue {
		if ctx.Err() != nil || d.next.After(m.opts.Now()) {
			keep = append(keep, queue[i:]...)
			break
		}
		dest, err := Expand(d.dest, nil)
		if err == nil {
			err = m.opts.Sender.Send(ctx, dest, d.contentType, d.body, m.webhookHeader(d.dest))
		}
		if err != nil && ctx.Err() != nil {
			keep = append(keep, queue[i:]...)
			break
		}
		if err != nil {
			failed++
			m.metrics.alertsFailed.WithLabelValues(d.kind).Inc()
			d.attempts++
			d.next = m.opts.Now().Add(retryDelay(d.attempts, m.opts.OutboxInterval))
			m.log.Error("alert delivery failed; kept in memory (the store cannot take it)", "kind", d.kind,
				"webhook", redactURL(dest), "attempts", d.attempts, "next", d.next.Format(time.RFC3339), "err", err)
			keep = append(keep, d)
			continue
		}
		sent++
		m.metrics.alertsSent.WithLabelValues(d.kind).Inc()
	}
	if len(keep) > 0 {
		m.health.mu.Lock()
		m.health.direct = append(keep, m.health.direct...)
		m.health.mu.Unlock()
	}
	return sent, failed
}

// webhookHeader is the extra request headers configured for a webhook, ${VAR}
// expanded.
func (m *Monitor) webhookHeader(webhook string) map[string]string {
	header := map[string]string{}
	for _, a := range m.cfg.Alerts {
		if a.Webhook == webhook {
			for k, v := range a.Header {
				if ev, err := Expand(v, nil); err == nil {
					header[k] = ev
				}
			}
		}
	}
	return header
}
