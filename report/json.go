package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// JSONWriter writes the schemaVersion "1" report: one object for one target, an
// array for several.
type JSONWriter struct{}

var _ Writer = (*JSONWriter)(nil)

func (JSONWriter) Write(w io.Writer, reps []result.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	norm := make([]result.Report, len(reps))
	for i, r := range reps {
		norm[i] = r.Normalized()
	}
	if len(norm) == 1 {
		return enc.Encode(norm[0])
	}
	return enc.Encode(norm)
}

// ReadJSON reads what JSONWriter wrote: one report object, or an array of them.
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
		var one result.Report
		err = json.Unmarshal(trimmed, &one)
		reps = []result.Report{one}
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
