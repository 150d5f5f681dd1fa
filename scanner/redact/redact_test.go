package redact

import (
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://t.test/manager/html;jsessionid=3A32636376729D0597F1B8090190263B?org.apache.catalina.filters.CSRF_NONCE=6E0F5C1B2A3D4E5F",
			"https://t.test/manager/html;jsessionid=3A32…(32 chars)?org.apache.catalina.filters.CSRF_NONCE=6E0F…(16 chars)"},
		{"https://t.test/j_security_check;jsessionid=8122AB", "https://t.test/j_security_check;jsessionid=…(6 chars)"},
		{"http://x.test/?PHPSESSID=abcdef0123456789&page=2", "http://x.test/?PHPSESSID=abcd…(16 chars)&page=2"},
		{"https://x.test/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz", "https://x.test/cb?code=Splx…(22 chars)&state=xyz"},
		{"Location: https://x.test/reset?token=s3cr3tt0ken", "Location: https://x.test/reset?token=s3cr…(11 chars)"},
		{"https://x.test/?access_token=abc&user=bob&password=hunter2", "https://x.test/?access_token=…(3 chars)&user=bob&password=…(7 chars)"},
		{"https://x.test/search?q=session+cookies&page=2", "https://x.test/search?q=session+cookies&page=2"},
		{"https://x.test/?design=blue&zipcode=12345", "https://x.test/?design=blue&zipcode=12345"},
		{"no url here", "no url here"},
		{"https://x.test/?sid=abcd…(9 chars)", "https://x.test/?sid=abcd…(9 chars)"}, // already redacted
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q)\n  = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestReport(t *testing.T) {
	secret := "3A32636376729D0597F1B8090190263B"
	u := "https://t.test/manager/html;jsessionid=" + secret
	r := result.Report{
		Target: "https://t.test/",
		Pages:  []result.Page{{URL: u}},
		Findings: []result.Finding{{Rule: "session-id-in-url", URL: u, URLs: []string{u, u + "?x=1"},
			Detail: "seen at " + u, Evidence: u, Suppression: &result.Suppression{Reason: "see " + u}}},
		Errors: []result.ScanError{{URL: u, Message: "timeout loading " + u}},
		Notes:  []string{"note about " + u},
	}
	Report(&r)
	var all strings.Builder
	all.WriteString(r.Pages[0].URL + r.Findings[0].URL + strings.Join(r.Findings[0].URLs, "") + r.Findings[0].Detail +
		r.Findings[0].Evidence + r.Findings[0].Suppression.Reason + r.Errors[0].URL + r.Errors[0].Message + strings.Join(r.Notes, ""))
	if strings.Contains(all.String(), secret) {
		t.Errorf("the session id is still in the report: %s", all.String())
	}
	if r.Findings[0].Rule != "session-id-in-url" || r.Target != "https://t.test/" {
		t.Errorf("other fields changed: %+v", r.Findings[0])
	}
}
