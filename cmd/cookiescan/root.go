package main

import (
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// ioStreams carries the process's streams so tests can hand in buffers.
type ioStreams struct {
	In            io.Reader
	Out, ErrOut   io.Writer
	OutIsTerminal bool
	ErrIsTerminal bool
	Width         int
}

func defaultIO() *ioStreams {
	s := &ioStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		ErrIsTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	if s.OutIsTerminal {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			s.Width = w
		}
	}
	s.Width = columns(os.Getenv("COLUMNS"), s.Width)
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		s.OutIsTerminal, s.ErrIsTerminal = false, false
	}
	return s
}

// columns is the table's width: COLUMNS when it is a positive number, else the
// terminal's width (0 when stdout is not a terminal: the report's 80 columns).
func columns(env string, terminal int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env)); err == nil && n > 0 {
		return n
	}
	return terminal
}

func newRootCmd(ios *ioStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "cookiescan",
		Short: "Audit a site's HTTPS redirect, HSTS and cookies the way a browser sees them",
		Long: `cookiescan requests a site over plain HTTP and judges the redirect to HTTPS hop by hop,
validates Strict-Transport-Security as Chromium parses it, checks the certificate, and
judges every cookie the site sets (Secure, HttpOnly, SameSite, lifetime, prefix, Domain),
with the evidence and the fix.

Exit codes: 0 nothing reached --fail-on, 1 findings reached --fail-on,
2 usage or config error, 3 the scan could not run or complete (target unreachable,
browser failed, login failed; a partial report is still written).`,
		Example: `  cookiescan scan https://example.com/
  cookiescan scan https://site.internal:8443/ --http-url http://site.internal:8080/ --ca-cert ca.pem -o scan.json
  cookiescan fixture serve --profile insecure`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       toolVersion(),
	}
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef(err)
	})
	root.AddCommand(
		newScanCmd(ios, nil),
		newFixtureCmd(ios),
		newRulesCmd(ios),
		newReportCmd(ios),
		newDiffCmd(ios),
		newMonitorCmd(ios),
		newVersionCmd(ios),
	)
	return root
}

func newVersionCmd(ios *ioStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(ios.Out, "cookiescan "+toolVersion()+"\n")
			return err
		},
	}
}
