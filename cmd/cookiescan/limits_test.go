package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cookiescan/cookiescan/fixtures"
)

// sparse makes a file of size bytes without writing them.
func sparse(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every file a user hands in is capped: a huge one (or a device) is a usage
// error naming the flag, the file and the limit, found before anything is read
// into memory.
func TestInputFilesCapped(t *testing.T) {
	dir := t.TempDir()
	small := sparse(t, dir, "big.pem", 1<<20+1)
	huge := sparse(t, dir, "big.json", 256<<20+1)
	cfgDir := filepath.Join(dir, "cfg")
	os.Mkdir(cfgDir, 0o755)
	bigCfg := sparse(t, cfgDir, "monitor.yaml", 1<<20+1)
	caCfg := writeMonitorConfig(t, dir, "targets:\n  - url: https://example.com/\n    schedule: \"@daily\"\n    caCert: "+small+"\n")
	cases := map[string]struct {
		args []string
		want []string
	}{
		"ca-cert":         {[]string{"scan", "https://example.com/", "--ca-cert", small}, []string{"--ca-cert", small, "1 MiB"}},
		"ca-cert device":  {[]string{"scan", "https://example.com/", "--ca-cert", "/dev/zero"}, []string{"--ca-cert", "/dev/zero", "not a regular file"}},
		"login":           {[]string{"scan", "https://example.com/", "--login", small}, []string{"--login", small, "1 MiB"}},
		"baseline":        {[]string{"scan", "https://example.com/", "--baseline", huge}, []string{"--baseline", huge, "256 MiB"}},
		"report":          {[]string{"report", huge}, []string{huge, "256 MiB"}},
		"diff":            {[]string{"diff", huge, huge}, []string{huge, "256 MiB"}},
		"monitor config":  {[]string{"monitor", "check", "--config", bigCfg, "--skip-webhook-check"}, []string{bigCfg, "1 MiB"}},
		"monitor ca-cert": {[]string{"monitor", "check", "--config", caCfg, "--skip-webhook-check"}, []string{"caCert", small, "1 MiB"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(name, "device") {
				if _, err := os.Stat("/dev/zero"); err != nil {
					t.Skip("no /dev/zero")
				}
			}
			code, _, errOut := run(t, c.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// An -o path that cannot be written is a usage error before anything is
// scanned: the site here would answer, so only an early check exits 2.
func TestOutputCheckedBeforeScan(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	ok := filepath.Join(dir, "ok.json")
	for name, bad := range map[string]string{
		"no directory":   "/nonexistent/r.json",
		"file as dir":    filepath.Join(file, "r.json"),
		"directory path": filepath.Join(dir, "sub.json"),
	} {
		t.Run(name, func(t *testing.T) {
			os.Mkdir(filepath.Join(dir, "sub.json"), 0o755)
			var scanned bool
			code, errOut := runScan(t, func(o *scanOptions) { scanned = true },
				site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "--no-browser", "-q",
				"-o", bad, "-o", ok)
			if code != exitUsage || scanned || !strings.Contains(errOut, bad) {
				t.Errorf("exit %d (scanned %v), want 2 naming %s before the scan; stderr: %s", code, scanned, bad, errOut)
			}
			if _, err := os.Stat(ok); err == nil {
				t.Errorf("%s written although the command line was refused", ok)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
				t.Errorf("the check left files behind: %v", left)
			}
		})
	}
}

// A report that cannot be written after the scan does not stop the others,
// and every failure is named (exit 3); a failing stdout is one of them.
func TestOutputWriteFailuresReported(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	dir := t.TempDir()
	gone := filepath.Join(dir, "gone")
	os.Mkdir(gone, 0o755)
	lost := filepath.Join(gone, "r.json")
	okJSON, okSARIF := filepath.Join(dir, "ok.json"), filepath.Join(dir, "ok.sarif")
	var errOut bytes.Buffer
	ios := &ioStreams{In: strings.NewReader(""), Out: failingWriter{}, ErrOut: &errOut}
	cmd := newScanCmd(ios, func(o *scanOptions) error {
		os.RemoveAll(gone) // after the check, before the write
		return scanRun(context.Background(), o)
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs([]string{site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "--no-browser", "-q",
		"--fail-on", "none", "--format", "table", "-o", lost, "-o", okJSON, "-o", okSARIF})
	err = cmd.Execute()
	if code := exitCode(err); code != exitScan || err == nil {
		t.Fatalf("exit %d (%v), want 3", code, err)
	}
	for _, w := range []string{lost, "stdout", "no space left"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	for _, p := range []string{okJSON, okSARIF} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written after another output failed: %v", p, err)
		}
	}
}

// failingWriter is stdout on a full disk (>/dev/full).
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// runScan runs `scan args...` through validation; seen is called with the
// options when the scan would start, and the scan then runs.
func runScan(t *testing.T, seen func(*scanOptions), args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newScanCmd(&ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, func(o *scanOptions) error {
		seen(o)
		return scanRun(context.Background(), o)
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString("cookiescan: " + err.Error() + "\n")
	}
	return exitCode(err), errOut.String()
}

// A site that sets 60,000 cookies gives reports of bounded size in every
// format, and the scan still completes (the caps are notes, not failures).
func TestCookieFloodReportsBounded(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "cookie-flood", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	dir := t.TempDir()
	args := []string{"scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "--no-browser",
		"-q", "--timeout", "30s"}
	exts := []string{"json", "sarif", "html", "xml", "md", "txt"}
	for _, ext := range exts {
		args = append(args, "-o", filepath.Join(dir, "r."+ext))
	}
	if code, _, errOut := run(t, args...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, ext := range exts {
		fi, err := os.Stat(filepath.Join(dir, "r."+ext))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 1<<20 {
			t.Errorf("r.%s is %d bytes, want under 1 MiB", ext, fi.Size())
		}
	}
}
