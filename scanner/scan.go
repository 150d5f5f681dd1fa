// Package scanner runs a scan: observe (the transport probe, later the browser),
// evaluate (rules), and assemble the report that writers render.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/hsts"
	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/proxy"
	"github.com/cookiescan/cookiescan/scanner/redact"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
	"github.com/cookiescan/cookiescan/scanner/scope"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// Options configures one scan.
type Options struct {
	Target  *url.URL // from ParseTarget
	HTTPURL *url.URL // nil: HTTPURL(Target)
	// NoHTTP skips the redirect test (the HTTP URL is known not to exist).
	NoHTTP     bool
	CAPEM      []byte
	Insecure   bool
	Timeout    time.Duration // per request
	Header     http.Header   // sent over HTTPS to the target's origin only
	Scope      scope.Scope   // which addresses the probe and the browser may reach
	ShowValues bool
	Version    string
	Now        func() time.Time
	// DialContext replaces the network dialer (tests).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Proxy carries the probe's requests (the crawler's browser gets the
	// same Config in its own options).
	Proxy proxy.Config
	// Progress, when set, is told what the scan is doing.
	Progress func(step string)
	// Crawler, when set, drives a browser through the site after the probe; Crawl
	// holds its settings (pages, depth, login, ...).
	Crawler observe.Crawler
	Crawl   observe.Request
}

// ErrUnreachable means the target's HTTPS URL gave no response at all: the scan
// could not run, though the report still says what was observed.
var ErrUnreachable = errors.New("target unreachable")

// Run scans one target. The report is always usable; the error is ErrUnreachable
// (wrapped) when nothing could be judged, or the context's error.
func Run(ctx context.Context, opts Options) (result.Report, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	started := now()
	rep := result.New(opts.Target.String(), started.UTC(), opts.Version)
	p := probe.New(probe.Options{
		Timeout: opts.Timeout, CAPEM: opts.CAPEM, Insecure: opts.Insecure,
		Header: opts.Header, TargetOrigin: opts.Target, Scope: opts.Scope,
		UserAgent: "cookiescan/" + opts.Version, DialContext: opts.DialContext, Proxy: opts.Proxy,
	})
	defer p.Close()

	if p, ok := opts.Crawler.(observe.Preparer); ok {
		// The browser's launch (a second or more) overlaps the probe.
		go p.Prepare(ctx)
	}
	obs := rules.Observation{Target: opts.Target, Now: started}
	if !opts.NoHTTP {
		start := opts.HTTPURL
		if start == nil {
			start = HTTPURL(opts.Target)
		}
		progress("redirect: " + start.String())
		obs.HTTP = p.Follow(ctx, start)
	}
	progress("https: " + opts.Target.String())
	obs.HTTPS = p.Follow(ctx, opts.Target)
	progress("certificate: " + opts.Target.Host)
	// The HTTPS request's own handshake showed the chain: a third
	// connection only when it did not complete one.
	if c, ok := p.CertificateOf(firstHop(obs.HTTPS)); ok {
		obs.Cert = c
	} else {
		obs.Cert = p.Certificate(ctx, opts.Target)
	}
	obs.Now = now()
	budget := newCookieBudget()
	budget.chain(&obs.HTTP)
	budget.chain(&obs.HTTPS)

	fill(&rep, obs, opts)
	rep.Findings = rules.Evaluate(obs)
	var browserErr error
	if opts.Crawler != nil && obs.HTTPS.Answered() && ctx.Err() == nil {
		progress("browser: " + opts.Target.String())
		browserErr = crawl(ctx, &rep, opts, obs, obs.Now, budget)
	}
	rep.Errors = append(rep.Errors, budget.errors(opts.Target.String())...)
	rep.Findings = rules.Summarize(sortFindings(rules.Group(rules.Dedupe(rep.Findings))), rules.MaxFindingsPerRuleClass)
	rep.Frameworks = detectFrameworks(rep, obs)
	rules.Remediate(rep.Findings, rep.Frameworks)
	// A grade judges the site; without one HTTP answer from the target nothing
	// of the site was judged, and a grade would read as "all good".
	rules.ScoreImpacts(rep.Findings)
	if obs.HTTPS.Answered() {
		score := rules.Score(rep.Findings)
		rep.SetGrade(score, rules.Grade(score))
	} else {
		rep.SetNotScanned(notScanned(ctx, obs.HTTPS))
	}
	rep.DurationMs = now().Sub(started).Milliseconds()
	if !opts.ShowValues {
		// Session ids and tokens in URLs (;jsessionid=, ?token=) are
		// values too: hidden in every field, as cookie values are.
		redact.Report(&rep)
	}

	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if !obs.HTTPS.Answered() {
		first := probe.Hop{}
		if len(obs.HTTPS.Hops) > 0 {
			first = obs.HTTPS.Hops[0]
		}
		return rep, fmt.Errorf("%w: %s: %v", ErrUnreachable, opts.Target, first.Err)
	}
	return rep, browserErr
}

