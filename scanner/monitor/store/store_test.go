package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T) (*Store, string) {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "h.db"))
}

// backends runs f against a SQLite file and a database on a real PostgreSQL
// server: the same behaviour is asked of both.
func backends(t *testing.T, f func(t *testing.T, path string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), "h.db")) })
	t.Run("postgres", func(t *testing.T) { f(t, pgtest.Shared(t).NewDB(t)) })
}

func openAt(t *testing.T, path string) (*Store, string) {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func save(t *testing.T, s *Store, target string, at time.Time, ok bool) int64 {
	t.Helper()
	id, err := s.SaveScan(context.Background(), Scan{Target: target, StartedAt: at, OK: ok, Grade: "A", Score: 90, Counts: Counts{High: 1}}, []byte(`{"schemaVersion":"1"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOpenMigratesAndSetsPragmas(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	if v, err := s.Version(ctx); err != nil || v != len(migrations) {
		t.Fatalf("version %d, %v", v, err)
	}
	var mode string
	var sync int
	s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	s.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || sync != 2 {
		t.Errorf("journal_mode %q synchronous %d, want wal and 2 (FULL)", mode, sync)
	}
	s.Close()
	// Reopening runs no migration twice.
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestNewerSchemaIsRefused(t *testing.T) { backends(t, testNewerSchemaIsRefused) }

func testNewerSchemaIsRefused(t *testing.T, path string) {
	ctx := context.Background()
	s, path := openAt(t, path)
	s.db.ExecContext(ctx, "UPDATE schema_version SET version = 99")
	s.Close()
	_, err := Open(ctx, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "upgrade cookiescan") {
		t.Fatalf("err = %v", err)
	}
	_, err = Open(ctx, path, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "upgrade cookiescan") {
		t.Fatalf("read-only err = %v", err)
	}
}

func TestSaveScanAndHistory(t *testing.T) { backends(t, testSaveScanAndHistory) }

func testSaveScanAndHistory(t *testing.T, path string) {
	ctx := context.Background()
	s, path := openAt(t, path)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a1 := save(t, s, "https://a/", t0, true)
	save(t, s, "https://b/", t0, true)
	a2 := save(t, s, "https://a/", t0.Add(time.Hour), false)

	// The decision callback sees the previous good scan and writes in the same
	// transaction.
	_, err := s.SaveScan(ctx, Scan{Target: "https://a/", StartedAt: t0.Add(2 * time.Hour), OK: true}, []byte(`{}`), func(tx *Tx, id int64) error {
		prev, _, ok, err := tx.LastOK("https://a/", id)
		if err != nil || !ok || prev.ID != a1 {
			t.Errorf("LastOK = %+v %v %v, want scan %d (scan %d failed)", prev, ok, err, a1, a2)
		}
		st, _ := tx.AlertState("https://a/")
		st.BaselineScan, st.Fingerprint, st.Failures = a1, "fp", 1
		if err := tx.PutAlertState(st); err != nil {
			return err
		}
		return tx.Enqueue(OutboxItem{ScanID: id, Target: "https://a/", Kind: "regression", Destination: "https://h/", ContentType: "application/json", Body: []byte("{}")})
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, "https://a/", 0)
	if err != nil || len(h) != 3 || h[0].StartedAt != t0.Add(2*time.Hour) || h[1].OK || h[2].Counts.High != 1 {
		t.Fatalf("history = %+v, %v", h, err)
	}
	if h, _ := s.History(ctx, "https://a/", 1); len(h) != 1 {
		t.Errorf("limit ignored")
	}
	states, _ := s.AlertStates(ctx)
	if st := states["https://a/"]; !st.Open() || st.Fingerprint != "fp" || st.Failures != 1 {
		t.Errorf("state = %+v", st)
	}
	due, _ := s.Due(ctx, time.Now(), 10)
	if len(due) != 1 {
		t.Fatalf("outbox = %+v", due)
	}
	s.Failed(ctx, due[0].ID, "boom", time.Now().Add(time.Hour))
	if due, _ := s.Due(ctx, time.Now(), 10); len(due) != 0 {
		t.Errorf("a failed alert is due again before its next attempt")
	}
	if n, _ := s.Pending(ctx); n != 1 {
		t.Errorf("pending = %d", n)
	}
	s.Delivered(ctx, due[0].ID)
	if n, _ := s.Pending(ctx); n != 0 {
		t.Errorf("pending after delivery = %d", n)
	}

	// A failing decision rolls the scan back too.
	before, _ := s.Count(ctx, "")
	_, err = s.SaveScan(ctx, Scan{Target: "https://a/"}, []byte(`{}`), func(*Tx, int64) error { return sql.ErrTxDone })
	if err == nil {
		t.Fatal("error swallowed")
	}
	if after, _ := s.Count(ctx, ""); after != before {
		t.Errorf("scan kept although its decision failed: %d → %d", before, after)
	}

	// A reader beside the writer.
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, _ := ro.Count(ctx, "https://a/"); n != 3 {
		t.Errorf("read-only count = %d", n)
	}
	if _, err := ro.SaveScan(ctx, Scan{}, nil, nil); err == nil {
		t.Errorf("read-only store accepted a write")
	}
	if _, _, err := ro.Get(ctx, 999); err == nil || !strings.Contains(err.Error(), "no such scan") {
		t.Errorf("Get(999) = %v", err)
	}
}

func TestPruneKeepsWhatAlertingNeeds(t *testing.T) { backends(t, testPruneKeepsWhatAlertingNeeds) }

func testPruneKeepsWhatAlertingNeeds(t *testing.T, path string) {
	ctx := context.Background()
	s, _ := openAt(t, path)
	old := time.Now().Add(-200 * 24 * time.Hour)
	base := save(t, s, "https://a/", old, true) // baseline of an open regression
	save(t, s, "https://a/", old.Add(time.Hour), false)
	gone := save(t, s, "https://b/", old, true)
	lastB := save(t, s, "https://b/", old.Add(time.Hour), true) // b's latest good scan
	recent := save(t, s, "https://a/", time.Now(), true)
	s.SaveScan(ctx, Scan{Target: "https://a/", StartedAt: time.Now(), OK: true}, []byte(`{}`), func(tx *Tx, id int64) error {
		return tx.PutAlertState(AlertState{Target: "https://a/", BaselineScan: base})
	})
	n, _, err := s.Prune(ctx, time.Now().Add(-90*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2 (a's old failure, b's older scan)", n, err)
	}
	ids, _ := s.IDs(ctx)
	have := map[int64]bool{}
	for _, id := range ids {
		have[id] = true
	}
	if !have[base] || !have[lastB] || !have[recent] || have[gone] {
		t.Errorf("after prune: %v (base %d, lastB %d, recent %d kept; %d gone)", ids, base, lastB, recent, gone)
	}
	if res, _ := s.IntegrityCheck(ctx); res != "ok" {
		t.Errorf("integrity: %s", res)
	}
}

// SQLite goes on writing into a database file removed or replaced under it,
// where every later scan is lost: the store refuses to write instead, and says
// which happened.
func TestWriteRefusesChangedFile(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, want string
		change     func(path string) error
	}{
		{"removed", "was removed", os.Remove},
		{"replaced", "was replaced", func(path string) error {
			other := path + ".new"
			if err := os.WriteFile(other, nil, 0o644); err != nil {
				return err
			}
			return os.Rename(other, path)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "h.db")
			s, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.SaveScan(ctx, Scan{Target: "https://a.example/"}, []byte("{}"), nil); err != nil {
				t.Fatal(err)
			}
			if err := c.change(path); err != nil {
				t.Fatal(err)
			}
			_, err = s.SaveScan(ctx, Scan{Target: "https://a.example/"}, []byte("{}"), nil)
			if !errors.Is(err, ErrFileChanged) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("save after the file %s: %v", c.name, err)
			}
			if err := s.Probe(ctx); !errors.Is(err, ErrFileChanged) {
				t.Errorf("probe: %v", err)
			}
		})
	}
}
