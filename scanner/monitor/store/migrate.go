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
// between steps leaves a database at a known version.
func (s *Store) migrate(ctx context.Context) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	for {
		done := false
		err := s.write(ctx, func(tx *sql.Tx) error {
			var v int
			err := tx.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v)
			first := errors.Is(err, sql.ErrNoRows)
			if err != nil && !first {
				return err
			}
			if v > len(migrations) {
				return fmt.Errorf("schema version %d is newer than this cookiescan knows (%d): upgrade cookiescan", v, len(migrations))
			}
			if v == len(migrations) {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
			if first {
				_, err = tx.ExecContext(ctx, "INSERT INTO schema_version(version) VALUES (?)", v+1)
			} else {
				_, err = tx.ExecContext(ctx, "UPDATE schema_version SET version = ?", v+1)
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
