package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	List      bool // the reports come from -l: JSON is an array whatever the count
	streamed  bool // stdout got its jsonl line by line already
	format    report.Format
	files     []outputFile
}

type outputFile struct {
	path   string
	format report.Format
}

// parse reads each -o path's format from its extension and checks, before
// anything is scanned, that the file can be written there: a typo in a path
// must not cost a whole scan.
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
		if err := checkWritable(p); err != nil {
			return fmt.Errorf("--output %s: %w", p, err)
		}
		s.files = append(s.files, outputFile{path: p, format: ff})
	}
	return nil
}

// checkWritable tells whether writeFileAtomic could write path: the directory
// exists and takes a new file, and path is not a directory. It creates and
// removes the temporary file the write would use, not path itself, so a
// scan that fails later leaves no empty report behind.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return errors.New("is a directory; give a file name")
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist; create it first", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot create a file in %s: %w", dir, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// streams reports whether stdout gets --format jsonl, written line by line as
// each target finishes (by the scan, not by write).
func (s *writerSet) streams() bool {
	s.streamed = (len(s.files) == 0 || s.FormatSet) && s.format == report.FormatJSONL
	return s.streamed
}

// write prints stdout unless only files were asked for, then writes each file whole
// or not at all (temp file + rename), so a reader never sees half a report. A
// failure does not stop the other outputs; every failure is returned (exit 3).
func (s *writerSet) write(reps []result.Report) error {
	var errs []error
	if (len(s.files) == 0 || s.FormatSet) && !s.streamed {
		// Writers print with fmt.Fprint*, which drops errors: catch the first
		// one here, so a full disk behind stdout is not silent.
		out := &errWriter{w: s.IO.Out}
		w, err := report.New(s.format, report.Options{Terminal: s.IO.OutIsTerminal, Width: s.IO.Width, FailOn: s.FailOn, List: s.List})
		if err == nil {
			if err = w.Write(out, reps); err == nil {
				err = out.err
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("write %s to stdout: %w", s.format, err))
		}
	}
	for _, out := range s.files {
		w, err := report.New(out.format, report.Options{FailOn: s.FailOn, List: s.List})
		if err == nil {
			err = writeFileAtomic(out.path, func(f io.Writer) error { return w.Write(f, reps) })
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", out.path, err))
			continue
		}
		if !s.Quiet {
			fmt.Fprintf(s.IO.ErrOut, "wrote %s (%s)\n", out.path, out.format)
		}
	}
	if len(errs) > 0 {
		return scanError{errors.Join(errs...)}
	}
	return nil
}

// errWriter keeps the first error of w and writes nothing after it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// writeFileAtomic renders into a temporary file beside path, then renames it
// over path; on any error the temporary file is removed and path untouched.
// render writes straight into the file (buffered), so a large report is never
// held in memory whole.
func writeFileAtomic(path string, render func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	out := &errWriter{w: bw}
	if err := render(out); err != nil {
		return err
	}
	if out.err != nil {
		return out.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
