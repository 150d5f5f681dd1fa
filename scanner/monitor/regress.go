package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/monitor/alert"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// Item is one regression: a new finding or a change for the worse, with the
// identity that says whether a later scan shows the same problem.
type Item struct {
	// Key is the identity: "finding|"+diff.Key for a finding, "change|kind|subject"
	// for a change. A change's from/to values are left out on purpose, so an HSTS
	// max-age that drops further is the same open problem, not a new alert.
	Key      string          `json:"key"`
	Severity result.Severity `json:"severity"`
	Text     string          `json:"text"`
	Change   *diff.Change    `json:"change,omitempty"`
	Finding  *result.Finding `json:"finding,omitempty"`
}

// regressionKinds are the diff change kinds that count as regressions.
// cookie-lifetime is left out: a lifetime that matters shows up as a finding
// (session-cookie-persistent), and diff.Compare already treats a lifetime that
// moved by less than diff.LifetimeTolerance (Expires read against the clock)
// as unchanged, findings whose severity hangs on it included.
var regressionKinds = map[string]bool{"cookie-flag": true, "hsts": true, "redirect": true, "grade": true, "tls": true, "severity": true}

// regressions are the worse items of cur against base, at or above min.
func regressions(base, cur result.Report, min result.Severity) []Item {
	d := diff.Compare(base, cur)
	var items []Item
	for _, f := range d.New {
		f := f
		if f.Severity < min {
			continue
		}
		text := "new " + f.Severity.String() + " finding " + f.Rule
		if f.Cookie != "" {
			text += " on cookie " + f.Cookie
		}
		items = append(items, Item{Key: "finding|" + diff.Key(f), Severity: f.Severity, Text: text, Finding: &f})
	}
	var grade *diff.Change
	for _, c := range d.Changes {
		c := c
		if !c.Worse || !regressionKinds[c.Kind] {
			continue
		}
		if c.Kind == "grade" {
			grade = &c
			continue
		}
		sev := changeSeverity(c, cur)
		if sev < min {
			continue
		}
		items = append(items, Item{Key: "change|" + c.Kind + "|" + c.Subject, Severity: sev, Text: c.Text, Change: &c})
	}
	// A grade drop is as serious as what caused it; alone (only findings below
	// min changed) it is low, so minSeverity: medium does not page for it.
	if grade != nil {
		sev := result.SeverityLow
		for _, it := range items {
			sev = max(sev, it.Severity)
		}
		if sev >= min {
			items = append(items, Item{Key: "change|grade|grade", Severity: sev, Text: grade.Text, Change: grade})
		}
	}
	// Worst first, for people reading an alert or the status page.
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Severity != items[j].Severity {
			return items[i].Severity > items[j].Severity
		}
		return items[i].Key < items[j].Key
	})
	return items
}

// changeSeverity rates a change by the worst finding of the new scan about the
// same thing (the cookie, HSTS, the redirect, the certificate); with none, medium
// (high for a certificate that stopped verifying).
func changeSeverity(c diff.Change, cur result.Report) result.Severity {
	var sev result.Severity
	for _, f := range cur.Findings {
		related := false
		switch c.Kind {
		case "cookie-flag":
			related = f.Cookie == c.Subject
		case "hsts":
			related = strings.HasPrefix(f.Rule, "hsts-")
		case "redirect":
			related = strings.HasPrefix(f.Rule, "redirect-") || strings.HasPrefix(f.Rule, "http-")
		case "tls":
			related = strings.HasPrefix(f.Rule, "tls-")
		case "severity":
			related = c.Subject == f.Rule+cookieSuffix(f)
		}
		if related {
			sev = max(sev, f.Severity)
		}
	}
	if sev == 0 {
		sev = result.SeverityMedium
		if c.Kind == "tls" {
			sev = result.SeverityHigh
		}
	}
	return sev
}

func cookieSuffix(f result.Finding) string {
	if f.Cookie == "" {
		return ""
	}
	return " on " + f.Cookie
}

// fingerprint identifies a set of items by their keys.
func fingerprint(items []Item) string {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:12])
}

// storedScan is a scan read back from the store with its decoded report.
type storedScan struct {
	ID     int64
	Report result.Report
}

// evalInput is everything the alert decision reads.
type evalInput struct {
	State  store.AlertState
	ScanID int64
	Report result.Report
	Err    error
	// Prev is the last successful scan before this one; Baseline the scan the
	// open regression is measured against (nil when none is open, or when
	// retention removed it).
	Prev, Baseline      *storedScan
	Min                 result.Severity
	FailuresBeforeAlert int
	Now                 time.Time
}

// event is an alert decided by evaluate, before it is rendered per webhook.
type event struct {
	Kind          string
	RecoveredFrom string
	Items         []Item // the regression's new items, or the recovered ones
	StillOpen     []Item
	Baseline      *storedScan
	// From is the scan the grade moved from: the baseline for a regression,
	// the previous successful scan (still broken) for a recovery.
	From     *storedScan
	Error    string
	Failures int
}

