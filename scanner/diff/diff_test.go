package diff

import (
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
)

func u64(n uint64) *uint64 { return &n }

func base() result.Report {
	r := result.New("https://a.test/", time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC), "t")
	r.SetGrade(95, "A")
	r.Redirect.UpgradedToHTTPS, r.Redirect.StartURL = true, "http://a.test/"
	r.HSTS = result.HSTS{Present: true, Valid: true, Raw: "max-age=63072000; includeSubDomains", MaxAge: u64(63072000), IncludeSubDomains: true}
	r.TLS = result.TLS{Checked: true, Valid: true}
	r.Cookies = []result.Cookie{{Name: "sid", Domain: "a.test", Path: "/", Secure: true, HTTPOnly: true, SameSite: "Lax"}}
	r.Findings = []result.Finding{{Rule: "redirect-first-hop-other-host", Severity: result.SeverityLow, URL: "https://a.test:1/"}}
	return r
}

func kinds(d Diff) string {
	var out []string
	for _, c := range d.Changes {
		w := "+"
		if c.Worse {
			w = "-"
		}
		out = append(out, w+c.Kind+":"+c.Subject)
	}
	return strings.Join(out, " ")
}

func TestIdenticalIsEmpty(t *testing.T) {
	if d := Compare(base(), base()); !d.Empty() || d.Worse() {
		t.Errorf("%+v", d)
	}
}

func TestPortChangeIsNotANewFinding(t *testing.T) {
	n := base()
	n.Findings[0].URL = "https://a.test:2/"
	if d := Compare(base(), n); !d.Empty() {
		t.Errorf("%+v", d)
	}
}

func TestWorse(t *testing.T) {
	cases := map[string]struct {
		mod  func(*result.Report)
		want string
	}{
		"cookie lost Secure": {func(r *result.Report) { r.Cookies[0].Secure = false }, "-cookie-flag:sid"},
		"SameSite weakened":  {func(r *result.Report) { r.Cookies[0].SameSite = "None" }, "-cookie-flag:sid"},
		"HSTS lowered":       {func(r *result.Report) { r.HSTS.MaxAge = u64(300) }, "-hsts:Strict-Transport-Security"},
		"HSTS removed": {func(r *result.Report) {
			r.HSTS = result.HSTS{}
		}, "-hsts:Strict-Transport-Security"},
		"redirect gone":  {func(r *result.Report) { r.Redirect.UpgradedToHTTPS = false }, "-redirect:redirect"},
		"grade dropped":  {func(r *result.Report) { r.SetGrade(75, "B") }, "-grade:grade"},
		"cert broke":     {func(r *result.Report) { r.TLS.Valid, r.TLS.Error = false, "x509: expired" }, "-tls:certificate"},
		"longer session": {func(r *result.Report) { n := int64(86400); r.Cookies[0].MaxAge = &n }, "-cookie-lifetime:sid"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n := base()
			tc.mod(&n)
			d := Compare(base(), n)
			if !d.Worse() || !strings.Contains(kinds(d), tc.want) {
				t.Errorf("worse %v, changes %q, want %q", d.Worse(), kinds(d), tc.want)
			}
		})
	}
}

func TestNewResolvedAndBetter(t *testing.T) {
	n := base()
	n.Findings = append(n.Findings, result.Finding{Rule: "cookie-missing-httponly", Severity: result.SeverityMedium, Cookie: "sid", CookieDomain: "a.test", CookiePath: "/"})
	n.Cookies[0].HTTPOnly = false
	d := Compare(base(), n)
	if len(d.New) != 1 || len(d.Resolved) != 0 || !d.Worse() {
		t.Errorf("new %d resolved %d worse %v", len(d.New), len(d.Resolved), d.Worse())
	}
	// And back: only better.
	back := Compare(n, base())
	if back.Worse() || len(back.Resolved) != 1 || !strings.Contains(kinds(back), "+cookie-flag:sid") {
		t.Errorf("reverse: worse %v %q", back.Worse(), kinds(back))
	}
}

// A report of a target that was not reached is compared with nothing: its
// empty findings are neither "all resolved" nor its grade "better".
func TestNotScannedComparesNothing(t *testing.T) {
	broken := base()
	broken.Findings = append(broken.Findings, result.Finding{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Cookie: "sid", CookieDomain: "a.test", CookiePath: "/"})
	broken.SetGrade(60, "C")
	down := result.New("https://a.test/", time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC), "t")
	down.SetNotScanned("connection refused")
	for name, pair := range map[string][2]result.Report{"old": {down, broken}, "new": {broken, down}, "neither": {down, down}} {
		d := Compare(pair[0], pair[1])
		if !strings.Contains(d.NotScanned, "connection refused") || !strings.Contains(d.NotScanned, name) {
			t.Errorf("%s not scanned: NotScanned = %q", name, d.NotScanned)
		}
		if len(d.New)+len(d.Resolved)+len(d.Changes) != 0 || d.Worse() || d.Empty() {
			t.Errorf("%s not scanned: new %v resolved %v changes %q worse %v empty %v", name, d.New, d.Resolved, kinds(d), d.Worse(), d.Empty())
		}
	}
}

// An Expires-derived lifetime moves with the clock: two scans a minute
// apart of an unchanged site are not a change (issue 10: diff exited 1 with
// "lifetime 34559991s → 34559992s"). A real change still is.
func TestLifetimeJitterIsNoChange(t *testing.T) {
	life := func(n int64) func(*result.Report) {
		return func(r *result.Report) {
			r.Cookies[0].MaxAge = &n
			r.Findings = append(r.Findings, result.Finding{Rule: "session-cookie-persistent", Cookie: "sid", CookieDomain: "a.test", CookiePath: "/",
				Severity: map[bool]result.Severity{true: result.SeverityMedium, false: result.SeverityLow}[n > 7*86400], URL: "https://a.test/"})
		}
	}
	mk := func(mod func(*result.Report)) result.Report { r := base(); mod(&r); return r }
	for _, tc := range []struct {
		old, new int64
		same     bool
	}{
		{34559991, 34559992, true},
		{34559992, 34559991, true},
		{34559991, 34559991 + 59, true},
		{34559991, 34559991 + 60, false},
		{86400, 3 * 86400, false},
		// At the 7-day threshold the severity flips with one second.
		{7 * 86400, 7*86400 + 1, true},
	} {
		d := Compare(mk(life(tc.old)), mk(life(tc.new)))
		if d.Empty() != tc.same || (tc.same && d.Worse()) {
			t.Errorf("%d → %d: diff %+v, want unchanged=%v", tc.old, tc.new, d, tc.same)
		}
	}
	// Session ↔ persistent is always a change.
	if d := Compare(base(), mk(life(60))); d.Empty() {
		t.Error("session → persistent reported as unchanged")
	}
}

// Reports written before maxAge was capped at Chromium's one year said
// 63072000; the same header today says 31536000: no change.
func TestHSTSCapIsNoChange(t *testing.T) {
	n := base()
	n.HSTS.MaxAge = u64(31536000)
	if d := Compare(base(), n); !d.Empty() {
		t.Errorf("%+v", d)
	}
}
