package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/monitor/store/pgtest"
)

func TestMain(m *testing.M) {
	if cfg := os.Getenv(replicaEnv); cfg != "" {
		os.Exit(replicaMain(cfg)) // a soak replica (fleetsoak_test.go)
	}
	pgtest.Main(m)
}

// pgStore is a store: value naming a new database on the package's PostgreSQL
// cluster, its password read from the environment as the config requires.
func pgStore(t *testing.T) string {
	t.Helper()
	url := pgtest.Shared(t).NewDB(t)
	t.Setenv("COOKIESCAN_TEST_PGPASSWORD", pgtest.Password)
	return strings.Replace(url, ":"+pgtest.Password+"@", ":${COOKIESCAN_TEST_PGPASSWORD}@", 1)
}

func startSite(t testing.TB, profile string) *fixtures.Site {
	t.Helper()
	s, err := fixtures.Start(fixtures.Options{Profile: profile, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// receiver is a webhook endpoint that records what it is sent.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	fail   int // answer 500 to this many requests first
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fail > 0 {
			r.fail--
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		r.bodies = append(r.bodies, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) events(t testing.TB) []alert.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []alert.Event
	for _, b := range r.bodies {
		var e alert.Event
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("webhook body is not an alert event: %v\n%s", err, b)
		}
		out = append(out, e)
	}
	return out
}

func (r *receiver) raw() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

// countKind counts events of a kind for a target.
func countKind(evs []alert.Event, target, kind string) int {
	n := 0
	for _, e := range evs {
		if e.Target == target && e.Kind == kind {
			n++
		}
	}
	return n
}

// siteTarget is the YAML of one target on a fixture site.
func siteTarget(s *fixtures.Site, schedule string, extra string) string {
	return fmt.Sprintf(`  - url: %s
    httpUrl: %s
    caCert: %s
    schedule: %q
    noBrowser: true
    timeout: 2s
%s`, s.HTTPSURL, s.HTTPURL, s.CAFile, schedule, extra)
}

// writeConfig writes monitor.yaml into a new directory and loads it.
func writeConfig(t testing.TB, body string) *monitor.Config {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "monitor.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := monitor.LoadConfig(path, monitor.LoadOptions{})
	if err != nil {
		t.Fatalf("config:\n%s\n%v", body, err)
	}
	return cfg
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scanLog counts committed scans per target, as OnScan reports them.
type scanLog struct {
	mu    sync.Mutex
	byURL map[string][]monitor.ScanResult
}

func (l *scanLog) add(r monitor.ScanResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byURL == nil {
		l.byURL = map[string][]monitor.ScanResult{}
	}
	l.byURL[r.Target] = append(l.byURL[r.Target], r)
}

func (l *scanLog) count(target string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byURL[target])
}

func (l *scanLog) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, rs := range l.byURL {
		n += len(rs)
	}
	return n
}

// runMonitor starts m.Run in the background; the returned stop cancels it and
// waits for a clean shutdown.
func runMonitor(t testing.TB, m *monitor.Monitor) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func mentions(e alert.Event, word string) bool {
	b, _ := json.Marshal(e)
	return strings.Contains(string(b), word)
}

// checkLink fetches a link an alert carries and expects a stored report.
func checkLink(t testing.TB, m *monitor.Monitor, link string) {
	t.Helper()
	if !strings.HasPrefix(link, "http://"+m.Addr()+"/scans/") {
		t.Fatalf("link %q does not point at this monitor (%s)", link, m.Addr())
	}
	resp, err := http.Get(link + ".json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"schemaVersion"`) {
		t.Fatalf("GET %s.json: %d %.200s", link, resp.StatusCode, body)
	}
}

func monitorStore(path string) (*store.Store, error) {
	return store.Open(context.Background(), path, store.Options{ReadOnly: true})
}
