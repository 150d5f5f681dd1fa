package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/report"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/inputfile"
	"github.com/cookiescan/cookiescan/scanner/loginflow"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// scanOptions holds the scan command's flags and dependencies.
type scanOptions struct {
	IO *ioStreams

	Targets     []string
	Format      string
	Outputs     []string
	FailOn      string
	HTTPURL     string
	CACert      string
	Insecure    bool
	NoBrowser   bool
	Timeout     time.Duration
	Concurrency int
	Headers     []string
	Cookies     []string
	ShowValues  bool
	Quiet       bool

	// Browser.
	MaxPages     int
	Depth        int
	Include      []string
	Exclude      []string
	Login        string
	FollowLogout bool
	Chrome       string
	BrowserURL   string
	PageTimeout  time.Duration

	Baseline  string
	FailOnNew bool

	HostResolverRules string
	Scope             string
	// newCrawler builds the browser crawler; tests may replace it.
	newCrawler func(*scanOptions) (observe.Crawler, func())
	formatSet  bool

	// Resolved by validate.
	targets []*url.URL
	httpURL *url.URL
	caPEM   []byte
	header  http.Header
	scope   scope.Scope
	failOn  result.Severity // 0: never fail
	format  report.Format
	out     *writerSet
	base    []result.Report
	login   *loginflow.Flow

	// now, dial and startTimeout are seams for tests.
	now          func() time.Time
	dial         func(ctx context.Context, network, addr string) (net.Conn, error)
	startTimeout time.Duration // 0: browser.DefaultStartTimeout
}