func firstHop(c probe.Chain) probe.Hop {
	if len(c.Hops) == 0 {
		return probe.Hop{}
	}
	return c.Hops[0]
}

// notScanned says why the HTTPS chain gave no answer.
func notScanned(ctx context.Context, c probe.Chain) string {
	if len(c.Hops) > 0 && c.Hops[0].Err != nil {
		return errMessage(c.Hops[0])
	}
	if err := ctx.Err(); err != nil {
		return "the scan was stopped before the target answered: " + err.Error()
	}
	return "the target gave no answer"
}

// fill copies the observation into the report's data sections.
func fill(rep *result.Report, obs rules.Observation, opts Options) {
	rep.Redirect = chainRecord(obs.HTTP)
	rep.HTTPS = chainRecord(obs.HTTPS)
	for _, ch := range []struct {
		c     probe.Chain
		stage string
	}{{obs.HTTP, result.StageRedirect}, {obs.HTTPS, result.StageHTTPS}} {
		for _, h := range ch.c.Hops {
			if h.Err != nil {
				rep.Errors = append(rep.Errors, result.ScanError{Stage: ch.stage, URL: h.URL.String(), Message: errMessage(h)})
			}
		}
	}

	// TLS.
	c := obs.Cert
	rep.TLS.Checked = true
	switch {
	case c.Reached:
		na := c.NotAfter.UTC()
		days := int(c.NotAfter.Sub(obs.Now).Hours() / 24)
		rep.TLS.Valid = c.VerifyErr == nil
		rep.TLS.Subject, rep.TLS.Issuer = c.Subject, c.Issuer
		rep.TLS.NotAfter, rep.TLS.DaysLeft = &na, &days
		if c.VerifyErr != nil {
			rep.TLS.Error = c.VerifyErr.Error()
		}
	case c.Err != nil:
		rep.TLS.Error = c.Err.Error()
		rep.Errors = append(rep.Errors, result.ScanError{Stage: result.StageTLS, URL: "https://" + opts.Target.Host + "/", Message: "TLS handshake failed: " + c.Err.Error()})
	}

	// HSTS: every HTTPS response of both chains, then the page's verdict. The
	// chain from http:// usually ends on the page the https:// chain asked
	// for: the same URL with the same header is listed once.
	seenHSTS := map[[2]string]bool{}
	for _, ch := range []probe.Chain{obs.HTTP, obs.HTTPS} {
		for _, h := range ch.Hops {
			k := [2]string{h.URL.String(), strings.Join(h.HSTS, "\n")}
			if h.IsHTTPS() && h.Status != 0 && !seenHSTS[k] {
				seenHSTS[k] = true
				rep.HSTS.Responses = append(rep.HSTS.Responses, HSTSResponse(h.URL.String(), h.HSTS))
			}
		}
	}
	if f, ok := rules.PageHSTS(obs); ok && f.Present() {
		h := f.First()
		pol := h.Policy()
		rep.HSTS.Present = true
		rep.HSTS.Valid = h.Valid
		rep.HSTS.Raw = h.Raw
		rep.HSTS.Problem = h.Problem
		rep.HSTS.MaxAge, rep.HSTS.IncludeSubDomains, rep.HSTS.Preload = pol.MaxAge, pol.IncludeSubDomains, pol.Preload
		rep.HSTS.Directives = directives(h)
		if h.Preload { // eligibility explains an invalid header too
			eligible, reasons := rules.Preload(obs, f)
			rep.HSTS.PreloadEligible = eligible
			rep.HSTS.PreloadReasons = reasonStrings(reasons)
		}
	}

	// Cookies set on the hops, as Chromium would take each line from that
	// URL; the page reached from both chains counts once.
	seen := map[string]bool{}
	for _, ch := range []probe.Chain{obs.HTTP, obs.HTTPS} {
		for _, h := range ch.Hops {
			for _, rc := range CookieRows(h.SetCookies, h.URL, h.Date, sc.FromHeader, opts.ShowValues) {
				key := rowKey(rc) + "\x00" + rc.URL
				if !seen[key] {
					seen[key] = true
					rep.Cookies = append(rep.Cookies, rc)
				}
			}
		}
	}
	// Pages: the documents the chains ended on.
	if page, ok := rules.Page(obs); ok {
		rep.Pages = append(rep.Pages, result.Page{URL: page.URL.String(), Status: page.Status, Phase: result.PhasePreLogin})
	}
}

// HSTSResponse is the report's view of the Strict-Transport-Security fields of
// one HTTPS response: the policy Chromium applies (from the first field) and
// what the header said.
func HSTSResponse(u string, fields []string) result.HSTSResponse {
	r := result.HSTSResponse{URL: u, Raw: strings.Join(fields, "\n"), Directives: []result.HSTSDirective{}}
	f := hsts.ParseFields(fields)
	if !f.Present() {
		return r
	}
	h := f.First()
	pol := h.Policy()
	r.Present, r.Valid, r.Problem = true, h.Valid, h.Problem
	r.MaxAge, r.IncludeSubDomains, r.Preload = pol.MaxAge, pol.IncludeSubDomains, pol.Preload
	r.Directives = directives(h)
	return r
}

