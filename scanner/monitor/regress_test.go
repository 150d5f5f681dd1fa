package monitor

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
)

func u64(v uint64) *uint64 { return &v }

// rep builds a report: a hardened site, then whatever mods break.
func rep(mods ...func(*result.Report)) result.Report {
	r := result.New("https://shop.example/", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "test")
	r.SetGrade(100, "A+")
	r.Redirect = result.Redirect{StartURL: "http://shop.example/", FinalURL: "https://shop.example/", UpgradedToHTTPS: true, Hops: []result.Hop{}}
	r.HSTS = result.HSTS{Present: true, Valid: true, Raw: "max-age=63072000", MaxAge: u64(63072000)}
	r.TLS = result.TLS{Checked: true, Valid: true}
	r.Cookies = []result.Cookie{{Name: "sessionid", Domain: "shop.example", Path: "/", Secure: true, HTTPOnly: true, SameSite: "Lax"}}
	for _, m := range mods {
		m(&r)
	}
	return r
}

func finding(rule string, sev result.Severity, cookie string) func(*result.Report) {
	return func(r *result.Report) {
		r.Findings = append(r.Findings, result.Finding{Rule: rule, Severity: sev, Cookie: cookie, URL: "https://shop.example/"})
		score, _, _ := r.Graded()
		r.SetGrade(score-10, "B")
	}
}

func lostSecure(r *result.Report) { r.Cookies[0].Secure = false }

var (
	good      = rep()
	noSecure  = rep(lostSecure, finding("cookie-missing-secure", result.SeverityHigh, "sessionid"))
	shortHSTS = rep(func(r *result.Report) { r.HSTS.MaxAge, r.HSTS.Raw = u64(86400), "max-age=86400" }, finding("hsts-max-age-short", result.SeverityLow, ""))
	both      = rep(lostSecure, finding("cookie-missing-secure", result.SeverityHigh, "sessionid"),
		func(r *result.Report) { r.HSTS.MaxAge, r.HSTS.Raw = u64(86400), "max-age=86400" }, finding("hsts-max-age-short", result.SeverityMedium, ""))
	noRedirect = rep(func(r *result.Report) { r.Redirect.UpgradedToHTTPS = false }, finding("http-no-redirect", result.SeverityHigh, ""))
)

// step is one scan in a sequence; want lists the alert kinds it must cause.
type step struct {
	rep  result.Report
	err  error
	want []string
	ack  bool // the operator runs monitor ack before this scan
}

// play runs scans through evaluate as the monitor does (state carried over, the
// previous good scan and the baseline looked up) and checks each step's alerts.
func play(t *testing.T, min result.Severity, steps []step) []event {
	t.Helper()
	var st store.AlertState
	var scans []storedScan // every scan; ok ones usable as prev
	var oks []int
	var all []event
	for i, s := range steps {
		id := int64(i + 1)
		if s.ack {
			var keys []string
			for _, it := range OpenItems(st) {
				keys = append(keys, it.Key)
			}
			st.Acked, _ = json.Marshal(keys)
			st.AckedAt = time.Unix(int64(i), 0)
		}
		in := evalInput{State: st, ScanID: id, Report: s.rep, Err: s.err, Min: min, FailuresBeforeAlert: 2, Now: time.Unix(int64(i), 0)}
		if len(oks) > 0 {
			p := scans[oks[len(oks)-1]]
			in.Prev = &p
		}
		if st.Open() {
			b := scans[st.BaselineScan-1]
			in.Baseline = &b
		}
		next, evs := evaluate(in)
		var kinds []string
		for _, e := range evs {
			k := e.Kind
			if e.RecoveredFrom != "" {
				k += "/" + e.RecoveredFrom
			}
			kinds = append(kinds, k)
		}
		if strings.Join(kinds, ",") != strings.Join(s.want, ",") {
			t.Fatalf("scan %d: alerts %v, want %v", id, kinds, s.want)
		}
		all = append(all, evs...)
		st = next
		scans = append(scans, storedScan{ID: id, Report: s.rep})
		if _, _, graded := s.rep.Graded(); s.err == nil && graded {
			oks = append(oks, i) // as record stores it: OK
		}
	}
	return all
}

const (
	reg     = alert.KindRegression
	failed  = alert.KindScanFailed
	recReg  = alert.KindRecovered + "/" + alert.KindRegression
	recFail = alert.KindRecovered + "/" + alert.KindScanFailed
	errScan = "unreachable"
	minMed  = result.SeverityMedium
	minLow  = result.SeverityLow
	minHigh = result.SeverityHigh
)

var errDown = errors.New(errScan)

