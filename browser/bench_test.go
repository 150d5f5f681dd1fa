package browser

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkCrawl50 crawls 50 pages of the login profile from /page/1 with
// one tab and with four, and navigates the same 50 URLs in a bare chromedp
// loop (Navigate waits for the load event; no recording, no quiet period,
// no link extraction), all in the same run. Metrics: the ratios c1/bare and
// c1/c4, seconds per crawl, the peak Go heap in use (sampled) and VmHWM, the
// peak resident size of the whole test binary (fixture site included;
// Chromium's processes are not counted).
//
// It runs twice: on the loopback fixture as it is (every page instant, so the
// crawl is CPU-bound on this machine's two cores and extra tabs cannot help),
// and with 50 ms added to every response, as a site across a network answers
// (the bare loop pays the same latency).
func BenchmarkCrawl50(b *testing.B) {
	if skipReason != "" {
		b.Skip(skipReason)
	}
	siteMu.Lock()
	defer siteMu.Unlock()
	if err := site.SetProfile("login"); err != nil {
		b.Fatal(err)
	}
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			site.SetLatency(latency)
			defer site.SetLatency(0)
			crawl50(b)
		})
	}
}

func crawl50(b *testing.B) {
	c := newCrawlerOn(shared)
	req := crawlRequest("/page/1")
	req.MaxPages, req.Depth = 50, 10

	stopSampling, peakHeap := sampleHeap()
	var tc1, tc4, tbare time.Duration
	for b.Loop() {
		var urls []string
		for _, conc := range []int{1, 4} {
			req.Concurrency = conc
			start := time.Now()
			got, err := c.Crawl(b.Context(), req)
			took := time.Since(start)
			if err != nil || len(got.Pages) != 50 {
				b.Fatalf("concurrency %d: %d pages, %v", conc, len(got.Pages), err)
			}
			if conc == 1 {
				tc1 += took
				for _, p := range got.Pages {
					urls = append(urls, p.URL)
				}
			} else {
				tc4 += took
			}
		}
		tbare += bareNavigate(b, urls)
	}
	stopSampling()
	n := float64(b.N)
	b.ReportMetric(tc1.Seconds()/tbare.Seconds(), "c1/bare")
	b.ReportMetric(tc1.Seconds()/tc4.Seconds(), "c1/c4")
	b.ReportMetric(tc1.Seconds()/n, "c1-s/op")
	b.ReportMetric(tc4.Seconds()/n, "c4-s/op")
	b.ReportMetric(tbare.Seconds()/n, "bare-s/op")
	b.ReportMetric(float64(peakHeap())/(1<<20), "heap-peak-MB")
	if kb := vmHWM(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "VmHWM-MB")
	}
}

// bareNavigate loads urls one after the other in one tab with
// chromedp.Navigate. The tab is a Session's only for its certificate check
// (the fixture's CA), which Navigate does not otherwise exercise.
func bareNavigate(b *testing.B, urls []string) time.Duration {
	s, err := shared.NewSession(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	for _, u := range urls {
		if err := chromedp.Do(s.ctx, chromedp.Navigate(u)); err != nil {
			b.Fatalf("navigate %s: %v", u, err)
		}
	}
	return time.Since(start)
}

// sampleHeap samples runtime.MemStats.HeapInuse every 10 ms until stop.
func sampleHeap() (stop func(), peak func() uint64) {
	var mu sync.Mutex
	var max uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			max = maxOf(max, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }, func() uint64 { mu.Lock(); defer mu.Unlock(); return max }
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

// vmHWM is the process's peak resident set size in KiB, 0 without /proc.
func vmHWM() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
