package monitor_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

const helperEnv = "COOKIESCAN_MONITOR_HELPER"

// TestHelperMonitor is not a test: TestCrashSafety runs the test binary again
// with this test selected, as a monitor process it can SIGKILL.
func TestHelperMonitor(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestCrashSafety")
	}
	cfg, err := monitor.LoadConfig(path, monitor.LoadOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The log on stdout is how the parent knows what has been committed: "scan
	// done" is logged only after the scan's transaction committed.
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	m, err := monitor.New(context.Background(), cfg, monitor.Options{Logger: log, NoJitter: true, Version: "crash-helper"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	m.Run(context.Background()) // until killed
}

type logLine struct {
	Msg    string `json:"msg"`
	Target string `json:"target"`
	ID     int64  `json:"id"`
}

// A monitor killed with SIGKILL at any moment, mid-scan or mid-commit, loses no
// scan it reported committed, and its database passes integrity_check and takes
// new scans after a restart.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills monitor processes for about 10 s")
	}
	slow, fast := startSite(t, "trickle"), startSite(t, "hardened")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "monitor.yaml")
	// The trickle site sends its body a byte at a time, so each of its scans
	// runs until the 700 ms request limit, twice (redirect chain and HTTPS).
	body := fmt.Sprintf("store: crash.db\nlisten: \"off\"\nconcurrency: 2\ntargets:\n%s%s",
		siteTarget(slow, "@every 1s", ""), siteTarget(fast, "@every 1s", ""))
	body = strings.ReplaceAll(body, "timeout: 2s", "timeout: 700ms")
	if err := os.WriteFile(cfgPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := monitor.LoadConfig(cfgPath, monitor.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	slowURL := cfg.Targets[0].URL.String()

	committed := map[int64]bool{}
	for cycle := 0; cycle < 3; cycle++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMonitor$")
		cmd.Env = append(os.Environ(), helperEnv+"="+cfgPath)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan logLine, 100)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				var l logLine
				if json.Unmarshal(sc.Bytes(), &l) == nil {
					lines <- l
				}
			}
			io.Copy(io.Discard, out)
		}()

		// Let it commit a few scans, then kill it at a moment that differs per
		// cycle: while the slow scan runs, right after a commit (the next one
		// is likely under way), and at an arbitrary time.
		done := 0
		deadline := time.After(20 * time.Second)
		killed := false
		var when string
		for !killed {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("cycle %d: the monitor exited on its own", cycle)
				}
				switch l.Msg {
				case "scan done":
					committed[l.ID] = true
					done++
					if cycle == 1 && done >= 3 {
						killed, when = true, "right after a commit"
					}
				case "scan started":
					if cycle == 0 && done >= 3 && l.Target == slowURL {
						time.Sleep(300 * time.Millisecond) // well inside the slow scan
						killed, when = true, "during a slow scan"
					}
				}
				if cycle == 2 && done >= 3 {
					time.Sleep(time.Duration(time.Now().UnixNano()%900) * time.Millisecond)
					killed, when = true, "at an arbitrary moment"
				}
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("cycle %d: fewer than 3 scans in 20 s", cycle)
			}
		}
		// Meanwhile a reader (as `monitor history` would be) sees the scans.
		if ro, err := store.Open(context.Background(), filepath.Join(dir, "crash.db"), store.Options{ReadOnly: true}); err != nil {
			t.Errorf("cycle %d: read-only open while running: %v", cycle, err)
		} else {
			if n, err := ro.Count(context.Background(), ""); err != nil || n < 3 {
				t.Errorf("cycle %d: read-only count = %d, %v", cycle, n, err)
			}
			ro.Close()
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		for range lines { // drain what was logged before the kill
		}

		st, err := store.Open(context.Background(), filepath.Join(dir, "crash.db"), store.Options{})
		if err != nil {
			t.Fatalf("cycle %d: reopen after SIGKILL: %v", cycle, err)
		}
		if res, err := st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
			t.Fatalf("cycle %d: integrity_check = %q, %v", cycle, res, err)
		}
		ids, err := st.IDs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		have := map[int64]bool{}
		for _, id := range ids {
			have[id] = true
		}
		for id := range committed {
			if !have[id] {
				t.Errorf("cycle %d: scan %d was reported committed but is gone", cycle, id)
			}
		}
		st.Close()
		t.Logf("cycle %d: killed %s; %d scans reported committed, %d in the store, integrity ok", cycle, when, len(committed), len(ids))
	}
}
