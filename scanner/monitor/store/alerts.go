package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"
)

// AlertState is what the monitor remembers about a target between scans so that
// it alerts once per change rather than once per scan.
type AlertState struct {
	Target string
	// BaselineScan is the last good scan before the open regression (0: none
	// open). Later scans are compared with it, not with each other, so a problem
	// that stays is recognised as the same problem.
	BaselineScan int64
	// Fingerprint identifies the set of open regression items; Items is that set
	// as the monitor encoded it (JSON).
	Fingerprint string
	Items       []byte
	OpenedScan  int64
	OpenedAt    time.Time
	// Failures counts consecutive failed scans; FailureAlerted records that the
	// scan-failed alert went out, so recovery is announced exactly once.
	Failures       int
	FailureAlerted bool
	UpdatedAt      time.Time
	// Acked lists the keys of the items an operator acknowledged (monitor
	// ack), as JSON; AckedAt when (zero: not acknowledged).
	Acked   []byte
	AckedAt time.Time
}

// Open reports whether a regression is open.
func (a AlertState) Open() bool { return a.BaselineScan != 0 }

const alertColumns = `target, baseline_scan, fingerprint, items, opened_scan, opened_at, failures, failure_alerted, updated_at, acked, acked_at`

func alertRow(r rowScanner) (AlertState, error) {
	var a AlertState
	var items, acked string
	var opened, updated, ackedAt int64
	var fa int
	err := r.Scan(&a.Target, &a.BaselineScan, &a.Fingerprint, &items, &a.OpenedScan, &opened, &a.Failures, &fa, &updated, &acked, &ackedAt)
	a.Items, a.Acked = []byte(items), []byte(acked)
	a.OpenedAt, a.UpdatedAt, a.AckedAt = fromMS(opened), fromMS(updated), fromMS(ackedAt)
	a.FailureAlerted = fa == 1
	return a, err
}

// AlertState reads the target's state (the zero state when there is none).
func (t *Tx) AlertState(target string) (AlertState, error) {
	a, err := alertRow(t.tx.QueryRowContext(t.ctx, t.s.q(`SELECT `+alertColumns+` FROM alert_state WHERE target = ?`), target))
	if errors.Is(err, sql.ErrNoRows) {
		return AlertState{Target: target, Items: []byte("[]"), Acked: []byte("[]")}, nil
	}
	return a, err
}

// PutAlertState writes the target's state.
func (t *Tx) PutAlertState(a AlertState) error {
	if a.Items == nil {
		a.Items = []byte("[]")
	}
	if a.Acked == nil {
		a.Acked = []byte("[]")
	}
	_, err := t.tx.ExecContext(t.ctx, t.s.q(`INSERT INTO alert_state (`+alertColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(target) DO UPDATE SET baseline_scan=excluded.baseline_scan, fingerprint=excluded.fingerprint,
		items=excluded.items, opened_scan=excluded.opened_scan, opened_at=excluded.opened_at,
		failures=excluded.failures, failure_alerted=excluded.failure_alerted, updated_at=excluded.updated_at,
		acked=excluded.acked, acked_at=excluded.acked_at`),
		a.Target, a.BaselineScan, a.Fingerprint, string(a.Items), a.OpenedScan, ms(a.OpenedAt), a.Failures, b2i(a.FailureAlerted), ms(t.now),
		string(a.Acked), ms(a.AckedAt))
	return err
}

// AlertStateOf reads one target's state (the zero state when there is none).
func (s *Store) AlertStateOf(ctx context.Context, target string) (AlertState, error) {
	a, err := alertRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+alertColumns+` FROM alert_state WHERE target = ?`), target))
	if errors.Is(err, sql.ErrNoRows) {
		return AlertState{Target: target, Items: []byte("[]"), Acked: []byte("[]")}, nil
	}
	return a, err
}

// ErrChanged: the regression changed between reading and acknowledging it.
var ErrChanged = errors.New("the open regression changed meanwhile")

// Acknowledge records that an operator acknowledged the target's open
// regression with the given fingerprint: acked is the JSON list of its item
// keys. It fails with ErrChanged when the open regression is no longer that
// one (a scan changed it meanwhile).
func (s *Store) Acknowledge(ctx context.Context, target, fingerprint string, acked []byte, at time.Time) error {
	if s.pg {
		target = pgText(target)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE alert_state SET acked = ?, acked_at = ?
			WHERE target = ? AND fingerprint = ? AND baseline_scan <> 0`), string(acked), ms(at), target, fingerprint)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrChanged
		}
		return nil
	})
}

