package browser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ownerlessAge is how old a browser directory without an owner file (one made
// by an older cookiescan, or one being made this instant) must be, with no
// process using it, before a sweep removes it.
const ownerlessAge = 10 * time.Minute

// sweepStale removes this user's browser directories in tmp whose owner is
// gone, after killing any process still using one (a helper that outlived its
// browser). Directories of another host sharing tmp, or of a live owner, stay.
func sweepStale(tmp string) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "-"
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), dirPrefix) { // IsDir: never a symlink
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		fi, err := os.Lstat(dir)
		if err != nil {
			continue
		}
		if !ownedByMe(fi) {
			continue
		}
		if !stale(dir, fi.ModTime(), host) {
			continue
		}
		killUsing(dir)
		removeSingletonDir(dir)
		_ = removeAll(dir)
	}
}

// stale reports whether dir's owner is gone.
func stale(dir string, mtime time.Time, host string) bool {
	data, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if os.IsNotExist(err) {
		return time.Since(mtime) > ownerlessAge && len(processesUsing(dir)) == 0
	}
	var pid int
	var start, owner string
	if err != nil {
		return false
	}
	if n, _ := fmt.Sscan(string(data), &pid, &start, &owner); n != 3 || pid <= 0 || owner != host {
		return false
	}
	now := processStart(pid)
	return now == "" || (start != "-" && now != start)
}

// processStart is a process's start time in clock ticks after boot (field 22 of
// /proc/PID/stat), "" when there is no such process.
func processStart(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces and parentheses: count fields
	// after its closing parenthesis, which is field 3.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// ownedByMe reports whether this user owns the file.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
