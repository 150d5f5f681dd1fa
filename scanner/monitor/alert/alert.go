// Package alert renders the monitor's alerts and delivers them to webhooks: a
// documented generic JSON payload (Event) and a Slack-compatible one, posted with
// retries and backoff. It knows nothing of schedules or storage; the monitor
// decides what to say and keeps undelivered alerts in its outbox.
package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// Kinds of alert.
const (
	KindRegression = "regression"
	KindScanFailed = "scan-failed"
	KindRecovered  = "recovered"
	// KindStoreFailed: the monitor cannot record scans in its store. It is
	// posted directly, never through the store's outbox.
	KindStoreFailed = "store-failed"
)

// PayloadVersion is bumped when a field of Event is removed or renamed.
const PayloadVersion = "1"

// Event is the generic JSON payload (format: json). the README (Monitoring) documents it;
// receivers read these fields, so they are only ever added to.
type Event struct {
	Version   string    `json:"version"`
	Kind      string    `json:"kind"` // regression | scan-failed | recovered | store-failed
	Target    string    `json:"target"`
	Summary   string    `json:"summary"` // one line for a human
	ScanID    int64     `json:"scanId"`
	ScannedAt time.Time `json:"scannedAt"`
	// Grade and Score run, for a regression, from the baseline (the last good
	// scan before it) to this scan; for a recovery, from the previous scan (still
	// broken) to this one.
	Grade Transition[string] `json:"grade"`
	Score Transition[int]    `json:"score"`
	// Changes are the diff's changes (a cookie that lost a flag, HSTS lowered,
	// the redirect gone, a grade drop): for a regression the ones that got worse,
	// for a recovery the ones that were open and are now gone.
	Changes []diff.Change `json:"changes"`
	// NewFindings are findings the baseline did not have, with their fixes (for a
	// recovery: the findings that were open and are now resolved).
	NewFindings []Finding `json:"newFindings"`
	// StillOpen lists, for a second regression while one is open, the problems
	// already alerted that remain.
	StillOpen []string `json:"stillOpen"`
	// RecoveredFrom is "regression", "scan-failed" or "store-failed" for kind
	// recovered.
	RecoveredFrom string `json:"recoveredFrom,omitempty"`
	// Store is the history file, for store-failed and its recovery (which have
	// no target).
	Store string `json:"store,omitempty"`
	// Error and Failures describe a scan-failed alert; Error a store-failed one.
	Error    string `json:"error,omitempty"`
	Failures int    `json:"failures,omitempty"`
	// ReportURL links the stored report of this scan; BaselineURL the report it
	// was compared with.
	ReportURL      string `json:"reportUrl"`
	BaselineScanID int64  `json:"baselineScanId,omitempty"`
	BaselineURL    string `json:"baselineUrl,omitempty"`
	// IdempotencyKey is the same on every delivery of this alert (also sent as
	// the Idempotency-Key header): delivery is at-least-once, so a receiver
	// that must not act twice drops a key it has seen.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Transition is a value before and after.
type Transition[T any] struct {
	From T `json:"from"`
	To   T `json:"to"`
}

// Finding is a finding as an alert shows it: what, where, and the fix.
type Finding struct {
	Rule     string             `json:"rule"`
	Severity string             `json:"severity"`
	Title    string             `json:"title"`
	Cookie   string             `json:"cookie,omitempty"`
	URL      string             `json:"url"`
	Evidence string             `json:"evidence"`
	Fix      result.Remediation `json:"fix"`
}

// FindingOf trims a report finding to what an alert needs.
func FindingOf(f result.Finding) Finding {
	return Finding{Rule: f.Rule, Severity: f.Severity.String(), Title: f.Title, Cookie: f.Cookie,
		URL: f.URL, Evidence: f.Evidence, Fix: f.Remediation}
}

// Normalized returns the event with every list non-nil ("[]" in JSON, as in the
// report contract).
func (e Event) Normalized() Event {
	e.Version = PayloadVersion
	if e.Changes == nil {
		e.Changes = []diff.Change{}
	}
	if e.NewFindings == nil {
		e.NewFindings = []Finding{}
	}
	if e.StillOpen == nil {
		e.StillOpen = []string{}
	}
	return e
}

// Formats of Render.
const (
	FormatJSON  = "json"
	FormatSlack = "slack"
)

// Render encodes the event for a webhook of the given format.
func Render(e Event, format string) (contentType string, body []byte, err error) {
	e = e.Normalized()
	switch format {
	case FormatJSON, "":
		body, err = json.Marshal(e)
	case FormatSlack:
		body, err = json.Marshal(slackMessage(e))
	default:
		return "", nil, fmt.Errorf("unknown alert format %q", format)
	}
	return "application/json", body, err
}

// Lines are the human lines of an event: one per change or finding.
func Lines(e Event) []string {
	var out []string
	for _, c := range e.Changes {
		out = append(out, c.Text)
	}
	for _, f := range e.NewFindings {
		l := fmt.Sprintf("[%s] %s", f.Severity, f.Rule)
		if f.Cookie != "" {
			l += " on cookie " + f.Cookie
		}
		if f.Title != "" {
			l += ": " + f.Title
		}
		out = append(out, l)
	}
	return out
}

// Summary is the one-line description the event carries.
func Summary(e Event) string {
	switch e.Kind {
	case KindScanFailed:
		return fmt.Sprintf("cookiescan: %s could not be scanned %d times in a row: %s", e.Target, e.Failures, firstLine(e.Error))
	case KindStoreFailed:
		return fmt.Sprintf("cookiescan: the monitor cannot record scans in its store %s: %s", e.Store, firstLine(e.Error))
	case KindRecovered:
		if e.RecoveredFrom == KindStoreFailed {
			return fmt.Sprintf("cookiescan: the monitor records scans in its store %s again (scans in between were not recorded)", e.Store)
		}
		if e.RecoveredFrom == KindScanFailed {
			return fmt.Sprintf("cookiescan: %s can be scanned again (grade %s)", e.Target, e.Grade.To)
		}
		return fmt.Sprintf("cookiescan: %s recovered (grade %s → %s); gone: %s", e.Target, e.Grade.From, e.Grade.To, joinShort(Lines(e)))
	}
	return fmt.Sprintf("cookiescan: regression on %s: %s (grade %s → %s)", e.Target, joinShort(Lines(e)), e.Grade.From, e.Grade.To)
}

func joinShort(lines []string) string {
	const max = 3
	if len(lines) <= max {
		return strings.Join(lines, "; ")
	}
	return strings.Join(lines[:max], "; ") + fmt.Sprintf("; and %d more", len(lines)-max)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
