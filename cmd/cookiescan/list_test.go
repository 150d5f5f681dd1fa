package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/report"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// fleet starts n demo sites (each its own ports and CA) with latency added to
// every response, as sites across a network; it returns a target list (one
// HTTPS URL per line, with a comment) and one CA file trusting all of them.
func fleet(tb testing.TB, n int, latency time.Duration) (list, caFile string, sites []*fixtures.Site) {
	tb.Helper()
	dir := tb.TempDir()
	var cas []byte
	var lines strings.Builder
	lines.WriteString("# the demo fleet\n\n")
	for i := range n {
		profile := []string{"insecure", "hardened"}[i%2]
		sub := filepath.Join(dir, strconv.Itoa(i))
		os.Mkdir(sub, 0o755)
		s, err := fixtures.Start(fixtures.Options{Profile: profile, Dir: sub})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(s.Close)
		s.SetLatency(latency)
		cas = append(cas, s.CAPEM...)
		lines.WriteString(s.HTTPSURL + "  # " + profile + "\n")
		sites = append(sites, s)
	}
	list, caFile = filepath.Join(dir, "targets.txt"), filepath.Join(dir, "cas.pem")
	if err := os.WriteFile(list, []byte(lines.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(caFile, cas, 0o644); err != nil {
		tb.Fatal(err)
	}
	return list, caFile, sites
}

// browserDirs lists the browser directories (cookiescan-browser-*) of the
// Chromium processes whose command line mentions dir: one per browser
// launched, whatever its renderers and helpers (and their forks) are.
func browserDirs(dir string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		for _, arg := range bytes.Split(cmdline, []byte{0}) {
			a := string(arg)
			if v, ok := strings.CutPrefix(a, "--user-data-dir="); ok && strings.HasPrefix(v, dir+"/") && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// scan -l over 6 sites with --parallel 3 --format jsonl: 6 lines, each a
// whole report that `cookiescan report` renders again; one Chromium for the
// whole run (each site in its own browser context), none left after it.
func TestListParallelJSONL(t *testing.T) {
	needChromium(t)
	list, ca, sites := fleet(t, 6, 0)
	tmp := t.TempDir()
	stdout, stderr, code, browsers := runList(t, tmp, "scan", "-l", list, "--parallel", "3", "--format", "jsonl",
		"--ca-cert", ca, "--fail-on", "none", "--max-pages", "1", "--concurrency", "1", "--timeout", "10s")
	// A start page a starved machine could not load in time exits 3 with
	// its report still written; anything else is a failure.
	if code != 0 && (code != exitScan || strings.Count(stderr, "the start page did not load") != strings.Count(stderr, "\n  https://")) {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), stdout)
	}
	var targets []string
	for i, line := range lines {
		reps, err := report.ReadJSON(strings.NewReader(line))
		if err != nil || len(reps) != 1 {
			t.Fatalf("line %d is not one report: %v", i+1, err)
		}
		r := reps[0]
		if _, _, ok := r.Graded(); !ok || len(r.Pages) == 0 {
			t.Errorf("line %d: %s not graded or not crawled (%d pages)", i+1, r.Target, len(r.Pages))
		}
		targets = append(targets, r.Target)
		// `cookiescan report` renders the line again.
		path := filepath.Join(t.TempDir(), "line.json")
		os.WriteFile(path, []byte(line), 0o644)
		if code, out, errOut := run(t, "report", path, "--format", "markdown"); code != 0 || !strings.Contains(out, r.Target) {
			t.Errorf("report of line %d: exit %d, %s", i+1, code, errOut)
		}
	}
	for _, s := range sites {
		if !slices.Contains(targets, s.HTTPSURL) {
			t.Errorf("no report for %s", s.HTTPSURL)
		}
	}
	if len(browsers) != 1 {
		t.Errorf("%d Chromium browsers during the run (%v), want 1", len(browsers), browsers)
	}
	if n := processesUnder(tmp); n > 0 {
		t.Errorf("%d processes still use %s after the run", n, tmp)
	}
	if left := leftovers(tmp); len(left) > 0 {
		t.Errorf("the run left %v", left)
	}
	if !strings.Contains(stderr, "6/6 sites") || !strings.Contains(stderr, " pages, ") {
		t.Errorf("progress does not count sites and pages:\n%s", stderr)
	}
}

// The whole file read back is the same six reports (JSON Lines).
func TestListJSONShapes(t *testing.T) {
	list, ca, _ := fleet(t, 2, 0)
	dir := t.TempDir()
	one := filepath.Join(dir, "one.txt")
	first, _ := os.ReadFile(list)
	os.WriteFile(one, []byte(strings.Join(strings.Split(string(first), "\n")[:3], "\n")), 0o644)
	for _, tc := range []struct {
		list string
		n    int
	}{{list, 2}, {one, 1}} {
		code, out, errOut := run(t, "scan", "-l", tc.list, "--no-browser", "--ca-cert", ca, "--fail-on", "none", "-q", "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		// A list gives an array, whatever its length: one shape for scripts.
		if !strings.HasPrefix(out, "[") {
			t.Errorf("%d target(s): JSON is not an array: %.40s", tc.n, out)
		}
		reps, err := report.ReadJSON(strings.NewReader(out))
		if err != nil || len(reps) != tc.n {
			t.Errorf("%d target(s): read back %d reports, %v", tc.n, len(reps), err)
		}
	}
	// stdin, with a bad line named by its line number.
	var out, errOut bytes.Buffer
	cmd := newRootCmd(&ioStreams{In: strings.NewReader("# x\nexample.com\nftp://bad.example/\n"), Out: &out, ErrOut: &errOut})
	cmd.SetArgs([]string{"scan", "-l", "-", "--no-browser"})
	err := cmd.ExecuteContext(context.Background())
	if exitCode(err) != exitUsage || !strings.Contains(err.Error(), "stdin:3: url:") {
		t.Errorf("bad line on stdin: exit %d, %v", exitCode(err), err)
	}
}

// The exit code over many targets is the worst: one target not scanned
// makes it 3 even when another has findings.
func TestListExitCodeIsTheWorst(t *testing.T) {
	list, ca, _ := fleet(t, 1, 0)
	data, _ := os.ReadFile(list)
	closed := filepath.Join(t.TempDir(), "l.txt")
	os.WriteFile(closed, append(data, []byte("https://127.0.0.1:1/\n")...), 0o644)
	code, out, errOut := run(t, "scan", "-l", closed, "--no-browser", "--ca-cert", ca, "--fail-on", "low", "-q", "--format", "jsonl", "--timeout", "3s")
	if code != exitScan || strings.Count(out, "\n") != 2 {
		t.Errorf("exit %d, %d lines; want %d and both reports\n%s", code, strings.Count(out, "\n"), exitScan, errOut)
	}
	_ = result.SeverityLow
}

// runList runs `cookiescan ARGS` as a child process with its own TMPDIR and
// samples the browser processes under it while it runs.
func runList(t *testing.T, tmp string, args ...string) (stdout, stderr string, code int, browsers []string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"-test.run=^TestHelperCookiescan$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "COOKIESCAN_HELPER=1", "TMPDIR="+tmp)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	done := make(chan struct{})
	var mu sync.Mutex
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, d := range browserDirs(tmp) {
				mu.Lock()
				if !slices.Contains(browsers, d) {
					browsers = append(browsers, d)
				}
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(8 * time.Minute): // a hang, not a slow machine
		cmd.Process.Kill()
		<-exited
		t.Fatalf("cookiescan did not exit; stderr:\n%s", &errOut)
	}
	close(done)
	mu.Lock()
	defer mu.Unlock()
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode(), slices.Clone(browsers)
}

// BenchmarkListParallel scans the same 6 demo sites (each response 500 ms
// late, as a site across a network) one after another (--parallel 1) and
// three at a time (--parallel 3), in one run; ratio is the parallel wall time
// over the sequential one (the acceptance: under 0.6). Each run has one
// Chromium; one tab per site (--concurrency 1), as a fleet scan would. The
// waits overlap, the browser's CPU work does not: on a machine whose cores
// are busy with other work the ratio tends to 1.
func BenchmarkListParallel(b *testing.B) {
	list, ca, _ := fleet(b, 6, 500*time.Millisecond)
	scan := func(parallel string, extra ...string) time.Duration {
		var out, errOut bytes.Buffer
		cmd := newScanCmd(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(o *scanOptions) error {
			return scanRun(context.Background(), o)
		})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetArgs(append([]string{"-l", list, "--parallel", parallel, "--format", "jsonl", "--ca-cert", ca,
			"--fail-on", "none", "-q", "--max-pages", "3", "--concurrency", "1", "--timeout", "10s"}, extra...))
		start := time.Now()
		if err := cmd.Execute(); err != nil {
			b.Fatalf("--parallel %s: %v: %s", parallel, err, errOut.String())
		}
		if n := strings.Count(out.String(), "\n"); n != 6 {
			b.Fatalf("--parallel %s: %d lines, want 6", parallel, n)
		}
		return time.Since(start)
	}
	var seq, par, probeSeq, probePar, seqCPU, parCPU time.Duration
	for b.Loop() {
		c0 := cpuTime()
		seq += scan("1")
		c1 := cpuTime()
		par += scan("3")
		seqCPU, parCPU = seqCPU+c1-c0, parCPU+cpuTime()-c1
		// The transport checks alone (no browser): waiting only.
		probeSeq += scan("1", "--no-browser")
		probePar += scan("3", "--no-browser")
	}
	b.ReportMetric(seq.Seconds()/float64(b.N), "sequential-s")
	b.ReportMetric(par.Seconds()/float64(b.N), "parallel3-s")
	b.ReportMetric(par.Seconds()/seq.Seconds(), "ratio")
	b.ReportMetric(probePar.Seconds()/probeSeq.Seconds(), "no-browser-ratio")
	// CPU time of this process and its Chromium: when it is close to the
	// wall time times the cores this process got, the scan is CPU-bound and
	// running sites at once cannot shorten it.
	b.ReportMetric(seqCPU.Seconds()/float64(b.N), "sequential-cpu-s")
	b.ReportMetric(parCPU.Seconds()/float64(b.N), "parallel3-cpu-s")
}

// cpuTime is the user and system time of this process and its reaped
// children (a closed Chromium is reaped).
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}