// AlertStates reads every target's state.
func (s *Store) AlertStates(ctx context.Context) (map[string]AlertState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+alertColumns+` FROM alert_state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]AlertState{}
	for rows.Next() {
		a, err := alertRow(rows)
		if err != nil {
			return nil, err
		}
		out[a.Target] = a
	}
	return out, rows.Err()
}

// OutboxItem is one rendered alert waiting for delivery to one webhook.
type OutboxItem struct {
	ID          int64
	CreatedAt   time.Time
	ScanID      int64
	Target      string
	Kind        string
	Destination string
	ContentType string
	Body        []byte
	Attempts    int
	LastError   string
	NextAt      time.Time
	// IdempotencyKey is in the payload and the Idempotency-Key header: the same
	// key on every delivery of this alert, so a receiver can drop a repeat.
	IdempotencyKey string
}

// Enqueue adds an alert to the outbox, in the scan's transaction: the alert is
// decided and queued together with the scan, so a crash cannot lose it.
func (t *Tx) Enqueue(it OutboxItem) error {
	if it.CreatedAt.IsZero() {
		it.CreatedAt = t.now
	}
	if it.NextAt.IsZero() {
		it.NextAt = it.CreatedAt
	}
	_, err := t.tx.ExecContext(t.ctx, t.s.q(`INSERT INTO outbox (created_at, scan_id, target, kind, destination, content_type, body, attempts, last_error, next_at, idempotency_key)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`), ms(it.CreatedAt), it.ScanID, it.Target, it.Kind, it.Destination, it.ContentType, it.Body, it.Attempts, it.LastError, ms(it.NextAt), it.IdempotencyKey)
	return err
}

const outboxColumns = `id, created_at, scan_id, target, kind, destination, content_type, body, attempts, last_error, next_at, idempotency_key`

func readOutbox(rows *sql.Rows) ([]OutboxItem, error) {
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var it OutboxItem
		var created, next int64
		if err := rows.Scan(&it.ID, &created, &it.ScanID, &it.Target, &it.Kind, &it.Destination, &it.ContentType, &it.Body, &it.Attempts, &it.LastError, &next, &it.IdempotencyKey); err != nil {
			return nil, err
		}
		it.CreatedAt, it.NextAt = fromMS(created), fromMS(next)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Due lists outbox rows whose next attempt is at or before now, oldest first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+outboxColumns+` FROM outbox WHERE next_at <= ? ORDER BY id LIMIT ?`), ms(now), limit)
	if err != nil {
		return nil, err
	}
	return readOutbox(rows)
}

// Claim is Due for a store several monitors share: on PostgreSQL the rows it
// returns are leased to the caller (their next attempt moved to now+lease, rows
// another replica is claiming skipped), so each alert is posted by one replica
// at a time; if that replica dies mid-delivery, another posts it once the
// lease ends. On SQLite, which one monitor owns, it is Due.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboxItem, error) {
	if !s.pg {
		return s.Due(ctx, now, limit)
	}
	var out []OutboxItem
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET next_at = $1 WHERE id IN (
			SELECT id FROM outbox WHERE next_at <= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
			RETURNING `+outboxColumns, ms(now.Add(lease)), ms(now), limit)
		if err != nil {
			return err
		}
		out, err = readOutbox(rows)
		return err
	})
	for i := range out {
		out[i].NextAt = now // as it was due; the lease is bookkeeping
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// Pending is the number of undelivered alerts.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	return n, err
}

// Delivered removes a delivered alert from the outbox.
func (s *Store) Delivered(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE id = ?`), id)
		return err
	})
}

// Failed records a failed delivery and when to try again.
func (s *Store) Failed(ctx context.Context, id int64, msg string, next time.Time) error {
	if s.pg {
		msg = pgText(msg)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?`), msg, ms(next), id)
		return err
	})
}
