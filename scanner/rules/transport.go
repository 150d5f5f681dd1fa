package rules

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// Observation is everything the transport probe saw; rules judge it without I/O.
type Observation struct {
	Target *url.URL    // the https URL scanned
	HTTP   probe.Chain // from the http URL (Start nil when not tried)
	HTTPS  probe.Chain // from Target
	Cert   probe.Cert
	Now    time.Time
}

// Evaluate runs every transport, HSTS and hop-cookie rule.
func Evaluate(o Observation) []result.Finding {
	var fs []result.Finding
	fs = append(fs, redirectFindings(o)...)
	fs = append(fs, certFindings(o)...)
	fs = append(fs, hstsFindings(o)...)
	fs = append(fs, hopCookieFindings(o)...)
	return Dedupe(fs)
}

func hopLine(h probe.Hop) string {
	if h.Err != nil && h.Status == 0 {
		return fmt.Sprintf("GET %s → %v", h.URL, h.Err)
	}
	s := fmt.Sprintf("GET %s → %d", h.URL, h.Status)
	if h.Location != "" {
		s += " Location: " + h.Location
	}
	return s
}

// chainEvidence renders a chain as one line per hop.
func chainEvidence(c probe.Chain) string {
	lines := make([]string, len(c.Hops))
	for i, h := range c.Hops {
		lines[i] = fmt.Sprintf("%d. %s", i+1, hopLine(h))
	}
	return strings.Join(lines, "\n")
}

func sameHost(a, b *url.URL) bool { return strings.EqualFold(a.Hostname(), b.Hostname()) }

func redirectFindings(o Observation) []result.Finding {
	var fs []result.Finding
	c := o.HTTP
	if c.Start != nil && len(c.Hops) > 0 {
		first := c.Hops[0]
		switch {
		case first.Status == 0 && (first.Kind == probe.KindRefused || first.Kind == probe.KindTimeout || first.Kind == probe.KindDNS):
			fs = append(fs, newFinding("http-unavailable", info, c.Start.String(),
				"Nothing answered on "+c.Start.String()+": "+fmt.Sprint(first.Err)+". Visitors typing the bare host name get an error instead of a redirect.",
				hopLine(first)))
		case first.Status != 0 && first.Next == nil:
			fs = append(fs, newFinding("http-no-redirect", high, c.Start.String(),
				fmt.Sprintf("%s answered %d without redirecting to HTTPS, so visitors who type the host name stay on plain HTTP.", c.Start, first.Status),
				hopLine(first)))
		case first.Next != nil:
			next := first.Next
			if next.Scheme == "http" {
				fs = append(fs, newFinding("redirect-first-hop-not-https", medium, c.Start.String(),
					fmt.Sprintf("The first redirect goes to %s, another plain-HTTP URL, before reaching HTTPS.", next), chainEvidence(c)))
			} else if !sameHost(next, c.Start) {
				fs = append(fs, newFinding("redirect-first-hop-other-host", low, c.Start.String(),
					fmt.Sprintf("The first redirect goes to HTTPS on %s, not on %s, so %s never receives HSTS.", next.Hostname(), c.Start.Hostname(), c.Start.Hostname()),
					chainEvidence(c)))
			}
			final := c.Final()
			if !c.Loop && final.URL.Scheme != "https" {
				fs = append(fs, newFinding("redirect-final-not-https", high, c.Start.String(),
					fmt.Sprintf("The redirect chain from %s ends on %s, not on HTTPS.", c.Start, final.URL), chainEvidence(c)))
			}
			// The hop that switches to HTTPS should be permanent.
			for _, h := range c.Hops {
				if h.URL.Scheme == "http" && h.Next != nil && h.Next.Scheme == "https" {
					if h.Status != 301 && h.Status != 308 {
						fs = append(fs, newFinding("redirect-not-permanent", info, h.URL.String(),
							fmt.Sprintf("The HTTP→HTTPS redirect uses %d; 301 or 308 lets clients remember it.", h.Status), hopLine(h)))
					}
					break
				}
			}
		}
	}
	for _, ch := range []probe.Chain{o.HTTP, o.HTTPS} {
		if ch.Start == nil {
			continue
		}
		for _, h := range ch.Hops {
			if h.URL.Scheme == "https" && h.Next != nil && h.Next.Scheme == "http" {
				fs = append(fs, newFinding("redirect-https-downgrade", high, h.URL.String(),
					fmt.Sprintf("%s redirects to %s: from HTTPS back to plain HTTP.", h.URL, h.Next), chainEvidence(ch)))
			}
		}
		if ch.Loop {
			what := "a URL repeats"
			if ch.TooMany {
				what = fmt.Sprintf("more than %d redirects", probe.MaxHops)
			}
			fs = append(fs, newFinding("redirect-loop", medium, ch.Start.String(),
				fmt.Sprintf("Following the redirects from %s never reaches a page: %s.", ch.Start, what), chainEvidence(ch)))
		}
	}
	if o.HTTPS.Start != nil && len(o.HTTPS.Hops) > 0 && !o.HTTPS.Loop {
		if final := o.HTTPS.Final(); final.Status != 0 && final.URL.Scheme != "https" && !hasRule(fs, "redirect-final-not-https") {
			fs = append(fs, newFinding("redirect-final-not-https", high, o.HTTPS.Start.String(),
				fmt.Sprintf("The redirect chain from %s ends on %s, not on HTTPS.", o.HTTPS.Start, final.URL), chainEvidence(o.HTTPS)))
		}
	}
	return fs
}

func hasRule(fs []result.Finding, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

// certFindings judges the target origin's certificate, and any other https hop whose
// certificate failed (it breaks the redirect for every visitor).
func certFindings(o Observation) []result.Finding {
	var fs []result.Finding
	origin := "https://" + o.Target.Host + "/"
	if o.Cert.Reached {
		if o.Cert.VerifyErr != nil {
			fs = append(fs, newFinding("tls-cert-invalid", high, origin,
				"The certificate does not verify: "+o.Cert.VerifyErr.Error()+". Browsers show an error and ignore HSTS from this host.",
				fmt.Sprintf("subject %q, issuer %q, valid until %s", o.Cert.Subject, o.Cert.Issuer, o.Cert.NotAfter.UTC().Format(time.RFC3339))))
		} else if left := o.Cert.NotAfter.Sub(o.Now); left < 30*24*time.Hour {
			sev := low
			if left < 14*24*time.Hour {
				sev = medium
			}
			days := int(left.Hours() / 24)
			fs = append(fs, newFinding("tls-cert-expiring", sev, origin,
				fmt.Sprintf("The certificate expires in %d days (%s).", days, o.Cert.NotAfter.UTC().Format(time.RFC3339)),
				fmt.Sprintf("subject %q, issuer %q, notAfter %s", o.Cert.Subject, o.Cert.Issuer, o.Cert.NotAfter.UTC().Format(time.RFC3339))))
		}
	}
	seen := map[string]bool{strings.ToLower(o.Target.Host): o.Cert.Reached}
	for _, ch := range []probe.Chain{o.HTTP, o.HTTPS} {
		for _, h := range ch.Hops {
			host := strings.ToLower(h.URL.Host)
			if h.URL.Scheme != "https" || h.CertErr == nil || seen[host] {
				continue
			}
			seen[host] = true
			fs = append(fs, newFinding("tls-cert-invalid", high, h.URL.String(),
				"The certificate of "+h.URL.Host+" does not verify: "+h.CertErr.Error()+".", hopLine(h)))
		}
	}
	return fs
}
