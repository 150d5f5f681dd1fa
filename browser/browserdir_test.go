package browser

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// A browser directory whose owner died (SIGKILL: nothing ran Close) is removed
// by the next start, with Chromium's singleton directory and any process still
// using it; a live owner's directory, and a recent one without an owner file,
// stay.
func TestStaleBrowserDirSwept(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skipf("no /proc to tell a dead owner: %v", err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if len(processesUsing(dead.dir)) == 0 {
		t.Fatal("no process uses the browser's directory")
	}
	singleton, err := filepath.Glob(filepath.Join(tmp, "org.chromium.Chromium.*"))
	if err != nil || len(singleton) != 1 {
		t.Fatalf("Chromium's singleton directories in TMPDIR: %v %v, want one", singleton, err)
	}
	// Its owner is now a process that has exited.
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	owner := filepath.Join(dead.dir, ownerFile)
	if err := os.WriteFile(owner, []byte(ownerLine(exited.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	// An ownerless directory (an older cookiescan's) long unused, and one
	// being made this instant.
	old, fresh := filepath.Join(tmp, dirPrefix+"old"), filepath.Join(tmp, dirPrefix+"fresh")
	for _, d := range []string{old, fresh} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * ownerlessAge)
	os.Chtimes(old, long, long)

	live, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	for _, gone := range append([]string{dead.dir, old}, singleton...) {
		if _, err := os.Stat(gone); !os.IsNotExist(err) {
			t.Errorf("%s survived the sweep (%v)", gone, err)
		}
	}
	if pids := processesUsing(dead.dir); len(pids) != 0 {
		t.Errorf("processes %v of the dead owner's browser survived the sweep", pids)
	}
	sweepStale(tmp) // the live browser's own directory is not stale
	for _, kept := range []string{live.dir, fresh} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("%s was swept: %v", kept, err)
		}
	}
}
