package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/report"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/ignore"
	"github.com/cookiescan/cookiescan/scanner/inputfile"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
	"github.com/cookiescan/cookiescan/scanner/rules"
	"github.com/cookiescan/cookiescan/scanner/scope"
	"github.com/cookiescan/cookiescan/scanner/spec"
	"os"
)

// scanOptions holds the scan command's flags and dependencies. The scan
// settings themselves are a spec.Spec (scanner/spec): the flags bind to one,
// --config and each -l line decode into one.
type scanOptions struct {
	IO *ioStreams

	Targets   []string
	List      string // -l FILE, "-" for stdin
	Config    string // --config FILE
	Parallel  int
	Format    string
	Outputs   []string
	FailOn    string
	Quiet     bool
	Baseline  string
	FailOnNew bool
	Ignore    string // --ignore FILE; "" finds .cookiescan-ignore.yaml

	// flags holds what the spec's flags say; changed tells which were given.
	flags   spec.Spec
	changed func(flag string) bool
	// newCrawler builds the browser crawler; tests may replace it.
	newCrawler func(*scanOptions, spec.Browser) (observe.Crawler, func())
	formatSet  bool

	// Resolved by validate: one checked spec per target.
	settings []*spec.Settings
	failOn   result.Severity // 0: never fail
	format   report.Format
	out      *writerSet
	base     []result.Report
	ignore   ignore.List

	// now and startTimeout are seams for tests.
	now          func() time.Time
	startTimeout time.Duration // 0: browser.DefaultStartTimeout
}

