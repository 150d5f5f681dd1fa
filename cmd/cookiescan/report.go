package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cookiescan/cookiescan/report"
	"github.com/cookiescan/cookiescan/scanner/diff"
	"github.com/cookiescan/cookiescan/scanner/inputfile"
	"github.com/cookiescan/cookiescan/scanner/result"
)

func readReports(path string) ([]result.Report, error) {
	data, err := inputfile.Read(path, inputfile.ReportLimit)
	if err != nil {
		return nil, err
	}
	reps, err := report.ReadJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return reps, nil
}

type reportOptions struct {
	IO      *ioStreams
	Format  string
	Outputs []string
}

func newReportCmd(ios *ioStreams) *cobra.Command {
	opts := &reportOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "report FILE.json",
		Short: "Re-render a saved JSON report in another format",
		Example: `  cookiescan report scan.json                       # the table
  cookiescan report scan.json -o report.html -o results.sarif`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reps, err := readReports(args[0])
			if err != nil {
				return usagef(err)
			}
			w := &writerSet{IO: ios, Format: opts.Format, FormatSet: cmd.Flags().Changed("format"), Quiet: false}
			if err := w.parse(opts.Outputs); err != nil {
				return usagef(err)
			}
			return w.write(reps)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "table", "output format for stdout: "+report.FormatList())
	cmd.Flags().StringArrayVarP(&opts.Outputs, "output", "o", nil, "write to `FILE` (repeatable; format from the extension)")
	return cmd
}

type diffOptions struct {
	IO     *ioStreams
	Format string
}

func newDiffCmd(ios *ioStreams) *cobra.Command {
	opts := &diffOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "What got worse and what got better between two scans (exit 1 when anything got worse)",
		Example: `  cookiescan diff yesterday.json today.json
  cookiescan diff old.json new.json --format json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Format != "text" && opts.Format != "json" {
				return usagef(fmt.Errorf("--format %q: want text or json", opts.Format))
			}
			olds, err := readReports(args[0])
			if err != nil {
				return usagef(err)
			}
			news, err := readReports(args[1])
			if err != nil {
				return usagef(err)
			}
			var ds []diff.Diff
			for _, n := range news {
				for _, o := range olds {
					if o.Target == n.Target {
						ds = append(ds, diff.Compare(o, n))
					}
				}
			}
			if len(ds) == 0 {
				return usagef(errors.New("the two files share no target: diff compares scans of the same URL"))
			}
			if opts.Format == "json" {
				if err := writeJSON(ios.Out, ds); err != nil {
					return err
				}
			} else {
				for _, d := range ds {
					printDiff(ios, d)
				}
			}
			for _, d := range ds {
				if d.Worse() {
					return findingsError{"something got worse since " + args[0]}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	return cmd
}

func printDiff(ios *ioStreams, d diff.Diff) {
	w := ios.Out
	fmt.Fprintf(w, "%s: grade %s → %s\n", d.Target, d.From, d.To)
	if d.Empty() {
		fmt.Fprintln(w, "  no change")
		return
	}
	for _, f := range d.New {
		fmt.Fprintf(w, "  + new       %-8s %s%s\n", f.Severity, f.Rule, cookieNote(f))
	}
	for _, f := range d.Resolved {
		fmt.Fprintf(w, "  - resolved  %-8s %s%s\n", f.Severity, f.Rule, cookieNote(f))
	}
	for _, c := range d.Changes {
		mark := "better "
		if c.Worse {
			mark = "WORSE  "
		}
		fmt.Fprintf(w, "  ~ %s  %s\n", mark, c.Text)
	}
}

func cookieNote(f result.Finding) string {
	if f.Cookie == "" {
		return ""
	}
	return " (cookie " + f.Cookie + ")"
}
