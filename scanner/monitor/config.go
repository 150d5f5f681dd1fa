package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/cookiescan/cookiescan/scanner/inputfile"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/spec"
)

// Defaults of the config file; a target's come from scanner/spec.
const (
	DefaultStore               = "cookiescan.db"
	DefaultListen              = "127.0.0.1:9310"
	DefaultConcurrency         = 2
	DefaultRetention           = 90 * 24 * time.Hour
	DefaultFailuresBeforeAlert = 2
	DefaultTimeout             = spec.DefaultTimeout
	DefaultScanTimeout         = spec.DefaultScanTimeout
	DefaultPageTimeout         = spec.DefaultPageTimeout
	DefaultMaxPages            = spec.DefaultMaxPages
	DefaultDepth               = spec.DefaultDepth
	DefaultMinSeverity         = result.SeverityMedium
)

// Alert kinds a webhook can subscribe to.
var alertKinds = []string{"regression", "scan-failed", "recovered", "store-failed"}

// Config is a validated monitor.yaml. Relative paths in it (store, caCert, login)
// are resolved against the config file's directory, so `monitor history` finds the
// same store from any working directory.
type Config struct {
	Path string // the file it was read from
	// Store is the SQLite file; Listen the address of /metrics, /healthz and the
	// status page ("" disables them).
	Store  string
	Listen string
	// PublicURL is how alert links reach the status server (default http://Listen).
	PublicURL           string
	Concurrency         int
	Retention           time.Duration // 0: keep everything
	FailuresBeforeAlert int
	Targets             []*Target
	Alerts              []*Alert
	// Auth guards the status page, the reports and /metrics (never /healthz);
	// its secrets come from the environment.
	Auth Auth
}

// Target is one site to scan on a schedule: its settings are a scan spec,
// the defaults' with the target's keys over them, checked as `scan` checks
// its flags.
type Target struct {
	URL      *url.URL
	Schedule string
	spec.Settings
	Line int

	schedule cron.Schedule
}

// Alert is one webhook.
type Alert struct {
	// Webhook is the URL as written, ${VAR} unexpanded: it is what the outbox
	// stores, so a secret kept in the environment never reaches the database.
	Webhook     string
	Format      string // json or slack
	On          map[string]bool
	MinSeverity result.Severity
	Header      map[string]string // extra request headers, ${VAR} unexpanded
	Line        int
}

// at is a config value with the line it was written on, so every message can
// point at it.
type at[T any] struct {
	V    T
	Line int
	Set  bool
}

func (a *at[T]) UnmarshalYAML(n *yaml.Node) error {
	a.Line, a.Set = n.Line, true
	return n.Decode(&a.V)
}

// rawTarget keeps a target's mapping: url and schedule are read here, the
// rest is a scan spec (spec.Decode).
type rawTarget struct{ node *yaml.Node }

func (r *rawTarget) UnmarshalYAML(n *yaml.Node) error { r.node = n; return nil }

// value is the scalar under key in r's mapping, with its line.
func (r rawTarget) value(key string) at[string] {
	if r.node == nil || r.node.Kind != yaml.MappingNode {
		return at[string]{}
	}
	for i := 0; i+1 < len(r.node.Content); i += 2 {
		if r.node.Content[i].Value == key {
			v := r.node.Content[i+1]
			return at[string]{V: v.Value, Line: v.Line, Set: true}
		}
	}
	return at[string]{}
}

type rawDefaults = rawTarget

type rawAlert struct {
	Webhook     at[string]            `yaml:"webhook"`
	Format      at[string]            `yaml:"format"`
	On          at[[]string]          `yaml:"on"`
	MinSeverity at[string]            `yaml:"minSeverity"`
	Header      at[map[string]string] `yaml:"header"`
}

type rawConfig struct {
	Store               at[string]  `yaml:"store"`
	Listen              at[string]  `yaml:"listen"`
	PublicURL           at[string]  `yaml:"publicUrl"`
	Concurrency         at[int]     `yaml:"concurrency"`
	Retention           at[string]  `yaml:"retention"`
	FailuresBeforeAlert at[int]     `yaml:"failuresBeforeAlert"`
	Defaults            rawDefaults `yaml:"defaults"`
	Targets             []rawTarget `yaml:"targets"`
	Alerts              []rawAlert  `yaml:"alerts"`
	Auth                rawAuth     `yaml:"auth"`
}

// ConfigError is one problem in the config file: where, what, and how to fix it.
type ConfigError struct {
	File string
	Line int // 0: not tied to a line
	Msg  string
	Fix  string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString(" (fix: " + e.Fix + ")")
	}
	return b.String()
}

// ConfigErrors are all the problems found in one pass, so a user fixes them
// together rather than one run at a time.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// LoadOptions tune LoadConfig.
type LoadOptions struct {
	// Getenv reads ${VAR} in webhooks, headers and login flows (default os.LookupEnv).
	Getenv func(string) (string, bool)
	// Lenient skips the checks that touch the file system beyond reading the
	// config (store writable, caCert and login files) and the ${VAR}s of
	// webhooks, for `monitor history` and `monitor show`, which only need the
	// store path and send nothing.
	Lenient bool
}

// LoadConfig reads and validates a monitor config. Every problem comes back as a
// ConfigErrors naming its line and the fix. Webhook reachability is checked
// separately (CheckWebhooks) because it needs the network.
func LoadConfig(path string, opts LoadOptions) (*Config, error) {
	data, err := inputfile.Read(path, inputfile.SmallLimit)
	if err != nil {
		return nil, ConfigErrors{{File: path, Msg: err.Error(), Fix: "give the path of a monitor.yaml with --config"}}
	}
	return ParseConfig(path, data, opts)
}

// ParseConfig validates config data; path names it in messages and anchors
// relative paths.
func ParseConfig(path string, data []byte, opts LoadOptions) (*Config, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	v := &validator{file: path, dir: filepath.Dir(path), getenv: opts.Getenv, lenient: opts.Lenient}
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// KnownFields: a misspelt key must be an error, not a silently ignored line.
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ConfigErrors{{File: path, Msg: "the config is empty", Fix: "list at least one target: targets: [{url: https://example.com/, schedule: \"@every 6h\"}]"}}
		}
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, v.yamlErrors(err) // a syntax error: nothing more to check
		}
		// Unknown keys and wrong types: the rest of the file decoded, so check
		// it too and report every problem at once.
		v.yamlErrors(err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // decoded above, so it parses
	cfg := v.config(raw, &root)
	if len(v.errs) > 0 {
		sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
		return nil, v.errs
	}
	return cfg, nil
}
