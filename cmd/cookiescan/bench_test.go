package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
)

// BenchmarkManyCookies scans the cookie-flood profile (60,000 cookies in one
// response) without the browser and writes all six report formats, as the
// hostile-input review did. B/op is everything the scan and the writers
// allocate; peak-heap-MB is the live heap's high-water mark (sampled), and
// json-bytes the size of the JSON report.
func BenchmarkManyCookies(b *testing.B) {
	site, err := fixtures.Start(fixtures.Options{Profile: "cookie-flood", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer site.Close()
	dir := b.TempDir()
	args := []string{site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "--no-browser",
		"-q", "--fail-on", "none", "--timeout", "60s"}
	for _, ext := range []string{"json", "sarif", "html", "xml", "md", "txt"} {
		args = append(args, "-o", filepath.Join(dir, "r."+ext))
	}
	runtime.GC()
	peak, stop := heapPeak()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var out, errOut bytes.Buffer
		cmd := newScanCmd(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(o *scanOptions) error {
			return scanRun(context.Background(), o)
		})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			b.Fatalf("%v: %s", err, errOut.String())
		}
	}
	b.StopTimer()
	stop()
	fi, err := os.Stat(filepath.Join(dir, "r.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size()), "json-bytes")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}

// heapPeak samples the live heap every few milliseconds until stop is called.
func heapPeak() (*atomic.Uint64, func()) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return &peak, func() { close(done); <-finished }
}
