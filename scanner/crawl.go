package scanner

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// ErrBrowser means the browser part of the scan could not run (Chromium missing,
// crashed, or unreachable); the transport findings are still in the report.
var ErrBrowser = errors.New("browser failed")

// ErrStartPage means the browser could not load the start page (it hung, its
// renderer crashed, it redirected where browsers do not go): the crawl saw
// nothing of the site, so the scan is incomplete. Other pages that fail are
// errors of stage "page" in the report and do not fail the scan.
var ErrStartPage = errors.New("the start page did not load in the browser")

// crawl runs the browser and folds what it saw into the report.
func crawl(ctx context.Context, rep *result.Report, opts Options, obs rules.Observation, now time.Time, budget *cookieBudget) error {
	req := opts.Crawl
	req.StartURL = opts.Target.String()
	if !opts.NoHTTP {
		start := opts.HTTPURL
		if start == nil {
			start = HTTPURL(opts.Target)
		}
		req.HTTPURL = start.String()
	}
	if opts.Progress != nil && req.Progress == nil {
		req.Progress = opts.Progress
	}
	c, err := opts.Crawler.Crawl(ctx, req)
	c.RememberMe = req.Login != nil && req.Login.AsksToRemember()
	budget.crawl(&c)
	hstsCovers, hstsAge := false, int64(0)
	if f, ok := rules.PageHSTS(obs); ok {
		h := f.First()
		hstsCovers = h.Valid && h.IncludeSubDomains && h.MaxAge != nil && *h.MaxAge > 0
		if h.Valid && h.MaxAge != nil {
			hstsAge = int64(*h.MaxAge)
		}
	}
	fillCrawl(rep, c, opts.Target, opts.ShowValues)
	// Each host's HSTS is judged once: the probe's hosts from the probe.
	probed := rules.ProbedHosts(obs)
	rep.HSTS.Responses = crawledHSTS(rep.HSTS.Responses, c, opts.Target, probed)
	preciseSignals(rep.Cookies, rules.SessionSignals(c))
	crawled := rules.DropProbedHosts(rules.CrawlFindings(c, opts.Target, hstsCovers, now), probed)
	rules.ProofUnderHSTS(crawled, opts.Target, hstsAge)
	rep.Findings = append(rep.Findings, crawled...)
	if err != nil {
		rep.Errors = append(rep.Errors, result.ScanError{Stage: result.StageBrowser, URL: opts.Target.String(), Message: err.Error()})
		return fmt.Errorf("%w: %v", ErrBrowser, err)
	}
	// The crawl visits the start page first (before any login), alone.
	if len(c.Pages) > 0 && c.Pages[0].Error != "" {
		return fmt.Errorf("%w: %s: %s", ErrStartPage, c.Pages[0].URL, c.Pages[0].Error)
	}
	return nil
}

