package inputfile

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Repeat([]byte("a"), n), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name    string
		path    string
		wantLen int
		wantErr string
	}{
		{"empty", write("empty", 0), 0, ""},
		{"at the limit", write("at", 1024), 1024, ""},
		{"one byte over", write("over", 1025), 0, "larger than 1 KiB"},
		{"directory", dir, 0, "is a directory"},
		{"missing", filepath.Join(dir, "nope"), 0, "no such file"},
		{"device", "/dev/zero", 0, "not a regular file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.path); tc.name == "device" && err != nil {
				t.Skip("no /dev/zero")
			}
			data, err := Read(tc.path, 1024)
			if tc.wantErr == "" {
				if err != nil || len(data) != tc.wantLen {
					t.Fatalf("Read = %d bytes, %v; want %d bytes", len(data), err, tc.wantLen)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Read error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestReadPipeStopsAtLimit: a pipe that never ends (as /dev/zero would if
// it were let through) is read up to the limit, then refused.
func TestReadPipeStopsAtLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		chunk := make([]byte, 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				return // the reader closed: EPIPE
			}
		}
	}()
	_, err := Read(p, SmallLimit)
	if !IsTooLarge(err) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("Read of an endless pipe: %v; want a TooLargeError naming the file and 1 MiB", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{SmallLimit: "1 MiB", ReportLimit: "256 MiB", 2048: "2 KiB", 1000: "1000 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
