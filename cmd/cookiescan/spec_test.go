package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/spec"
)

// scanSettings runs `scan ARGS` up to validation and returns its settings.
func scanSettings(t *testing.T, args ...string) []*spec.Settings {
	t.Helper()
	var got *scanOptions
	cmd := newScanCmd(&ioStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		func(o *scanOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return got.settings
}

// monitorTarget parses a monitor config of one target with these keys.
func monitorTarget(t *testing.T, dir, target, keys string) *monitor.Target {
	t.Helper()
	path := filepath.Join(dir, "monitor.yaml")
	cfg := fmt.Sprintf("store: %s\nlisten: \"off\"\ntargets:\n  - url: %s\n    schedule: \"@daily\"\n%s",
		filepath.Join(dir, "m.db"), target, keys)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := monitor.LoadConfig(path, monitor.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c.Targets[0]
}

// A monitor target and `scan` with the same settings give the scanner and
// the browser the same options: both go through scanner/spec.
func TestMonitorTargetAndScanGiveTheSameOptions(t *testing.T) {
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	target := "https://shop.example:8443/app"
	fromScan := scanSettings(t, target, "--http-url", "http://shop.example:8080/", "--ca-cert", site.CAFile,
		"--header", "X-Env: ci", "--cookie", "sid=abc", "--max-pages", "7", "--depth", "1",
		"--include", "^https://shop", "--exclude", "logout", "--page-timeout", "9s", "--timeout", "4s",
		"--scope", "public", "--show-values", "--follow-logout")[0]
	fromMonitor := monitorTarget(t, dir, target, fmt.Sprintf(`    httpUrl: http://shop.example:8080/
    caCert: %s
    header: ["X-Env: ci"]
    cookie: [sid=abc]
    maxPages: 7
    depth: 1
    include: ["^https://shop"]
    exclude: [logout]
    pageTimeout: 9s
    timeout: 4s
    scope: public
    showValues: true
    followLogout: true
`, site.CAFile))
	a, b := fromScan.ScannerOptions(), fromMonitor.ScannerOptions()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("scanner options differ:\nscan:    %+v\nmonitor: %+v", a, b)
	}
	if a.Crawl.PageTimeout.Seconds() != 9 || a.Crawl.MaxPages != 7 || len(a.Crawl.Cookies) != 1 {
		t.Errorf("settings lost on the way: %+v", a.Crawl)
	}
	if x, y := fromScan.Browser().Options(), fromMonitor.Browser().Options(); !reflect.DeepEqual(x, y) {
		t.Errorf("browser options differ:\nscan:    %+v\nmonitor: %+v", x, y)
	}
	// With nothing set, the defaults agree too (the page timeout was 30 s
	// in the browser and 20 s in scan and the monitor).
	a = scanSettings(t, target)[0].ScannerOptions()
	b = monitorTarget(t, dir, target, "").ScannerOptions()
	if !reflect.DeepEqual(a, b) || a.Crawl.PageTimeout != browser.DefaultPageTimeout {
		t.Errorf("default options differ:\nscan:    %+v\nmonitor: %+v", a, b)
	}
}

// The cookie `scan --cookie` and a monitor target's `cookie:` seed is
// host-only in real Chromium: sent to the target's host, never to its
// subdomain www. A login step that goes to www.cookiescan.test in the same
// browser context makes Chromium choose. (Chromium 156 stores a DevTools
// cookie whose domain has no leading dot, as the monitor used to seed it,
// host-only too; one with ".cookiescan.test" reaches www and fails here.)
func TestSuppliedCookieIsHostOnlyInChromium(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	const rules = "MAP *.test 127.0.0.1"
	start := site.URL("https", "cookiescan.test", "/")
	www := site.URL("https", "www.cookiescan.test", "/")
	flow := filepath.Join(dir, "www.yaml")
	os.WriteFile(flow, []byte("timeout: 3s\nsteps:\n  - goto: "+www+"\nsuccess: {url: /}\n"), 0o644)

	check := func(name, secret string) {
		t.Helper()
		var host, sub, visited int
		for _, r := range site.Received() {
			if strings.HasPrefix(r.Host, "www.") {
				visited++
			}
			if !strings.Contains(r.Cookie, secret) {
				continue
			}
			if strings.HasPrefix(r.Host, "www.") {
				sub++
			} else if strings.HasPrefix(r.Host, "cookiescan.test") {
				host++
			}
		}
		if host == 0 {
			t.Errorf("%s: the cookie never reached the target host (the test proves nothing)", name)
		}
		if visited == 0 {
			t.Errorf("%s: www.cookiescan.test was never requested (the test proves nothing)", name)
		}
		if sub > 0 {
			t.Errorf("%s: Chromium sent the supplied cookie to the subdomain %d time(s): it is a domain cookie", name, sub)
		}
	}

	// scan: the whole command.
	code, _, errOut := run(t, "scan", start, "--http-url", site.URL("http", "cookiescan.test", "/"), "--ca-cert", site.CAFile,
		"--host-resolver-rules", rules, "--cookie", "sid=scan-secret", "--login", flow, "--max-pages", "1", "--concurrency", "1",
		"--fail-on", "none", "-q", "--format", "json")
	if code == exitUsage {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	check("scan --cookie", "scan-secret")

	// monitor: the target's settings as the monitor runs them (runScan).
	tg := monitorTarget(t, dir, start, fmt.Sprintf("    httpUrl: %s\n    caCert: %s\n    cookie: [sid=monitor-secret]\n    login: %s\n    maxPages: 1\n",
		site.URL("http", "cookiescan.test", "/"), site.CAFile, flow))
	bc := tg.Browser()
	bc.HostResolverRules = rules // the test's name resolution, not a setting
	crawler := browser.NewCrawler(bc.Options())
	defer crawler.Close()
	opts := tg.ScannerOptions()
	opts.Crawler = crawler
	opts.DialContext, _ = browser.RuleDialer(rules)
	if _, err := scanner.Run(context.Background(), opts); err != nil && !strings.Contains(err.Error(), "login") {
		t.Logf("monitor scan: %v", err)
	}
	check("monitor cookie:", "monitor-secret")
}

// The new flags complete: formats include jsonl, -l and --config complete
// file names.
func TestScanCompletesNewFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "scan", "--format", ""}, "jsonl"},
		{[]string{"__complete", "scan", "--config", ""}, "yaml"},
		{[]string{"__complete", "scan", "--par"}, "--parallel"},
		{[]string{"__complete", "scan", "--scan-t"}, "--scan-timeout"},
	} {
		if _, out, _ := run(t, tc.args...); !strings.Contains(out, tc.want) {
			t.Errorf("%v: %q lacks %q", tc.args, out, tc.want)
		}
	}
}
