package monitor

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// metrics are the monitor's Prometheus series, on a registry of its own so
// nothing else in the process (or a library's init) adds series to /metrics.
type metrics struct {
	reg            *prometheus.Registry
	score          *prometheus.GaugeVec
	findings       *prometheus.GaugeVec
	lastScan       *prometheus.GaugeVec
	lastDuration   *prometheus.GaugeVec
	lastSuccess    *prometheus.GaugeVec
	openRegression *prometheus.GaugeVec
	scans          *prometheus.CounterVec
	failures       *prometheus.CounterVec
	alertsSent     *prometheus.CounterVec
	alertsFailed   *prometheus.CounterVec
	outbox         prometheus.Gauge
	storeErrors    prometheus.Counter
	storeWritable  prometheus.Gauge
	m              *Monitor
}

func newMetrics(m *Monitor) *metrics {
	const ns = "cookiescan"
	x := &metrics{reg: prometheus.NewRegistry(), m: m}
	x.score = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "target_score",
		Help: "Score (0-100) of the target's last successful scan; the grade follows from it (A >= 90)."}, []string{"target"})
	x.findings = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "target_findings",
		Help: "Findings of the target's last successful scan, by severity."}, []string{"target", "severity"})
	x.lastScan = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "target_last_scan_timestamp_seconds",
		Help: "Unix time the target's last scan (successful or not) started."}, []string{"target"})
	x.lastDuration = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "target_last_scan_duration_seconds",
		Help: "How long the target's last scan took."}, []string{"target"})
	x.lastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "target_last_scan_success",
		Help: "1 when the target's last scan ran to the end, 0 when it failed."}, []string{"target"})
	x.openRegression = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "target_regression_open",
		Help: "1 while a regression alert is open for the target (until a scan no longer shows it)."}, []string{"target"})
	x.scans = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "scans_total",
		Help: "Scans run by this process, by target and result (ok, failed)."}, []string{"target", "result"})
	x.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "scan_failures_total",
		Help: "Scans that could not run (target unreachable, browser failed, time limit)."}, []string{"target"})
	x.alertsSent = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "alerts_sent_total",
		Help: "Alerts delivered to a webhook, by kind."}, []string{"kind"})
	x.alertsFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "alerts_failed_total",
		Help: "Alert deliveries that failed after retries (the alert stays in the outbox), by kind."}, []string{"kind"})
	x.outbox = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "alerts_pending",
		Help: "Alerts in the outbox waiting for delivery."})
	x.storeErrors = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "store_errors_total",
		Help: "Store writes that failed (a scan or an outbox update not recorded), and store files found removed or replaced."})
	x.storeWritable = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "store_writable",
		Help: "1 while the store records scans; 0 from a failed write or a removed or replaced file until a write succeeds."})
	x.storeWritable.Set(1) // New opened and migrated it
	// Every series carries the replica it comes from: replicas of one fleet
	// scrape as separate instances, and a dashboard sums or picks them.
	reg := prometheus.WrapRegistererWith(prometheus.Labels{"replica": m.replica}, x.reg)
	reg.MustRegister(x.score, x.findings, x.lastScan, x.lastDuration, x.lastSuccess, x.openRegression,
		x.scans, x.failures, x.alertsSent, x.alertsFailed, x.outbox, x.storeErrors, x.storeWritable,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, k := range alertKinds {
		// Present from the start, so rate() works before the first alert.
		x.alertsSent.WithLabelValues(k)
		x.alertsFailed.WithLabelValues(k)
	}
	return x
}

// load fills the gauges from the store, so a restart does not blank the
// dashboards until every target has been scanned again.
func (x *metrics) load(ctx context.Context) error {
	states, err := x.m.store.AlertStates(ctx)
	if err != nil {
		return err
	}
	for _, t := range x.m.cfg.Targets {
		target := t.URL.String()
		x.failures.WithLabelValues(target)
		x.openRegression.WithLabelValues(target).Set(b2f(states[target].Open()))
		h, err := x.m.store.History(ctx, target, 50)
		if err != nil {
			return err
		}
		if len(h) == 0 {
			continue
		}
		last := h[0]
		x.lastScan.WithLabelValues(target).Set(float64(last.StartedAt.UnixMilli()) / 1000)
		x.lastDuration.WithLabelValues(target).Set(last.Duration.Seconds())
		x.lastSuccess.WithLabelValues(target).Set(b2f(last.OK))
		for _, sc := range h {
			if sc.OK {
				x.score.WithLabelValues(target).Set(float64(sc.Score))
				c := sc.Counts
				for sev, n := range map[result.Severity]int{result.SeverityCritical: c.Critical, result.SeverityHigh: c.High,
					result.SeverityMedium: c.Medium, result.SeverityLow: c.Low, result.SeverityInfo: c.Info} {
					x.findings.WithLabelValues(target, sev.String()).Set(float64(n))
				}
				break
			}
		}
	}
	if n, err := x.m.store.Pending(ctx); err == nil {
		x.outbox.Set(float64(n))
	}
	return nil
}

// observe records one committed scan.
func (x *metrics) observe(t *Target, rep result.Report, scanErr error, dur time.Duration) {
	target := t.URL.String()
	x.lastScan.WithLabelValues(target).Set(float64(rep.StartedAt.UnixMilli()) / 1000)
	x.lastDuration.WithLabelValues(target).Set(dur.Seconds())
	if scanErr != nil {
		x.lastSuccess.WithLabelValues(target).Set(0)
		x.failures.WithLabelValues(target).Inc()
		x.scans.WithLabelValues(target, "failed").Inc()
	} else {
		x.lastSuccess.WithLabelValues(target).Set(1)
		x.scans.WithLabelValues(target, "ok").Inc()
		if score, _, ok := rep.Graded(); ok {
			x.score.WithLabelValues(target).Set(float64(score))
		}
		c := countsOf(rep.Findings)
		for sev, n := range map[result.Severity]int{result.SeverityCritical: c.Critical, result.SeverityHigh: c.High,
			result.SeverityMedium: c.Medium, result.SeverityLow: c.Low, result.SeverityInfo: c.Info} {
			x.findings.WithLabelValues(target, sev.String()).Set(float64(n))
		}
	}
	if st, err := x.m.store.AlertStateOf(context.Background(), target); err == nil {
		x.openRegression.WithLabelValues(target).Set(b2f(st.Open()))
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