// crawledHSTS adds the first HTTPS document of each host the crawl landed
// on and the probe did not judge (target is the target's host, probed the
// hosts of rules.ProbedHosts) to the HSTS responses.
func crawledHSTS(list []result.HSTSResponse, c observe.Crawl, target *url.URL, probed map[string]bool) []result.HSTSResponse {
	skip := map[string]bool{strings.ToLower(target.Host): true}
	for h := range probed {
		skip[h] = true
	}
	listed := map[string]bool{}
	for _, r := range list {
		listed[r.URL] = true
	}
	for _, r := range c.LandingDocuments(skip) {
		if !listed[r.URL] {
			list = append(list, HSTSResponse(r.URL, r.HSTS))
		}
	}
	return list
}

// preciseSignals replaces the generic behaviour signal of a cookie row by
// what the browser saw of that cookie ("rotated at login: …").
func preciseSignals(cookies []result.Cookie, signals map[string]string) {
	for i := range cookies {
		if s := signals[cookies[i].Name]; s != "" && cookies[i].SessionSignal == rules.BehaviourSignal {
			cookies[i].SessionSignal = s
		}
	}
}

func directives(h hsts.Header) []result.HSTSDirective {
	out := make([]result.HSTSDirective, len(h.Directives))
	for i, d := range h.Directives {
		out[i] = result.HSTSDirective{Name: d.Name, Value: d.Value}
	}
	return out
}

// detectFrameworks reads the stack from the cookie names and every response header
// the probe saw.
func detectFrameworks(rep result.Report, obs rules.Observation) []result.Framework {
	names := make([]string, 0, len(rep.Cookies))
	for _, c := range rep.Cookies {
		if c.SetBy != result.SetBySupplied {
			names = append(names, c.Name)
		}
	}
	var headers []http.Header
	for _, ch := range []probe.Chain{obs.HTTP, obs.HTTPS} {
		for _, h := range ch.Hops {
			if h.Status != 0 {
				headers = append(headers, h.Header)
			}
		}
	}
	fws := rules.DetectFrameworks(names, headers)
	if fws == nil {
		fws = []result.Framework{}
	}
	return fws
}

func reasonStrings(rs []hsts.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Message + " [" + r.Code + "]"
	}
	return out
}

func errMessage(h probe.Hop) string {
	msg := h.Err.Error()
	switch h.Kind {
	case probe.KindRefused:
		return "connection refused or closed: " + msg
	case probe.KindTimeout:
		return "timed out: " + msg + " (raise --timeout if the site is just slow)"
	case probe.KindDNS:
		return "host name does not resolve: " + msg
	case probe.KindTLS:
		return "TLS failed: " + msg + " (use --ca-cert for a private CA, or --insecure to scan anyway)"
	case probe.KindHeaderLimit:
		return "response header too large: " + msg
	}
	return msg
}

func chainRecord(c probe.Chain) result.Redirect {
	r := result.Redirect{Hops: []result.Hop{}}
	if c.Start == nil {
		return r
	}
	r.StartURL = c.Start.String()
	for _, h := range c.Hops {
		hop := result.Hop{URL: h.URL.String(), Status: h.Status, Location: h.Location,
			HSTS: strings.Join(h.HSTS, "\n"), SetCookies: make([]string, 0, len(h.SetCookies))}
		for _, line := range h.SetCookies {
			hop.SetCookies = append(hop.SetCookies, sc.Parse(line).Redacted())
		}
		if h.Err != nil {
			hop.Error = errMessage(h)
		}
		hop.Note = h.Note
		r.Hops = append(r.Hops, hop)
	}
	if f := c.Final(); f.URL != nil && f.Status != 0 {
		r.FinalURL = f.URL.String()
		r.UpgradedToHTTPS = c.Start.Scheme == "http" && f.URL.Scheme == "https" && !c.Loop
	}
	return r
}

// CookieRecord is the report's view of one Set-Cookie line received at u:
// what Chromium does with it (sc.Judge); the value redacted unless showValue.
func CookieRecord(c sc.Cookie, u *url.URL, date time.Time, showValue bool) result.Cookie {
	return CookieRow(sc.Judge(c, u, date, sc.FromHeader), u, showValue)
}

// sortFindings orders by severity (worst first), then rule and URL, for stable output.
func sortFindings(fs []result.Finding) []result.Finding {
	if fs == nil {
		return []result.Finding{}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Cookie != b.Cookie {
			return a.Cookie < b.Cookie
		}
		return a.URL < b.URL
	})
	return fs
}
