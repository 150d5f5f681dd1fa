package browser

import (
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/fixtures"
)

// Chromium is the oracle for response headers Go's client refuses: this test
// pins what it does with each line of fixtures.OddHeaders (a NUL fails the
// response; other control bytes are kept; a lone CR ends a line; a line
// without a colon or with a name that is not a token is ignored), and the
// probe's lenient reader is tested against the same table.
func TestChromiumOnOddHeaders(t *testing.T) {
	s := session(t)
	useProfile(t, "header-bytes")
	for _, o := range fixtures.OddHeaders {
		v, err := s.Visit(t.Context(), site.URL("https", "cookiescan.test", o.Path))
		if o.Refused {
			if v.Status != 0 || !strings.Contains(v.Error, "ERR_INVALID_HTTP_RESPONSE") {
				t.Errorf("%s (%q): status %d, error %q; want Chromium to refuse the response", o.Path, o.Line, v.Status, v.Error)
			}
			continue
		}
		if err != nil || v.Status != 200 {
			t.Errorf("%s (%q): status %d, error %q, %v; want the page loaded", o.Path, o.Line, v.Status, v.Error, err)
			continue
		}
		var headers map[string]string
		for _, r := range v.Responses {
			if r.MainFrame {
				headers = r.Headers
			}
		}
		if headers["strict-transport-security"] == "" {
			t.Errorf("%s: the other headers were lost: %q", o.Path, headers)
		}
		for name, want := range o.Want {
			if got, ok := headers[name]; got != want || (want == "" && ok) {
				t.Errorf("%s (%q): Chromium has %s = %q (present %v), the table says %q", o.Path, o.Line, name, got, ok, want)
			}
		}
	}
}
