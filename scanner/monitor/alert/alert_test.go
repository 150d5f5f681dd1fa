package alert

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/result"
)

func sample() Event {
	e := Event{Kind: KindRegression, Target: "https://shop.example/", ScanID: 42,
		ScannedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Grade:     Transition[string]{"A", "C"}, Score: Transition[int]{95, 60},
		Changes: []diff.Change{{Kind: "cookie-flag", Worse: true, Subject: "sessionid", From: "set", To: "unset", Text: "cookie sessionid lost Secure"}},
		NewFindings: []Finding{{Rule: "cookie-missing-secure", Severity: "high", Title: "Cookie without Secure", Cookie: "<b>sessionid</b>",
			Fix: result.Remediation{Generic: "Add Secure.", Framework: "django", Fix: "SESSION_COOKIE_SECURE = True"}}},
		ReportURL: "http://mon:9310/scans/42"}
	e.Summary = Summary(e)
	return e
}

func TestRenderJSON(t *testing.T) {
	ct, body, err := Render(sample(), FormatJSON)
	if err != nil || ct != "application/json" {
		t.Fatal(ct, err)
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	for _, k := range []string{"version", "kind", "target", "summary", "scanId", "scannedAt", "grade", "score", "changes", "newFindings", "stillOpen", "reportUrl"} {
		if _, ok := m[k]; !ok {
			t.Errorf("payload lacks %q: %s", k, body)
		}
	}
	if !strings.Contains(string(body), `"stillOpen":[]`) {
		t.Errorf("empty lists must be [] not null: %s", body)
	}
	if !strings.Contains(m["summary"].(string), "cookie sessionid lost Secure") {
		t.Errorf("summary: %v", m["summary"])
	}
}

func TestRenderSlack(t *testing.T) {
	_, body, err := Render(sample(), FormatSlack)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type, Text string
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Text == "" || len(p.Blocks) != 3 || p.Blocks[0].Type != "header" {
		t.Fatalf("not a Slack message: %v %s", err, body)
	}
	sec := p.Blocks[1].Text.Text
	if !strings.Contains(sec, "&lt;b&gt;sessionid&lt;/b&gt;") || strings.Contains(sec, "<b>") {
		t.Errorf("site text not escaped for mrkdwn: %s", sec)
	}
	if !strings.Contains(sec, "SESSION_COOKIE_SECURE = True") {
		t.Errorf("the fix is missing: %s", sec)
	}
	if _, _, err := Render(sample(), "xml"); err == nil {
		t.Errorf("unknown format accepted")
	}
}

func TestSendRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Authorization") != "Bearer t" {
			t.Errorf("headers: %v", r.Header)
		}
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s := Sender{Tries: 3, Backoff: time.Millisecond}
	if err := s.Send(context.Background(), srv.URL, "application/json", []byte("{}"), map[string]string{"Authorization": "Bearer t"}); err != nil {
		t.Fatalf("third try should succeed: %v", err)
	}
	calls.Store(-10)
	err := s.Send(context.Background(), srv.URL, "application/json", []byte("{}"), map[string]string{"Authorization": "Bearer t"})
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v", err)
	}
}

func TestSendDoesNotRetryClientErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer srv.Close()
	err := Sender{Tries: 3, Backoff: time.Millisecond}.Send(context.Background(), srv.URL, "application/json", nil, nil)
	if err == nil || calls.Load() != 1 || !strings.Contains(err.Error(), "no such hook") {
		t.Fatalf("err = %v after %d calls", err, calls.Load())
	}
}

func TestSendHidesTheWebhookPath(t *testing.T) {
	err := Sender{Tries: 1}.Send(context.Background(), "http://127.0.0.1:1/T000/SECRET", "application/json", nil, nil)
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("err = %v", err)
	}
}

// A store alert has no target: the Slack header names the store instead of
// an empty target, and the context no scan #0.
func TestRenderSlackStoreFailed(t *testing.T) {
	e := Event{Kind: KindStoreFailed, Store: "/var/lib/cookiescan/c.db", Error: "database or disk is full (13)",
		ScannedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	e.Summary = Summary(e)
	_, body, err := Render(e, FormatSlack)
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, want := range []string{"Store failing: store /var/lib/cookiescan/c.db", "disk is full", "cannot record scans"} {
		if !strings.Contains(s, want) {
			t.Errorf("slack store-failed lacks %q: %s", want, s)
		}
	}
	if strings.Contains(s, "scan #0") {
		t.Errorf("slack store-failed names scan #0: %s", s)
	}
}
