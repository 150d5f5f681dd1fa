package monitor

import (
	"context"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// Deliver tries every due alert in the outbox once (with the sender's own quick
// retries). A failure is logged and left in the outbox with a later next attempt;
// it never stops the monitor.
func (m *Monitor) Deliver(ctx context.Context) (sent, failed int) {
	m.deliverMu.Lock()
	defer m.deliverMu.Unlock()
	sent, failed = m.deliverDirect(ctx)
	if !m.store.Postgres() {
		items, err := m.store.Due(ctx, m.opts.Now(), 100)
		if err != nil {
			if ctx.Err() == nil {
				m.log.Error("read outbox", "err", err)
			}
			return sent, failed
		}
		s, f := m.deliverItems(ctx, items)
		sent, failed = sent+s, failed+f
	} else {
		// Replicas share the outbox: a few rows at a time, leased, so a
		// delivery never waits behind a long batch past its lease.
		for ctx.Err() == nil {
			items, err := m.store.Claim(ctx, m.opts.Now(), claimBatch, ClaimLease)
			if err != nil {
				if ctx.Err() == nil {
					m.log.Error("read outbox", "err", err)
				}
				break
			}
			if len(items) == 0 {
				break
			}
			s, f := m.deliverItems(ctx, items)
			sent, failed = sent+s, failed+f
		}
	}
	if n, err := m.store.Pending(ctx); err == nil {
		m.metrics.outbox.Set(float64(n))
	}
	return sent, failed
}

// ClaimLease is how long an alert claimed by one replica is left to it: a
// replica that dies mid-delivery has its alerts posted by another after this.
// A claim of claimBatch alerts takes at most claimBatch deliveries of three
// 10 s tries each, well inside it.
const (
	ClaimLease = 5 * time.Minute
	claimBatch = 5
)

// deliverItems posts outbox rows and records each outcome.
func (m *Monitor) deliverItems(ctx context.Context, items []store.OutboxItem) (sent, failed int) {
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		dest, err := Expand(it.Destination, nil)
		if err == nil {
			header := m.webhookHeader(it.Destination)
			if it.IdempotencyKey != "" {
				header["Idempotency-Key"] = it.IdempotencyKey
			}
			err = m.opts.Sender.Send(ctx, dest, it.ContentType, it.Body, header)
		}
		if err != nil && ctx.Err() != nil {
			break // shutting down: the alert stays due in the outbox for the next start
		}
		if err != nil {
			failed++
			m.metrics.alertsFailed.WithLabelValues(it.Kind).Inc()
			next := m.opts.Now().Add(retryDelay(it.Attempts+1, m.opts.OutboxInterval))
			m.log.Error("alert delivery failed; kept in the outbox", "kind", it.Kind, "target", it.Target,
				"webhook", redactURL(dest), "attempts", it.Attempts+1, "next", next.Format(time.RFC3339), "err", err)
			if err := m.store.Failed(context.WithoutCancel(ctx), it.ID, err.Error(), next); err != nil {
				m.storeFailed("update outbox", err)
			}
			continue
		}
		sent++
		m.metrics.alertsSent.WithLabelValues(it.Kind).Inc()
		if err := m.store.Delivered(context.WithoutCancel(ctx), it.ID); err != nil {
			m.storeFailed("update outbox", err)
		}
	}
	return sent, failed
}

// retryDelay backs off per failed attempt: one tick, then doubling, at most an hour.
func retryDelay(attempts int, tick time.Duration) time.Duration {
	d := tick
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// prune applies retention.
func (m *Monitor) prune(ctx context.Context) {
	if m.cfg.Retention <= 0 {
		return
	}
	scans, outbox, err := m.store.Prune(ctx, m.opts.Now().Add(-m.cfg.Retention))
	if err != nil {
		if ctx.Err() == nil {
			m.storeFailed("retention", err)
		}
		return
	}
	if scans+outbox > 0 {
		m.log.Info("retention removed old rows", "scans", scans, "outbox", outbox, "retention", m.cfg.Retention)
	}
}
