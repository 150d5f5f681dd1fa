package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Counts are a scan's findings by severity.
type Counts struct {
	Critical, High, Medium, Low, Info int
}

// Total is the number of findings.
func (c Counts) Total() int { return c.Critical + c.High + c.Medium + c.Low + c.Info }

// Scan is the summary row of one stored scan.
type Scan struct {
	ID        int64
	Target    string
	StartedAt time.Time
	Duration  time.Duration
	// OK is true when the scan ran to the end without error; only OK scans serve
	// as the "previous scan" regressions are measured against.
	OK     bool
	Grade  string
	Score  int
	Counts Counts
	Error  string
	// RunKey names one run of a scan (a scheduled slot, or one call of the
	// monitor's record): a second SaveScan with the same key stores nothing and
	// returns the first one's ID with ErrAlreadyRecorded. "" on SQLite means none.
	RunKey string
}

// ErrAlreadyRecorded: a scan with this run key is stored already.
var ErrAlreadyRecorded = errors.New("scan already recorded")

const scanColumns = `id, target, started_at, duration_ms, ok, grade, score, critical, high, medium, low, info, error, run_key`

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(dest ...any) error }

func scanRow(r rowScanner) (Scan, error) {
	var sc Scan
	var started, dur int64
	var ok int
	err := r.Scan(&sc.ID, &sc.Target, &started, &dur, &ok, &sc.Grade, &sc.Score,
		&sc.Counts.Critical, &sc.Counts.High, &sc.Counts.Medium, &sc.Counts.Low, &sc.Counts.Info, &sc.Error, &sc.RunKey)
	sc.StartedAt = fromMS(started)
	sc.Duration = time.Duration(dur) * time.Millisecond
	sc.OK = ok == 1
	return sc, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Tx is the view of the database inside SaveScan's transaction: what the monitor
// reads to decide on alerts, and where it writes its decision.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
	now time.Time
	s   *Store
}