func newScanCmd(ios *ioStreams, runF func(*scanOptions) error) *cobra.Command {
	opts := &scanOptions{IO: ios, newCrawler: browserCrawler, flags: spec.Defaults()}
	cmd := &cobra.Command{
		Use:   "scan {URL... | -l FILE}",
		Short: "Scan one or more sites and write reports",
		Long: `Scan requests each site over plain HTTP and follows the redirect one hop at a time,
then requests the HTTPS URL itself, checks the certificate, parses every
Strict-Transport-Security header as Chromium does and judges every Set-Cookie line.

The redirect test starts at the target with the http scheme and port 80; use
--http-url when plain HTTP lives elsewhere (another port, a load balancer).
Cookie values are redacted in every report unless --show-values is given.

Many sites: -l FILE (or -l - for stdin) reads one URL or bare host per line;
blank lines and # comments are skipped, and example.com means
https://example.com/ with http://example.com/ probed. --parallel N scans N
sites at once in one Chromium, each site in a fresh browser context of its
own. --format jsonl prints one complete report per line as each site
finishes; --format json prints an array of reports for a list.

--config FILE reads the settings from YAML, with the keys of a monitor
target (maxPages: 10, cookie: [sid=abc], ...); a flag on the command line
overrides the file.

A site that gives no HTTP answer is not scanned: no grade, no score ("null" in
JSON), the reports say why, and the exit code is 3. A page the browser cannot
load is an error of stage "page" and the crawl goes on; only a start page that
does not load makes the exit code 3. Over many sites the exit code is the worst
of them: 3 when any could not be scanned, else 1 when any finding reached
--fail-on, else 0.`,
		Example: `  # a public site, table on the terminal
  cookiescan scan https://example.com/

  # a private site on non-standard ports with its own CA, JSON to a file
  cookiescan scan https://site.internal:8443/ --http-url http://site.internal:8080/ \
      --ca-cert ca.pem --format json -o scan.json

  # gate a CI job: exit 1 when anything medium or worse is found
  cookiescan scan https://staging.example.com/ --fail-on medium -o scan.json -o report.txt

  # a fleet: 4 sites at a time, one JSON report per line as each finishes
  cookiescan scan -l hosts.txt --parallel 4 --format jsonl > reports.jsonl
  grep -v '^#' hosts.txt | cookiescan scan -l - --no-browser --format json -o all.json

  # settings from a file, one flag overriding it
  cookiescan scan https://app.example/ --config scan.yaml --max-pages 5`,
		Args: func(cmd *cobra.Command, args []string) error {
			return nil // checked in validate, with -l and --config
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Targets = args
			opts.formatSet = cmd.Flags().Changed("format")
			opts.changed = cmd.Flags().Changed
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
	f.StringVarP(&opts.List, "list", "l", "", "scan every site listed in this `FILE`, one URL or bare host per line (# comments); - reads stdin")
	f.IntVar(&opts.Parallel, "parallel", 1, "scan this many sites at once, sharing one Chromium (each site in its own browser context)")
	f.StringVar(&opts.Config, "config", "", "read the scan settings from this YAML `FILE` (keys as in a monitor target: maxPages, cookie, ...); flags override it")
	f.StringVar(&opts.Format, "format", "table", "output format for stdout: "+report.FormatList()+" (with -o, stdout stays empty unless --format is given; jsonl streams one report per line as each site finishes)")
	f.StringArrayVarP(&opts.Outputs, "output", "o", nil, "write a report to `FILE` instead of stdout (repeatable; format from the extension: .json .jsonl .html .sarif .xml .md .txt; checked before the scan)")
	f.StringVar(&opts.FailOn, "fail-on", "high", "exit 1 when a finding is at least this severity: info|low|medium|high|critical|none")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on stderr")
	bindSpecFlags(f, &opts.flags)
	f.StringVar(&opts.Baseline, "baseline", "", "mark each finding new or known against an earlier JSON report `FILE`")
	f.BoolVar(&opts.FailOnNew, "fail-on-new", false, "with --baseline: count only new findings for --fail-on")
	f.StringVar(&opts.Ignore, "ignore", "", "suppress the accepted findings listed in this YAML `FILE` (default: "+ignore.DefaultFile+" in the working directory, if there is one); they stay in the reports, marked, and do not count for --fail-on")
	cmd.MarkFlagsMutuallyExclusive("chrome", "browser-url")
	_ = cmd.MarkFlagFilename("login", "yaml", "yml", "json")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.MarkFlagFilename("ignore", "yaml", "yml")
	_ = cmd.MarkFlagFilename("list", "txt", "lst", "list")
	_ = cmd.MarkFlagFilename("baseline", "json")
	_ = cmd.RegisterFlagCompletionFunc("parallel", cobra.FixedCompletions([]string{"2", "4", "8"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formatNames(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical", "none"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("ca-cert", "pem", "crt")
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(scope.Names, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// bindSpecFlags makes a flag of every scan setting, its default and help
// from the spec's table.
func bindSpecFlags(f *pflag.FlagSet, s *spec.Spec) {
	for _, fd := range spec.Fields() {
		if fd.NoFlag {
			continue
		}
		name := fd.Flag()
		switch p := fd.Ptr(s).(type) {
		case *string:
			f.StringVar(p, name, *p, fd.Help)
		case *bool:
			f.BoolVar(p, name, *p, fd.Help)
		case *int:
			f.IntVar(p, name, *p, fd.Help)
		case *time.Duration:
			f.DurationVar(p, name, *p, fd.Help)
		case *[]string:
			f.StringArrayVar(p, name, *p, fd.Help)
		}
		if fd.Hidden {
			_ = f.MarkHidden(name)
		}
	}
}

func formatNames() []string {
	out := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		out[i] = string(f)
	}
	return out
}

// validate builds and checks the spec of every target: the defaults, the
// --config file over them, the flags given over that; then one check, and
// each target (arguments, -l lines, the file's url) made from it.
func (o *scanOptions) validate() error {
	sp := spec.Defaults()
	var fileErrs spec.Errors
	if o.Config != "" {
		var err error
		if sp, err = spec.Load(o.Config, sp); err != nil && !errors.As(err, &fileErrs) {
			return err
		}
	}
	for _, fd := range spec.Fields() {
		if !fd.NoFlag && o.changed != nil && o.changed(fd.Flag()) {
			spec.Copy(&sp, &o.flags, fd.Key)
		}
	}
	targets, err := o.targetLines(sp)
	if err != nil {
		return err
	}
	sp.URL = ""
	base, err := sp.Check(spec.CheckOptions{})
	if len(fileErrs) > 0 {
		// The file's problems and the rest of its values' at once.
		var es spec.Errors
		errors.As(err, &es)
		all := append(fileErrs, es...)
		slices.SortStableFunc(all, func(a, b *spec.Error) int { return a.Line - b.Line })
		return all
	}
	if err != nil {
		return err
	}
	if base.HTTPTarget != nil && len(targets) > 1 {
		return errors.New("--http-url applies to one target; scan the targets one at a time")
	}
	var errs spec.Errors
	for _, t := range targets {
		st, err := base.WithTarget(t.raw, t.origin)
		if err != nil {
			var es spec.Errors
			if !errors.As(err, &es) {
				return err
			}
			errs = append(errs, es...)
			continue
		}
		o.settings = append(o.settings, st)
	}
	if len(errs) > 0 {
		return errs
	}
	if o.Parallel < 1 {
		return errors.New("--parallel must be at least 1")
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
	o.out = &writerSet{IO: o.IO, Format: o.Format, FormatSet: o.formatSet, Quiet: o.Quiet, FailOn: o.failOn, List: o.List != ""}
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
	return o.loadIgnore()
}

// loadIgnore reads --ignore, or the working directory's ignore file, and
// warns once about entries past their date.
func (o *scanOptions) loadIgnore() error {
	path := o.Ignore
	if path == "" {
		if _, err := os.Stat(ignore.DefaultFile); err != nil {
			return nil
		}
		path = ignore.DefaultFile
		if !o.Quiet {
			fmt.Fprintf(o.IO.ErrOut, "cookiescan: suppressing the findings accepted in %s\n", path)
		}
	}
	known := func(id string) bool { _, ok := rules.Lookup(id); return ok }
	l, err := ignore.Load(path, known)
	if err != nil {
		return fmt.Errorf("--ignore: %w", err)
	}
	o.ignore = l
	for _, w := range l.Expired(o.clock()) {
		fmt.Fprintf(o.IO.ErrOut, "cookiescan: warning: %s\n", w)
	}
	return nil
}

type targetLine struct {
	raw    string
	origin spec.Origin
}

// targetLines are the targets to scan: the arguments, or the lines of -l, or
// the config file's url.
func (o *scanOptions) targetLines(sp spec.Spec) ([]targetLine, error) {
	var out []targetLine
	switch {
	case o.List != "" && len(o.Targets) > 0:
		return nil, errors.New("give the URLs as arguments or in -l FILE, not both")
	case o.List != "":
		name := o.List
		var data []byte
		var err error
		if name == "-" {
			name = "stdin"
			data, err = io.ReadAll(io.LimitReader(o.IO.In, listLimit+1))
			if err == nil && len(data) > listLimit {
				err = fmt.Errorf("more than %d MiB: split the list", listLimit>>20)
			}
		} else {
			data, err = inputfile.Read(name, listLimit)
		}
		if err != nil {
			return nil, fmt.Errorf("-l %s: %w", name, err)
		}
		lines, err := spec.ReadTargets(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("-l %s: %w", name, err)
		}
		if len(lines) == 0 {
			return nil, fmt.Errorf("-l %s lists no target: write one URL or host per line, e.g. example.com", name)
		}
		for _, l := range lines {
			out = append(out, targetLine{l.Raw, spec.Origin{File: name, Line: l.Line}})
		}
	case len(o.Targets) > 0:
		for _, t := range o.Targets {
			out = append(out, targetLine{raw: t})
		}
	case sp.URL != "":
		out = append(out, targetLine{sp.URL, sp.OriginOf("url")})
	default:
		return nil, errors.New("give at least one URL to scan, for example: cookiescan scan https://example.com/ (or a list: cookiescan scan -l hosts.txt)")
	}
	return out, nil
}

// listLimit bounds a target list (-l): some 300,000 host names.
const listLimit = 16 << 20

func scanRun(ctx context.Context, o *scanOptions) error {
	n := len(o.settings)
	prog := newProgress(o.IO.ErrOut, o.IO.ErrIsTerminal, o.Quiet, n)
	reps := make([]result.Report, n)
	errs := make([]error, n)
	var crawler observe.Crawler
	if !o.settings[0].NoBrowser {
		// One browser for every target: they share every browser-wide
		// setting (only the URL differs), and each crawl gets its own
		// browser context.
		c, closeFn := o.newCrawler(o, o.settings[0].Browser())
		defer closeFn()
		crawler = c
	}
	stream := o.out.streams()
	var mu sync.Mutex // one line of --format jsonl at a time
	var streamErr error
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for i, st := range o.settings {
		sem <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			reps[i], errs[i] = o.scanOne(ctx, st, crawler, prog)
			diff.MarkBaseline(&reps[i], o.base)
			o.ignore.Apply(&reps[i], o.clock())
			if stream {
				mu.Lock()
				if streamErr == nil {
					streamErr = report.WriteJSONLine(o.IO.Out, reps[i])
				}
				mu.Unlock()
			}
			prog.done(st.Target.Host)
		})
	}
	wg.Wait()
	prog.finish()

	writeErr := o.out.write(reps)
	if streamErr != nil {
		writeErr = errors.Join(writeErr, scanError{fmt.Errorf("write jsonl to stdout: %w", streamErr)})
	}
	var failed []string
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", o.settings[i].Target, err))
			continue
		}
		// A login that failed leaves the logged-in part unscanned: a CI job
		// must not pass on the logged-out half of what it asked for.
		for _, e := range reps[i].Errors {
			if e.Stage == result.StageLogin {
				failed = append(failed, fmt.Sprintf("%s: %s", o.settings[i].Target, e.Message))
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
				if f.Severity >= o.failOn && (!o.FailOnNew || f.Baseline == "new") && vocab.Counted(f) {
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

// scanOne scans one target within its scanTimeout.
func (o *scanOptions) scanOne(ctx context.Context, st *spec.Settings, crawler observe.Crawler, prog *progress) (result.Report, error) {
	sctx, cancel := context.WithTimeout(ctx, st.ScanTimeout)
	defer cancel()
	opts := st.ScannerOptions()
	opts.Version, opts.Now, opts.Crawler = toolVersion(), o.now, crawler
	host := st.Target.Host
	opts.Progress = func(step string) { prog.step(host, step) }
	rep, err := scanner.Run(sctx, opts)
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("scan did not finish within --scan-timeout %s (raise it, or lower --max-pages)", st.ScanTimeout)
	}
	return rep, err
}

// browserCrawler starts (lazily) one Chromium for the whole command.
func browserCrawler(o *scanOptions, b spec.Browser) (observe.Crawler, func()) {
	bo := b.Options()
	bo.StartTimeout = o.startTimeout
	c := browser.NewCrawler(bo)
	return c, func() { _ = c.Close() }
}

// clock is the scan's now (o.now in tests).
func (o *scanOptions) clock() time.Time {
	if o.now != nil {
		return o.now()
	}
	return time.Now()
}
