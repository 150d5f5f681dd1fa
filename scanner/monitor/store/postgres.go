package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsURL reports whether a configured store names a PostgreSQL database rather
// than a SQLite file.
func IsURL(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// Redact is a store name fit for logs, alerts and the status page: a URL loses
// its password.
func Redact(store string) string {
	if !IsURL(store) {
		return store
	}
	u, err := url.Parse(store)
	if err != nil {
		// Not a URL Go parses (a password with a raw '/' or '%'): cut the
		// userinfo's password by hand rather than show it.
		scheme, rest, _ := strings.Cut(store, "://")
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			user, _, hasPw := strings.Cut(rest[:at], ":")
			if hasPw {
				user += ":xxxxx"
			}
			rest = user + rest[at:]
		}
		if i := strings.Index(rest, "password="); i >= 0 {
			rest = rest[:i] + "password=xxxxx"
		}
		return scheme + "://" + rest
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// connectTimeout bounds the first connection when the URL sets none: an
// unreachable server is an error at start, not a hang.
const connectTimeout = 10 * time.Second

func openPostgres(ctx context.Context, dsn string, opts Options) (*Store, error) {
	name := Redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, fmt.Errorf("store %s: not a valid PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=...)", name)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	// A few connections: scans commit one at a time per replica, and a
	// PostgreSQL connection costs the server a process.
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, path: name, readOnly: opts.ReadOnly, pg: true}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: cannot connect: %s", name, connectHint(err))
	}
	if err := s.ready(ctx, name); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// connectHint says what to check for the usual reasons a connection fails.
func connectHint(err error) string {
	msg := err.Error()
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000"):
		return msg + " (check the user and password: give the password as ${VAR} in the URL, or in PGPASSWORD)"
	case errors.As(err, &pe) && pe.Code == "3D000":
		return msg + " (create the database first: createdb NAME)"
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"),
		strings.Contains(msg, "timeout"), strings.Contains(msg, "i/o timeout"):
		return msg + " (check the host and port, and that PostgreSQL is running and reachable from here)"
	}
	return msg
}

// q rewrites the ? placeholders the queries are written with into PostgreSQL's
// $1, $2, ... None of the queries has a literal question mark.
func (s *Store) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pgWrite runs f in a transaction, again while the failure is a lost
// connection (the server restarting, a proxy cutting idle connections) and ctx
// allows: a completed scan waits out a short outage instead of being lost.
func (s *Store) pgWrite(ctx context.Context, f func(tx *sql.Tx) error) error {
	delay := 100 * time.Millisecond
	for {
		err := s.inTx(ctx, f)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// retryable: the connection was lost or the server is going away or starting,
// or PostgreSQL asks for a retry (serialization failure, deadlock).
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "40001" || pe.Code == "40P01"
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &ne) || pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed") ||
		strings.Contains(err.Error(), "failed to connect")
}

// migrationKey is the advisory lock of schema changes (any constant that other
// applications sharing the database are unlikely to pick: "cookies" in ASCII).
const migrationKey = 0x636f6f6b696573

// migrationLock serialises migrations between replicas (PostgreSQL only).
func (s *Store) migrationLock(ctx context.Context, tx *sql.Tx) error {
	if !s.pg {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationKey))
	return err
}

// pgIntegrityCheck checks what the schema cannot: every open regression's
// baseline is a stored scan, and no run was recorded twice.
func (s *Store) pgIntegrityCheck(ctx context.Context) (string, error) {
	var problems []string
	checks := []struct{ what, query string }{
		{"alert_state baselines without their scan", `SELECT COUNT(*) FROM alert_state a WHERE a.baseline_scan <> 0 AND NOT EXISTS (SELECT 1 FROM scans s WHERE s.id = a.baseline_scan)`},
		{"duplicate run keys", `SELECT COUNT(*) FROM (SELECT run_key FROM scans WHERE run_key <> '' GROUP BY run_key HAVING COUNT(*) > 1) d`},
	}
	for _, c := range checks {
		var n int
		if err := s.db.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	if len(problems) == 0 {
		return "ok", nil
	}
	return strings.Join(problems, "\n"), nil
}

// pgText makes a string storable in a PostgreSQL TEXT column, which refuses NUL
// and invalid UTF-8 (an error message may quote a hostile site's bytes).
func pgText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
