// Package report renders a scan report (scanner/result) in the formats users ask
// for. One Writer per format, one list of formats: it feeds --format's help and
// validation, and the -o extension lookup.
package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	htmlreport "github.com/cookiescan/cookiescan/report/html"
	"github.com/cookiescan/cookiescan/report/junit"
	"github.com/cookiescan/cookiescan/report/markdown"
	"github.com/cookiescan/cookiescan/report/sarif"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// Format names an output format.
type Format string

const (
	FormatTable    Format = "table"
	FormatJSON     Format = "json"
	FormatHTML     Format = "html"
	FormatSARIF    Format = "sarif"
	FormatJUnit    Format = "junit"
	FormatMarkdown Format = "markdown"
	// FormatJSONL is one report per line, compact: scan -l streams it as
	// each site finishes.
	FormatJSONL Format = "jsonl"
)

// Formats lists every supported format, in the order help shows them.
var Formats = []Format{FormatTable, FormatJSON, FormatJSONL, FormatHTML, FormatSARIF, FormatJUnit, FormatMarkdown}

// Options are rendering choices that are not part of the report itself.
type Options struct {
	// Color and Unicode borders, for a terminal; off for pipes and golden files.
	Terminal bool
	// Width of the terminal (0: no limit).
	Width int
	// FailOn marks JUnit test cases failed from this severity up (0: never).
	FailOn result.Severity
	// List: the reports come from a target list (scan -l), so JSON is an
	// array even when the list held one target: one shape for any count.
	List bool
}

// Writer renders reports in one format.
type Writer interface {
	Write(w io.Writer, reps []result.Report) error
}

// New returns the writer for a format.
func New(f Format, opts Options) (Writer, error) {
	w, err := newWriter(f, opts)
	if err != nil {
		return nil, err
	}
	return impacts{w}, nil
}

func newWriter(f Format, opts Options) (Writer, error) {
	switch f {
	case FormatTable:
		return &TableWriter{opts: opts}, nil
	case FormatJSON:
		return &JSONWriter{Array: opts.List}, nil
	case FormatJSONL:
		return JSONLWriter{}, nil
	case FormatHTML:
		return htmlreport.Writer{}, nil
	case FormatSARIF:
		return sarif.Writer{}, nil
	case FormatJUnit:
		return junit.Writer{FailOn: opts.FailOn}, nil
	case FormatMarkdown:
		return markdown.Writer{}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", f, FormatList())
}

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(string(f), s) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want one of %s)", s, FormatList())
}

// FormatList is "table|json|..." for help texts.
func FormatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, "|")
}

// FormatForPath infers the format from an output file's extension.
func FormatForPath(path string) (Format, error) {
	name := strings.ToLower(path)
	switch {
	case strings.HasSuffix(name, ".sarif"), strings.HasSuffix(name, ".sarif.json"):
		return FormatSARIF, nil
	case strings.HasSuffix(name, ".junit.xml"), strings.HasSuffix(name, ".xml"):
		return FormatJUnit, nil
	}
	switch filepath.Ext(name) {
	case ".json":
		return FormatJSON, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".txt", ".table":
		return FormatTable, nil
	case ".html", ".htm":
		return FormatHTML, nil
	case ".md", ".markdown":
		return FormatMarkdown, nil
	}
	return "", fmt.Errorf("cannot tell the format of %q from its extension: use .json, .jsonl, .html, .sarif, .xml (JUnit), .md or .txt", path)
}