func TestOneAlertPerChange(t *testing.T) {
	evs := play(t, minMed, []step{
		{rep: good},
		{rep: good},
		{rep: noSecure, want: []string{reg}}, // opens
		{rep: noSecure},                      // same problem: silent
		{rep: noSecure},
		{rep: good, want: []string{recReg}}, // recovers once
		{rep: good},
	})
	if !strings.Contains(evs[0].Items[0].Text+evs[0].Items[1].Text+evs[0].Items[2].Text, "sessionid") {
		t.Errorf("regression items do not name the cookie: %+v", evs[0].Items)
	}
}

func TestSecondProblemWhileOpen(t *testing.T) {
	evs := play(t, minMed, []step{
		{rep: good},
		{rep: noSecure, want: []string{reg}},
		{rep: both, want: []string{reg}}, // HSTS lowered too: one more alert, for it alone
		{rep: both},
		{rep: noSecure},                     // HSTS repaired: fewer problems, no alert
		{rep: good, want: []string{recReg}}, // all repaired
	})
	second := evs[1]
	if len(second.StillOpen) == 0 {
		t.Errorf("the second alert does not list what is still open")
	}
	for _, it := range second.Items {
		if strings.Contains(it.Key, "sessionid") {
			t.Errorf("the second alert repeats the open problem: %s", it.Key)
		}
	}
}

func TestMinSeverity(t *testing.T) {
	// A low finding with the HSTS change it explains: below medium, no alert.
	play(t, minMed, []step{{rep: good}, {rep: shortHSTS}, {rep: good}})
	// At low, it alerts and recovers.
	play(t, minLow, []step{{rep: good}, {rep: shortHSTS, want: []string{reg}}, {rep: good, want: []string{recReg}}})
	// The redirect gone is high.
	play(t, minHigh, []step{{rep: good}, {rep: noRedirect, want: []string{reg}}, {rep: good, want: []string{recReg}}})
}

func TestFailures(t *testing.T) {
	play(t, minMed, []step{
		{rep: good},
		{err: errDown},                         // 1: below failuresBeforeAlert
		{rep: good},                            // nothing was said, nothing to recover
		{err: errDown},                         // 1
		{err: errDown, want: []string{failed}}, // 2: alert
		{err: errDown},                         // still down: silent
		{rep: good, want: []string{recFail}},   // once
		{rep: good},
	})
}

// A failed scan between good and broken neither opens nor closes a regression,
// and the comparison skips it (it is measured against the last good scan).
func TestFailureDoesNotMaskRegression(t *testing.T) {
	play(t, minMed, []step{
		{rep: good},
		{rep: noSecure, want: []string{reg}},
		{err: errDown},
		{rep: noSecure}, // still the same problem
		{err: errDown},
		{rep: good, want: []string{recReg}},
	})
	play(t, minMed, []step{
		{rep: good},
		{err: errDown},
		{rep: noSecure, want: []string{reg}}, // compared with the good scan before the failure
	})
}

// A report of a target that was not reached counts as a failed scan even when
// no error comes with it: its empty findings are no recovery, and it is no
// baseline for the next scan.
func TestNotScannedIsNoRecovery(t *testing.T) {
	down := result.New("https://shop.example/", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), "test")
	down.SetNotScanned("connection refused or closed: dial tcp 192.0.2.1:443: connect: connection refused")
	play(t, minMed, []step{
		{rep: good},
		{rep: noSecure, want: []string{reg}},
		{rep: down},                              // failure 1: no recovery
		{rep: down, want: []string{failed}},      // failure 2: scan-failed
		{rep: noSecure, want: []string{recFail}}, // reachable again, still broken: no regression recovery
		{rep: good, want: []string{recReg}},
	})
}

// A failing and a broken target at once: both alerts, both recoveries.
func TestFailingWhileRegressed(t *testing.T) {
	play(t, minMed, []step{
		{rep: good},
		{rep: noSecure, want: []string{reg}},
		{err: errDown},
		{err: errDown, want: []string{failed}},
		{rep: good, want: []string{recFail, recReg}},
	})
}

func TestCookieLifetimeJitterIsNoRegression(t *testing.T) {
	a := rep(func(r *result.Report) { v := int64(31536000); r.Cookies[0].MaxAge = &v })
	b := rep(func(r *result.Report) { v := int64(31536001); r.Cookies[0].MaxAge = &v })
	play(t, result.SeverityInfo, []step{{rep: a}, {rep: b}, {rep: a}})
}

