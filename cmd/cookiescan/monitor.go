package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/report"
	"github.com/cookiescan/cookiescan/report/termsafe"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// monitorOptions holds the monitor command's flags and seams.
type monitorOptions struct {
	IO *ioStreams

	Config           string
	Once             bool
	SkipWebhookCheck bool
	LogFormat        string
	Verbose          bool

	// Seams for tests: the browser factory (nil: none), environment lookups,
	// and a hook to adjust the monitor's options (no jitter, fast retries).
	newCrawler monitor.CrawlerFactory
	getenv     func(string) (string, bool)
	tune       func(*monitor.Options)
}

func newMonitorCmd(ios *ioStreams) *cobra.Command {
	return newMonitorCmdWith(&monitorOptions{IO: ios, newCrawler: browserCrawlers()})
}

func newMonitorCmdWith(opts *monitorOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "monitor --config monitor.yaml",
		Short: "Scan sites on schedules, keep the history, alert on regressions, serve metrics",
		Long: `monitor runs as a service: it scans each target of the config on its schedule (a
cron expression or "@every 6h"), keeps every report in an embedded SQLite file,
compares each scan with the target's previous good scan, and posts one alert per
change to webhooks (a regression, a target that keeps failing, a store that cannot
record scans, a recovery). It serves Prometheus metrics at /metrics, /healthz (503
with the reason while the store cannot record), and a status page at / listing
each target's grade and trend, with links to the stored reports (/scans/ID).

--once scans every target once and exits, for cron or a Kubernetes CronJob; the
store carries the state between runs, so alerts still fire once per change.
Exit codes: 0 done (or stopped by SIGTERM), 2 the config is wrong (the message
names the line and the fix), 3 with --once when a target could not be scanned.

Relative paths in the config (store, caCert, login) are relative to the config
file's directory. See the README's Monitoring section for systemd, Kubernetes and
Prometheus set-ups and the alert payload.`,
		Example: `  cookiescan monitor --config monitor.yaml
  cookiescan monitor --config monitor.yaml --once
  cookiescan monitor history https://shop.example/ --config monitor.yaml
  cookiescan monitor show 42 --config monitor.yaml -o scan42.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return monitorRun(cmd.Context(), opts)
		},
	}
	f := cmd.PersistentFlags()
	f.StringVarP(&opts.Config, "config", "c", "monitor.yaml", "the monitor's config `FILE`")
	cmd.Flags().BoolVar(&opts.Once, "once", false, "scan every target once, deliver the alerts, and exit")
	f.BoolVar(&opts.SkipWebhookCheck, "skip-webhook-check", false, "do not check at start that each webhook's host accepts connections")
	cmd.Flags().StringVar(&opts.LogFormat, "log-format", "text", "log lines on stderr as text or json")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "log debug messages too")
	_ = cmd.MarkPersistentFlagFilename("config", "yaml", "yml")
	cmd.AddCommand(newMonitorHistoryCmd(opts), newMonitorShowCmd(opts), newMonitorCheckCmd(opts), newMonitorAckCmd(opts))
	return cmd
}

// browserCrawlers starts one browser per distinct browser setting; the monitor
// reuses it across scans and replaces it when a scan reports it failed.
func browserCrawlers() monitor.CrawlerFactory {
	return func(ctx context.Context, b monitor.BrowserConfig) (monitor.Crawler, error) {
		return browser.NewCrawler(b.Options()), nil
	}
}

// loadMonitorConfig reads and validates the config; every problem is a usage
// error (exit 2) naming its line.
func (o *monitorOptions) loadConfig(ctx context.Context, lenient, checkHooks bool) (*monitor.Config, error) {
	cfg, err := monitor.LoadConfig(o.Config, monitor.LoadOptions{Getenv: o.getenv, Lenient: lenient})
	if err != nil {
		return nil, usagef(fmt.Errorf("invalid config:\n%w", err))
	}
	if checkHooks && !o.SkipWebhookCheck {
		if err := monitor.CheckWebhooks(ctx, cfg, 3*time.Second, nil); err != nil {
			return nil, usagef(fmt.Errorf("invalid config:\n%w", err))
		}
	}
	return cfg, nil
}

func (o *monitorOptions) logger() *slog.Logger {
	lvl := slog.LevelInfo
	if o.Verbose {
		lvl = slog.LevelDebug
	}
	ho := &slog.HandlerOptions{Level: lvl}
	if o.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(o.IO.ErrOut, ho))
	}
	return slog.New(slog.NewTextHandler(o.IO.ErrOut, ho))
}

func monitorRun(ctx context.Context, o *monitorOptions) error {
	if o.LogFormat != "text" && o.LogFormat != "json" {
		return usagef(fmt.Errorf("--log-format %q: want text or json", o.LogFormat))
	}
	cfg, err := o.loadConfig(ctx, false, true)
	if err != nil {
		return err
	}
	mopts := monitor.Options{Logger: o.logger(), Version: toolVersion(), NewCrawler: o.newCrawler, Render: htmlRenderer()}
	if o.tune != nil {
		o.tune(&mopts)
	}
	m, err := monitor.New(ctx, cfg, mopts)
	if errors.Is(err, store.ErrLocked) {
		return usagef(fmt.Errorf("%s: %w", o.Config, err)) // the message says what to do
	}
	if err != nil {
		return usagef(fmt.Errorf("%s: %w (fix store: in the config)", o.Config, err))
	}
	if o.Once {
		sum, err := m.RunOnce(ctx)
		fmt.Fprintf(o.IO.ErrOut, "monitor: %d scans, %d failed, %d alerts sent, %d alerts kept for retry\n",
			sum.Scans, sum.Failed, sum.AlertsSent, sum.AlertsFailed)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return scanError{errors.New("interrupted before every target was scanned")}
			}
			return scanError{err}
		}
		if sum.Failed > 0 {
			return scanError{fmt.Errorf("%d of %d targets could not be scanned:\n  %s", sum.Failed, len(cfg.Targets), strings.Join(sum.Failures, "\n  "))}
		}
		return nil
	}
	if err := m.Listen(); err != nil {
		m.Close()
		return usagef(err)
	}
	return m.Run(ctx)
}

// htmlRenderer renders /scans/ID with the HTML report writer when this build has
// one, else as JSON (the monitor's default).
func htmlRenderer() monitor.RenderFunc {
	f, err := report.ParseFormat("html")
	if err != nil {
		return nil
	}
	return func(w io.Writer, rep result.Report) (string, error) {
		wr, err := report.New(f, report.Options{})
		if err != nil {
			return "", err
		}
		return "text/html; charset=utf-8", wr.Write(w, []result.Report{rep})
	}
}

// openStore opens the config's store read-only: history and show may run beside
// the daemon.
func (o *monitorOptions) openStore(ctx context.Context) (*store.Store, error) {
	cfg, err := o.loadConfig(ctx, true, false)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Store, store.Options{ReadOnly: true})
	if err != nil {
		return nil, usagef(err)
	}
	return st, nil
}

type monitorHistoryOptions struct {
	Limit  int
	Format string
}

func newMonitorHistoryCmd(mo *monitorOptions) *cobra.Command {
	opts := &monitorHistoryOptions{}
	cmd := &cobra.Command{
		Use:   "history URL",
		Short: "List a target's recent scans from the monitor's store",
		Example: `  cookiescan monitor history https://shop.example/ --config monitor.yaml
  cookiescan monitor history shop.example --limit 100 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Format != "table" && opts.Format != "json" {
				return usagef(fmt.Errorf("--format %q: want table or json", opts.Format))
			}
			return monitorHistoryRun(cmd.Context(), mo, opts, args[0])
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", 20, "show at most this many scans (0: all)")
	cmd.Flags().StringVar(&opts.Format, "format", "table", "table or json")
	return cmd
}

