package monitor

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/spec"
)

// validator turns the decoded YAML into a Config, collecting every problem with
// its line and fix instead of stopping at the first.
type validator struct {
	file, dir string
	getenv    func(string) (string, bool)
	lenient   bool
	errs      ConfigErrors
}

func (v *validator) add(line int, fix, format string, args ...any) {
	v.errs = append(v.errs, &ConfigError{File: v.file, Line: line, Msg: fmt.Sprintf(format, args...), Fix: fix})
}

// path resolves a path in the config against the config's directory.
func (v *validator) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(v.dir, p)
}

func (v *validator) config(raw rawConfig, root *yaml.Node) *Config {
	cfg := &Config{Path: v.file, Listen: DefaultListen, Concurrency: DefaultConcurrency,
		Retention: DefaultRetention, FailuresBeforeAlert: DefaultFailuresBeforeAlert}

	cfg.Store = v.path(DefaultStore)
	pg := raw.Store.Set && store.IsURL(strings.TrimSpace(raw.Store.V))
	if raw.Store.Set {
		switch {
		case strings.TrimSpace(raw.Store.V) == "":
			v.add(raw.Store.Line, "write a file path such as store: /var/lib/cookiescan/cookiescan.db", "store is empty")
		case pg:
			cfg.Store = v.storeURL(raw.Store)
		default:
			cfg.Store = v.path(raw.Store.V)
		}
	}
	if !v.lenient && !pg {
		if err := checkWritable(cfg.Store); err != nil {
			line := raw.Store.Line
			what := "store " + cfg.Store
			if !raw.Store.Set {
				what = "the default store " + cfg.Store
			}
			v.add(line, "set store: to a path in a directory this user can write, e.g. /var/lib/cookiescan/cookiescan.db, or fix the directory's permissions",
				"%s is not writable: %v", what, err)
		}
	}

	if raw.Listen.Set {
		cfg.Listen = strings.TrimSpace(raw.Listen.V)
		if cfg.Listen == "off" {
			cfg.Listen = ""
		} else if _, port, err := splitHostPort(cfg.Listen); err != nil || port == "" {
			v.add(raw.Listen.Line, `write host:port such as listen: 127.0.0.1:9310 (or "off")`, "listen %q is not an address", raw.Listen.V)
		}
	}
	if raw.PublicURL.Set {
		u, err := url.Parse(raw.PublicURL.V)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add(raw.PublicURL.Line, "write the URL people open to reach this monitor, e.g. publicUrl: https://cookiescan.internal.example", "publicUrl %q is not an http(s) URL", raw.PublicURL.V)
		} else {
			cfg.PublicURL = strings.TrimSuffix(raw.PublicURL.V, "/")
		}
	}
	if cfg.PublicURL == "" && cfg.Listen != "" {
		cfg.PublicURL = "http://" + cfg.Listen
	}
	if raw.Concurrency.Set {
		cfg.Concurrency = raw.Concurrency.V
		if cfg.Concurrency < 1 {
			v.add(raw.Concurrency.Line, "set concurrency: to 1 or more", "concurrency %d must be at least 1", raw.Concurrency.V)
		}
	}
	if raw.Retention.Set {
		d, err := ParseDuration(raw.Retention.V)
		switch {
		case err != nil:
			v.add(raw.Retention.Line, `write a duration such as retention: 90d (d, h, m, s), or 0 to keep everything`, "retention %q: %v", raw.Retention.V, err)
		case d != 0 && d < time.Hour:
			v.add(raw.Retention.Line, "keep at least an hour of history (retention: 90d is usual), or 0 to keep everything", "retention %s is too short", raw.Retention.V)
		default:
			cfg.Retention = d
		}
	}
	if raw.FailuresBeforeAlert.Set {
		cfg.FailuresBeforeAlert = raw.FailuresBeforeAlert.V
		if cfg.FailuresBeforeAlert < 1 {
			v.add(raw.FailuresBeforeAlert.Line, "set failuresBeforeAlert: to 1 (alert on the first failure) or more", "failuresBeforeAlert %d must be at least 1", raw.FailuresBeforeAlert.V)
		}
	}

	// defaults: and each target are scan specs: the defaults' keys over
	// spec.Defaults(), a target's over those, then checked once per target
	// as `scan` checks its flags.
	base := spec.Defaults()
	if raw.Defaults.node != nil {
		refuse := maps.Clone(targetRefused)
		refuse["url"] = "a url belongs to one target: list it under targets:"
		refuse["httpUrl"] = "httpUrl applies to one target, not to defaults: move httpUrl: under the target it belongs to"
		v.specErrors(spec.Decode(raw.Defaults.node, &base, spec.DecodeOptions{File: v.file, Dir: v.dir, Refuse: refuse, Where: "under defaults:"}))
	}

	targetLines := seqLines(root, "targets")
	if len(raw.Targets) == 0 {
		v.add(keyLine(root, "targets"), `add a list of targets, e.g. targets: [{url: "https://example.com/", schedule: "@every 6h"}]`, "no targets to monitor")
	}
	seen := map[string]int{}
	for i, rt := range raw.Targets {
		line := 0
		if i < len(targetLines) {
			line = targetLines[i]
		}
		t := &Target{Line: line}
		sp := base.Clone()
		if errs := spec.Decode(rt.node, &sp, spec.DecodeOptions{File: v.file, Dir: v.dir, Other: []string{"schedule"},
			Refuse: targetRefused, Where: "in a target (targets:)"}); len(errs) > 0 {
			v.specErrors(errs)
			cfg.Targets = append(cfg.Targets, t)
			continue
		}
		urlAt := rt.value("url")
		if strings.TrimSpace(sp.URL) == "" {
			v.add(line, "give every target a url: such as url: https://example.com/", "target %d has no url", i+1)
		}
		sched := rt.value("schedule")
		if !sched.Set || strings.TrimSpace(sched.V) == "" {
			v.add(line, `add a schedule: such as schedule: "@every 6h" or "15 */6 * * *"`, "target %d has no schedule", i+1)
		} else if s, err := ParseSchedule(sched.V); err != nil {
			v.add(sched.Line, `write five cron fields "minute hour day-of-month month day-of-week" such as "15 */6 * * *", or "@every 6h", "@hourly", "@daily"`,
				"schedule %q is not valid: %v", sched.V, err)
		} else if err := checkInterval(sched.V, s); err != nil {
			v.add(sched.Line, fmt.Sprintf(`scan at most every %[1]s, e.g. schedule: "@every %[1]s" or "*/5 * * * *"`, short(minScheduleInterval)),
				"schedule %q %v", sched.V, err)
		} else {
			t.Schedule, t.schedule = strings.TrimSpace(sched.V), s
		}
		settings, err := sp.Check(spec.CheckOptions{Getenv: v.getenv, Lenient: v.lenient})
		if err != nil {
			var es spec.Errors
			if errors.As(err, &es) {
				v.specErrors(es)
			}
		} else {
			t.Settings = *settings
			t.URL = settings.Target
		}
		if t.URL != nil {
			if prev, dup := seen[t.URL.String()]; dup {
				v.add(urlAt.Line, "list each URL once; merge the two entries", "target %s is already listed on line %d", t.URL, prev)
			}
			seen[t.URL.String()] = urlAt.Line
		}
		cfg.Targets = append(cfg.Targets, t)
	}

	alertLines := seqLines(root, "alerts")
	for i, ra := range raw.Alerts {
		line := 0
		if i < len(alertLines) {
			line = alertLines[i]
		}
		cfg.Alerts = append(cfg.Alerts, v.alert(ra, line, i))
	}
	cfg.Auth = v.auth(raw.Auth)
	return cfg
}