// SaveScan stores one scan and, in the same transaction, lets decide read the
// previous state and write the alert state and outbox rows the scan caused. Either
// all of it is committed or none. It returns the new scan's ID.
//
// On PostgreSQL the transaction first takes an advisory lock on the target, so
// two replicas never decide on the same target's alert state at once, and a
// scan without a run key gets a random one: the write is retried after a lost
// connection, and the key makes a retry after a COMMIT that did land store
// nothing twice.
func (s *Store) SaveScan(ctx context.Context, sc Scan, report []byte, decide func(tx *Tx, id int64) error) (int64, error) {
	if s.pg {
		if sc.RunKey == "" {
			sc.RunKey = "r-" + randomKey()
		}
		sc.Target, sc.Error, sc.Grade = pgText(sc.Target), pgText(sc.Error), pgText(sc.Grade)
	}
	var id int64
	already := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		already = false
		if s.pg {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", sc.Target); err != nil {
				return err
			}
		}
		if sc.RunKey != "" {
			err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM scans WHERE run_key = ?`), sc.RunKey).Scan(&id)
			if err == nil {
				already = true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO scans (target, started_at, duration_ms, ok, grade, score,
			critical, high, medium, low, info, error, report, run_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
			sc.Target, ms(sc.StartedAt), sc.Duration.Milliseconds(), b2i(sc.OK), sc.Grade, sc.Score,
			sc.Counts.Critical, sc.Counts.High, sc.Counts.Medium, sc.Counts.Low, sc.Counts.Info, sc.Error, string(report), sc.RunKey).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert scan: %w", err)
		}
		if decide != nil {
			return decide(&Tx{ctx: ctx, tx: tx, now: time.Now(), s: s}, id)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save scan of %s: %w", sc.Target, err)
	}
	if already {
		return id, fmt.Errorf("save scan of %s (run %s): %w as scan %d", sc.Target, sc.RunKey, ErrAlreadyRecorded, id)
	}
	return id, nil
}

// randomKey is 16 random bytes in hex.
func randomKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// HasRun reports whether a scan with this run key is stored.
func (s *Store) HasRun(ctx context.Context, runKey string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM scans WHERE run_key = ?`), runKey).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// NewerScan reports whether the target has a stored scan, other than id, that
// started after startedAt: on a fleet two slots of one target can run at once
// and finish out of order.
func (t *Tx) NewerScan(target string, startedAt time.Time, id int64) (bool, error) {
	var one int
	err := t.tx.QueryRowContext(t.ctx, t.s.q(`SELECT 1 FROM scans WHERE target = ? AND started_at > ? AND id <> ? LIMIT 1`),
		target, ms(startedAt), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// LastOK is the target's latest successful scan before beforeID, with its report.
func (t *Tx) LastOK(target string, beforeID int64) (Scan, []byte, bool, error) {
	row := t.tx.QueryRowContext(t.ctx, t.s.q(`SELECT `+scanColumns+`, report FROM scans
		WHERE target = ? AND ok = 1 AND id < ? ORDER BY id DESC LIMIT 1`), target, beforeID)
	return scanWithReport(row)
}

// Scan reads one scan and its report.
func (t *Tx) Scan(id int64) (Scan, []byte, bool, error) {
	row := t.tx.QueryRowContext(t.ctx, t.s.q(`SELECT `+scanColumns+`, report FROM scans WHERE id = ?`), id)
	return scanWithReport(row)
}

func scanWithReport(row *sql.Row) (Scan, []byte, bool, error) {
	var rep string
	var sc Scan
	var started, dur int64
	var ok int
	err := row.Scan(&sc.ID, &sc.Target, &started, &dur, &ok, &sc.Grade, &sc.Score,
		&sc.Counts.Critical, &sc.Counts.High, &sc.Counts.Medium, &sc.Counts.Low, &sc.Counts.Info, &sc.Error, &sc.RunKey, &rep)
	if errors.Is(err, sql.ErrNoRows) {
		return Scan{}, nil, false, nil
	}
	if err != nil {
		return Scan{}, nil, false, err
	}
	sc.StartedAt = fromMS(started)
	sc.Duration = time.Duration(dur) * time.Millisecond
	sc.OK = ok == 1
	return sc, []byte(rep), true, nil
}

// Get reads one stored scan and its JSON report.
func (s *Store) Get(ctx context.Context, id int64) (Scan, []byte, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+scanColumns+`, report FROM scans WHERE id = ?`), id)
	sc, rep, ok, err := scanWithReport(row)
	if err != nil {
		return Scan{}, nil, err
	}
	if !ok {
		return Scan{}, nil, fmt.Errorf("scan %d: %w", id, ErrNotFound)
	}
	return sc, rep, nil
}

// History lists a target's scans, newest first, at most limit (0: all).
func (s *Store) History(ctx context.Context, target string, limit int) ([]Scan, error) {
	query := `SELECT ` + scanColumns + ` FROM scans WHERE target = ? ORDER BY id DESC`
	args := []any{target}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		sc, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// Targets lists every target with at least one stored scan.
func (s *Store) Targets(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT target FROM scans ORDER BY target`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Count is the number of stored scans ("" target: of all targets).
func (s *Store) Count(ctx context.Context, target string) (int, error) {
	var n int
	var err error
	if target == "" {
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM scans`).Scan(&n)
	} else {
		err = s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM scans WHERE target = ?`), target).Scan(&n)
	}
	return n, err
}

// IDs lists every stored scan ID in ascending order.
func (s *Store) IDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM scans ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Prune deletes scans and outbox rows older than before. It keeps what alerting
// still needs however old it is: the baseline of an open regression and each
// target's latest successful scan (the next scan is compared with it).
func (s *Store) Prune(ctx context.Context, before time.Time) (scans, outbox int64, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM scans WHERE started_at < ?
			AND id NOT IN (SELECT baseline_scan FROM alert_state WHERE baseline_scan <> 0)
			AND id NOT IN (SELECT MAX(id) FROM scans WHERE ok = 1 GROUP BY target)`), ms(before))
		if err != nil {
			return err
		}
		scans, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE created_at < ?`), ms(before))
		if err != nil {
			return err
		}
		outbox, _ = res.RowsAffected()
		return nil
	})
	return scans, outbox, err
}
