package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// JSONWriter writes the schemaVersion "1" report: one object for one target, an
// array for several, and always an array with Array (a target list).
type JSONWriter struct{ Array bool }

var _ Writer = (*JSONWriter)(nil)

func (j JSONWriter) Write(w io.Writer, reps []result.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	norm := make([]result.Report, len(reps))
	for i, r := range reps {
		norm[i] = r.Normalized()
	}
	if len(norm) == 1 && !j.Array {
		return enc.Encode(norm[0])
	}
	return enc.Encode(norm)
}

// JSONLWriter writes one compact report per line (JSON Lines): each line is
// a whole schemaVersion "1" report that ReadJSON reads back alone.
type JSONLWriter struct{}

var _ Writer = JSONLWriter{}

func (JSONLWriter) Write(w io.Writer, reps []result.Report) error {
	for _, r := range reps {
		if err := WriteJSONLine(w, r); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSONLine writes one report as one line.
func WriteJSONLine(w io.Writer, r result.Report) error {
	line, err := json.Marshal(r.Normalized())
	if err != nil {
		return err
	}
	_, err = w.Write(append(line, '\n'))
	return err
}

// ReadJSON reads what JSONWriter and JSONLWriter wrote: one report object, an
// array of them, or one object per line.
func ReadJSON(r io.Reader) ([]result.Report, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	var reps []result.Report
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &reps)
	} else {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for {
			var one result.Report
			if err = dec.Decode(&one); err != nil {
				break
			}
			reps = append(reps, one)
		}
		if errors.Is(err, io.EOF) && len(reps) > 0 {
			err = nil
		} else if errors.Is(err, io.EOF) {
			err = errors.New("empty input")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("not a cookiescan JSON report: %w", err)
	}
	for i, rep := range reps {
		if rep.SchemaVersion == "" {
			return nil, fmt.Errorf("not a cookiescan JSON report: no schemaVersion (write one with --format json)")
		}
		if rep.SchemaVersion != result.SchemaVersion {
			return nil, fmt.Errorf("report %d has schemaVersion %q; this cookiescan reads %q", i+1, rep.SchemaVersion, result.SchemaVersion)
		}
		reps[i] = rep.Normalized()
	}
	return reps, nil
}