func fillCrawl(rep *result.Report, c observe.Crawl, start *url.URL, showValues bool) {
	// The probe already listed the page its chain ended on; the crawl's start
	// page is usually the same one, in the same phase.
	listed := map[result.Page]int{}
	busy := 0
	for i, p := range rep.Pages {
		listed[p] = i
	}
	for n, p := range c.Pages {
		if p.Refused && n > 0 {
			// The scope kept the crawl from going there: no page, no
			// failure of the site, but said.
			rep.Notes = append(rep.Notes, fmt.Sprintf("Crawl: the link %s was not followed: %s", p.URL, p.Error))
			continue
		}
		page := result.Page{URL: p.FinalURL, Status: p.Status, Phase: p.Phase}
		if page.URL == "" {
			page.URL = p.URL
		}
		i, ok := listed[page]
		if !ok {
			i = len(rep.Pages)
			listed[page] = i
			rep.Pages = append(rep.Pages, page)
		}
		if p.Busy && !rep.Pages[i].Busy {
			rep.Pages[i].Busy = true
			busy++
		}
		if p.Error != "" {
			// A page that did not load is no silent success: it is an
			// error of its own, under the URL the crawl followed.
			rep.Pages[i].Error = p.Error
			rep.Errors = append(rep.Errors, result.ScanError{Stage: result.StagePage, URL: p.URL, Message: p.Error})
		}
	}
	if busy > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("Crawl: %d page(s) still had work pending (requests, timers, animation frames) when the crawl stopped waiting for them, marked busy in pages; cookies they wrote later are not in this report", busy))
	}
	for _, e := range c.Errors {
		rep.Errors = append(rep.Errors, result.ScanError{Stage: e.Stage, URL: e.URL, Message: e.Message})
	}
	if c.Login != nil && !c.Login.OK {
		msg := "login failed"
		if c.Login.FailedStep != "" {
			msg += " at " + c.Login.FailedStep
		}
		if c.Login.Error != "" {
			msg += ": " + c.Login.Error
		}
		rep.Errors = append(rep.Errors, result.ScanError{Stage: result.StageLogin, URL: c.Login.FinalURL, Message: msg + "; the scan went on unauthenticated"})
	}
	loginSet := rules.LoginCookies(c)
	seen := map[string]int{}
	keyOf := func(rc result.Cookie) string { return rowKey(rc) + "\x00" + rc.Phase + "\x00" + rc.SetBy }
	for i, rc := range rep.Cookies { // the probe's records of the same cookies
		seen[keyOf(rc)] = i
	}
	// A cookie set again in one phase keeps its first row, except during the
	// login steps: there a new value is a new session issued at login (Tomcat
	// issues one with the login form and another at j_security_check), and
	// each gets its row. The steps are few, so this cannot flood the table.
	add := func(rc result.Cookie, value string) {
		key := keyOf(rc)
		if rc.Phase == result.PhaseLogin {
			key += "\x00" + value
		}
		if i, ok := seen[key]; ok {
			// Keep the first place it was set; what the browser reported
			// (its reasons) wins over the model's.
			rep.Cookies[i].BlockedReasons, rep.Cookies[i].Note = rc.BlockedReasons, rc.Note
			return
		}
		seen[key] = len(rep.Cookies)
		rep.Cookies = append(rep.Cookies, rc)
	}
	// The probe's hop cookies were recorded already; the browser's are added
	// with their phase. Chromium's reasons for a line it refused are the
	// truth; for the rest, the model says stored, deletion or silent drop.
	for _, r := range c.Responses {
		u, err := url.Parse(r.URL)
		if err != nil {
			continue
		}
		for _, v := range Verdicts(r.SetCookies, u, r.Date, sc.FromHeader) {
			rc := CookieRow(v, u, showValues)
			rc.Phase = r.Phase
			if loginSet[v.Name] {
				rc.SessionLike, rc.SessionSignal = rules.SessionLike(v.Name, v.Value, true)
			}
			reconcile(&rc, v, r.BlockedReasons(v.Raw))
			add(rc, v.Value)
		}
	}
	// Script writes: each document.cookie assignment the page hooks saw,
	// judged from the string the script wrote (a refused write is a row
	// too; maxAge is what the script asked for).
	written := map[string]bool{}
	for _, w := range c.ScriptWrites {
		if w.API != "document.cookie" {
			continue
		}
		u, ok := w.Base()
		if !ok {
			continue
		}
		v := sc.JudgeLine(w.Value, u, w.At, sc.FromScript)
		written[v.Name] = true
		rc := CookieRow(v, u, showValues)
		rc.Phase = w.Phase
		if loginSet[v.Name] {
			rc.SessionLike, rc.SessionSignal = rules.SessionLike(v.Name, v.Value, true)
		}
		add(rc, v.Value)
	}
	// The operator's own cookies are listed as supplied, values always
	// redacted: they are secrets of the operator, not data of the site.
	for _, k := range c.Supplied {
		rep.Cookies = append(rep.Cookies, result.Cookie{Name: k.Name, Domain: strings.ToLower(start.Hostname()), HostOnly: true,
			Path: "/", Secure: true, Session: true, SetBy: result.SetBySupplied, URL: start.String(), Scheme: start.Scheme,
			Phase: result.PhasePreLogin, Stored: true, BlockedReasons: []string{}, ValueRedacted: hidden(k.Value),
			Raw: k.Name + "=" + hidden(k.Value) + " (--cookie)"})
	}
	if p := c.HTTPProof; p != nil && len(p.Discounted) > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("Proof over HTTP: Chromium sent the Secure cookie(s) %s to %s only because it treats loopback and localhost as secure contexts; to any other host it withholds them, so they are not reported as sent over HTTP.",
			strings.Join(p.Discounted, ", "), p.URL))
	}
	// Script cookies no document.cookie write explains (cookieStore, a
	// cross-site frame, a worker): as the store holds them.
	for _, s := range c.ScriptCookies {
		u, err := url.Parse(s.PageURL)
		if err != nil || written[s.Cookie.Name] {
			continue
		}
		ck := sc.Parse(rules.SyntheticLine(s.Cookie))
		rc := CookieRecord(ck, u, time.Now(), showValues)
		if s.Cookie.Session || s.Cookie.Expires.IsZero() {
			rc.MaxAge, rc.Session = nil, true
		} else if s.Write != nil && !s.Write.At.IsZero() {
			life := s.Cookie.Expires.Unix() - s.Write.At.Unix()
			rc.MaxAge = &life
		}
		rc.SetBy, rc.Phase, rc.Stored, rc.Deletion = result.SetByScript, s.Phase, true, false
		rc.BlockedReasons, rc.Note = []string{}, "found in Chromium's store; the write itself was not seen"
		rc.Domain = strings.TrimPrefix(s.Cookie.Domain, ".")
		rc.HostOnly = !strings.HasPrefix(s.Cookie.Domain, ".")
		add(rc, s.Cookie.Value)
	}
}

// reconcile applies what Chromium reported for a line it saw: refused with
// these reasons, or (no reasons) not refused for a reason it names.
func reconcile(rc *result.Cookie, v sc.Verdict, chromium []string) {
	switch {
	case len(chromium) > 0:
		rc.Stored, rc.Deletion = false, false
		rc.BlockedReasons = append([]string{}, chromium...)
		if !slices.Equal(chromium, v.Reasons) {
			rc.Note = "Chromium refused it (" + strings.Join(chromium, ", ") + ")"
		}
	case len(v.Reasons) > 0:
		// Our model expected a refusal Chromium did not make: Chromium is
		// the truth, so the line was stored (or deleted its cookie).
		rc.Deletion = v.MaxAge != nil && *v.MaxAge <= 0
		rc.Stored = !rc.Deletion
		rc.BlockedReasons = []string{}
		rc.Note = "cookiescan expected Chromium to refuse this line (" + strings.Join(v.Reasons, ", ") + "); Chromium accepted it"
	}
}

// hidden stands for an operator's secret: its length only, not even the first
// characters that redaction keeps of a site's values.
func hidden(v string) string { return fmt.Sprintf("…(%d chars)", len(v)) }
