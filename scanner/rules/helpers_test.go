package rules_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// now is the fixed clock of every test: rules are pure, so nothing reads time.Now.
var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

const (
	none   result.Severity = 0 // the rule must not fire
	info                   = result.SeverityInfo
	low                    = result.SeverityLow
	medium                 = result.SeverityMedium
	high                   = result.SeverityHigh
)

const (
	goodHSTS   = "max-age=63072000; includeSubDomains"
	targetURL  = "https://a.test/"
	cookieHost = "https://www.example.com/"
)

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// hop is one answered request; location, when set, is resolved into Next.
func hop(rawURL string, status int, location string, hsts ...string) probe.Hop {
	u := mustURL(rawURL)
	h := probe.Hop{
		URL: u, Status: status, Location: location, Header: http.Header{},
		HSTS: append([]string{}, hsts...), SetCookies: []string{}, Date: now,
	}
	if location != "" {
		n, err := u.Parse(location)
		if err != nil {
			panic(err)
		}
		h.Next = n
	}
	return h
}

// failed is a request that got no response.
func failed(rawURL string, kind probe.ErrKind) probe.Hop {
	h := hop(rawURL, 0, "")
	h.Err, h.Kind = fmt.Errorf("%s: simulated %s", rawURL, kind), kind
	if kind == probe.KindTLS {
		h.CertErr = errors.New("x509: certificate signed by unknown authority")
	}
	return h
}

func withCookies(h probe.Hop, lines ...string) probe.Hop {
	h.SetCookies = append(h.SetCookies, lines...)
	return h
}

func withBody(h probe.Hop, body string) probe.Hop {
	h.Body = []byte(body)
	return h
}

func withCertErr(h probe.Hop) probe.Hop {
	h.CertErr = errors.New("x509: certificate is valid for other.test, not " + h.URL.Hostname())
	return h
}

func chain(hops ...probe.Hop) probe.Chain {
	return probe.Chain{Start: hops[0].URL, Hops: hops}
}

func looped(c probe.Chain) probe.Chain {
	c.Loop = true
	return c
}

func validCert() probe.Cert {
	return probe.Cert{
		Reached: true, Subject: "CN=a.test", Issuer: "CN=Test CA",
		NotBefore: now.Add(-60 * 24 * time.Hour), NotAfter: now.Add(90 * 24 * time.Hour),
		DNSNames: []string{"a.test"},
	}
}

func certExpiringIn(d time.Duration) probe.Cert {
	c := validCert()
	c.NotAfter = now.Add(d)
	return c
}

func invalidCert() probe.Cert {
	c := validCert()
	c.VerifyErr = errors.New("x509: certificate signed by unknown authority")
	return c
}

// goodHTTP is http://a.test/ → 301 → https://a.test/ (with HSTS).
func goodHTTP() probe.Chain {
	return chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 200, "", goodHSTS))
}

// goodHTTPS is https://a.test/ → 200 with HSTS.
func goodHTTPS() probe.Chain { return chain(hop(targetURL, 200, "", goodHSTS)) }

// observe builds an observation of https://a.test/ with a valid certificate.
func observe(httpC, httpsC probe.Chain) rules.Observation {
	return rules.Observation{Target: mustURL(targetURL), HTTP: httpC, HTTPS: httpsC, Cert: validCert(), Now: now}
}

func withCert(o rules.Observation, c probe.Cert) rules.Observation {
	o.Cert = c
	return o
}

// good is a site that does everything right: no finding at all.
func good() rules.Observation { return observe(goodHTTP(), goodHTTPS()) }

// pageWith is a clean site whose page (and first https hop) send these HSTS fields.
func pageWith(hsts ...string) rules.Observation {
	return observe(
		chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 200, "", hsts...)),
		chain(hop(targetURL, 200, "", hsts...)),
	)
}

