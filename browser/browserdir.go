package browser

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// dirPrefix names the directory each launched browser gets in os.TempDir(): its
// profile, its config home and the owner file. Close removes it; a later start
// removes the ones whose owner died without closing (SIGKILL, a crash).
const dirPrefix = "cookiescan-browser-"

// ownerFile holds "pid start host" of the process that launched the browser:
// the start time tells a dead owner from a new process that reuses its pid.
const ownerFile = "owner"

// newBrowserDir sweeps stale browser directories, then makes a fresh one with
// its owner file.
func newBrowserDir() (string, error) {
	sweepStale(os.TempDir())
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(ownerLine(os.Getpid())), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func ownerLine(pid int) string {
	host, _ := os.Hostname()
	start := processStart(pid)
	if start == "" {
		start = "-"
	}
	if host == "" {
		host = "-"
	}
	return fmt.Sprintf("%d %s %s\n", pid, start, host)
}

// removeSingletonDir removes the directory Chromium made in TMPDIR for its
// singleton socket (org.chromium.Chromium.XXXXXX), found through the profile's
// SingletonSocket link. Chromium removes it when it exits by itself, not when
// it is killed. (Pointing the browser's TMPDIR into dir instead would break
// the socket: its path must fit in 107 bytes, which a long TMPDIR exceeds.)
// A Chromium killed between making that directory and linking it from the
// profile (its owner SIGKILLed during the start) leaves no link: then every
// such directory of this user made since dir's owner file is removed if no
// process listens on its socket.
func removeSingletonDir(dir string) {
	tmp := filepath.Clean(os.TempDir())
	target, err := os.Readlink(filepath.Join(dir, "profile", "SingletonSocket"))
	if err == nil {
		sd := filepath.Dir(target)
		// Only ever a directory of that name right in the temporary directory.
		if strings.HasPrefix(filepath.Base(sd), singletonPrefix) && filepath.Dir(sd) == tmp {
			_ = os.RemoveAll(sd)
		}
		return
	}
	owner, err := os.Stat(filepath.Join(dir, ownerFile))
	if err != nil {
		return
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), singletonPrefix) { // IsDir: never a symlink
			continue
		}
		sd := filepath.Join(tmp, e.Name())
		fi, err := os.Lstat(sd)
		if err != nil || fi.ModTime().Before(owner.ModTime()) || !ownedByMe(fi) {
			continue
		}
		if c, err := net.DialTimeout("unix", filepath.Join(sd, "SingletonSocket"), time.Second); err == nil {
			c.Close() // a live browser's
			continue
		}
		_ = os.RemoveAll(sd)
	}
}

// singletonPrefix names Chromium's singleton socket directories in TMPDIR.
const singletonPrefix = "org.chromium.Chromium."
