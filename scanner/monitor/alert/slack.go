package alert

import (
	"fmt"
	"strings"
)

// Slack's limits: a header's text and a section's text.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
)

type slackText struct {
	Type string `json:"type"` // plain_text | mrkdwn
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

// slackPayload is what Slack incoming webhooks (and Mattermost, Rocket.Chat) take:
// text is the notification fallback, blocks the message.
type slackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

// slackEscape escapes the three characters mrkdwn treats as control characters.
// Cookie names, header values and URLs come from the scanned site: hostile text.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func slackMessage(e Event) slackPayload {
	title := map[string]string{
		KindRegression:  "Regression",
		KindScanFailed:  "Scan failing",
		KindRecovered:   "Recovered",
		KindStoreFailed: "Store failing",
	}[e.Kind]
	subject := e.Target
	if subject == "" {
		subject = "store " + e.Store
	}
	var body strings.Builder
	switch {
	case e.Kind == KindScanFailed:
		fmt.Fprintf(&body, "*%d* scans in a row failed.\n```%s```", e.Failures, slackEscape(truncate(e.Error, 1500)))
	case e.Kind == KindStoreFailed:
		fmt.Fprintf(&body, "Scans are not recorded, nor alerts about them queued.\n```%s```", slackEscape(truncate(e.Error, 1500)))
	case e.RecoveredFrom == KindStoreFailed:
		body.WriteString("Scans are recorded again; the ones in between were not.")
	default:
		if e.Grade.From != "" || e.Grade.To != "" {
			fmt.Fprintf(&body, "*Grade* %s → %s (score %d → %d)\n", slackEscape(e.Grade.From), slackEscape(e.Grade.To), e.Score.From, e.Score.To)
		}
		if e.Kind == KindRecovered && (len(e.Changes) > 0 || len(e.NewFindings) > 0) {
			body.WriteString("_No longer seen:_\n")
		}
		for _, c := range e.Changes {
			body.WriteString("• " + slackEscape(c.Text) + "\n")
		}
		for _, f := range e.NewFindings {
			line := fmt.Sprintf("• *%s* `%s`", f.Severity, slackEscape(f.Rule))
			if f.Cookie != "" {
				line += " on `" + slackEscape(f.Cookie) + "`"
			}
			if f.Title != "" {
				line += ": " + slackEscape(f.Title)
			}
			if e.Kind == KindRegression {
				if fix := f.Fix.Fix; fix != "" {
					line += "\n    fix: `" + slackEscape(fix) + "`"
				} else if f.Fix.Generic != "" {
					line += "\n    fix: " + slackEscape(f.Fix.Generic)
				}
			}
			body.WriteString(line + "\n")
		}
		if len(e.StillOpen) > 0 {
			body.WriteString("_Still open:_ " + slackEscape(strings.Join(e.StillOpen, "; ")) + "\n")
		}
	}
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(title+": "+subject, slackHeaderMax)}},
	}
	if s := strings.TrimSpace(body.String()); s != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: truncate(s, slackSectionMax)}})
	}
	ctx := fmt.Sprintf("scan #%d at %s · cookiescan monitor", e.ScanID, e.ScannedAt.UTC().Format("2006-01-02 15:04 UTC"))
	if e.ScanID == 0 { // a store alert: no scan was recorded
		ctx = fmt.Sprintf("at %s · cookiescan monitor", e.ScannedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if e.ReportURL != "" {
		ctx = fmt.Sprintf("<%s|Stored report #%d> · %s", e.ReportURL, e.ScanID, ctx)
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: ctx}}})
	// text is the notification and the fallback; Slack parses it as mrkdwn too.
	return slackPayload{Text: slackEscape(e.Summary), Blocks: blocks}
}
