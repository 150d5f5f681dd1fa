// Package inputfile reads the files a user hands to cookiescan (a CA, a login
// flow, the monitor config, JSON reports) with a size cap, so that /dev/zero
// or a runaway file fails at once with an error naming the file and the
// limit, instead of filling memory.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Limits of the inputs, documented in README.md ("Limits").
const (
	// SmallLimit caps a CA file, a login flow and the monitor config: real
	// ones are a few kilobytes.
	SmallLimit int64 = 1 << 20
	// ReportLimit caps a JSON report read back (report, diff, --baseline):
	// a bounded scan writes a few megabytes at most.
	ReportLimit int64 = 256 << 20
)

// TooLargeError is the error of Read for a file over its limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the limit for this file", e.Path, Size(e.Limit))
}

// Read returns the content of path, or a *TooLargeError when it holds more
// than limit bytes; it never reads more than limit+1. Regular files and pipes
// (e.g. <(…) in a shell) are read; a directory or a device is refused.
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	case m.IsRegular():
		if fi.Size() > limit {
			return nil, &TooLargeError{Path: path, Limit: limit}
		}
	case m&fs.ModeNamedPipe != 0:
	case m&fs.ModeDevice != 0:
		return nil, fmt.Errorf("%s is a device, not a regular file", path)
	default:
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// IsTooLarge reports whether err comes from a file over its limit.
func IsTooLarge(err error) bool {
	var e *TooLargeError
	return errors.As(err, &e)
}

// Size formats a limit in the unit it was chosen in: "1 MiB", "256 MiB".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
