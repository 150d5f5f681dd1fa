package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/proxy"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// ScannerOptions are the scanner's options for s. The caller adds what is
// not a setting: Version, Now, Progress, and the Crawler (nil with
// noBrowser).
func (s *Settings) ScannerOptions() scanner.Options {
	o := scanner.Options{
		Target: s.Target, HTTPURL: s.HTTPTarget, CAPEM: s.CAPEM, Insecure: s.Insecure,
		Timeout: s.Timeout, Header: s.Sent.Clone(), Scope: s.Scope, ShowValues: s.ShowValues,
		Crawl: s.CrawlRequest(), Proxy: s.ProxyConfig,
	}
	if s.HostResolverRules != "" {
		// The probe resolves names as the browser does; checked by Check.
		o.DialContext, _ = browser.RuleDialer(s.HostResolverRules)
	}
	return o
}

// CrawlRequest is the browser part of s. The supplied cookies are host-only
// cookies of the start URL (no Domain): the browser sends them to the
// target host only, as the probe does, never to a subdomain.
func (s *Settings) CrawlRequest() observe.Request {
	req := observe.Request{
		MaxPages: s.MaxPages, Depth: s.Depth, Include: s.Include, Exclude: s.Exclude,
		FollowLogout: s.FollowLogout, Concurrency: s.Concurrency, PageTimeout: s.PageTimeout,
		Login: s.LoginFlow,
	}
	for k, vs := range s.Sent {
		if k == "Cookie" || len(vs) == 0 {
			continue
		}
		if req.Header == nil {
			req.Header = map[string]string{}
		}
		req.Header[k] = strings.Join(vs, ", ")
	}
	for _, c := range s.Cookie {
		name, value, _ := strings.Cut(c, "=")
		req.Cookies = append(req.Cookies, observe.StoredCookie{Name: name, Value: value,
			Path: "/", Secure: true, Session: true})
	}
	return req
}

// Browser is the part of the settings that belongs to the browser process
// rather than to one crawl: scans that agree on it can share one Chromium.
type Browser struct {
	Chrome            string // executable ("" : chromium on PATH)
	BrowserURL        string // attach to a running browser instead
	CAPEM             []byte // extra CA to trust
	Insecure          bool
	Scope             scope.Scope
	PageTimeout       time.Duration
	HostResolverRules string
	Proxy             proxy.Config
}

// Browser is the browser-wide part of s.
func (s *Settings) Browser() Browser {
	return Browser{Chrome: s.Chrome, BrowserURL: s.BrowserURL, CAPEM: s.CAPEM, Insecure: s.Insecure,
		Scope: s.Scope, PageTimeout: s.PageTimeout, HostResolverRules: s.HostResolverRules, Proxy: s.ProxyConfig}
}

// Options are the browser's options.
func (b Browser) Options() browser.Options {
	return browser.Options{ExecPath: b.Chrome, BrowserURL: b.BrowserURL, CAPEM: b.CAPEM, Insecure: b.Insecure,
		HostResolverRules: b.HostResolverRules, PageTimeout: b.PageTimeout, Scope: b.Scope, Proxy: b.Proxy}
}

// Key tells browser settings apart (the page timeout is each crawl's, so it
// does not count).
func (b Browser) Key() string {
	sum := sha256.Sum256(b.CAPEM)
	ins := "0"
	if b.Insecure {
		ins = "1"
	}
	server, bypass, _ := b.Proxy.ChromiumFlags()
	return strings.Join([]string{b.Chrome, b.BrowserURL, hex.EncodeToString(sum[:8]), ins, string(b.Scope), b.HostResolverRules, server, bypass}, "\x00")
}
