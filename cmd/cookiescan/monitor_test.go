package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// runMonitorCmd runs `cookiescan monitor ARGS` as main would once root.go adds
// the command: same error handling, same exit codes.
func runMonitorCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := &cobra.Command{Use: "cookiescan", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usagef(err) })
	// No browser in these tests: transport checks only.
	root.AddCommand(newMonitorCmdWith(&monitorOptions{IO: ios}))
	root.SetArgs(append([]string{"monitor"}, args...))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("cookiescan: " + err.Error() + "\n")
	}
	return exitCode(err), out.String(), errOut.String()
}

func writeMonitorConfig(t *testing.T, dir, body string) string {
	t.Helper()
	path := filepath.Join(dir, "monitor.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMonitorConfigErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	target := "targets:\n  - url: https://example.com/\n    schedule: \"@every 6h\"\n"
	cases := map[string]struct {
		yaml string
		want []string
	}{
		"unknown key":         {target + "    maxpages: 3\n", []string{"monitor.yaml:4:", `unknown key "maxpages"`, "did you mean maxPages"}},
		"bad cron":            {"targets:\n  - url: https://example.com/\n    schedule: \"* * *\"\n", []string{"monitor.yaml:3:", "schedule", "fix:", "15 */6 * * *"}},
		"unreachable webhook": {target + "alerts:\n  - webhook: http://" + closed + "/T0/B0\n", []string{"monitor.yaml:5:", "unreachable", "--skip-webhook-check"}},
		"unwritable store":    {"store: /nonexistent-dir/x/history.db\n" + target, []string{"monitor.yaml:1:", "not writable", "fix:"}},
		"bad url":             {"targets:\n  - url: \"https://\"\n    schedule: \"@daily\"\n", []string{"monitor.yaml:2:", "has no host"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sub := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			os.Mkdir(sub, 0o755)
			path := writeMonitorConfig(t, sub, c.yaml)
			code, _, errOut := runMonitorCmd(t, "--config", path, "--once")
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
	// The same config passes when the webhook check is skipped (the target is
	// then scanned; example.com is not reachable here, so stop at `check`).
	sub := filepath.Join(dir, "skip")
	os.Mkdir(sub, 0o755)
	path := writeMonitorConfig(t, sub, target+"alerts:\n  - webhook: http://"+closed+"/T0/B0\n")
	if code, out, errOut := runMonitorCmd(t, "check", "--config", path, "--skip-webhook-check"); code != 0 || !strings.Contains(out, "ok: 1 target(s), 1 alert(s)") {
		t.Errorf("check --skip-webhook-check: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runMonitorCmd(t, "--config", filepath.Join(dir, "missing.yaml")); code != exitUsage || !strings.Contains(errOut, "--config") {
		t.Errorf("missing config: exit %d %s", code, errOut)
	}
}

func TestMonitorOnceHistoryShow(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	var hooks atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hooks.Add(1) }))
	defer hook.Close()
	dir := t.TempDir()
	path := writeMonitorConfig(t, dir, fmt.Sprintf(`store: history.db
listen: "off"
targets:
  - url: %s
    httpUrl: %s
    caCert: %s
    schedule: "@every 6h"
    noBrowser: true
    timeout: 3s
alerts:
  - webhook: %s
`, site.HTTPSURL, site.HTTPURL, site.CAFile, hook.URL))

	for i := 0; i < 2; i++ {
		code, _, errOut := runMonitorCmd(t, "--config", path, "--once")
		if code != 0 || !strings.Contains(errOut, "1 scans, 0 failed") {
			t.Fatalf("--once: exit %d\n%s", code, errOut)
		}
	}
	site.SetProfile("insecure")
	if code, _, errOut := runMonitorCmd(t, "--config", path, "--once", "--log-format", "json"); code != 0 || !strings.Contains(errOut, `"msg":"alert"`) {
		t.Fatalf("--once (insecure): exit %d\n%s", code, errOut)
	}
	if n := hooks.Load(); n != 1 {
		t.Errorf("%d webhook calls, want 1 regression", n)
	}

	// history, from another working directory: the store path is relative to
	// the config file.
	code, out, errOut := runMonitorCmd(t, "history", strings.TrimSuffix(site.HTTPSURL, "/"), "--config", path)
	if testing.Verbose() {
		t.Logf("history:\n%s", out)
	}
	if code != 0 {
		t.Fatalf("history: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[1], "GRADE") || !strings.HasPrefix(lines[2], "3 ") || !strings.Contains(lines[4], "A+") {
		t.Errorf("history:\n%s", out)
	}
	code, out, _ = runMonitorCmd(t, "history", site.HTTPSURL, "--config", path, "--format", "json", "-n", "1")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0]["grade"] == "A+" {
		t.Errorf("history --format json: %d %s", code, out)
	}
	if code, _, errOut := runMonitorCmd(t, "history", "https://unknown.example/", "--config", path); code != exitUsage || !strings.Contains(errOut, site.HTTPSURL) {
		t.Errorf("history of an unknown target: %d %s", code, errOut)
	}

	// show: the stored scan, as a table and as a JSON file.
	code, out, errOut = runMonitorCmd(t, "show", "3", "--config", path)
	if code != 0 || !strings.Contains(out, "sessionid") {
		t.Errorf("show 3: exit %d\n%s%s", code, out, errOut)
	}
	file := filepath.Join(t.TempDir(), "scan1.json")
	if code, _, errOut := runMonitorCmd(t, "show", "1", "--config", path, "-o", file); code != 0 {
		t.Fatalf("show -o: %d %s", code, errOut)
	}
	data, _ := os.ReadFile(file)
	if !bytes.Contains(data, []byte(`"schemaVersion": "1"`)) {
		t.Errorf("show -o wrote:\n%.300s", data)
	}
	if code, _, errOut := runMonitorCmd(t, "show", "99", "--config", path); code != exitUsage || !strings.Contains(errOut, "not in") {
		t.Errorf("show 99: %d %s", code, errOut)
	}

	// ack: the regression scan 3 opened is acknowledged, with its problems.
	code, out, errOut = runMonitorCmd(t, "ack", "3", "--config", path)
	if code != 0 || !strings.Contains(out, "acknowledged the open regression of "+site.HTTPSURL) || !strings.Contains(out, "sessionid") {
		t.Errorf("ack 3: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runMonitorCmd(t, "ack", "99", "--config", path); code != exitUsage || !strings.Contains(errOut, "not in") {
		t.Errorf("ack 99: %d %s", code, errOut)
	}
	site.SetProfile("hardened")
	if code, _, errOut := runMonitorCmd(t, "--config", path, "--once"); code != 0 {
		t.Fatalf("--once (repaired): %d %s", code, errOut)
	}
	if n := hooks.Load(); n != 2 {
		t.Errorf("%d webhook calls, want the regression and its recovery (acknowledged or not)", n)
	}
	if code, _, errOut := runMonitorCmd(t, "ack", "4", "--config", path); code != exitUsage || !strings.Contains(errOut, "no open regression") {
		t.Errorf("ack of a recovered target: %d %s", code, errOut)
	}
}

// --once exits 3 when a target could not be scanned (for a CronJob's status).
func TestMonitorOnceUnreachableExit3(t *testing.T) {
	dir := t.TempDir()
	path := writeMonitorConfig(t, dir, "listen: \"off\"\ntargets:\n  - url: https://127.0.0.1:1/\n    schedule: \"@daily\"\n    noBrowser: true\n    timeout: 1s\n")
	code, _, errOut := runMonitorCmd(t, "--config", path, "--once")
	if code != exitScan || !strings.Contains(errOut, "could not be scanned") {
		t.Errorf("exit %d, want %d\n%s", code, exitScan, errOut)
	}
}

// /scans/ID renders the stored report with the HTML writer when this build has
// one.
func TestMonitorHTMLRenderer(t *testing.T) {
	render := htmlRenderer()
	if render == nil {
		t.Skip("no html report format in this build")
	}
	var buf bytes.Buffer
	rep := result.New("https://shop.example/", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "test")
	ct, err := render(&buf, rep)
	if err != nil || !strings.HasPrefix(ct, "text/html") || !strings.Contains(strings.ToLower(buf.String()), "<html") {
		t.Fatalf("%s %v\n%.200s", ct, err, buf.String())
	}
}

// history and show only read the store: a webhook secret (${VAR}) that is not
// exported where they run must not stop them. The commands that send (the
// service, --once) and check, which vets the config for them, still need it.
func TestMonitorReadOnlyCommandsNeedNoSecrets(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer hook.Close()
	dir := t.TempDir()
	path := writeMonitorConfig(t, dir, `store: history.db
listen: "off"
targets:
  - url: https://127.0.0.1:1/
    schedule: "@daily"
    noBrowser: true
    timeout: 1s
alerts:
  - webhook: `+hook.URL+`/${TEST_HOOK_TOKEN}
    header: { Authorization: "Bearer ${TEST_HOOK_BEARER}" }
`)
	t.Setenv("TEST_HOOK_TOKEN", "t0k3n")
	t.Setenv("TEST_HOOK_BEARER", "b3ar3r")
	if code, _, errOut := runMonitorCmd(t, "--config", path, "--once"); code != exitScan {
		t.Fatalf("--once with the secrets: exit %d, want %d (the target is down)\n%s", code, exitScan, errOut)
	}
	os.Unsetenv("TEST_HOOK_TOKEN")
	os.Unsetenv("TEST_HOOK_BEARER")

	if code, out, errOut := runMonitorCmd(t, "history", "https://127.0.0.1:1/", "--config", path); code != 0 || !strings.Contains(out, "1 scan(s)") {
		t.Errorf("history without the secrets: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runMonitorCmd(t, "show", "1", "--config", path, "--format", "json"); code != 0 || !strings.Contains(out, `"schemaVersion"`) {
		t.Errorf("show without the secrets: exit %d\n%.300s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"check"}, {"--once"}} {
		code, _, errOut := runMonitorCmd(t, append(args, "--config", path)...)
		if code != exitUsage || !strings.Contains(errOut, "TEST_HOOK_TOKEN") || !strings.Contains(errOut, "TEST_HOOK_BEARER") {
			t.Errorf("%v without the secrets: exit %d, want %d naming both variables\n%s", args, code, exitUsage, errOut)
		}
	}
}