func TestPayloadPerWebhook(t *testing.T) {
	evs := play(t, minLow, []step{{rep: good}, {rep: both, want: []string{reg}}})
	ev := evs[0]
	low := &Alert{Format: "json", MinSeverity: minLow, On: map[string]bool{"regression": true}}
	high := &Alert{Format: "json", MinSeverity: minHigh, On: map[string]bool{"regression": true}}
	off := &Alert{Format: "json", MinSeverity: minLow, On: map[string]bool{"scan-failed": true}}
	pl, ok := payload(ev, low, "https://shop.example/", 2, both, "http://mon:9310")
	if !ok || len(pl.NewFindings) != 2 || pl.ReportURL != "http://mon:9310/scans/2" || pl.BaselineURL != "http://mon:9310/scans/1" || pl.Grade.From != "A+" {
		t.Errorf("low webhook: %+v", pl)
	}
	ph, ok := payload(ev, high, "https://shop.example/", 2, both, "")
	if !ok || len(ph.NewFindings) != 1 || ph.NewFindings[0].Rule != "cookie-missing-secure" {
		t.Errorf("high webhook should get only the high finding: %+v", ph.NewFindings)
	}
	if _, ok := payload(ev, off, "https://shop.example/", 2, both, ""); ok {
		t.Errorf("a webhook not subscribed to regressions got one")
	}
	// Everything below a webhook's threshold: no message at all.
	evs = play(t, minLow, []step{{rep: good}, {rep: shortHSTS, want: []string{reg}}})
	if _, ok := payload(evs[0], high, "https://shop.example/", 2, shortHSTS, ""); ok {
		t.Errorf("a high webhook was told of a low regression")
	}
}

func TestJitter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for spec, want := range map[string]time.Duration{
		"@every 2s":    200 * time.Millisecond,
		"@every 6h":    30 * time.Second,
		"@every 1m":    6 * time.Second,
		"15 */6 * * *": 30 * time.Second,
		"* * * * *":    6 * time.Second,
	} {
		s, err := ParseSchedule(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := jitterFor(s, now); got != want {
			t.Errorf("jitter(%q) = %v, want %v", spec, got, want)
		}
	}
	if _, err := ParseSchedule("CRON_TZ=Europe/Berlin 0 7 * * *"); err != nil {
		t.Errorf("a time zone prefix is refused: %v", err)
	}
	for i := 0; i < 100; i++ {
		if d := randomJitter(time.Second); d < 0 || d >= time.Second {
			t.Fatalf("randomJitter out of range: %v", d)
		}
	}
}

// A lifetime that moved by seconds between two scans (Expires against the
// clock) raises nothing, not even where it crosses a severity threshold; the
// HSTS max-age capped at Chromium's year is the same policy as before.
func TestLifetimeJitterIsNoRegression(t *testing.T) {
	at := func(life int64, sev result.Severity) result.Report {
		return rep(func(r *result.Report) { r.Cookies[0].MaxAge = &life },
			func(r *result.Report) {
				r.Findings = append(r.Findings, result.Finding{Rule: "session-cookie-persistent", Severity: sev, Cookie: "sessionid",
					CookieDomain: "shop.example", CookiePath: "/", URL: "https://shop.example/"})
			})
	}
	if items := regressions(at(7*86400, result.SeverityLow), at(7*86400+1, result.SeverityMedium), result.SeverityInfo); len(items) != 0 {
		t.Errorf("regressions %+v, want none", items)
	}
	capped := rep(func(r *result.Report) { r.HSTS.MaxAge = u64(31536000) })
	if items := regressions(good, capped, result.SeverityInfo); len(items) != 0 {
		t.Errorf("regressions %+v, want none", items)
	}
}

// An acknowledged regression does not alert again when one of its problems goes
// and comes back; a problem it did not cover alerts, ends the acknowledgement,
// and from then on flapping alerts as before. The recovery is announced.
func TestAcknowledgedRegression(t *testing.T) {
	worse := rep(lostSecure, finding("cookie-missing-secure", result.SeverityHigh, "sessionid"),
		func(r *result.Report) { r.HSTS.MaxAge, r.HSTS.Raw = u64(86400), "max-age=86400" }, finding("hsts-max-age-short", result.SeverityMedium, ""),
		func(r *result.Report) { r.Redirect.UpgradedToHTTPS = false }, finding("http-no-redirect", result.SeverityHigh, ""))
	evs := play(t, minMed, []step{
		{rep: good},
		{rep: both, want: []string{reg}},
		{rep: noSecure, ack: true},          // acknowledged; HSTS repaired: quiet
		{rep: both},                         // HSTS back: acknowledged, quiet
		{rep: worse, want: []string{reg}},   // the redirect is new: alerts, ends the acknowledgement
		{rep: noSecure},                     // fewer problems: quiet
		{rep: both, want: []string{reg}},    // HSTS back, no longer acknowledged
		{rep: good, want: []string{recReg}}, // recovery announced
	})
	if got := evs[1].Items; len(got) == 0 || !strings.Contains(got[0].Key+got[len(got)-1].Key, "redirect") {
		t.Errorf("the alert after the acknowledgement is not about the redirect: %+v", got)
	}
}
