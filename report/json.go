package report

import (
	"encoding/json"
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
