package browser

import (
	"net"
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

// A browser killed between making its singleton directory and linking it
// from its profile leaves the directory unlinked: the sweep finds it by time
// (made after the dead owner's file) and by its socket, on which no process
// listens. An older one, and a live browser's, stay.
func TestUnlinkedSingletonDirSwept(t *testing.T) {
	tmp, err := os.MkdirTemp("/tmp", "cs") // a short path: a socket's must fit in 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	t.Setenv("TMPDIR", tmp)
	before := filepath.Join(tmp, singletonPrefix+"before")
	if err := os.Mkdir(before, 0o700); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	os.Chtimes(before, long, long)
	dead := filepath.Join(tmp, dirPrefix+"dead")
	if err := os.MkdirAll(filepath.Join(dead, "profile"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dead, ownerFile), []byte("1 - host\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(dead, ownerFile), long.Add(time.Minute), long.Add(time.Minute))
	unlinked, live := filepath.Join(tmp, singletonPrefix+"unlinked"), filepath.Join(tmp, singletonPrefix+"live")
	for _, d := range []string{unlinked, live} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(unlinked, "SingletonCookie"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(live, "SingletonSocket"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	removeSingletonDir(dead)
	if _, err := os.Stat(unlinked); !os.IsNotExist(err) {
		t.Errorf("the unlinked singleton directory survived (%v)", err)
	}
	for _, kept := range []string{before, live} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("%s was removed: %v", kept, err)
		}
	}
}
