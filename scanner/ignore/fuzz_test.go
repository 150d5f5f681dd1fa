package ignore

import (
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// FuzzParse: any file is a list or an error, never a panic; what parses
// applies to a finding without one either.
func FuzzParse(f *testing.F) {
	f.Add([]byte(file))
	f.Add([]byte("- rule: hsts-missing\n  reason: x\n  url: '.*'\n"))
	f.Add([]byte("- {rule: hsts-missing, reason: x, expires: 2027-01-01}\n"))
	f.Add([]byte("- rule: &a hsts-missing\n  reason: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data, "f.yaml", nil)
		if err != nil {
			return
		}
		rep := result.Report{Findings: []result.Finding{{Rule: "hsts-missing", Cookie: "c", URL: "https://x/"}}}
		l.Apply(&rep, now)
	})
}
