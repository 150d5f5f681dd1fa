package report

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// insecure is a real scan (with Chromium) of the demo site's insecure profile,
// `make demo PROFILE=insecure`.
func insecure(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/insecure.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The table fits its width: at 80 columns (pipes, files, COLUMNS=80) no line of
// the insecure demo profile's table is wider; long values wrap in their cells,
// and no header is cut to "Http…".
func TestTableFitsWidth(t *testing.T) {
	reps, err := ReadJSON(bytes.NewReader(insecure(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		width    int
		terminal bool
	}{{0, false}, {80, false}, {80, true}, {60, false}, {100, true}, {132, false}} {
		w, err := New(FormatTable, Options{Width: tc.width, Terminal: tc.terminal})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := w.Write(&out, reps); err != nil {
			t.Fatal(err)
		}
		limit := tc.width
		if limit == 0 {
			limit = DefaultWidth
		}
		text := out.String()
		for i, line := range strings.Split(text, "\n") {
			if n := twwidth.Width(line); n > limit {
				t.Errorf("width %d terminal %v: line %d is %d columns wide:\n%s", tc.width, tc.terminal, i+1, n, line)
			}
		}
		for _, header := range []string{"HttpOnly", "SameSite", "Lifetime", "Severity", "Points", "Location"} {
			if limit >= 80 && !strings.Contains(text, header) {
				t.Errorf("width %d: header %q is missing or cut", tc.width, header)
			}
		}
		if strings.Contains(text, "Http…") {
			t.Errorf("width %d: a header was cut", tc.width)
		}
		// Every finding is there, whole: its rule and the end of its detail.
		for _, want := range []string{"cookie-missing-secure", "framework-default-session-name", "session-cookie-no-host-prefix", "Action plan: 9 changes fix 11 findings"} {
			if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
				t.Errorf("width %d: %q is missing", tc.width, want)
			}
		}
	}
}
