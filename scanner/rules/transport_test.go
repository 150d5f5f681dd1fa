package rules_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// wwwFirst is http://a.test/ → http://www.a.test/ → https://www.a.test/.
func wwwFirst() probe.Chain {
	return chain(
		hop("http://a.test/", 301, "http://www.a.test/"),
		hop("http://www.a.test/", 301, "https://www.a.test/"),
		hop("https://www.a.test/", 200, "", goodHSTS),
	)
}

// httpsOnly is a clean HTTPS chain with nothing tried on http://.
func httpsOnly() rules.Observation { return observe(probe.Chain{}, goodHTTPS()) }

// upgrade is http://a.test/ → status → https://a.test/.
func upgrade(status int) probe.Chain {
	return chain(hop("http://a.test/", status, targetURL), hop(targetURL, 200, "", goodHSTS))
}

// tooMany is a chain cut off after probe.MaxHops requests.
func tooMany() probe.Chain {
	hops := make([]probe.Hop, probe.MaxHops)
	for i := range hops {
		hops[i] = hop(fmt.Sprintf("https://a.test/%d", i), 302, fmt.Sprintf("/%d", i+1), goodHSTS)
	}
	hops[0] = hop(targetURL, 302, "/1", goodHSTS)
	c := chain(hops...)
	c.Loop, c.TooMany = true, true
	return c
}

// nineHops is a long chain that still ends on a page.
func nineHops() probe.Chain {
	hops := make([]probe.Hop, 9)
	hops[0] = hop(targetURL, 302, "/1", goodHSTS)
	for i := 1; i < 8; i++ {
		hops[i] = hop(fmt.Sprintf("https://a.test/%d", i), 302, fmt.Sprintf("/%d", i+1), goodHSTS)
	}
	hops[8] = hop("https://a.test/8", 200, "", goodHSTS)
	return chain(hops...)
}

