package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cookiescan/cookiescan/fixtures"
)

func newFixtureCmd(ios *ioStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fixture",
		Short: "A local demo site (good and bad profiles) to try cookiescan on",
	}
	cmd.AddCommand(newFixtureServeCmd(ios), newFixtureListCmd(ios))
	return cmd
}

type fixtureServeOptions struct {
	Profile   string
	HTTPAddr  string
	HTTPSAddr string
	Dir       string
}

func newFixtureServeCmd(ios *ioStreams) *cobra.Command {
	opts := &fixtureServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the demo site on loopback over HTTP and HTTPS until interrupted",
		Long: `Serve starts the demo site with its own throw-away CA and prints its HTTP and
HTTPS URLs and the CA file to pass to --ca-cert. Profiles reproduce one behaviour
each; list them with 'cookiescan fixture list'.`,
		Example: `  cookiescan fixture serve --profile insecure
  cookiescan fixture serve --profile hsts-duplicate --http-addr 127.0.0.1:8080 --https-addr 127.0.0.1:8443`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := fixtures.Lookup(opts.Profile); !ok {
				return usagef(fmt.Errorf("unknown profile %q: see 'cookiescan fixture list'", opts.Profile))
			}
			if opts.Dir != "" {
				if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
					return usagef(fmt.Errorf("--dir: %w", err))
				}
			}
			site, err := fixtures.Start(fixtures.Options{Profile: opts.Profile, HTTPAddr: opts.HTTPAddr, HTTPSAddr: opts.HTTPSAddr, Dir: opts.Dir})
			if err != nil {
				return scanError{err}
			}
			defer site.Close()
			fmt.Fprintf(ios.Out, "profile: %s\nhttp:    %s\nhttps:   %s\nca:      %s\n\nscan it:\n  cookiescan scan %s --http-url %s --ca-cert %s\n\nCtrl+C stops the site.\n",
				opts.Profile, site.HTTPURL, site.HTTPSURL, site.CAFile, site.HTTPSURL, site.HTTPURL, site.CAFile)
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Profile, "profile", "hardened", "behaviour to serve (see 'cookiescan fixture list')")
	f.StringVar(&opts.HTTPAddr, "http-addr", "127.0.0.1:0", "address for plain HTTP (port 0: any free port)")
	f.StringVar(&opts.HTTPSAddr, "https-addr", "127.0.0.1:0", "address for HTTPS")
	f.StringVar(&opts.Dir, "dir", "", "directory for ca.pem (default: a temporary directory removed on exit)")
	_ = cmd.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, p := range fixtures.Profiles() {
			names = append(names, p.Name+"\t"+p.Description)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func newFixtureListCmd(ios *ioStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the demo site's profiles and the rules each one triggers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, p := range fixtures.Profiles() {
				fmt.Fprintf(ios.Out, "%s\n    %s\n", p.Name, p.Description)
				if len(p.Expect) > 0 {
					fmt.Fprintf(ios.Out, "    expects: %s\n", strings.Join(p.Expect, ", "))
				}
			}
			return nil
		},
	}
}
