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
	if len(reps) == 1 {
		return enc.Encode(reps[0])
	}
	if reps == nil {
		reps = []result.Report{}
	}
	return enc.Encode(reps)
}