// historyRow is one scan in `monitor history --format json`.
type historyRow struct {
	ID         int64     `json:"id"`
	Target     string    `json:"target"`
	StartedAt  time.Time `json:"startedAt"`
	DurationMs int64     `json:"durationMs"`
	OK         bool      `json:"ok"`
	Grade      *string   `json:"grade"` // null: the target was not scanned
	Score      *int      `json:"score"`
	Findings   struct {
		Critical int `json:"critical"`
		High     int `json:"high"`
		Medium   int `json:"medium"`
		Low      int `json:"low"`
		Info     int `json:"info"`
	} `json:"findings"`
	Error string `json:"error"`
}

func monitorHistoryRun(ctx context.Context, mo *monitorOptions, opts *monitorHistoryOptions, raw string) error {
	u, err := scanner.ParseTarget(raw)
	if err != nil {
		return usagef(err)
	}
	st, err := mo.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	target := u.String()
	h, err := st.History(ctx, target, opts.Limit)
	if err != nil {
		return err
	}
	if len(h) == 0 {
		known, _ := st.Targets(ctx)
		msg := fmt.Sprintf("no scans of %s in %s", target, st.Path())
		if len(known) > 0 {
			msg += "; the store has: " + strings.Join(known, ", ")
		}
		return usagef(errors.New(msg))
	}
	if opts.Format == "json" {
		rows := make([]historyRow, len(h))
		for i, sc := range h {
			r := historyRow{ID: sc.ID, Target: sc.Target, StartedAt: sc.StartedAt, DurationMs: sc.Duration.Milliseconds(),
				OK: sc.OK, Error: sc.Error}
			if sc.Grade != "" { // "": not scanned
				r.Grade, r.Score = &sc.Grade, &sc.Score
			}
			r.Findings.Critical, r.Findings.High, r.Findings.Medium = sc.Counts.Critical, sc.Counts.High, sc.Counts.Medium
			r.Findings.Low, r.Findings.Info = sc.Counts.Low, sc.Counts.Info
			rows[i] = r
		}
		return writeJSON(mo.IO.Out, rows)
	}
	fmt.Fprintf(mo.IO.Out, "%s: %d scan(s), newest first\n", target, len(h))
	tw := tabwriter.NewWriter(mo.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME (UTC)\tGRADE\tSCORE\tCRIT\tHIGH\tMED\tLOW\tINFO\tDURATION\tERROR")
	for _, sc := range h {
		grade, score := sc.Grade, strconv.Itoa(sc.Score)
		switch {
		case sc.Grade == "":
			grade, score = "not scanned", "-"
		case !sc.OK:
			grade, score = "-", "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", sc.ID, sc.StartedAt.UTC().Format("2006-01-02 15:04:05"),
			grade, score, sc.Counts.Critical, sc.Counts.High, sc.Counts.Medium, sc.Counts.Low, sc.Counts.Info,
			sc.Duration.Round(time.Millisecond), oneLine(termsafe.String(sc.Error), 80))
	}
	return tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

type monitorShowOptions struct {
	Format  string
	Outputs []string
}

func newMonitorShowCmd(mo *monitorOptions) *cobra.Command {
	opts := &monitorShowOptions{}
	cmd := &cobra.Command{
		Use:     "show ID",
		Aliases: []string{"report"},
		Short:   "Re-render a stored scan (IDs come from `monitor history` and alert links)",
		Example: `  cookiescan monitor show 42 --config monitor.yaml
  cookiescan monitor show 42 --config monitor.yaml -o scan42.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil || id <= 0 {
				return usagef(fmt.Errorf("%q is not a scan ID: give the number `monitor history` lists", args[0]))
			}
			w := &writerSet{IO: mo.IO, Format: opts.Format, FormatSet: cmd.Flags().Changed("format")}
			if err := w.parse(opts.Outputs); err != nil {
				return usagef(err)
			}
			st, err := mo.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			_, body, err := st.Get(cmd.Context(), id)
			if errors.Is(err, store.ErrNotFound) {
				return usagef(fmt.Errorf("scan %d is not in %s (retention may have removed it; see `monitor history`)", id, st.Path()))
			}
			if err != nil {
				return err
			}
			var rep result.Report
			if err := json.Unmarshal(body, &rep); err != nil {
				return fmt.Errorf("stored scan %d is unreadable: %w", id, err)
			}
			return w.write([]result.Report{rep.Normalized()})
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", "output format for stdout: "+report.FormatList())
	cmd.Flags().StringArrayVarP(&opts.Outputs, "output", "o", nil, "write to `FILE` (repeatable; format from the extension)")
	return cmd
}

func newMonitorAckCmd(mo *monitorOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "ack ID",
		Short: "Acknowledge the open regression of a scan's target: its problems stop alerting until something new appears",
		Long: `Acknowledge the open regression of the target of scan ID (the scanId of the
regression alert, or any scan of that target). While acknowledged, a problem of
that regression that goes away and comes back does not alert again; a problem it
did not cover alerts as usual and ends the acknowledgement. The recovery is
still announced. It writes to the store, beside a running monitor.`,
		Example: `  cookiescan monitor ack 42 --config monitor.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil || id <= 0 {
				return usagef(fmt.Errorf("%q is not a scan ID: give the scanId of the alert, or a number `monitor history` lists", args[0]))
			}
			cfg, err := mo.loadConfig(cmd.Context(), true, false)
			if err != nil {
				return err
			}
			st, err := store.Open(cmd.Context(), cfg.Store, store.Options{})
			if err != nil {
				return usagef(err)
			}
			defer st.Close()
			res, err := monitor.Ack(cmd.Context(), st, id, time.Now())
			if errors.Is(err, store.ErrNotFound) {
				return usagef(fmt.Errorf("scan %d is not in %s (see `monitor history`)", id, st.Path()))
			}
			if err != nil {
				return usagef(err)
			}
			fmt.Fprintf(mo.IO.Out, "acknowledged the open regression of %s (opened by scan %d): %d problem(s); a new problem alerts again\n",
				res.Target, res.OpenedScan, len(res.Items))
			for _, it := range res.Items {
				fmt.Fprintf(mo.IO.Out, "  %s\n", it.Text)
			}
			return nil
		},
	}
}

func newMonitorCheckCmd(mo *monitorOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Validate the config (keys, schedules, URLs, store, webhooks) and exit",
		Long: `check validates the config as the service does at start: it needs what the
service needs (the webhooks' ${VAR}s exported, the CA and login files readable) and
checks that each webhook's host accepts connections. history and show only read
the store and need none of that.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := mo.loadConfig(cmd.Context(), false, true)
			if err != nil {
				return err
			}
			fmt.Fprintf(mo.IO.Out, "%s: ok: %d target(s), %d alert(s), store %s\n", mo.Config, len(cfg.Targets), len(cfg.Alerts), store.Redact(cfg.Store))
			return nil
		},
	}
}
