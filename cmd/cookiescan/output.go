package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cookiescan/cookiescan/report"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// writerSet renders reports to stdout and to every -o file, the format of each file
// taken from its extension.
type writerSet struct {
	IO        *ioStreams
	Format    string
	FormatSet bool
	Quiet     bool
	FailOn    result.Severity
	format    report.Format
	files     []outputFile
}

type outputFile struct {
	path   string
	format report.Format
}

func (s *writerSet) parse(paths []string) error {
	f, err := report.ParseFormat(s.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	s.format = f
	for _, p := range paths {
		ff, err := report.FormatForPath(p)
		if err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		s.files = append(s.files, outputFile{path: p, format: ff})
	}
	return nil
}

// write prints stdout unless only files were asked for, then writes each file whole
// or not at all (temp file + rename), so a reader never sees half a report.
func (s *writerSet) write(reps []result.Report) error {
	if len(s.files) == 0 || s.FormatSet {
		w, err := report.New(s.format, report.Options{Terminal: s.IO.OutIsTerminal, Width: s.IO.Width, FailOn: s.FailOn})
		if err != nil {
			return err
		}
		if err := w.Write(s.IO.Out, reps); err != nil {
			return fmt.Errorf("write %s to stdout: %w", s.format, err)
		}
	}
	for _, out := range s.files {
		w, err := report.New(out.format, report.Options{FailOn: s.FailOn})
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := w.Write(&buf, reps); err != nil {
			return fmt.Errorf("render %s: %w", out.path, err)
		}
		if err := writeFileAtomic(out.path, buf.Bytes()); err != nil {
			return scanError{fmt.Errorf("write %s: %w", out.path, err)}
		}
		if !s.Quiet {
			fmt.Fprintf(s.IO.ErrOut, "wrote %s (%s)\n", out.path, out.format)
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(tmp, bytes.NewReader(data)); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
