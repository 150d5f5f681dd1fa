package browser

import (
	"bufio"
	"context"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/observe"
)

// BenchmarkCrawl50 crawls 50 pages of the login profile with one tab and with
// four, and navigates the same 50 URLs in a bare chromedp loop (Navigate
// waits for the load event; no recording, no quiet period, no link
// extraction), all in the same run. Each crawl and the loop open their tab in
// a new browser context, inside the time measured. Metrics: the ratios
// c1/bare and c1/c4, seconds per crawl, how busy the machine's CPUs were in
// each part, CPU time per page of this process and its Chromium, the peak Go
// heap in use (sampled) and VmHWM, the peak resident size of the whole test
// binary (fixture site included; Chromium's processes are not counted).
//
// Two kinds of page: script, /spage/N (a header cookie and an inline script
// that writes document.cookie; one request), and rich, /rpage/N (a stylesheet,
// two external scripts, three images, a fetch and a timer; eight requests and
// four cookies), where the request guard judges every request.
//
// Script pages run twice: on the loopback fixture as it is, and with 50 ms
// added to every response, as a site across a network answers (the bare loop
// pays the same latency). On the instant fixture Chromium alone keeps a
// 2-core machine's CPUs busy even in the bare loop (bare-cpu-% ≈ 90, about
// 90 ms of CPU per page), so no number of tabs can beat it: four tabs need at
// least the bare loop's CPU time. The concurrency figure means something
// where pages wait on the network, which is what the 50 ms run shows.
func BenchmarkCrawl50(b *testing.B) {
	if skipReason != "" {
		b.Skip(skipReason)
	}
	siteMu.Lock()
	defer siteMu.Unlock()
	if err := site.SetProfile("login"); err != nil {
		b.Fatal(err)
	}
	for _, run := range []struct {
		pages, start string
		latency      time.Duration
	}{{"script", "/spage/1", 0}, {"script", "/spage/1", 50 * time.Millisecond}, {"rich", "/rpage/1", 0}} {
		b.Run("pages="+run.pages+"/latency="+run.latency.String(), func(b *testing.B) {
			site.SetLatency(run.latency)
			defer site.SetLatency(0)
			crawl50(b, run.start)
		})
	}
}

func crawl50(b *testing.B, start string) {
	c := newCrawlerOn(shared)
	req := crawlRequest(start)
	req.MaxPages, req.Depth = 50, 10
	// Every crawl and loop opens its tab in a new browser context: none
	// gets the browser's launch tab, which is ready at once.
	shared.takeLaunchTab(true)

	stopSampling, peakHeap := sampleHeap()
	var tc1, tc4, tbare, tnavs time.Duration
	var cpu1, cpu4, cpuBare busy
	var tree1, tree4, treeBare time.Duration
	for b.Loop() {
		var urls []string
		for _, conc := range []int{1, 4} {
			req.Concurrency = conc
			start, cpu, tree := time.Now(), cpuNow(), treeCPU()
			got, err := c.Crawl(b.Context(), req)
			took := time.Since(start)
			treeUsed := treeCPU() - tree
			if err != nil || len(got.Pages) != 50 {
				b.Fatalf("concurrency %d: %d pages, %v", conc, len(got.Pages), err)
			}
			if conc == 1 {
				tc1 += took
				cpu1 = cpu1.add(cpuNow().sub(cpu))
				tree1 += treeUsed
				for _, p := range got.Pages {
					urls = append(urls, p.URL)
				}
			} else {
				tc4 += took
				cpu4 = cpu4.add(cpuNow().sub(cpu))
				tree4 += treeUsed
			}
		}
		cpu, tree := cpuNow(), treeCPU()
		whole, navs := bareNavigate(b, urls)
		tbare += whole
		tnavs += navs
		cpuBare = cpuBare.add(cpuNow().sub(cpu))
		treeBare += treeCPU() - tree
	}
	stopSampling()
	n := float64(b.N)
	b.ReportMetric(tc1.Seconds()/tbare.Seconds(), "c1/bare")
	// Against the loop's navigations alone, as this benchmark measured
	// before its loop opened its tab inside the time.
	b.ReportMetric(tc1.Seconds()/tnavs.Seconds(), "c1/bare-navs")
	b.ReportMetric(tc1.Seconds()/tc4.Seconds(), "c1/c4")
	b.ReportMetric(tc1.Seconds()/n, "c1-s/op")
	b.ReportMetric(tc4.Seconds()/n, "c4-s/op")
	b.ReportMetric(tbare.Seconds()/n, "bare-s/op")
	// How busy the machine's CPUs were in each part: at ~100% a part is
	// CPU-bound, and more tabs cannot make it faster.
	if cpuBare.total > 0 {
		b.ReportMetric(cpu1.percent(), "c1-cpu-%")
		b.ReportMetric(cpu4.percent(), "c4-cpu-%")
		b.ReportMetric(cpuBare.percent(), "bare-cpu-%")
	}
	// CPU time of this process and its Chromium per page: unlike the
	// wall-clock ratios it hardly moves when other work shares the machine.
	if treeBare > 0 {
		b.ReportMetric(tree1.Seconds()*1000/50/n, "c1-cpu-ms/page")
		b.ReportMetric(tree4.Seconds()*1000/50/n, "c4-cpu-ms/page")
		b.ReportMetric(treeBare.Seconds()*1000/50/n, "bare-cpu-ms/page")
	}
	b.ReportMetric(float64(peakHeap())/(1<<20), "heap-peak-MB")
	if kb := vmHWM(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "VmHWM-MB")
	}
}

