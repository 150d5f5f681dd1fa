package rules

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/hsts"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

// metaHSTS finds <meta http-equiv="Strict-Transport-Security">, which RFC 6797 §8.5
// tells browsers to ignore.
var metaHSTS = regexp.MustCompile(`(?i)<meta[^>]+http-equiv\s*=\s*["']?strict-transport-security`)

// Page returns the HTTPS document the chain from the target ended on, if any.
func Page(o Observation) (probe.Hop, bool) {
	if o.HTTPS.Start == nil || o.HTTPS.Loop {
		return probe.Hop{}, false
	}
	f := o.HTTPS.Final()
	if f.Status == 0 || !f.IsHTTPS() || f.Next != nil {
		return probe.Hop{}, false
	}
	return f, true
}

// firstHTTPSHop is the first https response reached from the http URL on the same
// host: the response that must carry HSTS for the host to learn it.
func firstHTTPSHop(o Observation) (probe.Hop, bool) {
	for _, h := range o.HTTP.Hops {
		if h.IsHTTPS() {
			if h.Status != 0 && sameHost(h.URL, o.Target) {
				return h, true
			}
			return probe.Hop{}, false
		}
	}
	return probe.Hop{}, false
}

func hstsEvidence(h probe.Hop) string {
	if len(h.HSTS) == 0 {
		return fmt.Sprintf("GET %s → %d, no Strict-Transport-Security header", h.URL, h.Status)
	}
	lines := make([]string, len(h.HSTS))
	for i, v := range h.HSTS {
		lines[i] = "Strict-Transport-Security: " + v
	}
	return fmt.Sprintf("GET %s → %d\n%s", h.URL, h.Status, strings.Join(lines, "\n"))
}

// PageHSTS is the HSTS a browser takes from the page (the first field).
func PageHSTS(o Observation) (hsts.Fields, bool) {
	page, ok := Page(o)
	if !ok {
		return hsts.Fields{}, false
	}
	return hsts.ParseFields(page.HSTS), true
}

// Preload judges hstspreload.org eligibility from the observation.
func Preload(o Observation, f hsts.Fields) (bool, []hsts.Reason) {
	first, hasFirst := firstHTTPSHop(o)
	in := hsts.PreloadInput{
		Header:          f.First(),
		MultipleHeaders: f.Multiple(),
		HTTPReachable:   o.HTTP.Answered(),
		CertValid:       o.Cert.Reached && o.Cert.VerifyErr == nil,
	}
	if len(o.HTTP.Hops) > 0 && o.HTTP.Hops[0].Next != nil {
		n := o.HTTP.Hops[0].Next
		in.FirstHopHTTPSSameHost = n.Scheme == "https" && sameHost(n, o.HTTP.Start)
	}
	if hasFirst {
		in.FirstHopHasHSTS = hsts.ParseFields(first.HSTS).First().Valid
	}
	return hsts.PreloadEligibility(in)
}

func hstsFindings(o Observation) []result.Finding {
	var fs []result.Finding
	// HSTS on plain HTTP is ignored by browsers.
	for _, ch := range []probe.Chain{o.HTTP, o.HTTPS} {
		for _, h := range ch.Hops {
			if !h.IsHTTPS() && h.Status != 0 && len(h.HSTS) > 0 {
				fs = append(fs, newFinding("hsts-on-http", info, h.URL.String(),
					"A plain-HTTP response carries Strict-Transport-Security; browsers ignore it there, so it protects nothing.", hstsEvidence(h)))
			}
		}
	}
	// Several fields on any HTTPS response: browsers use the first.
	for _, ch := range []probe.Chain{o.HTTP, o.HTTPS} {
		for _, h := range ch.Hops {
			if h.IsHTTPS() && h.Status != 0 {
				if f := hsts.ParseFields(h.HSTS); f.Multiple() {
					fs = append(fs, newFinding("hsts-multiple-headers", low, h.URL.String(),
						fmt.Sprintf("%d Strict-Transport-Security fields on one response; browsers use only the first (%q).", f.Count, f.First().Raw),
						hstsEvidence(h)))
				}
			}
		}
	}
	page, ok := Page(o)
	if !ok {
		return fs
	}
	url := page.URL.String()
	if metaHSTS.Match(page.Body) {
		fs = append(fs, newFinding("hsts-meta-tag", info, url,
			"The page declares HSTS in a <meta http-equiv> tag; browsers ignore HSTS there (RFC 6797 §8.5).",
			"<meta http-equiv=\"Strict-Transport-Security\" ...>"))
	}
	f := hsts.ParseFields(page.HSTS)
	if f.Present() {
		if first, ok := firstHTTPSHop(o); ok && first.Next != nil && len(first.HSTS) == 0 {
			fs = append(fs, newFinding("hsts-missing-on-redirect", low, first.URL.String(),
				"The first HTTPS response (a redirect) carries no HSTS while the page does; a visitor who only passes through the redirect never learns HSTS, and hstspreload.org requires it there.",
				hstsEvidence(first)))
		}
	}
	fs = append(fs, JudgeHSTS(url, page.HSTS, hstsEvidence(page), "")...)
	if h := f.First(); f.Present() && h.Valid && h.Preload {
		if eligible, reasons := Preload(o, f); !eligible {
			msgs := make([]string, len(reasons))
			for i, r := range reasons {
				msgs[i] = r.Message + " [" + r.Code + "]"
			}
			fs = append(fs, newFinding("hsts-preload-ineligible", low, url,
				"The header asks for preloading but hstspreload.org would refuse it: "+strings.Join(msgs, "; ")+".", hstsEvidence(page)))
		}
	}
	// The chain from http:// may land elsewhere (http://host/ →
	// https://www.host/): the visitor gets that host's policy, judged on its own.
	if land, ok := httpLanding(o); ok && land.URL.String() != url {
		fs = append(fs, JudgeHSTS(land.URL.String(), land.HSTS, hstsEvidence(land), "the plain-HTTP URL "+o.HTTP.Start.String()+" lands on")...)
	}
	return fs
}