func newScanCmd(ios *ioStreams, runF func(*scanOptions) error) *cobra.Command {
	opts := &scanOptions{IO: ios, newCrawler: browserCrawler}
	cmd := &cobra.Command{
		Use:   "scan URL [URL...]",
		Short: "Scan one or more sites and write reports",
		Long: `Scan requests each site over plain HTTP and follows the redirect one hop at a time,
then requests the HTTPS URL itself, checks the certificate, parses every
Strict-Transport-Security header as Chromium does and judges every Set-Cookie line.

The redirect test starts at the target with the http scheme and port 80; use
--http-url when plain HTTP lives elsewhere (another port, a load balancer).
Cookie values are redacted in every report unless --show-values is given.`,
		Example: `  # a public site, table on the terminal
  cookiescan scan https://example.com/

  # a private site on non-standard ports with its own CA, JSON to a file
  cookiescan scan https://site.internal:8443/ --http-url http://site.internal:8080/ \
      --ca-cert ca.pem --format json -o scan.json

  # gate a CI job: exit 1 when anything medium or worse is found
  cookiescan scan https://staging.example.com/ --fail-on medium -o scan.json -o report.txt`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef(errors.New("give at least one URL to scan, for example: cookiescan scan https://example.com/"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = args
			opts.formatSet = cmd.Flags().Changed("format")
			if err := opts.validate(); err != nil {
				return usagef(err)
			}
			if runF != nil {
				return runF(opts)
			}
			return scanRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "table", "output format for stdout: "+report.FormatList()+" (with -o, stdout stays empty unless --format is given)")
	f.StringArrayVarP(&opts.Outputs, "output", "o", nil, "write a report to `FILE` instead of stdout (repeatable; format from the extension: .json .html .sarif .xml .md .txt; checked before the scan)")
	f.StringVar(&opts.FailOn, "fail-on", "high", "exit 1 when a finding is at least this severity: info|low|medium|high|critical|none")
	f.StringVar(&opts.HTTPURL, "http-url", "", "`URL` where plain HTTP is tested (default: the target with http:// and port 80)")
	f.StringVar(&opts.CACert, "ca-cert", "", "trust the CA certificates in this PEM `FILE` in addition to the system roots")
	f.BoolVar(&opts.Insecure, "insecure", false, "scan even when the certificate does not verify (the problem is still reported)")
	f.BoolVar(&opts.NoBrowser, "no-browser", false, "transport checks only: do not start Chromium")
	f.DurationVar(&opts.Timeout, "timeout", 15*time.Second, "time limit for each request")
	f.IntVar(&opts.Concurrency, "concurrency", 2, "browser: how many tabs crawl a site at once (they share its cookies)")
	f.StringArrayVar(&opts.Headers, "header", nil, "send this header to the target host (\"Name: value\", repeatable)")
	f.StringArrayVar(&opts.Cookies, "cookie", nil, "send this cookie to the target host (\"name=value\", repeatable)")
	f.BoolVar(&opts.ShowValues, "show-values", false, "include cookie values in reports (they are redacted by default)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on stderr")
	f.IntVar(&opts.MaxPages, "max-pages", 20, "browser: crawl at most this many pages")
	f.IntVar(&opts.Depth, "depth", 2, "browser: follow links this many clicks deep from the start page")
	f.StringArrayVar(&opts.Include, "include", nil, "browser: crawl only URLs matching this `REGEX` (repeatable)")
	f.StringArrayVar(&opts.Exclude, "exclude", nil, "browser: never crawl URLs matching this `REGEX` (repeatable)")
	f.StringVar(&opts.Login, "login", "", "browser: log in with this flow `FILE` (YAML steps or a DevTools Recorder JSON export); ${VAR} is read from the environment")
	f.BoolVar(&opts.FollowLogout, "follow-logout", false, "browser: also follow links that look like logout")
	f.StringVar(&opts.Chrome, "chrome", "", "browser: Chromium executable `PATH` (default: chromium on PATH)")
	f.StringVar(&opts.BrowserURL, "browser-url", "", "browser: attach to a running browser at this ws:// `URL` instead of starting one")
	f.DurationVar(&opts.PageTimeout, "page-timeout", 20*time.Second, "browser: time limit for each page load")
	f.StringVar(&opts.HostResolverRules, "host-resolver-rules", "", "browser: Chromium host resolver rules, e.g. \"MAP *.test 127.0.0.1\" (tests)")
	_ = f.MarkHidden("host-resolver-rules")
	f.StringVar(&opts.Scope, "scope", "site", "which addresses the scan may reach: site (never a link-local/cloud-metadata address; the crawl never leaves the site through a redirect), public (only public addresses, for scanners inside a network) or any")
	f.StringVar(&opts.Baseline, "baseline", "", "mark each finding new or known against an earlier JSON report `FILE`")
	f.BoolVar(&opts.FailOnNew, "fail-on-new", false, "with --baseline: count only new findings for --fail-on")
	cmd.MarkFlagsMutuallyExclusive("chrome", "browser-url")
	_ = cmd.MarkFlagFilename("login", "yaml", "yml", "json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formatNames(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical", "none"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("ca-cert", "pem", "crt")
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(scope.Names, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func formatNames() []string {
	out := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		out[i] = string(f)
	}
	return out
}

// validate turns flag strings into checked values; every message says what to fix.
func (o *scanOptions) validate() error {
	for _, t := range o.Targets {
		u, err := scanner.ParseTarget(t)
		if err != nil {
			return err
		}
		o.targets = append(o.targets, u)
	}
	if o.HTTPURL != "" {
		if len(o.targets) > 1 {
			return errors.New("--http-url applies to one target; scan the targets one at a time")
		}
		u, err := scanner.ParseHTTPURL(o.HTTPURL)
		if err != nil {
			return err
		}
		o.httpURL = u
	}
	if o.CACert != "" {
		data, err := inputfile.Read(o.CACert, inputfile.SmallLimit)
		if err != nil {
			return fmt.Errorf("--ca-cert: %w", err)
		}
		if err := probe.ParseCAPEM(data); err != nil {
			return fmt.Errorf("--ca-cert %s: %w", o.CACert, err)
		}
		o.caPEM = data
	}
	if strings.EqualFold(o.FailOn, "none") {
		o.failOn = 0
	} else {
		s, err := result.ParseSeverity(o.FailOn)
		if err != nil {
			return fmt.Errorf("--fail-on: %w", err)
		}
		o.failOn = s
	}
	f, err := report.ParseFormat(o.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	o.format = f
	o.out = &writerSet{IO: o.IO, Format: o.Format, FormatSet: o.formatSet, Quiet: o.Quiet, FailOn: o.failOn}
	if err := o.out.parse(o.Outputs); err != nil {
		return err
	}
	if o.Baseline != "" {
		base, err := readReports(o.Baseline)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		o.base = base
	} else if o.FailOnNew {
		return errors.New("--fail-on-new needs --baseline FILE.json")
	}
	o.header = http.Header{}
	for _, h := range o.Headers {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
			return fmt.Errorf("--header %q: write it as \"Name: value\"", h)
		}
		o.header.Add(name, strings.TrimSpace(value))
	}
	for _, c := range o.Cookies {
		if name, _, ok := strings.Cut(c, "="); !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("--cookie %q: write it as name=value", c)
		}
		o.header.Add("Cookie", c)
	}
	for _, re := range append(append([]string{}, o.Include...), o.Exclude...) {
		if _, err := regexp.Compile(re); err != nil {
			return fmt.Errorf("--include/--exclude %q is not a valid regular expression: %v", re, err)
		}
	}
	if o.MaxPages < 1 || o.Depth < 0 {
		return errors.New("--max-pages must be at least 1 and --depth at least 0")
	}
	if o.BrowserURL != "" {
		if u, err := url.Parse(o.BrowserURL); err != nil || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http") {
			return fmt.Errorf("--browser-url %q: give the browser's DevTools address, e.g. ws://127.0.0.1:9222/devtools/browser/<id>", o.BrowserURL)
		}
	}
	if o.Login != "" {
		if o.NoBrowser {
			return errors.New("--login needs the browser: drop --no-browser")
		}
		f, err := loginflow.Load(o.Login, nil)
		if err != nil {
			return err
		}
		o.login = &f
	}
	if o.HostResolverRules != "" && o.dial == nil {
		d, err := browser.RuleDialer(o.HostResolverRules)
		if err != nil {
			return fmt.Errorf("--host-resolver-rules: %w", err)
		}
		o.dial = d
	}
	sc, err := scope.Parse(o.Scope)
	if err != nil {
		return fmt.Errorf("--scope: %w", err)
	}
	o.scope = sc
	if o.Timeout <= 0 {
		return errors.New("--timeout must be positive, for example 15s")
	}
	if o.Concurrency < 1 {
		return errors.New("--concurrency must be at least 1")
	}
	return nil
}

func scanRun(ctx context.Context, o *scanOptions) error {
	prog := newProgress(o.IO.ErrOut, o.IO.ErrIsTerminal, o.Quiet, len(o.targets))
	reps := make([]result.Report, len(o.targets))
	errs := make([]error, len(o.targets))
	var crawler observe.Crawler
	if !o.NoBrowser {
		c, closeFn := o.newCrawler(o)
		defer closeFn()
		crawler = c
	}
	// Targets run one after the other: the browser crawls one site at a time, with
	// --concurrency tabs sharing that site's cookie jar.
	for i, t := range o.targets {
		reps[i], errs[i] = scanner.Run(ctx, scanner.Options{
			Target: t, HTTPURL: o.httpURL, CAPEM: o.caPEM, Insecure: o.Insecure,
			Timeout: o.Timeout, Header: o.header, Scope: o.scope, ShowValues: o.ShowValues,
			Version: toolVersion(), Now: o.now, DialContext: o.dial,
			Progress: func(step string) { prog.step(t.Host, step) },
			Crawler:  crawler, Crawl: o.crawlRequest(),
		})
		prog.done(t.Host)
		if ctx.Err() != nil {
			break
		}
	}
	prog.finish()

	for i := range reps {
		markBaseline(&reps[i], o.base)
	}
	writeErr := o.out.write(reps)
	var failed []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", o.targets[i], err))
			continue
		}
		// A login that failed leaves the logged-in part unscanned: a CI job
		// must not pass on the logged-out half of what it asked for.
		for _, e := range reps[i].Errors {
			if e.Stage == result.StageLogin {
				failed = append(failed, fmt.Sprintf("%s: %s", o.targets[i], e.Message))
			}
		}
	}
	if len(failed) > 0 {
		// A failed write comes first: it says which partial reports are missing.
		return scanError{errors.Join(writeErr, fmt.Errorf("scan could not complete (partial report written):\n  %s", strings.Join(failed, "\n  ")))}
	}
	if writeErr != nil {
		return writeErr
	}
	if o.failOn != 0 {
		n := 0
		for _, r := range reps {
			for _, f := range r.Findings {
				if f.Severity >= o.failOn && (!o.FailOnNew || f.Baseline == "new") {
					n++
				}
			}
		}
		if n > 0 {
			return findingsError{fmt.Sprintf("%d finding(s) at or above %s (--fail-on)", n, o.failOn)}
		}
	}
	return nil
}