// evaluate is the alert decision, a pure function of the previous state and this
// scan, so it is tested without a clock, a store or a network:
//
//   - A failed scan counts; the failuresBeforeAlert-th in a row sends scan-failed,
//     and later failures send nothing. The next good scan sends recovered, once.
//   - A good scan with no open regression is compared with the previous good
//     scan; worse items open a regression (one alert) and remember that previous
//     scan as the baseline.
//   - While a regression is open, each good scan is compared with the baseline,
//     not with its predecessor: the same problem gives the same fingerprint and no
//     alert. New problems send one more regression alert (listing what is still
//     open); fewer problems update the state quietly; none sends recovered.
//
// Failed scans never open or close a regression: a partial report would read as
// findings resolved.
func evaluate(in evalInput) (store.AlertState, []event) {
	st := in.State
	var evs []event
	if _, _, ok := in.Report.Graded(); in.Err == nil && !ok {
		// A report of a target that was not reached is a failure, whatever
		// the caller said: its empty findings would read as all resolved.
		in.Err = errors.New("not scanned: " + in.Report.NotScanned)
	}
	if in.Err != nil {
		st.Failures++
		if st.Failures >= in.FailuresBeforeAlert && !st.FailureAlerted {
			st.FailureAlerted = true
			evs = append(evs, event{Kind: alert.KindScanFailed, Error: in.Err.Error(), Failures: st.Failures})
		}
		return st, evs
	}
	if st.FailureAlerted {
		evs = append(evs, event{Kind: alert.KindRecovered, RecoveredFrom: alert.KindScanFailed})
	}
	st.Failures, st.FailureAlerted = 0, false

	if st.Open() {
		base := in.Baseline
		if base == nil {
			base = in.Prev
		}
		var open []Item
		_ = json.Unmarshal(st.Items, &open)
		var items []Item
		if base != nil {
			items = regressions(base.Report, in.Report, in.Min)
		}
		switch fp := fingerprint(items); {
		case len(items) == 0:
			from := in.Prev
			if from == nil {
				from = base
			}
			evs = append(evs, event{Kind: alert.KindRecovered, RecoveredFrom: alert.KindRegression, Items: open, Baseline: base, From: from})
			st = closeRegression(st)
		case fp != st.Fingerprint:
			openKeys := map[string]bool{}
			for _, it := range open {
				openKeys[it.Key] = true
			}
			// An acknowledged problem that went and came back is known: it
			// does not alert again (monitor ack).
			var acked []string
			_ = json.Unmarshal(st.Acked, &acked)
			for _, k := range acked {
				openKeys[k] = true
			}
			var added, still []Item
			for _, it := range items {
				if openKeys[it.Key] {
					still = append(still, it)
				} else {
					added = append(added, it)
				}
			}
			if len(added) > 0 {
				evs = append(evs, event{Kind: alert.KindRegression, Items: added, StillOpen: still, Baseline: base, From: base})
				// Something new: the acknowledgement covered what was, not this.
				st.Acked, st.AckedAt = []byte("[]"), time.Time{}
			}
			st.Fingerprint = fp
			st.Items, _ = json.Marshal(items)
		}
		return st, evs
	}
	if in.Prev == nil {
		return st, evs // the first good scan: nothing to compare with
	}
	if items := regressions(in.Prev.Report, in.Report, in.Min); len(items) > 0 {
		st.BaselineScan = in.Prev.ID
		st.Fingerprint = fingerprint(items)
		st.Items, _ = json.Marshal(items)
		st.OpenedScan, st.OpenedAt = in.ScanID, in.Now
		evs = append(evs, event{Kind: alert.KindRegression, Items: items, Baseline: in.Prev, From: in.Prev})
	}
	return st, evs
}

func closeRegression(st store.AlertState) store.AlertState {
	st.BaselineScan, st.Fingerprint, st.Items = 0, "", []byte("[]")
	st.OpenedScan, st.OpenedAt = 0, time.Time{}
	st.Acked, st.AckedAt = []byte("[]"), time.Time{}
	return st
}

// OpenItems decodes a state's open regression items (for the status page).
func OpenItems(st store.AlertState) []Item {
	var items []Item
	_ = json.Unmarshal(st.Items, &items)
	return items
}

// payload renders an event for one webhook, keeping only the items at or above
// its minSeverity; ok is false when nothing is left for it.
func payload(ev event, a *Alert, target string, scanID int64, rep result.Report, baseURL string) (alert.Event, bool) {
	if !a.On[ev.Kind] {
		return alert.Event{}, false
	}
	// A scan that did not reach the target has no grade: "" and 0, never the
	// grade of an empty report.
	score, grade, _ := rep.Graded()
	e := alert.Event{Kind: ev.Kind, Target: target, ScanID: scanID, ScannedAt: rep.StartedAt,
		RecoveredFrom: ev.RecoveredFrom, Error: ev.Error, Failures: ev.Failures,
		Grade: alert.Transition[string]{To: grade}, Score: alert.Transition[int]{To: score}}
	if baseURL != "" {
		e.ReportURL = baseURL + "/scans/" + itoa(scanID)
	}
	if ev.From != nil {
		e.Score.From, e.Grade.From, _ = ev.From.Report.Graded()
	}
	if ev.Baseline != nil {
		e.BaselineScanID = ev.Baseline.ID
		if baseURL != "" {
			e.BaselineURL = baseURL + "/scans/" + itoa(ev.Baseline.ID)
		}
	}
	if ev.Kind == alert.KindScanFailed || ev.RecoveredFrom == alert.KindScanFailed {
		e.Summary = alert.Summary(e.Normalized())
		return e, true
	}
	kept := 0
	for _, it := range ev.Items {
		if it.Severity < a.MinSeverity {
			continue
		}
		kept++
		if it.Finding != nil {
			e.NewFindings = append(e.NewFindings, alert.FindingOf(*it.Finding))
		}
		if it.Change != nil {
			e.Changes = append(e.Changes, *it.Change)
		}
	}
	if kept == 0 {
		// Below this webhook's threshold: it was never told, so it is not told
		// of the recovery either.
		return alert.Event{}, false
	}
	for _, it := range ev.StillOpen {
		if it.Severity >= a.MinSeverity {
			e.StillOpen = append(e.StillOpen, it.Text)
		}
	}
	e.Summary = alert.Summary(e.Normalized())
	return e, true
}
