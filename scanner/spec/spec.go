// Package spec holds every setting of one scan in one typed struct, with its
// default, its YAML key, its flag and its help in one table. `scan`'s flags,
// `scan --config FILE`, each line of `scan -l`, and each monitor target decode
// into a Spec; Check validates it once into Settings, which converts to the
// scanner's and the browser's options. A new setting is one field, one row of
// fields, its check and its use in a converter.
package spec

import (
	"maps"
	"slices"
	"time"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// Defaults. The browser's are browser/'s own, which it applies to a zero
// value too: one default each, whoever asks.
const (
	DefaultTimeout     = 15 * time.Second
	DefaultScanTimeout = 10 * time.Minute
	DefaultConcurrency = 2
	DefaultPageTimeout = browser.DefaultPageTimeout
	DefaultMaxPages    = browser.DefaultMaxPages
	DefaultDepth       = browser.DefaultDepth
)

// Spec is one scan's settings as written: by flags, in a YAML file, on a line
// of a target list. Durations are durations, paths are paths (relative ones
// resolved against the file that named them); Check reads and parses the rest.
type Spec struct {
	URL          string // the target; a bare host means https://HOST/
	HTTPURL      string
	CACert       string
	Insecure     bool
	NoBrowser    bool
	Timeout      time.Duration // per request
	ScanTimeout  time.Duration // the whole scan of one target
	Header       []string      // "Name: value"
	Cookie       []string      // "name=value"
	ShowValues   bool
	Scope        scope.Scope
	MaxPages     int
	Depth        int
	Concurrency  int // browser tabs crawling one site
	Include      []string
	Exclude      []string
	Login        string
	FollowLogout bool
	Chrome       string
	BrowserURL   string
	PageTimeout  time.Duration
	// Proxy is the forward proxy for the probe and the browser; "" reads
	// HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment.
	Proxy string
	// HostResolverRules maps host names for the browser and the probe
	// (tests; hidden flag).
	HostResolverRules string

	// origin says where each key's value came from, so an error names the
	// file and line; a key without one came from a flag or the default.
	origin map[string]Origin
}

// Origin is where a value was written.
type Origin struct {
	File string
	Line int
}

// Defaults is a Spec with every default set.
func Defaults() Spec {
	return Spec{
		Timeout: DefaultTimeout, ScanTimeout: DefaultScanTimeout, Scope: scope.Site,
		MaxPages: DefaultMaxPages, Depth: DefaultDepth,
		Concurrency: DefaultConcurrency, PageTimeout: DefaultPageTimeout,
	}
}

// Clone copies s, lists included, so that a target's change never reaches
// another target made from the same base.
func (s Spec) Clone() Spec {
	c := s
	c.Header, c.Cookie = slices.Clone(s.Header), slices.Clone(s.Cookie)
	c.Include, c.Exclude = slices.Clone(s.Include), slices.Clone(s.Exclude)
	c.origin = maps.Clone(s.origin)
	return c
}

// SetOrigin records where key's value was written.
func (s *Spec) SetOrigin(key string, o Origin) {
	if s.origin == nil {
		s.origin = map[string]Origin{}
	}
	s.origin[key] = o
}

// OriginOf is where key's value was written (zero: a flag or the default).
func (s *Spec) OriginOf(key string) Origin { return s.origin[key] }

// Field describes one setting: its YAML key (camelCase), its flag (the key in
// kebab-case), and its help.
type Field struct {
	Key    string
	Help   string // a `WORD` in backquotes names the value in --help
	Hidden bool   // a flag for tests
	NoFlag bool   // no flag: the URL is an argument
	// Ptr points at the field in s: *string, *bool, *int, *[]string,
	// *time.Duration.
	Ptr func(s *Spec) any
}

// Flag is the field's command-line flag name.
func (f Field) Flag() string { return FlagName(f.Key) }

// Fields lists every setting in --help order.
func Fields() []Field { return fields }

var fields = []Field{
	{Key: "url", NoFlag: true, Help: "the site to scan: https://host[:port]/path, or a bare host (https://HOST/, with http://HOST/ probed)",
		Ptr: func(s *Spec) any { return &s.URL }},
	{Key: "httpUrl", Help: "`URL` where plain HTTP is tested (default: the target with http:// and port 80)",
		Ptr: func(s *Spec) any { return &s.HTTPURL }},
	{Key: "caCert", Help: "trust the CA certificates in this PEM `FILE` in addition to the system roots",
		Ptr: func(s *Spec) any { return &s.CACert }},
	{Key: "insecure", Help: "scan even when the certificate does not verify (the problem is still reported)",
		Ptr: func(s *Spec) any { return &s.Insecure }},
	{Key: "noBrowser", Help: "transport checks only: do not start Chromium",
		Ptr: func(s *Spec) any { return &s.NoBrowser }},
	{Key: "timeout", Help: "time limit for each request",
		Ptr: func(s *Spec) any { return &s.Timeout }},
	{Key: "scanTimeout", Help: "time limit for the whole scan of one site (probe, crawl, proof)",
		Ptr: func(s *Spec) any { return &s.ScanTimeout }},
	{Key: "header", Help: "send this header to the target host (\"Name: value\", repeatable)",
		Ptr: func(s *Spec) any { return &s.Header }},
	{Key: "cookie", Help: "send this cookie to the target host (\"name=value\", repeatable; host-only: never to a subdomain)",
		Ptr: func(s *Spec) any { return &s.Cookie }},
	{Key: "showValues", Help: "include cookie values in reports (they are redacted by default)",
		Ptr: func(s *Spec) any { return &s.ShowValues }},
	{Key: "scope", Help: "which addresses the scan may reach: site (never a link-local/cloud-metadata address; the crawl never leaves the site through a redirect), public (only public addresses, for scanners inside a network) or any",
		Ptr: func(s *Spec) any { return (*string)(&s.Scope) }},
	{Key: "maxPages", Help: "browser: crawl at most this many pages",
		Ptr: func(s *Spec) any { return &s.MaxPages }},
	{Key: "depth", Help: "browser: follow links this many clicks deep from the start page (0: the start page only)",
		Ptr: func(s *Spec) any { return &s.Depth }},
	{Key: "concurrency", Help: "browser: how many tabs crawl a site at once (they share its cookies)",
		Ptr: func(s *Spec) any { return &s.Concurrency }},
	{Key: "include", Help: "browser: crawl only URLs matching this `REGEX` (repeatable)",
		Ptr: func(s *Spec) any { return &s.Include }},
	{Key: "exclude", Help: "browser: never crawl URLs matching this `REGEX` (repeatable)",
		Ptr: func(s *Spec) any { return &s.Exclude }},
	{Key: "login", Help: "browser: log in with this flow `FILE` (YAML steps or a DevTools Recorder JSON export); ${VAR} is read from the environment",
		Ptr: func(s *Spec) any { return &s.Login }},
	{Key: "followLogout", Help: "browser: also follow links that look like logout",
		Ptr: func(s *Spec) any { return &s.FollowLogout }},
	{Key: "chrome", Help: "browser: Chromium executable `PATH` (default: chromium on PATH)",
		Ptr: func(s *Spec) any { return &s.Chrome }},
	{Key: "browserUrl", Help: "browser: attach to a running browser at this ws:// `URL` instead of starting one",
		Ptr: func(s *Spec) any { return &s.BrowserURL }},
	{Key: "pageTimeout", Help: "browser: time limit for each page load (a page that does not load is reported, and the crawl goes on)",
		Ptr: func(s *Spec) any { return &s.PageTimeout }},
	{Key: "proxy", Help: "send the probe's and Chromium's requests through this HTTP proxy `URL` (http://host:port; default: HTTPS_PROXY and HTTP_PROXY from the environment; NO_PROXY applies either way, and loopback is never proxied)",
		Ptr: func(s *Spec) any { return &s.Proxy }},
	{Key: "hostResolverRules", Hidden: true, Help: "browser: Chromium host resolver rules, e.g. \"MAP *.test 127.0.0.1\" (tests)",
		Ptr: func(s *Spec) any { return &s.HostResolverRules }},
}

// Keys lists every YAML key.
func Keys() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Key
	}
	return out
}

// FieldOf finds a field by YAML key.
func FieldOf(key string) (Field, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// FlagName turns a camelCase key into its kebab-case flag: httpUrl is
// --http-url, caCert --ca-cert.
func FlagName(key string) string {
	var b []byte
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'A' && c <= 'Z' {
			b = append(b, '-', c+'a'-'A')
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// Copy sets dst's key to src's value (a flag given on the command line
// overrides the config file), origin included.
func Copy(dst *Spec, src *Spec, key string) {
	f, ok := FieldOf(key)
	if !ok {
		return
	}
	switch d := f.Ptr(dst).(type) {
	case *string:
		*d = *f.Ptr(src).(*string)
	case *bool:
		*d = *f.Ptr(src).(*bool)
	case *int:
		*d = *f.Ptr(src).(*int)
	case *time.Duration:
		*d = *f.Ptr(src).(*time.Duration)
	case *[]string:
		*d = slices.Clone(*f.Ptr(src).(*[]string))
	}
	if o, ok := src.origin[key]; ok {
		dst.SetOrigin(key, o)
	} else {
		delete(dst.origin, key)
	}
}