// markBaseline tags each finding "new" or "known" against the baseline scan of the
// same target.
func markBaseline(r *result.Report, base []result.Report) {
	if base == nil {
		return
	}
	known := map[string]bool{}
	for _, b := range base {
		if b.Target == r.Target {
			for _, f := range b.Findings {
				known[diff.Key(f)] = true
			}
		}
	}
	for i := range r.Findings {
		if known[diff.Key(r.Findings[i])] {
			r.Findings[i].Baseline = "known"
		} else {
			r.Findings[i].Baseline = "new"
		}
	}
}

// browserCrawler starts (lazily) one Chromium for the whole command.
func browserCrawler(o *scanOptions) (observe.Crawler, func()) {
	c := browser.NewCrawler(browser.Options{
		ExecPath: o.Chrome, BrowserURL: o.BrowserURL, CAPEM: o.caPEM, Insecure: o.Insecure,
		HostResolverRules: o.HostResolverRules, PageTimeout: o.PageTimeout, Scope: o.scope, StartTimeout: o.startTimeout,
	})
	return c, func() { _ = c.Close() }
}

// crawlRequest turns the browser flags into the crawl of each target.
func (o *scanOptions) crawlRequest() observe.Request {
	req := observe.Request{
		MaxPages: o.MaxPages, Depth: o.Depth, Include: o.Include, Exclude: o.Exclude,
		FollowLogout: o.FollowLogout, Concurrency: o.Concurrency, PageTimeout: o.PageTimeout,
		Login: o.login, Header: map[string]string{},
	}
	for k, vs := range o.header {
		if k != "Cookie" && len(vs) > 0 {
			req.Header[k] = strings.Join(vs, ", ")
		}
	}
	for _, c := range o.Cookies {
		name, value, _ := strings.Cut(c, "=")
		// No Domain: a host-only cookie of the start URL, so the browser
		// sends it to the target host only, as the probe does.
		req.Cookies = append(req.Cookies, observe.StoredCookie{Name: strings.TrimSpace(name), Value: value,
			Path: "/", Secure: true, Session: true})
	}
	return req
}
