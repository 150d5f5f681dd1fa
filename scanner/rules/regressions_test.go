package rules

import (
	"net/url"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/result"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// Cases from the first review of the rules: each once gave the wrong verdict.
func TestCookieRegressions(t *testing.T) {
	u, _ := url.Parse("https://app.test/")
	type want map[string]result.Severity // rule -> severity; 0 means must not fire
	cases := map[string]struct {
		line string
		want want
	}{
		"year 9999 expiry does not overflow": {"sessionid=abc; Secure; HttpOnly; SameSite=Lax; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
			want{"session-cookie-persistent": result.SeverityMedium, "cookie-lifetime-over-400d": result.SeverityInfo}},
		"max int64 max-age": {"sessionid=abc; Secure; HttpOnly; SameSite=Lax; Max-Age=9223372036854775807",
			want{"session-cookie-persistent": result.SeverityMedium}},
		"rails name is not analytics": {"_gallery_session=abc; HttpOnly; SameSite=Lax",
			want{"cookie-missing-secure": result.SeverityHigh, "framework-default-session-name": result.SeverityInfo}},
		"hex id under a neutral name": {"uid=5d41402abc4b2a76b9719d911017c592; HttpOnly; SameSite=Lax",
			want{"cookie-missing-secure": result.SeverityHigh}},
		"aspnet culture cookie": {".AspNetCore.Culture=c%3Den-US%7Cuic%3Den-US; path=/; samesite=lax",
			want{"cookie-missing-secure": result.SeverityLow, "cookie-missing-httponly": result.SeverityInfo, "framework-default-session-name": 0}},
		"last SameSite wins": {"x=1; Secure; HttpOnly; SameSite=bogus; SameSite=Lax",
			want{"cookie-samesite-invalid": 0, "cookie-duplicate-attribute": result.SeverityInfo}},
		"upper-case __HOST- prefix": {"__HOST-sid=abc; Secure; Path=/; HttpOnly; SameSite=Lax",
			want{"session-cookie-no-host-prefix": 0}},
		"prefixed Laravel name": {"__Host-laravel_session=abc; Secure; Path=/; HttpOnly; SameSite=Lax",
			want{"framework-default-session-name": result.SeverityInfo}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := map[string]result.Severity{}
			var fw string
			for _, f := range CookieFindings(sc.Parse(tc.line), CookieContext{URL: u, Date: crawlNow}) {
				got[f.Rule] = f.Severity
				if f.Rule == "framework-default-session-name" {
					fw = f.Detail
				}
			}
			for rule, sev := range tc.want {
				if got[rule] != sev {
					t.Errorf("%s: got %v, want %v (all: %v)", rule, got[rule], sev, got)
				}
			}
			if name == "prefixed Laravel name" && !strings.Contains(fw, "laravel") {
				t.Errorf("framework: %q", fw)
			}
		})
	}
}