// httpLanding is the HTTPS document the chain from the http URL ends on.
func httpLanding(o Observation) (probe.Hop, bool) {
	if o.HTTP.Start == nil || o.HTTP.Loop {
		return probe.Hop{}, false
	}
	f := o.HTTP.Final()
	if f.Status == 0 || !f.IsHTTPS() || f.Next != nil {
		return probe.Hop{}, false
	}
	return f, true
}

// hostVerdicts are the rules JudgeHSTS draws: one host's verdict.
var hostVerdicts = map[string]bool{"hsts-missing": true, "hsts-invalid": true, "hsts-max-age-zero": true,
	"hsts-max-age-short": true, "hsts-max-age-below-1y": true, "hsts-no-includesubdomains": true}

// ProbedHosts are the hosts (with port) whose HSTS the probe judged: where
// the target's chain and the plain-HTTP chain landed. The crawl judges the
// others (DropProbedHosts).
func ProbedHosts(o Observation) map[string]bool {
	m := map[string]bool{}
	if p, ok := Page(o); ok {
		m[strings.ToLower(p.URL.Host)] = true
	}
	if l, ok := httpLanding(o); ok {
		m[strings.ToLower(l.URL.Host)] = true
	}
	return m
}

// DropProbedHosts removes the crawl's per-host HSTS verdicts on hosts the
// probe already judged, so a host is judged once.
func DropProbedHosts(fs []result.Finding, probed map[string]bool) []result.Finding {
	out := fs[:0]
	for _, f := range fs {
		if hostVerdicts[f.Rule] {
			if u, err := url.Parse(f.URL); err == nil && probed[strings.ToLower(u.Host)] {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// JudgeHSTS gives the verdicts on the Strict-Transport-Security fields of one
// HTTPS document at url: missing, invalid, its max-age and includeSubDomains.
// where, when set, says how the visitor got there ("the plain-HTTP URL …
// lands on"); each detail then names the URL, as one scan can judge several.
func JudgeHSTS(url string, fields []string, evidence, where string) []result.Finding {
	at := ""
	if where != "" {
		at = " (" + url + ", which " + where + ")"
	}
	f := hsts.ParseFields(fields)
	if !f.Present() {
		return []result.Finding{newFinding("hsts-missing", medium, url,
			"The HTTPS page"+at+" sends no Strict-Transport-Security header, so browsers keep trying plain HTTP first and a network attacker can strip HTTPS.",
			evidence)}
	}
	h := f.First()
	if !h.Valid {
		return []result.Finding{newFinding("hsts-invalid", medium, url,
			"Browsers ignore this Strict-Transport-Security header"+at+": "+h.Problem+".", evidence)}
	}
	var fs []result.Finding
	maxAge := *h.MaxAge
	switch {
	case maxAge == 0:
		fs = append(fs, newFinding("hsts-max-age-zero", medium, url,
			"max-age=0"+at+" tells browsers to forget HSTS for this host: HSTS is switched off.", evidence))
	case maxAge < 15552000:
		fs = append(fs, newFinding("hsts-max-age-short", low, url,
			fmt.Sprintf("max-age is %d seconds (%s)%s, under 180 days; browsers forget HSTS quickly. Short values are normal only while ramping up.", maxAge, humanSeconds(maxAge), at),
			evidence))
	case maxAge < 31536000:
		fs = append(fs, newFinding("hsts-max-age-below-1y", info, url,
			fmt.Sprintf("max-age is %d seconds (%s)%s, under one year.", maxAge, humanSeconds(maxAge), at), evidence))
	}
	if maxAge > 0 && !h.IncludeSubDomains {
		fs = append(fs, newFinding("hsts-no-includesubdomains", info, url,
			"The header"+at+" has no includeSubDomains, so subdomains (and cookies scoped to the parent domain) are not protected.", evidence))
	}
	return fs
}

// humanSeconds says a duration as every report does (vocab.Seconds).
func humanSeconds(s uint64) string {
	if s == 0 || s > math.MaxInt64 {
		return fmt.Sprintf("%d seconds", s)
	}
	return vocab.Seconds(int64(s))
}
