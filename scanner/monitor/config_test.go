package monitor_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// The example config, with its files made real.
func TestConfigExample(t *testing.T) {
	dir := t.TempDir()
	site := startSite(t, "hardened")
	ca, _ := os.ReadFile(site.CAFile)
	os.WriteFile(filepath.Join(dir, "private-ca.pem"), ca, 0o644)
	os.MkdirAll(filepath.Join(dir, "flows"), 0o755)
	os.WriteFile(filepath.Join(dir, "flows", "shop-login.yaml"), []byte("steps:\n  - goto: /login\n  - fill: {selector: \"#password\", value: \"${SHOP_PASSWORD}\"}\nsuccess: {selector: \"#logout\"}\n"), 0o644)
	yaml := `store: ./cookiescan.db            # embedded SQLite by default
listen: 127.0.0.1:9310
concurrency: 2
retention: 90d
failuresBeforeAlert: 2
defaults: { timeout: 15s, noBrowser: false, header: ["X-Scanner: cookiescan"] }
targets:
  - url: https://shop.example/
    schedule: "@every 6h"
    login: flows/shop-login.yaml
    maxPages: 30
  - url: https://intranet.example:8443/
    schedule: "0 7 * * *"
    httpUrl: http://intranet.example:8080/
    caCert: private-ca.pem
    noBrowser: true
alerts:
  - webhook: https://hooks.example/T000/${HOOK_SECRET}
    on: [regression, scan-failed, recovered]
    minSeverity: medium
  - webhook: https://hooks.slack.com/services/T000/B000/XXX
    format: slack
`
	path := filepath.Join(dir, "monitor.yaml")
	os.WriteFile(path, []byte(yaml), 0o644)
	env := func(k string) (string, bool) {
		switch k {
		case "HOOK_SECRET":
			return "B000", true
		case "SHOP_PASSWORD":
			return "hunter2", true
		}
		return "", false
	}
	cfg, err := monitor.LoadConfig(path, monitor.LoadOptions{Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store != filepath.Join(dir, "cookiescan.db") {
		t.Errorf("store %q is not relative to the config file", cfg.Store)
	}
	if cfg.Retention != 90*24*time.Hour || cfg.Concurrency != 2 || cfg.FailuresBeforeAlert != 2 || cfg.PublicURL != "http://127.0.0.1:9310" {
		t.Errorf("top level: %+v", cfg)
	}
	shop, intra := cfg.Targets[0], cfg.Targets[1]
	if shop.MaxPages != 30 || shop.Timeout != 15*time.Second || shop.LoginFlow == nil || shop.Depth != monitor.DefaultDepth {
		t.Errorf("shop: %+v", shop.Settings)
	}
	if intra.HTTPTarget.String() != "http://intranet.example:8080/" || intra.CAPEM == nil || !intra.NoBrowser || intra.MaxPages != 20 {
		t.Errorf("intranet: %+v", intra.Settings)
	}
	if len(shop.Header) != 1 || len(intra.Header) != 1 {
		t.Errorf("defaults' header not applied to both targets: %v %v", shop.Header, intra.Header)
	}
	if a := cfg.Alerts[0]; a.Webhook != "https://hooks.example/T000/${HOOK_SECRET}" || a.MinSeverity != result.SeverityMedium || !a.On["scan-failed"] {
		t.Errorf("alert 0: %+v", a)
	}
	if a := cfg.Alerts[1]; a.Format != "slack" || len(a.On) != 4 || !a.On["store-failed"] { // no on: means every kind
		t.Errorf("alert 1: %+v", a)
	}
}

// Every config mistake names its line and the fix.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "readonly")
	os.Mkdir(ro, 0o555)
	target := "targets:\n  - url: https://example.com/\n    schedule: \"@every 6h\"\n"
	cases := []struct {
		name, yaml string
		line       int
		want       []string
	}{
		{"unknown key", "store: x.db\nlisten: 127.0.0.1:0\n" + target + "    http-url: http://example.com:8080/\n",
			6, []string{`unknown key "http-url" in a target`, "did you mean httpUrl"}},
		{"unknown top-level key", "stor: x.db\n" + target, 1, []string{`unknown key "stor" at the top level`, "did you mean store"}},
		{"scan-only key", target + "    format: html\n", 4, []string{`unknown key "format"`, "monitor show ID"}},
		{"unknown key in defaults", "defaults:\n  timout: 5s\n" + target, 2, []string{`"timout" under defaults`, "did you mean timeout"}},
		{"bad cron", "targets:\n  - url: https://example.com/\n    schedule: \"61 * * * *\"\n", 3,
			[]string{`schedule "61 * * * *" is not valid`, `"15 */6 * * *"`, "@every 6h"}},
		{"bad every", "targets:\n  - url: https://example.com/\n    schedule: \"@every 6 hours\"\n", 3, []string{"is not valid", "@every 6h"}},
		{"bad url", "targets:\n  - url: ftp://example.com/\n    schedule: \"@daily\"\n", 2, []string{"url:", "not supported", "https://"}},
		{"missing schedule", "targets:\n  - url: https://example.com/\n", 2, []string{"has no schedule", "@every 6h"}},
		{"unwritable store", "store: " + filepath.Join(ro, "sub", "h.db") + "\n" + target, 1, []string{"is not writable", "store:"}},
		{"bad retention", "retention: 90 days\n" + target, 1, []string{"retention", "90d"}},
		{"bad webhook", target + "alerts:\n  - webhook: hooks.example/x\n", 5, []string{"not an http(s) URL", "webhook:"}},
		{"unset secret", target + "alerts:\n  - webhook: https://hooks.example/${NOPE_NOT_SET}\n", 5, []string{"NOPE_NOT_SET is not set", "export"}},
		{"bad kind", target + "alerts:\n  - webhook: https://hooks.example/\n    on: [regressions]\n", 6, []string{`unknown alert kind "regressions"`}},
		{"wrong type", "concurrency: two\n" + target, 1, []string{"cannot unmarshal", "number"}},
		{"syntax", target + "store: a: b\n", 4, []string{"YAML syntax", "mapping values"}},
		{"httpUrl in defaults", "defaults:\n  httpUrl: http://x.example/\n" + target, 2, []string{"httpUrl applies to one target"}},
		{"login without browser", target + "    noBrowser: true\n    login: flow.yaml\n", 5, []string{"login needs the browser"}},
		{"httpUrl with credentials", target + "    httpUrl: http://u:pw@example.com/\n", 4, []string{"contains credentials"}},
		{"bad scope", target + "    scope: internal\n", 4, []string{`scope "internal"`, "site, public or any"}},
	}
	if os.Geteuid() == 0 {
		// root writes anywhere: make the store's directory missing instead.
		cases[8].want = []string{"is not writable", "no such file or directory"}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
			os.WriteFile(path, []byte(c.yaml), 0o644)
			_, err := monitor.LoadConfig(path, monitor.LoadOptions{Getenv: func(string) (string, bool) { return "", false }})
			if err == nil {
				t.Fatalf("accepted:\n%s", c.yaml)
			}
			var ce monitor.ConfigErrors
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not ConfigErrors: %v", err, err)
			}
			found := false
			for _, e := range ce {
				if e.Line == c.line {
					found = true
				}
			}
			if !found {
				t.Errorf("no error on line %d: %v", c.line, err)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if !strings.Contains(msg, "fix:") || !strings.Contains(msg, filepath.Base(path)+":") {
				t.Errorf("message names no file:line or fix:\n%s", msg)
			}
		})
	}
}

func TestWebhookCheck(t *testing.T) {
	hook := newReceiver(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close() // nothing listens here now
	cfg := writeConfig(t, "targets:\n  - url: https://example.com/\n    schedule: \"@daily\"\nalerts:\n  - webhook: "+hook.URL+"/ok\n  - webhook: http://"+closed+"/secret-path\n")
	err := monitor.CheckWebhooks(context.Background(), cfg, time.Second, nil)
	if err == nil {
		t.Fatal("an unreachable webhook passed the check")
	}
	msg := err.Error()
	if !strings.Contains(msg, ":6:") || !strings.Contains(msg, "unreachable") || !strings.Contains(msg, "--skip-webhook-check") {
		t.Errorf("message: %s", msg)
	}
	if strings.Contains(msg, "secret-path") {
		t.Errorf("the webhook's path (often its secret) is in the message: %s", msg)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "1d12h": 36 * time.Hour, "6h": 6 * time.Hour, "0": 0, "15s": 15 * time.Second} {
		if got, err := monitor.ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"90 days", "d", "x1d", ""} {
		if _, err := monitor.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}
