//go:build !linux

package browser

import "os"

// Without /proc the owner of a browser directory cannot be told alive or dead,
// so nothing is swept; Close still removes each directory.
func sweepStale(string) {}

func processStart(int) string { return "" }

// ownedByMe: without the sweep, no singleton directory is judged either.
func ownedByMe(os.FileInfo) bool { return false }
