package scanner_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// limitNotes are the report's errors[] entries that say a cap was hit.
func limitNotes(rep result.Report) []string {
	var out []string
	for _, e := range rep.Errors {
		if e.Stage == result.StageLimit {
			out = append(out, e.Message)
		}
	}
	return out
}

// A response with 60,000 cookies is examined up to the per-response cap; the
// findings beyond the per-rule cap are folded into one counted finding per
// rule; the report says what was left unexamined and stays small.
func TestCookieFloodBounded(t *testing.T) {
	rep, err := scan(t, startSite(t, "cookie-flood"), func(o *scanner.Options) { o.Timeout = 20 * time.Second })
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Cookies); n != scanner.MaxCookiesPerResponse {
		t.Errorf("%d cookies in the report, want the first %d", n, scanner.MaxCookiesPerResponse)
	}
	for _, h := range append(rep.Redirect.Hops, rep.HTTPS.Hops...) {
		if len(h.SetCookies) > scanner.MaxCookiesPerResponse {
			t.Errorf("hop %s lists %d Set-Cookie lines", h.URL, len(h.SetCookies))
		}
	}
	// Three rules fire on each cookie: 50 listed and one summary per rule.
	if n, max := len(rep.Findings), 3*(rules.MaxFindingsPerRuleClass+1); n > max {
		t.Errorf("%d findings, want at most %d", n, max)
	}
	summaries := 0
	for _, f := range rep.Findings {
		if f.Cookie == "" && strings.HasPrefix(f.Rule, "cookie-") {
			summaries++
			if want := fmt.Sprintf("%d more cookie(s)", scanner.MaxCookiesPerResponse-rules.MaxFindingsPerRuleClass); !strings.Contains(f.Detail, want) {
				t.Errorf("summary of %s: %q lacks %q", f.Rule, f.Detail, want)
			}
		}
	}
	if summaries != 3 {
		t.Errorf("%d summary findings, want one per rule (3)", summaries)
	}
	notes := strings.Join(limitNotes(rep), "\n")
	if !strings.Contains(notes, "60,000 cookies") || !strings.Contains(notes, "59,800 left unexamined") {
		t.Errorf("errors[] does not say what was left unexamined: %q", notes)
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 1<<20 {
		t.Errorf("JSON report is %d bytes, want under 1 MiB", len(data))
	}
	if fixtures.FloodCookies != 60000 {
		t.Errorf("the fixture sets %d cookies, the test expects 60,000", fixtures.FloodCookies)
	}
}

// The per-scan cap counts distinct cookies across the probe and every
// response of the crawl; a cookie seen before is always examined again.
func TestCookiesPerScanCap(t *testing.T) {
	s := startSite(t, "hardened")
	var responses []observe.Response
	for r := range 12 { // 12 × 150 = 1,800 distinct cookies
		lines := make([]string, 150)
		for i := range lines {
			lines[i] = fmt.Sprintf("r%dc%d=1; Path=/; Secure; HttpOnly; SameSite=Lax", r, i)
		}
		responses = append(responses, observe.Response{URL: s.HTTPSURL + fmt.Sprint("p", r), Status: 200,
			Phase: result.PhasePreLogin, Date: time.Now(), SetCookies: lines})
	}
	// The first cookie again, after the cap: still examined.
	responses = append(responses, observe.Response{URL: s.HTTPSURL + "again", Status: 200, Phase: result.PhasePreLogin,
		Date: time.Now(), SetCookies: []string{"r0c0=1; Path=/"}})
	rep, err := scan(t, s, func(o *scanner.Options) { o.Crawler = fakeCrawler{Responses: responses} })
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range rep.Cookies {
		names[c.Name] = true
	}
	// The hardened page's own cookie counts too.
	if len(names) != scanner.MaxCookiesPerScan {
		t.Errorf("%d distinct cookies in the report, want %d", len(names), scanner.MaxCookiesPerScan)
	}
	missing := false
	for _, f := range rep.Findings {
		missing = missing || (f.Rule == "cookie-missing-secure" && strings.Contains(f.Evidence, "r0c0=") && strings.Contains(f.URL, "again"))
	}
	if !missing {
		t.Errorf("r0c0 set again without Secure after the cap was not judged")
	}
	notes := strings.Join(limitNotes(rep), "\n")
	if want := fmt.Sprintf("801 Set-Cookie line(s) of further cookies were left unexamined: a scan examines at most %d", scanner.MaxCookiesPerScan); !strings.Contains(notes, want) {
		t.Errorf("errors[] = %q, want %q", notes, want)
	}
}
