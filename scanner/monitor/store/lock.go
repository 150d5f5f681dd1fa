package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrLocked matches the error of a store another monitor holds.
var ErrLocked = errors.New("store in use by another monitor")

type lockedError struct{ msg string }

func (e *lockedError) Error() string        { return e.msg }
func (e *lockedError) Is(target error) bool { return target == ErrLocked }

// Holder describes this process for the lock's "held by" message.
func Holder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("pid %d on host %s, since %s", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
}

// Lock makes this process the store's one monitor until Close: a second
// monitor on the same store would scan every target twice and send every alert
// twice. A SQLite store is locked with flock on FILE.lock beside it (released
// by the kernel when the process dies, SIGKILL included) and the holder written
// into it; a PostgreSQL store with a session advisory lock, the holder named in
// the lock connection's application_name. holder is what the refused monitor
// is told (Holder()).
func (s *Store) Lock(ctx context.Context, holder string) error {
	if s.pg {
		return s.pgLock(ctx, holder)
	}
	if s.readOnly || s.abs == "" {
		return nil
	}
	name := s.abs + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store %s: lock file: %w", s.path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(name)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(owner))
			if who == "" {
				who = "a process that has not written its name yet"
			}
			return &lockedError{fmt.Sprintf("store %s is in use by another monitor (%s; lock %s): stop that monitor, or give this one its own store:", s.path, who, name)}
		}
		return fmt.Errorf("store %s: lock %s: %w", s.path, name, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(holder+"\n"), 0)
	s.lockFile = f
	return nil
}

// The advisory lock's two keys: "cook" and 1.
const (
	lockKey1 = 0x636f6f6b
	lockKey2 = 1
)

func (s *Store) pgLock(ctx context.Context, holder string) error {
	// A connection of its own, outside the pool: the lock lives exactly as
	// long as it, and closing it releases the lock.
	cfg := s.pgcfg.Copy()
	// application_name is at most 63 bytes; pg_stat_activity shows it.
	app := "cookiescan monitor " + holder
	if len(app) > 63 {
		app = app[:63]
	}
	cfg.RuntimeParams["application_name"] = app
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("store %s: lock: %s", s.path, connectHint(err))
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1::int, $2::int)", lockKey1, lockKey2).Scan(&got); err != nil {
		conn.Close(ctx)
		return fmt.Errorf("store %s: lock: %w", s.path, err)
	}
	if !got {
		conn.Close(ctx)
		var who, addr string
		err := s.db.QueryRowContext(ctx, `SELECT a.application_name, COALESCE(host(a.client_addr), 'local socket')
			FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.granted`,
			lockKey1, lockKey2).Scan(&who, &addr)
		if err != nil {
			who, addr = "holder unknown: "+err.Error(), "?"
		}
		return &lockedError{fmt.Sprintf("store %s is in use by another monitor (%s, connected from %s): stop that monitor, or give this one its own database", s.path, who, addr)}
	}
	s.lock = conn
	s.lockHolder = holder
	return nil
}

// KeepLock checks that a PostgreSQL lock is still held: the lock lives as long
// as its connection, and a server restart drops it. It takes it again, and
// fails when another monitor took it meanwhile.
func (s *Store) KeepLock(ctx context.Context) error {
	if !s.pg || s.lockHolder == "" {
		return nil
	}
	if s.lock != nil {
		if err := s.lock.Ping(ctx); err == nil {
			return nil
		}
		s.lock.Close(ctx)
		s.lock = nil
	}
	return s.pgLock(ctx, s.lockHolder)
}

// unlock releases the lock (Close).
func (s *Store) unlock() {
	if s.lock != nil {
		s.lock.Close(context.Background()) // the session's advisory locks go with it
		s.lock = nil
	}
	if s.lockFile != nil {
		s.lockFile.Truncate(0)
		s.lockFile.Close() // releases the flock
		s.lockFile = nil
	}
}
