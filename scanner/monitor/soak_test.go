package monitor_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
)

var soak = flag.Bool("soak", false, "run TestMemoryFlat: 200 scans, heap and RSS at scan 20 and 200")

// vmRSS reads the process's resident set size from /proc/self/status.
func vmRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}

func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// 200 consecutive scans through the monitor (scan, commit, alert decision,
// outbox, metrics), the site flipping between hardened and insecure every 10
// scans so alerts flow too. Memory must not grow with the number of scans.
//
//	go test ./scanner/monitor -run TestMemoryFlat -soak -v
func TestMemoryFlat(t *testing.T) {
	if !*soak {
		t.Skip("run with -soak")
	}
	site := startSite(t, "hardened")
	// A receiver that keeps nothing, so the test's own memory does not grow.
	var delivered atomic.Int64
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		delivered.Add(1)
	}))
	defer hook.Close()
	cfg := writeConfig(t, fmt.Sprintf("store: soak.db\nlisten: \"off\"\ntargets:\n%salerts:\n  - webhook: %s\n    minSeverity: low\n",
		siteTarget(site, "@every 1h", ""), hook.URL))
	m, err := monitor.New(context.Background(), cfg, monitor.Options{Sender: alert.Sender{Tries: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	var heap20 float64
	var rss20 string
	start := time.Now()
	for i := 1; i <= 200; i++ {
		if i%10 == 0 {
			if (i/10)%2 == 1 {
				site.SetProfile("insecure")
			} else {
				site.SetProfile("hardened")
			}
		}
		res, err := m.Scan(ctx, cfg.Targets[0])
		if err != nil || res.Err != nil {
			t.Fatalf("scan %d: %v %v", i, err, res.Err)
		}
		m.Deliver(ctx)
		switch i {
		case 20:
			heap20, rss20 = heapMB(), vmRSS()
		case 200:
			heap200, rss200 := heapMB(), vmRSS()
			t.Logf("scan  20: heap %.1f MiB, VmRSS %s", heap20, rss20)
			t.Logf("scan 200: heap %.1f MiB, VmRSS %s", heap200, rss200)
			if heap200 > heap20*1.5+2 {
				t.Errorf("heap grew from %.1f to %.1f MiB over 180 scans", heap20, heap200)
			}
		}
	}
	n, _ := m.Store().Count(ctx, "")
	t.Logf("200 scans in %s, %d rows, %d alerts delivered", time.Since(start).Round(time.Millisecond), n, delivered.Load())
}
