package main

import (
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/fixtures"
)

// TestScanThroughProxy: with --proxy, the probe's requests and Chromium's
// reach the site through the proxy (counted there), and the scan completes
// as without one; HTTPS_PROXY does the same when no flag is given.
func TestScanThroughProxy(t *testing.T) {
	needChromium(t)
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	px, err := fixtures.StartProxy()
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"} {
		t.Setenv(k, "")
	}
	args := []string{"scan", site.URL("https", "cookiescan.test", "/"), "--http-url", site.URL("http", "cookiescan.test", "/"),
		"--ca-cert", site.CAFile, "--host-resolver-rules", "MAP *.test 127.0.0.1", "--max-pages", "2", "--fail-on", "none", "-q", "--format", "json"}
	count := func() (probe, chromium int) {
		for _, r := range px.Requests() {
			switch {
			case strings.HasPrefix(r.UserAgent, "cookiescan/"):
				probe++
			case strings.Contains(r.UserAgent, "Chrome"):
				chromium++
			}
		}
		return probe, chromium
	}
	code, out, stderr := run(t, append(args, "--proxy", "http://"+px.Addr)...)
	if code != exitOK || !strings.Contains(out, `"grade"`) {
		t.Fatalf("scan through --proxy: exit %d, stderr %s", code, stderr)
	}
	p, c := count()
	if p == 0 || c == 0 {
		t.Errorf("at the proxy: %d requests of the probe, %d of Chromium; want both: %+v", p, c, px.Requests())
	}

	t.Setenv("HTTPS_PROXY", "http://"+px.Addr)
	t.Setenv("HTTP_PROXY", "http://"+px.Addr)
	code, _, stderr = run(t, append(args, "--no-browser")...)
	if p2, _ := count(); code != exitOK || p2 <= p {
		t.Errorf("scan with HTTPS_PROXY: exit %d, probe requests at the proxy %d → %d: %s", code, p, p2, stderr)
	}
	code, _, stderr = run(t, append(args, "--proxy", "socks5://"+px.Addr)...)
	if code != exitUsage || !strings.Contains(stderr, "only http:// proxies") {
		t.Errorf("--proxy socks5://: exit %d, stderr %q; want a usage error", code, stderr)
	}
}
