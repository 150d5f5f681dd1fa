package monitor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzSecret is what every ${VAR} expands to in the fuzz target; like a
// webhook's secret path it cannot be a host name, which messages may show.
const fuzzSecret = "/s3cret-path-4e1a?k=v"

var cfgNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// FuzzParseConfig feeds the monitor config parser and validator: it never
// panics, every problem is a ConfigError with a message, and a config it
// accepts is one the scheduler can run (targets with a URL and a schedule,
// positive limits).
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		// README's example (files left unchecked: the target is lenient).
		`store: ./cookiescan.db
listen: 127.0.0.1:9310
publicUrl: https://cookiescan.internal.example
concurrency: 2
retention: 90d
failuresBeforeAlert: 2
defaults:
  timeout: 15s
  noBrowser: false
targets:
  - url: https://shop.example/
    schedule: "@every 6h"
    login: flows/shop-login.json
    maxPages: 30
  - url: https://intranet.example:8443/
    schedule: "0 7 * * *"
    httpUrl: http://intranet.example:8080/
    caCert: /etc/ssl/private-ca.pem
alerts:
  - webhook: https://hooks.example/T000/${HOOK_TOKEN}
    on: [regression, scan-failed, recovered]
    minSeverity: medium
  - webhook: https://hooks.slack.com/services/${SLACK_PATH}
    format: slack
    header: { Authorization: "Bearer ${HOOK_BEARER}" }
`,
		"targets:\n  - url: https://example.com/\n    schedule: \"@every 6h\"\n",
		"listen: \"off\"\ntargets:\n  - url: example.com\n    schedule: \"CRON_TZ=Europe/Berlin 15 */6 * * *\"\n    header: [\"X-Token: ${T}\"]\n    cookie: [\"sid=${S}\"]\n    depth: 0\n    include: [\"^https://example.com/a\"]\n",
		"targets:\n  - url: https://example.com:99999/\n    schedule: \"@every 1ms\"\n    pageTimeout: -5s\n    header: [\"X: a\\r\\nb\"]\n",
		"targets:\n  - {url: \"https://a.example/\", schedule: \"0,1 * * * * *\", noBrowser: true, login: f.yaml}\n  - {url: \"https://a.example/\", schedule: \"0 0 30 2 *\"}\n",
		"defaults: {httpUrl: \"http://x/\", timout: 5s, maxPages: 0, chrome: c, browserUrl: \"ws://127.0.0.1:9222/x\"}\ntargets: []\n",
		"retention: 0\nconcurrency: two\nstore: a: b\n", "targets: [{url: [1]}]\n", "- a\n- b\n", "&a [*a]", "{", "",
		"alerts:\n  - webhook: hooks.example/x\n    on: [regressions]\n    minSeverity: severe\n    format: xml\n",
	} {
		f.Add([]byte(s))
	}
	getenv := func(string) (string, bool) { return fuzzSecret, true }
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("/etc/cookiescan/monitor.yaml", data, LoadOptions{Lenient: true, Getenv: getenv})
		if err != nil {
			var ce ConfigErrors
			if !errors.As(err, &ce) || len(ce) == 0 || cfg != nil {
				t.Fatalf("error %T %v with config %v", err, err, cfg)
			}
			for _, e := range ce {
				if e.Msg == "" {
					t.Fatalf("a ConfigError without a message: %+v", e)
				}
				if strings.Contains(e.Error(), fuzzSecret) {
					t.Fatalf("a secret in %q", e.Error())
				}
			}
			return
		}
		if len(cfg.Targets) == 0 || cfg.Concurrency < 1 || cfg.FailuresBeforeAlert < 1 {
			t.Fatalf("accepted a config that cannot run: %+v", cfg)
		}
		for _, tg := range cfg.Targets {
			if tg.URL == nil || tg.schedule == nil || tg.MaxPages < 1 || tg.Depth < 0 ||
				tg.Timeout <= 0 || tg.PageTimeout <= 0 || tg.ScanTimeout <= 0 {
				t.Fatalf("accepted a target that cannot run: %+v", tg)
			}
			_ = tg.CrawlRequest()
			_ = jitterFor(tg.schedule, tg.schedule.Next(cfgNow))
		}
	})
}