// bareNavigate loads urls one after the other in one tab with
// chromedp.Navigate. The tab is a Session's only for its certificate check
// (the fixture's CA), which Navigate does not otherwise exercise.
// It returns the whole time and the navigations' alone: the crawl's time
// includes opening its tab in a new browser context (a new renderer: some
// 250 ms here), so the loop's whole time does too.
func bareNavigate(b *testing.B, urls []string) (whole, navs time.Duration) {
	start := time.Now()
	s, err := shared.NewSession(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	navStart := time.Now()
	for _, u := range urls {
		if err := chromedp.Do(s.ctx, chromedp.Navigate(u)); err != nil {
			b.Fatalf("navigate %s: %v", u, err)
		}
	}
	return time.Since(start), time.Since(navStart)
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

// busy is CPU time from /proc/stat, all CPUs summed, in clock ticks.
type busy struct{ busy, total int64 }

// cpuNow reads the machine's CPU counters; zero without /proc.
func cpuNow() busy {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return busy{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var c busy
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		if i >= 8 { // guest time is already in user time
			break
		}
		c.total += n
		if i != 3 && i != 4 { // idle, iowait
			c.busy += n
		}
	}
	return c
}

func (a busy) sub(b busy) busy { return busy{a.busy - b.busy, a.total - b.total} }
func (a busy) add(b busy) busy { return busy{a.busy + b.busy, a.total + b.total} }

// percent is the share of all CPUs' time that was busy.
func (a busy) percent() float64 {
	if a.total == 0 {
		return 0
	}
	return 100 * float64(a.busy) / float64(a.total)
}

// BenchmarkOnePageScan is a whole one-page scan as `cookiescan scan` runs it —
// the probe, a browser of its own started for it, the crawl of one page and
// the proof over HTTP, the browser stopped — against the floor: a bare
// chromedp start of the same Chromium, one navigation of the same page, and
// its stop. Metric scan/bare is the ratio of their times within one run.
func BenchmarkOnePageScan(b *testing.B) {
	if skipReason != "" {
		b.Skip(skipReason)
	}
	siteMu.Lock()
	defer siteMu.Unlock()
	if err := site.SetProfile("hardened"); err != nil {
		b.Fatal(err)
	}
	target, _ := url.Parse(site.URL("https", "cookiescan.test", "/"))
	httpURL, _ := url.Parse(site.URL("http", "cookiescan.test", "/"))
	dial, err := RuleDialer(testRules)
	if err != nil {
		b.Fatal(err)
	}
	path, err := findExec("")
	if err != nil {
		b.Fatal(err)
	}
	var tscan, tbare time.Duration
	for b.Loop() {
		start := time.Now()
		c := NewCrawler(Options{CAPEM: site.CAPEM, HostResolverRules: testRules, PageTimeout: testPageTimeout})
		rep, err := scanner.Run(b.Context(), scanner.Options{Target: target, HTTPURL: httpURL, CAPEM: site.CAPEM,
			Timeout: 5 * time.Second, DialContext: dial, Crawler: c, Crawl: observe.Request{MaxPages: 1, PageTimeout: testPageTimeout}})
		c.Close()
		tscan += time.Since(start)
		if err != nil || len(rep.Pages) == 0 {
			b.Fatalf("scan: %v (%d pages)", err, len(rep.Pages))
		}

		start = time.Now()
		dir := b.TempDir()
		actx, acancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(dir),
			chromedp.Flag("host-resolver-rules", testRules), chromedp.Flag("ignore-certificate-errors", true),
			// The floor gets the same cheaper Chromium as a scan (see
			// allocatorOptions), or the ratio would credit us with it.
			chromedp.Flag("in-process-gpu", true),
			chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,WebUIOmniboxPopup,WebUIOmniboxAimPopup"))...)
		ctx, cancel := chromedp.NewContext(actx)
		if err := chromedp.Do(ctx, chromedp.Navigate(target.String())); err != nil {
			b.Fatalf("bare navigate: %v", err)
		}
		cancel()
		acancel()
		tbare += time.Since(start)
	}
	b.ReportMetric(tscan.Seconds()/tbare.Seconds(), "scan/bare")
	b.ReportMetric(tscan.Seconds()/float64(b.N), "scan-s/op")
	b.ReportMetric(tbare.Seconds()/float64(b.N), "bare-s/op")
}

// treeCPU is the CPU time used so far by this process and its descendants
// (Chromium and its helpers): user and system time of each living process
// plus what its children that have ended used (a renderer of a disposed
// context is counted in the zygote or browser that reaped it). Zero without
// /proc.
func treeCPU() time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	type proc struct {
		ppid  int
		ticks int64
	}
	procs := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name is in parentheses and may hold spaces.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 15 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		var t int64
		for _, k := range f[11:15] { // utime stime cutime cstime
			n, _ := strconv.ParseInt(k, 10, 64)
			t += n
		}
		procs[pid] = proc{ppid, t}
	}
	self := os.Getpid()
	var ticks int64
	for pid, p := range procs {
		for q, hops := pid, 0; q > 1 && hops < 64; q, hops = procs[q].ppid, hops+1 {
			if q == self {
				ticks += p.ticks
				break
			}
			if _, ok := procs[q]; !ok {
				break
			}
		}
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}
