package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migrations[i] moves the schema from version i to i+1. Append only: a released
// migration never changes, because databases in the field already ran it.
var migrations = []string{
	// 1: scans, per-target alert state, the alert outbox.
	`
CREATE TABLE scans (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	target      TEXT    NOT NULL,
	started_at  INTEGER NOT NULL, -- Unix ms
	duration_ms INTEGER NOT NULL,
	ok          INTEGER NOT NULL, -- 1: the scan ran to the end without error
	grade       TEXT    NOT NULL,
	score       INTEGER NOT NULL,
	critical    INTEGER NOT NULL,
	high        INTEGER NOT NULL,
	medium      INTEGER NOT NULL,
	low         INTEGER NOT NULL,
	info        INTEGER NOT NULL,
	error       TEXT    NOT NULL,
	report      TEXT    NOT NULL  -- the schemaVersion "1" JSON report
);
CREATE INDEX scans_target ON scans(target, id);
CREATE INDEX scans_started ON scans(started_at);

CREATE TABLE alert_state (
	target          TEXT PRIMARY KEY,
	baseline_scan   INTEGER NOT NULL DEFAULT 0, -- 0: no open regression
	fingerprint     TEXT    NOT NULL DEFAULT '',
	items           TEXT    NOT NULL DEFAULT '[]',
	opened_scan     INTEGER NOT NULL DEFAULT 0,
	opened_at       INTEGER NOT NULL DEFAULT 0,
	failures        INTEGER NOT NULL DEFAULT 0, -- consecutive failed scans
	failure_alerted INTEGER NOT NULL DEFAULT 0,
	updated_at      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at   INTEGER NOT NULL,
	scan_id      INTEGER NOT NULL,
	target       TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	destination  TEXT    NOT NULL, -- the webhook as configured (before ${VAR} expansion)
	content_type TEXT    NOT NULL,
	body         BLOB    NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	next_at      INTEGER NOT NULL
);
CREATE INDEX outbox_next ON outbox(next_at);
`,
	// 2: a run key per scan, so a scan is recorded once however often its
	// write is retried (a lost connection after COMMIT) or its slot is claimed;
	// an idempotency key per alert, sent with it so a receiver can drop a
	// repeated delivery.
	migration2,
	// 3: an acknowledged regression (monitor ack): the item keys it covered
	// and when.
	migration3,
}

const migration3 = `
ALTER TABLE alert_state ADD COLUMN acked TEXT NOT NULL DEFAULT '[]';
ALTER TABLE alert_state ADD COLUMN acked_at BIGINT NOT NULL DEFAULT 0;
`

const migration2 = `
ALTER TABLE scans ADD COLUMN run_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX scans_run_key ON scans(run_key) WHERE run_key <> '';
ALTER TABLE outbox ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
`

// pgMigrations are migrations for PostgreSQL: the same tables, PostgreSQL's
// types. Both lists always have the same length and meaning per version.
var pgMigrations = []string{
	`
CREATE TABLE scans (
	id          BIGSERIAL PRIMARY KEY,
	target      TEXT    NOT NULL,
	started_at  BIGINT  NOT NULL, -- Unix ms
	duration_ms BIGINT  NOT NULL,
	ok          INTEGER NOT NULL, -- 1: the scan ran to the end without error
	grade       TEXT    NOT NULL,
	score       INTEGER NOT NULL,
	critical    INTEGER NOT NULL,
	high        INTEGER NOT NULL,
	medium      INTEGER NOT NULL,
	low         INTEGER NOT NULL,
	info        INTEGER NOT NULL,
	error       TEXT    NOT NULL,
	report      TEXT    NOT NULL  -- the schemaVersion "1" JSON report
);
CREATE INDEX scans_target ON scans(target, id);
CREATE INDEX scans_started ON scans(started_at);

CREATE TABLE alert_state (
	target          TEXT PRIMARY KEY,
	baseline_scan   BIGINT  NOT NULL DEFAULT 0,
	fingerprint     TEXT    NOT NULL DEFAULT '',
	items           TEXT    NOT NULL DEFAULT '[]',
	opened_scan     BIGINT  NOT NULL DEFAULT 0,
	opened_at       BIGINT  NOT NULL DEFAULT 0,
	failures        INTEGER NOT NULL DEFAULT 0,
	failure_alerted INTEGER NOT NULL DEFAULT 0,
	updated_at      BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
	id           BIGSERIAL PRIMARY KEY,
	created_at   BIGINT  NOT NULL,
	scan_id      BIGINT  NOT NULL,
	target       TEXT    NOT NULL,
	kind         TEXT    NOT NULL,
	destination  TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	body         BYTEA   NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	next_at      BIGINT  NOT NULL
);
CREATE INDEX outbox_next ON outbox(next_at);
`,
	migration2,
	migration3,
}

// steps is the migration list of the store's database.
func (s *Store) steps() []string {
	if s.pg {
		return pgMigrations
	}
	return migrations
}

// checkVersion refuses a database whose schema is newer than this build knows,
// without changing it (read-only opens).
func (s *Store) checkVersion(ctx context.Context) error {
	v, err := s.version(ctx)
	if err != nil {
		return fmt.Errorf("store %s: not a cookiescan history database: %w", s.path, err)
	}
	if v > len(s.steps()) {
		return fmt.Errorf("store %s has schema version %d; this cookiescan knows %d: upgrade cookiescan", s.path, v, len(s.steps()))
	}
	return nil
}

func (s *Store) version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// migrate brings the schema up to date, one transaction per step, so a crash
// between steps leaves a database at a known version. On PostgreSQL each step
// first takes a transaction-scoped advisory lock: replicas starting together
// migrate one after the other, and the later ones find nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	steps := s.steps()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.migrationLock(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for {
		done := false
		err := s.write(ctx, func(tx *sql.Tx) error {
			if err := s.migrationLock(ctx, tx); err != nil {
				return err
			}
			var v int
			err := tx.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v)
			first := errors.Is(err, sql.ErrNoRows)
			if err != nil && !first {
				return err
			}
			if v > len(steps) {
				return fmt.Errorf("schema version %d is newer than this cookiescan knows (%d): upgrade cookiescan", v, len(steps))
			}
			if v == len(steps) {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if first {
				_, err = tx.ExecContext(ctx, s.q("INSERT INTO schema_version(version) VALUES (?)"), v+1)
			} else {
				_, err = tx.ExecContext(ctx, s.q("UPDATE schema_version SET version = ?"), v+1)
			}
			return err
		})
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// Version is the schema version of the open database.
func (s *Store) Version(ctx context.Context) (int, error) { return s.version(ctx) }