// obsCase is one observation and what one rule must (want != none) or must not do.
type obsCase struct {
	rule string
	want result.Severity
	o    rules.Observation
}

// cookieCase is one Set-Cookie line judged by CookieFindings.
type cookieCase struct {
	rule   string
	want   result.Severity
	line   string
	url    string // the response that set it; cookieHost when empty
	covers bool   // HSTS with includeSubDomains covers the host
	login  bool   // set or changed by the login responses
}

func (c cookieCase) context() rules.CookieContext {
	u := c.url
	if u == "" {
		u = cookieHost
	}
	return rules.CookieContext{URL: mustURL(u), Status: 200, Date: now, HSTSCovers: c.covers, SetAtLogin: c.login}
}

func (c cookieCase) findings() []result.Finding {
	return rules.CookieFindings(sc.Parse(c.line), c.context())
}

// render lists findings as rule/severity for failure messages.
func render(fs []result.Finding) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.Rule + "/" + f.Severity.String()
		if f.Cookie != "" {
			s[i] += "(" + f.Cookie + ")"
		}
	}
	sort.Strings(s)
	return "[" + strings.Join(s, " ") + "]"
}

// expectRule asserts that rule fired only with severity want, or not at all
// when want is none.
func expectRule(t *testing.T, fs []result.Finding, rule string, want result.Severity) {
	t.Helper()
	var got []result.Severity
	for _, f := range fs {
		if f.Rule == rule {
			got = append(got, f.Severity)
		}
	}
	if want == none {
		if len(got) > 0 {
			t.Errorf("%s fired with %v; it must not. All findings: %s", rule, got, render(fs))
		}
		return
	}
	if len(got) == 0 {
		t.Errorf("%s did not fire; want %s. All findings: %s", rule, want, render(fs))
		return
	}
	for _, s := range got {
		if s != want {
			t.Errorf("%s fired with %s; want %s. All findings: %s", rule, s, want, render(fs))
		}
	}
}

// expectWellFormed checks what every finding owes the report: a catalog rule,
// one of its documented severities, its title and fix, a URL, a detail and
// evidence.
func expectWellFormed(t *testing.T, fs []result.Finding) {
	t.Helper()
	for _, f := range fs {
		r, ok := rules.Lookup(f.Rule)
		if !ok {
			t.Errorf("finding for unknown rule %q", f.Rule)
			continue
		}
		documented := false
		for _, s := range r.Severities {
			documented = documented || s == f.Severity
		}
		if !documented {
			t.Errorf("%s fired with %s, not one of its severities %v", f.Rule, f.Severity, r.Severities)
		}
		if f.Title != r.Title || f.Remediation.Generic != r.Fix {
			t.Errorf("%s: title/fix not taken from the catalog: %q / %q", f.Rule, f.Title, f.Remediation.Generic)
		}
		if f.URL == "" || f.Detail == "" || f.Evidence == "" {
			t.Errorf("%s: empty URL, detail or evidence: %+v", f.Rule, f)
		}
	}
}

// runObsCases evaluates every case in its own subtest.
func runObsCases(t *testing.T, cases map[string]obsCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fs := rules.Evaluate(tc.o)
			expectWellFormed(t, fs)
			expectRule(t, fs, tc.rule, tc.want)
		})
	}
}

// runCookieCases judges every Set-Cookie line in its own subtest.
func runCookieCases(t *testing.T, cases map[string]cookieCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fs := tc.findings()
			expectWellFormed(t, fs)
			c := sc.Parse(tc.line)
			for _, f := range fs {
				if f.Cookie != c.Name {
					t.Errorf("%s: Cookie = %q, want %q", f.Rule, f.Cookie, c.Name)
				}
			}
			expectRule(t, fs, tc.rule, tc.want)
		})
	}
}

// httpDate renders a response/Expires date at now+d.
func httpDate(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }

const day = 24 * time.Hour

func parse(line string) sc.Cookie { return sc.Parse(line) }