// targetRefused are `scan` flags that mean nothing for a monitor target,
// each with what to use instead.
var targetRefused = func() map[string]string {
	m := maps.Clone(scanOnlyKeys)
	m["hostResolverRules"] = "a test-only setting of `scan`: remove it"
	return m
}()

// specErrors adds a scan spec's errors, each once: a bad value under
// defaults: is reported on its line, not once per target.
func (v *validator) specErrors(es spec.Errors) {
	for _, e := range es {
		msg := e.Msg
		if n := e.Name(); n != "" {
			msg = n + ": " + msg
		}
		dup := false
		for _, have := range v.errs {
			if have.Line == e.Line && have.Msg == msg {
				dup = true
			}
		}
		if !dup {
			v.errs = append(v.errs, &ConfigError{File: v.file, Line: e.Line, Msg: msg, Fix: e.Fix})
		}
	}
}

func (v *validator) alert(ra rawAlert, line, i int) *Alert {
	a := &Alert{Format: "json", On: map[string]bool{}, MinSeverity: DefaultMinSeverity, Line: line}
	if !ra.Webhook.Set || strings.TrimSpace(ra.Webhook.V) == "" {
		v.add(line, "give every alert a webhook: URL", "alert %d has no webhook", i+1)
	} else {
		a.Webhook = strings.TrimSpace(ra.Webhook.V)
		a.Line = ra.Webhook.Line
		expanded, err := Expand(a.Webhook, v.getenv)
		if err != nil {
			// history and show send nothing: a secret need not be exported
			// where they run, and the URL cannot be checked without it.
			if !v.lenient {
				v.add(ra.Webhook.Line, "export the variable before starting the monitor", "webhook: %v", err)
			}
		} else if u, err := url.Parse(expanded); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			v.add(ra.Webhook.Line, "write an http(s) URL such as webhook: https://hooks.slack.com/services/T000/B000/XXX", "webhook %q is not an http(s) URL", redactURL(expanded))
		}
	}
	if ra.Format.Set {
		switch f := strings.ToLower(strings.TrimSpace(ra.Format.V)); f {
		case "json", "generic":
			a.Format = "json"
		case "slack":
			a.Format = "slack"
		default:
			v.add(ra.Format.Line, "write format: json (the documented payload) or format: slack", "unknown alert format %q", ra.Format.V)
		}
	}
	if ra.On.Set {
		for _, k := range ra.On.V {
			k = strings.ToLower(strings.TrimSpace(k))
			if !contains(alertKinds, k) {
				v.add(ra.On.Line, "use any of on: [regression, scan-failed, recovered, store-failed]", "unknown alert kind %q", k)
				continue
			}
			a.On[k] = true
		}
	} else {
		for _, k := range alertKinds {
			a.On[k] = true
		}
	}
	if ra.MinSeverity.Set {
		s, err := result.ParseSeverity(strings.TrimSpace(ra.MinSeverity.V))
		if err != nil {
			v.add(ra.MinSeverity.Line, "write one of info, low, medium, high, critical", "minSeverity: %v", err)
		} else {
			a.MinSeverity = s
		}
	}
	if ra.Header.Set {
		a.Header = map[string]string{}
		for k, val := range ra.Header.V {
			expanded, err := Expand(val, v.getenv)
			if err != nil {
				if !v.lenient { // history and show send nothing
					v.add(ra.Header.Line, "export the variable before starting the monitor", "header %s: %v", k, err)
				}
			} else if _, _, err := parseHeader(k + ":" + expanded); err != nil {
				// Checked expanded: the webhook would refuse it at every send.
				v.add(ra.Header.Line, "give a token name and a value without control characters", "header %q: %v", k, err)
			}
			a.Header[k] = val
		}
	}
	return a
}

