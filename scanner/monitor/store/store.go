// Package store keeps the monitor's history in an embedded SQLite file
// (modernc.org/sqlite, so the binary needs no cgo) or, given a postgres:// URL,
// in a PostgreSQL database (pgx): every scan's JSON report and summary, each
// target's alert state, and the outbox of alerts not yet delivered. Both sit
// behind the one Store API; the SQL differs only in placeholders, the schema's
// types and locking.
//
// Durability is the point of this package. The database runs in WAL mode with
// synchronous=FULL and every scan is committed in one transaction together with
// the alert decision it caused, so a SIGKILL or a power cut loses at most the scan
// that was being written, and never leaves a scan without its alert (or the
// reverse).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a scan ID does not exist.
var ErrNotFound = errors.New("no such scan")

// Store is an open history database. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	path     string // for messages: a file path, or a URL without its password
	readOnly bool
	pg       bool // PostgreSQL rather than SQLite
	// The monitor's lock (Lock): a flocked file beside a SQLite store.
	lockFile *os.File
	// wmu serialises writers inside this process. SQLite allows one writer at a
	// time anyway; taking the lock here means a writer never meets SQLITE_BUSY
	// from a sibling goroutine, only (rarely) from another process.
	wmu sync.Mutex
	// file is the database file as opened (device and inode): SQLite keeps
	// writing into a file removed or replaced under it, where every later scan
	// would be lost, so each write first checks the path still names it.
	abs  string
	file os.FileInfo
}

// Options configures Open.
type Options struct {
	// ReadOnly opens an existing database without migrating it: for `monitor
	// history` and `monitor show` while the daemon may be running.
	ReadOnly bool
}

// Open opens (creating and migrating unless ReadOnly) the database at path: a
// SQLite file, or a PostgreSQL database when path is a postgres:// URL.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if IsURL(path) {
		return openPostgres(ctx, path, opts)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if opts.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("store %s: %w (has the monitor run yet?)", path, err)
		}
	}
	q := url.Values{}
	// busy_timeout first: the other pragmas may need a lock another process holds.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if opts.ReadOnly {
		q.Set("mode", "ro")
	} else {
		// WAL lets `monitor history` read while the daemon writes; FULL syncs the
		// WAL on every commit so a completed scan survives a power cut, not just a
		// crash (NORMAL would survive only the crash). Scans are minutes apart, so
		// the extra fsync costs nothing that matters.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		// BEGIN IMMEDIATE: take the write lock when the transaction starts, so a
		// read-then-write transaction cannot deadlock against another writer.
		q.Set("_txlock", "immediate")
		// The file is created here, once; every connection of the pool opens
		// it with mode=rw, so a connection opened after the file was removed
		// fails instead of creating an empty store behind the operator's back
		// (an empty file is an empty SQLite database).
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", path, err)
		}
		f.Close()
		q.Set("mode", "rw")
	}
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	s := &Store{db: db, path: path, readOnly: opts.ReadOnly, abs: abs}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := s.ready(ctx, path); err != nil {
		db.Close()
		return nil, err
	}
	if opts.ReadOnly {
		return s, nil
	}
	if s.file, err = os.Stat(abs); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

// DropIdle closes the pool's idle connections: SQLite opens a connection
// read-only when the file cannot be written at that moment (immutable, a
// read-only mount), and such a connection stays read-only after the file is
// writable again. Called after a failed write, the next write opens afresh.
func (s *Store) DropIdle() {
	s.db.SetMaxIdleConns(0)
	s.db.SetMaxIdleConns(2) // database/sql's default
}

// ErrFileChanged matches the error of a store whose path no longer names the
// file that was opened: it was removed or replaced while open. Nothing more is
// written, and only reopening (a restart) helps.
var ErrFileChanged = errors.New("store file removed or replaced while open")

type fileChangedError struct{ msg string }

func (e *fileChangedError) Error() string        { return e.msg }
func (e *fileChangedError) Is(target error) bool { return target == ErrFileChanged }

// CheckFile reports whether the path still names the file that was opened (nil
// for a read-only store, which never writes).
func (s *Store) CheckFile() error {
	if s.file == nil {
		return nil
	}
	fi, err := os.Stat(s.abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &fileChangedError{"store file " + s.path + " was removed while open: scans written now would go into the deleted file and be lost, so none are recorded (restart the monitor: it opens the file at that path, or starts a new history there)"}
	case err != nil:
		return fmt.Errorf("store %s: %w", s.path, err)
	case !os.SameFile(fi, s.file):
		return &fileChangedError{"store file " + s.path + " was replaced by another file while open: nothing more is recorded into the old one (restart the monitor to open the new file)"}
	}
	return nil
}

// Probe proves a write reaches the file: the path check and one committed
// transaction that changes a page and changes it back (a transaction that
// changes nothing writes nothing, and would pass on a full or read-only disk).
func (s *Store) Probe(ctx context.Context) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE schema_version SET version = version + 1"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE schema_version SET version = version - 1")
		return err
	})
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the database; a WAL checkpoint runs as the last connection closes.
func (s *Store) Close() error {
	s.unlock()
	return s.db.Close()
}

// Postgres reports whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.pg }

// Ping reports whether the database answers a query (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// IntegrityCheck runs PRAGMA integrity_check and returns its verdict ("ok" when
// the file is sound). On PostgreSQL, which keeps its own pages sound, it checks
// the references between the tables instead.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	if s.pg {
		return s.pgIntegrityCheck(ctx)
	}
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		if out != "" {
			out += "\n"
		}
		out += line
	}
	return out, rows.Err()
}

// ms and fromMS store times as Unix milliseconds: sortable, compact, zone-free.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// write runs f in one IMMEDIATE transaction under the writer lock. On
// PostgreSQL a transaction cut off by a lost connection (a server restart) is
// retried until ctx ends: f must be safe to run again (SaveScan makes itself so
// with a run key).
func (s *Store) write(ctx context.Context, f func(tx *sql.Tx) error) error {
	if s.readOnly {
		return errors.New("store opened read-only")
	}
	if s.pg {
		return s.pgWrite(ctx, f)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.CheckFile(); err != nil {
		return err
	}
	return s.inTx(ctx, f)
}

// inTx runs f in one transaction: committed when f succeeds, rolled back
// when it fails.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ready checks a read-only store's schema version, or brings a writable
// store's schema up to date; the same for both databases.
func (s *Store) ready(ctx context.Context, name string) error {
	if s.readOnly {
		return s.checkVersion(ctx)
	}
	if err := s.migrate(ctx); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	return nil
}
