package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
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

// Lock makes this process the SQLite store's one monitor until Close: a
// second monitor on the same file would scan every target twice and send every
// alert twice. It is flock on FILE.lock beside the database (released by the
// kernel when the process dies, SIGKILL included), the holder written into it:
// holder is what a refused monitor is told (Holder()). Monitors on a
// PostgreSQL store share the work instead (the monitor's fleet), so there it
// does nothing.
func (s *Store) Lock(ctx context.Context, holder string) error {
	if s.pg || s.readOnly || s.abs == "" {
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

// unlock releases the lock (Close).
func (s *Store) unlock() {
	if s.lockFile != nil {
		s.lockFile.Truncate(0)
		s.lockFile.Close() // releases the flock
		s.lockFile = nil
	}
}
