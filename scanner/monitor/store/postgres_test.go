package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor/store/pgtest"
)

func TestPostgresBadURLsAreClearErrors(t *testing.T) {
	c := pgtest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()

	for _, tc := range []struct {
		name, url string
		want      []string
	}{
		{"wrong password", c.URL("postgres", "wrong-secret"),
			[]string{"cannot connect", "password authentication failed", "check the user and password"}},
		{"unreachable", "postgres://postgres:wrong-secret@" + free + "/postgres?sslmode=disable",
			[]string{"cannot connect", "check the host and port"}},
		{"missing database", c.URL("nosuchdb", pgtest.Password),
			[]string{"does not exist", "createdb"}},
		{"not a URL", "postgres://postgres:wrong-secret@127.0.0.1:notaport/x",
			[]string{"not a valid PostgreSQL URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(ctx, tc.url, Options{})
			if err == nil {
				t.Fatal("opened")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "wrong-secret") {
				t.Errorf("the password is in the error: %q", err)
			}
		})
	}
}

func TestRedactHidesThePassword(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@db:5432/c":            "postgres://u:xxxxx@db:5432/c",
		"postgres://u@db/c?password=secret":        "postgres://u@db/c?password=xxxxx",
		"/var/lib/cookiescan/cookiescan.db":        "/var/lib/cookiescan/cookiescan.db",
		"postgresql://db/c?sslmode=verify-full":    "postgresql://db/c?sslmode=verify-full",
		"postgres://u:${PGPASS}@db/c?sslmode=none": "postgres://u:xxxxx@db/c?sslmode=none",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A run key stores a scan once however often it is saved: a retry after a
// COMMIT whose answer was lost, or two replicas finishing the same slot.
func TestRunKeyStoresOnce(t *testing.T) {
	backends(t, func(t *testing.T, path string) {
		ctx := context.Background()
		s, _ := openAt(t, path)
		sc := Scan{Target: "https://a/", StartedAt: time.Unix(1, 0), OK: true, RunKey: "https://a/@2026-01-01T00:00:00Z"}
		id, err := s.SaveScan(ctx, sc, []byte(`{}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		decided := false
		id2, err := s.SaveScan(ctx, sc, []byte(`{}`), func(*Tx, int64) error { decided = true; return nil })
		if !errors.Is(err, ErrAlreadyRecorded) || id2 != id || decided {
			t.Errorf("second save: id %d (first %d), decided %v, err %v", id2, id, decided, err)
		}
		if n, _ := s.Count(ctx, ""); n != 1 {
			t.Errorf("%d scans stored", n)
		}
	})
}

// A scan finished while PostgreSQL restarts is written once the server is back,
// not lost; the pool's dead connections are replaced.
func TestPostgresRestartMidRunLosesNoScan(t *testing.T) {
	c := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, _ := openAt(t, c.URL("postgres", pgtest.Password))
	if _, err := s.SaveScan(ctx, Scan{Target: "https://a/", OK: true}, []byte(`{}`), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// While it is down, a bounded write fails with the connection's error...
	short, cancelShort := context.WithTimeout(ctx, 500*time.Millisecond)
	_, err := s.SaveScan(short, Scan{Target: "https://a/", OK: true}, []byte(`{}`), nil)
	cancelShort()
	if err == nil {
		t.Fatal("write succeeded with the server stopped")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("ping answered with the server stopped")
	}
	// ...and one that started while it was down completes once it is back.
	done := make(chan error, 1)
	go func() {
		_, err := s.SaveScan(ctx, Scan{Target: "https://a/", OK: true}, []byte(`{}`), nil)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the write meet the stopped server first
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("scan lost across the restart: %v", err)
	}
	if n, err := s.Count(ctx, ""); err != nil || n != 2 {
		t.Errorf("count after restart = %d, %v; want 2", n, err)
	}
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("integrity: %q %v", res, err)
	}
}

// Claim leases due alerts: a second replica claiming at once gets none of them,
// and after the lease (the first replica died) they are due again.
func TestClaimLeasesOutboxRows(t *testing.T) {
	ctx := context.Background()
	s, _ := openAt(t, pgtest.Shared(t).NewDB(t))
	now := time.Now()
	_, err := s.SaveScan(ctx, Scan{Target: "https://a/"}, []byte(`{}`), func(tx *Tx, id int64) error {
		for range 3 {
			if err := tx.Enqueue(OutboxItem{ScanID: id, Target: "https://a/", Kind: "regression", Destination: "https://h/",
				ContentType: "application/json", Body: []byte("{}"), IdempotencyKey: "k", CreatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Claim(ctx, now, 2, time.Minute)
	if err != nil || len(first) != 2 || first[0].IdempotencyKey != "k" {
		t.Fatalf("first claim: %+v %v", first, err)
	}
	second, err := s.Claim(ctx, now, 10, time.Minute)
	if err != nil || len(second) != 1 || second[0].ID == first[0].ID || second[0].ID == first[1].ID {
		t.Fatalf("second claim: %+v %v", second, err)
	}
	if again, _ := s.Claim(ctx, now.Add(30*time.Second), 10, time.Minute); len(again) != 0 {
		t.Errorf("claimed rows handed out again within the lease: %+v", again)
	}
	if later, _ := s.Claim(ctx, now.Add(2*time.Minute), 10, time.Minute); len(later) != 3 {
		t.Errorf("after the lease: %d rows due, want 3", len(later))
	}
}

// A second monitor on the same SQLite file is refused, and told who holds it;
// once the first lets go, the file is free again. On PostgreSQL monitors share
// the store (Lock does nothing).
func TestLockRefusesASecondMonitor(t *testing.T) {
	backends(t, func(t *testing.T, path string) {
		ctx := context.Background()
		a, _ := openAt(t, path)
		if err := a.Lock(ctx, "pid 111 on host first"); err != nil {
			t.Fatal(err)
		}
		b, _ := openAt(t, path)
		err := b.Lock(ctx, "pid 222 on host second")
		if a.Postgres() {
			if err != nil {
				t.Errorf("a second replica on PostgreSQL: %v", err)
			}
			return
		}
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid 111 on host first") || !strings.Contains(err.Error(), "another monitor") {
			t.Fatalf("second lock: %v", err)
		}
		// A reader (monitor history) needs no lock and is not refused.
		ro, err := Open(ctx, path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		ro.Close()
		a.Close()
		if err := b.Lock(ctx, "pid 222 on host second"); err != nil {
			t.Fatalf("lock after the first closed: %v", err)
		}
	})
}