// ParseDuration reads Go durations plus days ("90d", "1d12h"), which retention
// needs and time.ParseDuration lacks.
func ParseDuration(s string) (time.Duration, error) { return spec.ParseDuration(s) }

// checkWritable proves the store can be created or written without leaving
// anything behind: the directory must exist and take a new file, and an existing
// database must open for writing.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return errors.New("it is a directory")
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		f.Close()
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	// SQLite writes -wal and -shm files beside the database, so the directory
	// itself must be writable, not just the file.
	f, err := os.CreateTemp(dir, ".cookiescan-write-check-*")
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

var envRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Expand replaces ${VAR} with the variable's value; an unset variable is an error
// rather than an empty string, so a secret that is missing is noticed at start.
func Expand(s string, getenv func(string) (string, bool)) (string, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	var missing []string
	out := envRE.ReplaceAllStringFunc(s, func(m string) string {
		name := envRE.FindStringSubmatch(m)[1]
		val, ok := getenv(name)
		if !ok {
			missing = append(missing, name)
		}
		return val
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

// storeURL checks a postgres:// store and expands its ${VAR}s. A password
// written in the file is refused: the config is read by everyone who runs
// `monitor history`, and lands in repositories and ConfigMaps.
func (v *validator) storeURL(raw at[string]) string {
	text := strings.TrimSpace(raw.V)
	fix := "write the password as ${VAR} (store: postgres://cookiescan:${COOKIESCAN_DB_PASSWORD}@db:5432/cookiescan) or leave it out and export PGPASSWORD"
	if pw := rawPassword(text); pw != "" && envRE.ReplaceAllString(pw, "") != "" {
		v.add(raw.Line, fix, "store %s has its password in clear text", store.Redact(text))
		return text
	}
	out, err := Expand(text, v.getenv)
	if err != nil {
		v.add(raw.Line, "export it before starting the monitor, or drop ${...} from store:", "store %s: %v", store.Redact(text), err)
		return text
	}
	if _, err := url.Parse(out); err != nil {
		v.add(raw.Line, "write a URL such as store: postgres://cookiescan:${COOKIESCAN_DB_PASSWORD}@db.internal:5432/cookiescan?sslmode=verify-full (percent-encode special characters)", "store %s is not a valid URL", store.Redact(text))
	}
	return out
}

// rawPassword is the password written in a URL's userinfo or password=
// parameter, before ${VAR} expansion ("" when none).
func rawPassword(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
			return pw
		}
	}
	if _, q, ok := strings.Cut(u, "?"); ok {
		for _, kv := range strings.Split(q, "&") {
			if pw, ok := strings.CutPrefix(kv, "password="); ok && pw != "" {
				return pw
			}
		}
	}
	return ""
}

// redactURL hides the path and query of a webhook in messages: for Slack and
// most chat webhooks the path is the secret.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	out := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" {
		out += "/…"
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The scanner's own parsers, so a URL the monitor accepts is one `scan` accepts.
var (
	parseHeader   = scanner.ParseHeader
	splitHostPort = net.SplitHostPort
)