func transportCases() map[string]obsCase {
	return map[string]obsCase{
		// http-no-redirect: http://HOST/ answers without redirecting.
		"no-redirect/200 page over http": {"http-no-redirect", high,
			observe(chain(hop("http://a.test/", 200, "")), goodHTTPS())},
		"no-redirect/404 over http": {"http-no-redirect", high,
			observe(chain(hop("http://a.test/", 404, "")), goodHTTPS())},
		"no-redirect/500 over http with HSTS": {"http-no-redirect", high,
			observe(chain(hop("http://a.test/", 500, "", goodHSTS)), goodHTTPS())},
		"no-redirect/403 over http, https broken too": {"http-no-redirect", high,
			withCert(observe(chain(hop("http://a.test/", 403, "")), chain(failed(targetURL, probe.KindTLS))), invalidCert())},
		"no-redirect/not on 301 to https": {"http-no-redirect", none, good()},
		"no-redirect/not when redirecting to http www first": {"http-no-redirect", none,
			observe(wwwFirst(), goodHTTPS())},
		"no-redirect/not when port 80 refuses": {"http-no-redirect", none,
			observe(chain(failed("http://a.test/", probe.KindRefused)), goodHTTPS())},
		"no-redirect/not when http was not tried": {"http-no-redirect", none, httpsOnly()},

		// http-unavailable: nothing listens on the HTTP port.
		"unavailable/refused": {"http-unavailable", info,
			observe(chain(failed("http://a.test/", probe.KindRefused)), goodHTTPS())},
		"unavailable/timeout": {"http-unavailable", info,
			observe(chain(failed("http://a.test/", probe.KindTimeout)), goodHTTPS())},
		"unavailable/dns": {"http-unavailable", info,
			observe(chain(failed("http://a.test/", probe.KindDNS)), goodHTTPS())},
		"unavailable/not on 301": {"http-unavailable", none, good()},
		"unavailable/not on 200 over http": {"http-unavailable", none,
			observe(chain(hop("http://a.test/", 200, "")), goodHTTPS())},
		"unavailable/not when http was not tried": {"http-unavailable", none, httpsOnly()},
		"unavailable/not when a later http hop is refused": {"http-unavailable", none,
			observe(chain(hop("http://a.test/", 301, "http://www.a.test/"), failed("http://www.a.test/", probe.KindRefused)), goodHTTPS())},

		// redirect-final-not-https: the chain from http never ends on https.
		"final-not-https/http to http www page": {"redirect-final-not-https", high,
			observe(chain(hop("http://a.test/", 301, "http://www.a.test/"), hop("http://www.a.test/", 200, "")), goodHTTPS())},
		"final-not-https/three plain hops": {"redirect-final-not-https", high,
			observe(chain(hop("http://a.test/", 301, "/en/"), hop("http://a.test/en/", 302, "/en/home"), hop("http://a.test/en/home", 200, "")), goodHTTPS())},
		"final-not-https/https target downgrades to an http page": {"redirect-final-not-https", high,
			observe(goodHTTP(), chain(hop(targetURL, 302, "http://a.test/plain"), hop("http://a.test/plain", 200, "")))},
		"final-not-https/http redirect to a dead http host": {"redirect-final-not-https", high,
			observe(chain(hop("http://a.test/", 301, "http://www.a.test/"), failed("http://www.a.test/", probe.KindDNS)), goodHTTPS())},
		"final-not-https/not on http to https": {"redirect-final-not-https", none, good()},
		"final-not-https/not on a loop (redirect-loop instead)": {"redirect-final-not-https", none,
			observe(looped(chain(hop("http://a.test/", 301, "/x"), hop("http://a.test/x", 301, "/"))), goodHTTPS())},
		"final-not-https/not on no redirect at all": {"redirect-final-not-https", none,
			observe(chain(hop("http://a.test/", 200, "")), goodHTTPS())},
		"final-not-https/not when the https hop fails TLS": {"redirect-final-not-https", none,
			withCert(observe(chain(hop("http://a.test/", 301, targetURL), failed(targetURL, probe.KindTLS)), chain(failed(targetURL, probe.KindTLS))), invalidCert())},

		// redirect-first-hop-not-https: first hop from http goes to another http URL.
		"first-hop-not-https/to http www": {"redirect-first-hop-not-https", medium, observe(wwwFirst(), goodHTTPS())},
		"first-hop-not-https/to another http path": {"redirect-first-hop-not-https", medium,
			observe(chain(hop("http://a.test/", 302, "/en/"), hop("http://a.test/en/", 301, "https://a.test/en/"), hop("https://a.test/en/", 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-not-https/to another http port": {"redirect-first-hop-not-https", medium,
			observe(chain(hop("http://a.test/", 301, "http://a.test:8080/"), hop("http://a.test:8080/", 301, targetURL), hop(targetURL, 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-not-https/not on same-host https": {"redirect-first-hop-not-https", none, good()},
		"first-hop-not-https/not on https other host": {"redirect-first-hop-not-https", none,
			observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-not-https/not on no redirect": {"redirect-first-hop-not-https", none,
			observe(chain(hop("http://a.test/", 200, "")), goodHTTPS())},
		"first-hop-not-https/not when unavailable": {"redirect-first-hop-not-https", none,
			observe(chain(failed("http://a.test/", probe.KindRefused)), goodHTTPS())},

		// redirect-first-hop-other-host: first hop is https, but on another host.
		"first-hop-other-host/to https www": {"redirect-first-hop-other-host", low,
			observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-other-host/www to apex": {"redirect-first-hop-other-host", low,
			observe(chain(hop("http://www.a.test/", 301, targetURL), hop(targetURL, 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-other-host/to an SSO host": {"redirect-first-hop-other-host", low,
			observe(chain(hop("http://a.test/", 302, "https://login.example.net/sso"), hop("https://login.example.net/sso", 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-other-host/not on same host": {"redirect-first-hop-other-host", none, good()},
		"first-hop-other-host/not on same host in upper case": {"redirect-first-hop-other-host", none,
			observe(chain(hop("http://a.test/", 301, "https://A.TEST/"), hop("https://A.TEST/", 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-other-host/not on same host, other port": {"redirect-first-hop-other-host", none,
			observe(chain(hop("http://a.test/", 301, "https://a.test:8443/"), hop("https://a.test:8443/", 200, "", goodHSTS)), goodHTTPS())},
		"first-hop-other-host/not when the first hop is http www": {"redirect-first-hop-other-host", none,
			observe(wwwFirst(), goodHTTPS())},

		// redirect-https-downgrade: any hop from https to http.
		"downgrade/https target to http login": {"redirect-https-downgrade", high,
			observe(goodHTTP(), chain(hop(targetURL, 302, "http://a.test/login"), hop("http://a.test/login", 200, "")))},
		"downgrade/inside the chain from http": {"redirect-https-downgrade", high,
			observe(chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 301, "http://a.test/home"), hop("http://a.test/home", 200, "")), goodHTTPS())},
		"downgrade/second https hop to an http CDN": {"redirect-https-downgrade", high,
			observe(goodHTTP(), chain(hop(targetURL, 301, "/a", goodHSTS), hop("https://a.test/a", 302, "http://cdn.test/", goodHSTS), hop("http://cdn.test/", 200, "")))},
		"downgrade/not on a clean site": {"redirect-https-downgrade", none, good()},
		"downgrade/not on http to http": {"redirect-https-downgrade", none, observe(wwwFirst(), goodHTTPS())},
		"downgrade/not on https to https other host": {"redirect-https-downgrade", none,
			observe(goodHTTP(), chain(hop(targetURL, 301, "https://www.a.test/", goodHSTS), hop("https://www.a.test/", 200, "", goodHSTS)))},

		// redirect-loop: a loop, or more than 10 hops.
		"loop/http to https and back": {"redirect-loop", medium,
			observe(looped(chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 301, "http://a.test/"))), goodHTTPS())},
		"loop/https target loops": {"redirect-loop", medium,
			observe(goodHTTP(), looped(chain(hop(targetURL, 302, "/a", goodHSTS), hop("https://a.test/a", 302, "/", goodHSTS))))},
		"loop/more than ten hops":                  {"redirect-loop", medium, observe(goodHTTP(), tooMany())},
		"loop/not on a clean site":                 {"redirect-loop", none, good()},
		"loop/not on nine hops ending on a page":   {"redirect-loop", none, observe(goodHTTP(), nineHops())},
		"loop/not on a long but finite http chain": {"redirect-loop", none, observe(wwwFirst(), goodHTTPS())},

		// redirect-not-permanent: the HTTP→HTTPS hop is 302/303/307.
		"not-permanent/302":                        {"redirect-not-permanent", info, observe(upgrade(302), goodHTTPS())},
		"not-permanent/303":                        {"redirect-not-permanent", info, observe(upgrade(303), goodHTTPS())},
		"not-permanent/307 (ASP.NET Core default)": {"redirect-not-permanent", info, observe(upgrade(307), goodHTTPS())},
		"not-permanent/second hop switches with 302": {"redirect-not-permanent", info,
			observe(chain(hop("http://a.test/", 301, "http://www.a.test/"), hop("http://www.a.test/", 302, "https://www.a.test/"), hop("https://www.a.test/", 200, "", goodHSTS)), goodHTTPS())},
		"not-permanent/not on 301": {"redirect-not-permanent", none, observe(upgrade(301), goodHTTPS())},
		"not-permanent/not on 308": {"redirect-not-permanent", none, observe(upgrade(308), goodHTTPS())},
		"not-permanent/not when only the http-to-http hop is 302": {"redirect-not-permanent", none,
			observe(chain(hop("http://a.test/", 302, "http://www.a.test/"), hop("http://www.a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", goodHSTS)), goodHTTPS())},
		"not-permanent/not on no redirect": {"redirect-not-permanent", none,
			observe(chain(hop("http://a.test/", 200, "")), goodHTTPS())},

		// tls-cert-invalid: certificate error on the HTTPS origin.
		"cert-invalid/origin does not verify": {"tls-cert-invalid", high, withCert(good(), invalidCert())},
		"cert-invalid/invalid and expiring soon": {"tls-cert-invalid", high,
			withCert(good(), func() probe.Cert { c := invalidCert(); c.NotAfter = now.Add(5 * day); return c }())},
		"cert-invalid/handshake data missing, hop failed verification": {"tls-cert-invalid", high,
			withCert(observe(chain(hop("http://a.test/", 301, targetURL), failed(targetURL, probe.KindTLS)), chain(failed(targetURL, probe.KindTLS))),
				probe.Cert{Err: errors.New("connection reset")})},
		"cert-invalid/other https host in the chain": {"tls-cert-invalid", high,
			observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), withCertErr(hop("https://www.a.test/", 200, "", goodHSTS))), goodHTTPS())},
		"cert-invalid/not on a valid certificate": {"tls-cert-invalid", none, good()},
		"cert-invalid/not when nothing answers on 443": {"tls-cert-invalid", none,
			withCert(observe(goodHTTP(), chain(failed(targetURL, probe.KindRefused))), probe.Cert{Err: errors.New("connection refused")})},
		"cert-invalid/not on a valid certificate expiring soon": {"tls-cert-invalid", none, withCert(good(), certExpiringIn(3*day))},
		"cert-invalid/not on a plain-http failure": {"tls-cert-invalid", none,
			observe(chain(failed("http://a.test/", probe.KindTimeout)), goodHTTPS())},

		// tls-cert-expiring: < 14 days medium, < 30 days low.
		"cert-expiring/13 days":                {"tls-cert-expiring", medium, withCert(good(), certExpiringIn(13*day))},
		"cert-expiring/1 hour":                 {"tls-cert-expiring", medium, withCert(good(), certExpiringIn(time.Hour))},
		"cert-expiring/13 days 23 hours":       {"tls-cert-expiring", medium, withCert(good(), certExpiringIn(14*day-time.Hour))},
		"cert-expiring/exactly 14 days":        {"tls-cert-expiring", low, withCert(good(), certExpiringIn(14*day))},
		"cert-expiring/29 days":                {"tls-cert-expiring", low, withCert(good(), certExpiringIn(29*day))},
		"cert-expiring/29 days 23 hours":       {"tls-cert-expiring", low, withCert(good(), certExpiringIn(30*day-time.Hour))},
		"cert-expiring/not at exactly 30 days": {"tls-cert-expiring", none, withCert(good(), certExpiringIn(30*day))},
		"cert-expiring/not at 90 days":         {"tls-cert-expiring", none, good()},
		"cert-expiring/not when invalid (tls-cert-invalid instead)": {"tls-cert-expiring", none,
			withCert(good(), func() probe.Cert { c := invalidCert(); c.NotAfter = now.Add(5 * day); return c }())},
		"cert-expiring/not when no handshake completed": {"tls-cert-expiring", none,
			withCert(good(), probe.Cert{Err: errors.New("connection refused")})},
	}
}

func TestTransportRules(t *testing.T) { runObsCases(t, transportCases()) }

// A site that does everything right gets no finding at all.
func TestEvaluateCleanSite(t *testing.T) {
	if fs := rules.Evaluate(good()); len(fs) != 0 {
		t.Errorf("clean site: %s", render(fs))
	}
	if fs := rules.Evaluate(httpsOnly()); len(fs) != 0 {
		t.Errorf("clean site, http not tried: %s", render(fs))
	}
}

// The whole finding set of typical misconfigurations, not just one rule.
func TestTransportScenarios(t *testing.T) {
	tests := map[string]struct {
		o    rules.Observation
		want map[string]struct{}
	}{
		"www first":   {observe(wwwFirst(), goodHTTPS()), set("redirect-first-hop-not-https")},
		"no redirect": {observe(chain(hop("http://a.test/", 200, "")), goodHTTPS()), set("http-no-redirect")},
		"loop through http": {
			observe(looped(chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 301, "http://a.test/"))), goodHTTPS()),
			// The https hop lacks HSTS while the page has it: also hsts-missing-on-redirect.
			set("redirect-loop", "redirect-https-downgrade", "hsts-missing-on-redirect"),
		},
		"both chains loop": {
			observe(looped(chain(hop("http://a.test/", 301, "/x"), hop("http://a.test/x", 301, "/"))), tooMany()),
			set("redirect-loop", "redirect-first-hop-not-https"),
		},
		"unavailable": {observe(chain(failed("http://a.test/", probe.KindRefused)), goodHTTPS()), set("http-unavailable")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fs := rules.Evaluate(tc.o)
			expectWellFormed(t, fs)
			got := map[string]struct{}{}
			for _, f := range fs {
				got[f.Rule] = struct{}{}
			}
			if len(got) != len(tc.want) {
				t.Errorf("rules = %s, want %v", render(fs), tc.want)
			}
			for id := range tc.want {
				if _, ok := got[id]; !ok {
					t.Errorf("missing %s in %s", id, render(fs))
				}
			}
		})
	}
}

// Two loops (one per chain) are two findings; the same defect is never listed twice.
func TestTransportFindingCounts(t *testing.T) {
	o := observe(looped(chain(hop("http://a.test/", 301, "/x"), hop("http://a.test/x", 301, "/"))), tooMany())
	if n := count(rules.Evaluate(o), "redirect-loop"); n != 2 {
		t.Errorf("redirect-loop fired %d times, want 2 (one per chain)", n)
	}
	// Downgrade in the https chain ends it on http: final-not-https is reported once.
	o = observe(chain(hop("http://a.test/", 301, "/x"), hop("http://a.test/x", 200, "")),
		chain(hop(targetURL, 302, "http://a.test/plain"), hop("http://a.test/plain", 200, "")))
	if n := count(rules.Evaluate(o), "redirect-final-not-https"); n != 1 {
		t.Errorf("redirect-final-not-https fired %d times, want 1", n)
	}
	// The same broken host seen in both chains is one tls-cert-invalid.
	bad := withCertErr(hop("https://www.a.test/", 200, "", goodHSTS))
	o = observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), bad), chain(hop(targetURL, 301, "https://www.a.test/", goodHSTS), bad))
	if n := count(rules.Evaluate(o), "tls-cert-invalid"); n != 1 {
		t.Errorf("tls-cert-invalid fired %d times, want 1", n)
	}
}

func set(ids ...string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, id := range ids {
		m[id] = struct{}{}
	}
	return m
}

func count(fs []result.Finding, rule string) int {
	n := 0
	for _, f := range fs {
		if f.Rule == rule {
			n++
		}
	}
	return n
}
