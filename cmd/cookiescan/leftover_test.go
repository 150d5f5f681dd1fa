package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
)

// TestHelperCookiescan is not a test: TestNoLeftoverDirs runs the test binary
// as cookiescan itself (main, with its signal handling) in a child process.
func TestHelperCookiescan(t *testing.T) {
	if os.Getenv("COOKIESCAN_HELPER") != "1" {
		t.Skip("runs as cookiescan in a child process only")
	}
	i := slices.Index(os.Args, "--")
	os.Args = append([]string{"cookiescan"}, os.Args[i+1:]...)
	main()
}

// cookiescanProcess starts `cookiescan ARGS` with TMPDIR set to tmp.
func cookiescanProcess(t *testing.T, tmp string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"-test.run=^TestHelperCookiescan$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "COOKIESCAN_HELPER=1", "TMPDIR="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &stderr
}

// waitExit waits for the process, failing the test on a hang.
func waitExit(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("cookiescan did not exit; stderr:\n%s", stderr)
	}
}

// leftovers lists what Chromium and cookiescan leave under tmp: browser
// directories, and Chromium's singleton directories wherever they are.
func leftovers(tmp string) []string {
	var out []string
	filepath.WalkDir(tmp, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == tmp {
			return nil
		}
		rel, _ := filepath.Rel(tmp, path)
		if strings.HasPrefix(d.Name(), "cookiescan-browser-") || strings.HasPrefix(d.Name(), "org.chromium.Chromium.") {
			out = append(out, rel)
		}
		if strings.Count(rel, string(filepath.Separator)) >= 2 {
			return filepath.SkipDir
		}
		return nil
	})
	return out
}

// processesUnder counts the processes whose command line mentions dir.
func processesUnder(dir string) int {
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && bytes.Contains(cmdline, []byte(dir+"/")) {
			n++
		}
	}
	return n
}

// waitSingleton waits until the running scan's Chromium has made its singleton
// directory (it is then well into its start).
func waitSingleton(t *testing.T, cmd *exec.Cmd, tmp string, stderr *bytes.Buffer) {
	t.Helper()
	before := leftovers(tmp)
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, l := range leftovers(tmp) {
			if strings.Contains(l, "org.chromium.Chromium.") && !slices.Contains(before, l) {
				return
			}
		}
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("Chromium made no singleton directory under %s; stderr:\n%s", tmp, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A scan stopped by SIGTERM leaves nothing in TMPDIR, Chromium's own
// org.chromium.Chromium.* directory included; a SIGKILLed scan leaves its
// browser directory, and the next scan removes it (its owner is dead).
func TestNoLeftoverDirs(t *testing.T) {
	needChromium(t)
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	tmp := t.TempDir()
	args := []string{"scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile,
		"--fail-on", "none", "-q", "-o", filepath.Join(t.TempDir(), "scan.json")}

	cmd, stderr := cookiescanProcess(t, tmp, args...)
	waitSingleton(t, cmd, tmp, stderr)
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, stderr)
	if left := leftovers(tmp); len(left) > 0 {
		t.Errorf("SIGTERM left %v in TMPDIR", left)
	}

	before := leftovers(tmp)
	cmd, stderr = cookiescanProcess(t, tmp, args...)
	waitSingleton(t, cmd, tmp, stderr)
	cmd.Process.Kill()
	waitExit(t, cmd, stderr)
	killed := leftovers(tmp)
	if len(killed) <= len(before) {
		t.Fatalf("SIGKILL left nothing to sweep (%v): the rest of this test proves nothing", killed)
	}

	cmd, stderr = cookiescanProcess(t, tmp, args...)
	waitExit(t, cmd, stderr)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("the scan after the SIGKILL: exit %d\n%s", code, stderr)
	}
	for _, l := range leftovers(tmp) {
		if !slices.Contains(before, l) {
			t.Errorf("%s of the SIGKILLed scan was not swept by the next one", l)
		}
	}
	if n := processesUnder(tmp); n > 0 {
		t.Errorf("%d processes still use %s", n, tmp)
	}
}
