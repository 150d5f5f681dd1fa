package monitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// A target that sets 60,000 cookies is stored as a bounded row, and its
// status page and report page stay small.
func TestCookieFloodStoredBounded(t *testing.T) {
	site := startSite(t, "cookie-flood")
	cfg := writeConfig(t, fmt.Sprintf("store: s.db\nlisten: \"off\"\ntargets:\n%s", siteTarget(site, "@daily", "")))
	cfg.Targets[0].Timeout = 30 * time.Second // the flood is 1.7 MB of header
	m, err := monitor.New(context.Background(), cfg, monitor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := m.RunOnce(context.Background()); err != nil || sum.Scans != 1 {
		t.Fatalf("RunOnce: %+v %v", sum, err)
	}
	st, err := monitorStore(cfg.Store)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := st.IDs(context.Background())
	if err != nil || len(ids) != 1 {
		t.Fatalf("stored scans %v %v", ids, err)
	}
	_, row, err := st.Get(context.Background(), ids[0])
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(row) > 1<<20 {
		t.Errorf("stored report is %d bytes, want under 1 MiB", len(row))
	}

	m, err = monitor.New(context.Background(), cfg, monitor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	for _, path := range []string{"/", fmt.Sprintf("/scans/%d", ids[0])} {
		code, body, _ := get(t, srv.URL+path)
		if code != 200 || len(body) > 1<<20 {
			t.Errorf("GET %s: %d, %d bytes; want 200 and under 1 MiB", path, code, len(body))
		}
	}
}

// A stored report larger than a page (stored before the scan's caps, or by a
// crawl of many pages) is shown a page at a time, worst findings first, with
// a note naming the whole report; the JSON stays whole. The status page lists
// a bounded number of open regression items.
func TestScanPagePaged(t *testing.T) {
	cfg := writeConfig(t, "store: s.db\nlisten: \"off\"\ntargets:\n  - url: https://big.example/\n    schedule: \"@daily\"\n")
	rep := result.New("https://big.example/", time.Now().UTC(), "test")
	for i := range 5000 {
		rep.Findings = append(rep.Findings, result.Finding{Rule: "cookie-missing-httponly", Severity: result.SeverityInfo,
			Cookie: fmt.Sprint("c", i), URL: "https://big.example/", URLs: []string{"https://big.example/"}})
		rep.Cookies = append(rep.Cookies, result.Cookie{Name: fmt.Sprint("c", i), URL: "https://big.example/", BlockedReasons: []string{}})
	}
	rep.Findings[0].Severity = result.SeverityHigh
	body, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	items := make([]monitor.Item, 100)
	for i := range items {
		items[i] = monitor.Item{Key: fmt.Sprint("finding|", i), Severity: result.SeverityHigh, Text: fmt.Sprint("new high finding number ", i)}
	}
	itemsJSON, _ := json.Marshal(items)
	st, err := store.Open(context.Background(), cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.SaveScan(context.Background(), store.Scan{Target: rep.Target, StartedAt: rep.StartedAt, OK: true, Grade: "B", Score: 80},
		body, func(tx *store.Tx, id int64) error {
			return tx.PutAlertState(store.AlertState{Target: rep.Target, BaselineScan: id, OpenedScan: id, OpenedAt: time.Now(),
				Fingerprint: "x", Items: itemsJSON})
		})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	var shown result.Report
	m, err := monitor.New(context.Background(), cfg, monitor.Options{Render: func(w io.Writer, r result.Report) (string, error) {
		shown = r
		return "text/plain", nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	if code, _, _ := get(t, fmt.Sprintf("%s/scans/%d", srv.URL, id)); code != 200 {
		t.Fatalf("GET /scans/%d: %d", id, code)
	}
	if len(shown.Findings) != monitor.PageLimit || len(shown.Cookies) != monitor.PageLimit || shown.Findings[0].Severity != result.SeverityHigh {
		t.Errorf("page shows %d findings (first %s) and %d cookies; want the first %d of each",
			len(shown.Findings), shown.Findings[0].Severity, len(shown.Cookies), monitor.PageLimit)
	}
	note := ""
	for _, e := range shown.Errors {
		if e.Stage == result.StageLimit {
			note = e.URL + " " + e.Message
		}
	}
	for _, w := range []string{fmt.Sprintf("/scans/%d.json", id), "200 of 5000 findings", "200 of 5000 cookies"} {
		if !strings.Contains(note, w) {
			t.Errorf("page note %q lacks %q", note, w)
		}
	}
	_, whole, _ := get(t, fmt.Sprintf("%s/scans/%d.json", srv.URL, id))
	var got result.Report
	if err := json.Unmarshal([]byte(whole), &got); err != nil || len(got.Findings) != 5000 {
		t.Errorf("/scans/%d.json: %d findings (%v), want all 5000", id, len(got.Findings), err)
	}

	_, status, _ := get(t, srv.URL+"/")
	if n := strings.Count(status, "new high finding number"); n > 20 || !strings.Contains(status, "and 80 more") {
		t.Errorf("status page lists %d open items; want at most 20 and \"and 80 more\"", n)
	}
}
