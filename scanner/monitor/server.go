package monitor

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

//go:embed status.html
var statusHTML string

var statusTmpl = template.Must(template.New("status").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"ms":         func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"gradeClass": gradeClass,
	// The grade colours of every report (vocab), ours not site data.
	"gradeCSS": func() template.CSS { return template.CSS(vocab.GradeCSS(".grade-")) },
}).Parse(statusHTML))

// statusCSP allows nothing but the page's own inline styles: no scripts, no
// requests. The page shows URLs and error messages that came from scanned sites.
const statusCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves /, /healthz, /metrics and /scans/ID (ID.json for the raw report).
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", m.serveStatus)
	mux.HandleFunc("GET /healthz", m.serveHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.metrics.reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{m}}))
	mux.HandleFunc("GET /scans/{id}", m.serveScan)
	return m.requireAuth(mux)
}

type slogPrinter struct{ m *Monitor }

func (p slogPrinter) Println(v ...any) { p.m.log.Error("metrics: " + fmt.Sprint(v...)) }

// serveHealth answers 200 while the scheduler runs and the store answers a
// query and takes writes (the last write succeeded, the file is the one opened).
func (m *Monitor) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !m.running.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "scheduler not running")
		return
	}
	// The specific problem first: a removed file also fails the ping.
	if err := m.storeProblem(); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "store cannot record scans:", err)
		return
	}
	if err := m.store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "store not answering:", err)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (m *Monitor) serveScan(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	asJSON := strings.HasSuffix(raw, ".json")
	id, err := strconv.ParseInt(strings.TrimSuffix(raw, ".json"), 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, "scan IDs are numbers, as in /scans/42", http.StatusNotFound)
		return
	}
	_, body, err := m.store.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, fmt.Sprintf("scan %d is not in the store (retention may have removed it)", id), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, "store: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if asJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body)
		return
	}
	var rep result.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		http.Error(w, "stored report is unreadable: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	ct, err := m.opts.Render(&buf, pageOf(rep, id))
	if err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(buf.Bytes())
}

// PageLimit is how many findings, cookies, pages, errors and Set-Cookie lines
// per hop /scans/ID shows; the rest are in /scans/ID.json. A report of a
// hostile site (or one stored before the scan's own caps) then renders in
// bounded time and size.
const PageLimit = 200

// pageOf cuts rep down to PageLimit of each list, worst findings first (the
// scanner sorts them so), and says so in an errors[] entry that names the
// whole report.
func pageOf(rep result.Report, id int64) result.Report {
	var cut []string
	keep := func(n int, what string) int {
		if n <= PageLimit {
			return n
		}
		cut = append(cut, fmt.Sprintf("%d of %d %s", PageLimit, n, what))
		return PageLimit
	}
	rep.Findings = rep.Findings[:keep(len(rep.Findings), "findings")]
	rep.Cookies = rep.Cookies[:keep(len(rep.Cookies), "cookies")]
	rep.Pages = rep.Pages[:keep(len(rep.Pages), "pages")]
	for _, ch := range []*result.Redirect{&rep.Redirect, &rep.HTTPS} {
		hops := append([]result.Hop(nil), ch.Hops...) // not the slice json filled for rep
		for i := range hops {
			hops[i].SetCookies = hops[i].SetCookies[:keep(len(hops[i].SetCookies), "Set-Cookie lines of "+hops[i].URL)]
		}
		ch.Hops = hops
	}
	rep.Errors = rep.Errors[:keep(len(rep.Errors), "errors")]
	if len(cut) > 0 {
		whole := fmt.Sprintf("/scans/%d.json", id)
		rep.Errors = append(rep.Errors[:len(rep.Errors):len(rep.Errors)], result.ScanError{Stage: result.StageLimit, URL: whole,
			Message: "this page shows the first " + strings.Join(cut, ", ") + "; the whole report is " + whole})
	}
	return rep
}

// openShown is how many open regression items a target's row lists.
const openShown = 20

// statusData is what the status page shows.
type statusData struct {
	Generated time.Time
	Version   string
	Running   bool
	Targets   []statusTarget
	Pending   int
}

type statusTarget struct {
	URL       string
	Schedule  string
	Last      *store.Scan
	LastOK    *store.Scan
	Trend     []trendPoint // oldest first
	SparkLine string       // SVG polyline points of the scores
	Open      []Item
	MoreOpen  int // items beyond openShown
	OpenedAt  time.Time
	Baseline  int64
	Failures  int
}

type trendPoint struct {
	ID         int64
	Grade      string
	Score      int
	OK         bool
	NotScanned bool // the target was not reached: no grade, no score
	Time       time.Time
	Class      string
}

// trendLen is how many recent scans the trend shows.
const trendLen = 10

func (m *Monitor) statusData(ctx context.Context) (statusData, error) {
	d := statusData{Generated: m.opts.Now(), Version: m.opts.Version, Running: m.running.Load()}
	states, err := m.store.AlertStates(ctx)
	if err != nil {
		return d, err
	}
	d.Pending, _ = m.store.Pending(ctx)
	for _, t := range m.cfg.Targets {
		target := t.URL.String()
		st := statusTarget{URL: target, Schedule: t.Schedule}
		h, err := m.store.History(ctx, target, trendLen)
		if err != nil {
			return d, err
		}
		if len(h) > 0 {
			st.Last = &h[0]
		}
		for i := len(h) - 1; i >= 0; i-- {
			sc := h[i]
			p := trendPoint{ID: sc.ID, Grade: sc.Grade, Score: sc.Score, OK: sc.OK, NotScanned: sc.Grade == "",
				Time: sc.StartedAt, Class: gradeClass(sc.Grade)}
			if !sc.OK {
				p.Grade, p.Class = "×", "fail"
			}
			st.Trend = append(st.Trend, p)
		}
		for i := range h {
			if h[i].OK {
				st.LastOK = &h[i]
				break
			}
		}
		st.SparkLine = sparkline(st.Trend)
		if a, ok := states[target]; ok {
			st.Failures = a.Failures
			if a.Open() {
				st.Open, st.OpenedAt, st.Baseline = OpenItems(a), a.OpenedAt, a.BaselineScan
				if len(st.Open) > openShown {
					st.Open, st.MoreOpen = st.Open[:openShown], len(st.Open)-openShown
				}
			}
		}
		d.Targets = append(d.Targets, st)
	}
	return d, nil
}

// sparkline maps successful scores onto a 190×20 box, one point above each grade
// box of the row below (19 px apart); failed scans are gaps, not zeros.
func sparkline(ps []trendPoint) string {
	var b strings.Builder
	for i, p := range ps {
		if !p.OK {
			continue
		}
		x := 8 + i*19
		y := 2 + (100-p.Score)*16/100
		fmt.Fprintf(&b, "%d,%d ", x, y)
	}
	return strings.TrimSpace(b.String())
}

// gradeClass colours a grade as every report does: A+, A and A- alike.
func gradeClass(g string) string { return "grade-" + vocab.GradeBand(g) }

func (m *Monitor) serveStatus(w http.ResponseWriter, r *http.Request) {
	d, err := m.statusData(r.Context())
	if err != nil {
		http.Error(w, "store: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	var buf bytes.Buffer
	if err := statusTmpl.Execute(&buf, d); err != nil {
		http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", statusCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Write(buf.Bytes())
}
