package rules_test

import (
	"net/url"
	"strings"
	"testing"

	ob "github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// Script writes are judged from the string the script wrote, refused ones
// included (they used to be invisible: only the store was read).
func TestScriptWriteFindings(t *testing.T) {
	target, _ := url.Parse("https://app.test/")
	write := func(v string) ob.ScriptWrite {
		return ob.ScriptWrite{API: "document.cookie", Value: v, PageURL: "https://app.test/", FrameURL: "https://app.test/", Phase: ob.PreLogin, At: crawlTime}
	}
	for _, tc := range []struct {
		name, value, rule string
		want              result.Severity
		detail            string
	}{
		{"SameSite=None without Secure", "pref=1; SameSite=None", "cookie-samesite-none-insecure", medium, "SameSite=None requires Secure"},
		{"HttpOnly from script", "pref=1; HttpOnly; Secure", "cookie-rejected-by-browser", low, "HttpOnly"},
		{"two years asked", "pref=1; Secure; SameSite=Lax; Max-Age=63072000", "cookie-lifetime-over-400d", info, "2 years"},
		{"a refused write judges nothing else", "pref=1; SameSite=None", "cookie-missing-samesite", none, ""},
		{"a deletion judges nothing", "pref=; Max-Age=0", "cookie-missing-secure", none, ""},
		{"Secure missing", "pref=1; SameSite=Lax", "cookie-missing-secure", low, "Written by script"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := rules.CrawlFindings(ob.Crawl{ScriptWrites: []ob.ScriptWrite{write(tc.value)}}, target, false, crawlTime)
			var got []result.Finding
			for _, f := range fs {
				if f.Rule == tc.rule {
					got = append(got, f)
				}
			}
			if tc.want == none {
				if len(got) > 0 {
					t.Fatalf("%s fired: %+v", tc.rule, got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != tc.want || !strings.Contains(got[0].Detail, tc.detail) {
				t.Fatalf("%s: got %+v; want one %s finding saying %q", tc.rule, got, tc.want, tc.detail)
			}
			if !strings.Contains(got[0].Evidence, "document.cookie = ") {
				t.Errorf("the evidence is not the script's write: %q", got[0].Evidence)
			}
		})
	}
}
