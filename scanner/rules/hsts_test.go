package rules_test

import (
	"testing"

	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

const preloadHSTS = "max-age=63072000; includeSubDomains; preload"

// redirectThenPage is http://a.test/ → https://a.test/ (a same-host redirect
// sending redirectHSTS) → https://a.test/home (sending pageHSTS); the https
// chain from the target goes the same way.
func redirectThenPage(redirectHSTS, pageHSTS []string) rules.Observation {
	return observe(
		chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 302, "/home", redirectHSTS...), hop("https://a.test/home", 200, "", pageHSTS...)),
		chain(hop(targetURL, 302, "/home", redirectHSTS...), hop("https://a.test/home", 200, "", pageHSTS...)),
	)
}

func hsts(v ...string) []string { return v }

// pageBody is a clean site whose page has this body.
func pageBody(body string) rules.Observation {
	return observe(goodHTTP(), chain(withBody(hop(targetURL, 200, "", goodHSTS), body)))
}

func hstsCases() map[string]obsCase {
	return map[string]obsCase{
		// hsts-missing: an HTTPS document response without the header.
		"missing/200 page without the header":              {"hsts-missing", medium, pageWith()},
		"missing/page lacks it though the redirect has it": {"hsts-missing", medium, redirectThenPage(hsts(goodHSTS), nil)},
		"missing/only sent over plain http": {"hsts-missing", medium,
			observe(chain(hop("http://a.test/", 301, targetURL, goodHSTS), hop(targetURL, 200, "")), chain(hop(targetURL, 200, "")))},
		"missing/only in a meta tag": {"hsts-missing", medium,
			observe(goodHTTP(), chain(withBody(hop(targetURL, 200, ""), `<meta http-equiv="Strict-Transport-Security" content="max-age=31536000">`)))},
		"missing/not when the page sends it": {"hsts-missing", none, good()},
		"missing/not on a loop (no page)": {"hsts-missing", none,
			observe(goodHTTP(), looped(chain(hop(targetURL, 302, "/a"), hop("https://a.test/a", 302, "/"))))},
		"missing/not when https fails (no page)": {"hsts-missing", none,
			withCert(observe(goodHTTP(), chain(failed(targetURL, probe.KindTLS))), invalidCert())},
		"missing/not when the https chain ends on http": {"hsts-missing", none,
			observe(goodHTTP(), chain(hop(targetURL, 302, "http://a.test/x"), hop("http://a.test/x", 200, "")))},
		"missing/not on an invalid header (hsts-invalid instead)": {"hsts-missing", none, pageWith("max-age=abc")},

		// hsts-missing-on-redirect: the first HTTPS hop (a same-host redirect) lacks it.
		"missing-on-redirect/same-host 302 without it": {"hsts-missing-on-redirect", low, redirectThenPage(nil, hsts(goodHSTS))},
		"missing-on-redirect/apex redirects to www over https": {"hsts-missing-on-redirect", low,
			observe(chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", goodHSTS)),
				chain(hop(targetURL, 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", goodHSTS)))},
		"missing-on-redirect/page header without includeSubDomains":    {"hsts-missing-on-redirect", low, redirectThenPage(nil, hsts("max-age=31536000"))},
		"missing-on-redirect/not when the redirect sends it":           {"hsts-missing-on-redirect", none, redirectThenPage(hsts(goodHSTS), hsts(goodHSTS))},
		"missing-on-redirect/not when the first https hop is the page": {"hsts-missing-on-redirect", none, good()},
		"missing-on-redirect/not when the first https hop is another host": {"hsts-missing-on-redirect", none,
			observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 302, "https://a.test/"), hop(targetURL, 200, "", goodHSTS)), goodHTTPS())},
		"missing-on-redirect/not when the page lacks it too (hsts-missing)": {"hsts-missing-on-redirect", none, redirectThenPage(nil, nil)},
		"missing-on-redirect/not when http is unavailable": {"hsts-missing-on-redirect", none,
			observe(chain(failed("http://a.test/", probe.KindRefused)), chain(hop(targetURL, 302, "/home"), hop("https://a.test/home", 200, "", goodHSTS)))},

		// hsts-invalid: does not parse as Chromium does.
		"invalid/non-numeric max-age":                            {"hsts-invalid", medium, pageWith("max-age=abc; includeSubDomains")},
		"invalid/no max-age":                                     {"hsts-invalid", medium, pageWith("includeSubDomains; preload")},
		"invalid/max-age twice":                                  {"hsts-invalid", medium, pageWith("max-age=31536000; max-age=63072000")},
		"invalid/includeSubDomains twice":                        {"hsts-invalid", medium, pageWith("max-age=31536000; includeSubDomains; includeSubDomains")},
		"invalid/junk after max-age":                             {"hsts-invalid", medium, pageWith("max-age=31536000 includeSubDomains")},
		"invalid/empty header":                                   {"hsts-invalid", medium, pageWith("")},
		"invalid/first of two fields":                            {"hsts-invalid", medium, pageWith("max-age=-1", goodHSTS)},
		"invalid/not on a quoted max-age":                        {"hsts-invalid", none, pageWith(`max-age="31536000"; includeSubDomains`)},
		"invalid/not on upper-case names":                        {"hsts-invalid", none, pageWith("MAX-AGE=31536000; INCLUDESUBDOMAINS")},
		"invalid/not on unknown directives and stray semicolons": {"hsts-invalid", none, pageWith("max-age=31536000; includeSubDomains; preload; report-uri=\"x\";")},
		"invalid/not when only the second field is invalid":      {"hsts-invalid", none, pageWith(goodHSTS, "max-age=abc")},
		"invalid/not on a redirect hop's invalid header":         {"hsts-invalid", none, redirectThenPage(hsts("max-age=abc"), hsts(goodHSTS))},

		// hsts-multiple-headers: more than one header on a response.
		"multiple/two fields on the page":    {"hsts-multiple-headers", low, pageWith(goodHSTS, "max-age=0")},
		"multiple/CDP newline-joined":        {"hsts-multiple-headers", low, pageWith(goodHSTS + "\n" + goodHSTS)},
		"multiple/on the https redirect hop": {"hsts-multiple-headers", low, redirectThenPage(hsts(goodHSTS, goodHSTS), hsts(goodHSTS))},
		"multiple/on the first https hop of the http chain only": {"hsts-multiple-headers", low,
			observe(chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 200, "", goodHSTS, "max-age=300")), goodHTTPS())},
		"multiple/not on one field":          {"hsts-multiple-headers", none, good()},
		"multiple/not on a trailing newline": {"hsts-multiple-headers", none, pageWith(goodHSTS + "\r\n")},
		"multiple/not on a plain-http hop (hsts-on-http)": {"hsts-multiple-headers", none,
			observe(chain(hop("http://a.test/", 301, targetURL, goodHSTS, goodHSTS), hop(targetURL, 200, "", goodHSTS)), goodHTTPS())},
		"multiple/not on no field": {"hsts-multiple-headers", none, pageWith()},

		// hsts-max-age-zero.
		"max-age-zero/0":                        {"hsts-max-age-zero", medium, pageWith("max-age=0")},
		"max-age-zero/0 with includeSubDomains": {"hsts-max-age-zero", medium, pageWith("max-age=0; includeSubDomains")},
		"max-age-zero/quoted 0":                 {"hsts-max-age-zero", medium, pageWith(`max-age="0"`)},
		"max-age-zero/00":                       {"hsts-max-age-zero", medium, pageWith("max-age=00; includeSubDomains")},
		"max-age-zero/not on 1":                 {"hsts-max-age-zero", none, pageWith("max-age=1; includeSubDomains")},
		"max-age-zero/not on -0 (invalid)":      {"hsts-max-age-zero", none, pageWith("max-age=-0")},
		"max-age-zero/not on 0 over plain http only": {"hsts-max-age-zero", none,
			observe(chain(hop("http://a.test/", 301, targetURL, "max-age=0"), hop(targetURL, 200, "", goodHSTS)), goodHTTPS())},
		"max-age-zero/not on 0 in the second field": {"hsts-max-age-zero", none, pageWith(goodHSTS, "max-age=0")},

		// hsts-max-age-short: 0 < max-age < 15552000.
		"max-age-short/1":                           {"hsts-max-age-short", low, pageWith("max-age=1; includeSubDomains")},
		"max-age-short/300 ramp-up":                 {"hsts-max-age-short", low, pageWith("max-age=300; includeSubDomains")},
		"max-age-short/15551999":                    {"hsts-max-age-short", low, pageWith("max-age=15551999; includeSubDomains")},
		"max-age-short/quoted 30 days":              {"hsts-max-age-short", low, pageWith(`max-age="2592000"; includeSubDomains`)},
		"max-age-short/not on 15552000":             {"hsts-max-age-short", none, pageWith("max-age=15552000; includeSubDomains")},
		"max-age-short/not on 0":                    {"hsts-max-age-short", none, pageWith("max-age=0")},
		"max-age-short/not on one year":             {"hsts-max-age-short", none, pageWith("max-age=31536000; includeSubDomains")},
		"max-age-short/not on a short second field": {"hsts-max-age-short", none, pageWith(goodHSTS, "max-age=300")},

		// hsts-max-age-below-1y: 15552000 <= max-age < 31536000.
		"below-1y/15552000":                        {"hsts-max-age-below-1y", info, pageWith("max-age=15552000; includeSubDomains")},
		"below-1y/31535999":                        {"hsts-max-age-below-1y", info, pageWith("max-age=31535999; includeSubDomains")},
		"below-1y/Mozilla minimum 15768000":        {"hsts-max-age-below-1y", info, pageWith("max-age=15768000")},
		"below-1y/not on one year":                 {"hsts-max-age-below-1y", none, pageWith("max-age=31536000; includeSubDomains")},
		"below-1y/not on two years":                {"hsts-max-age-below-1y", none, good()},
		"below-1y/not on 15551999 (short instead)": {"hsts-max-age-below-1y", none, pageWith("max-age=15551999")},
		"below-1y/not on a huge max-age":           {"hsts-max-age-below-1y", none, pageWith("max-age=99999999999999999999999; includeSubDomains")},

		// hsts-no-includesubdomains: valid header without includeSubDomains.
		"no-isd/one year":                              {"hsts-no-includesubdomains", info, pageWith("max-age=31536000")},
		"no-isd/short":                                 {"hsts-no-includesubdomains", info, pageWith("max-age=300")},
		"no-isd/with preload only":                     {"hsts-no-includesubdomains", info, pageWith("max-age=31536000; preload")},
		"no-isd/misspelt includeSubDomain":             {"hsts-no-includesubdomains", info, pageWith("max-age=31536000; includeSubDomain")},
		"no-isd/not with includeSubDomains":            {"hsts-no-includesubdomains", none, good()},
		"no-isd/not with lower-case includesubdomains": {"hsts-no-includesubdomains", none, pageWith("max-age=31536000; includesubdomains")},
		"no-isd/not on max-age=0":                      {"hsts-no-includesubdomains", none, pageWith("max-age=0")},
		"no-isd/not on an invalid header":              {"hsts-no-includesubdomains", none, pageWith("max-age=x")},

		// hsts-preload-ineligible: preload asked for, requirements not met.
		"preload-ineligible/no includeSubDomains": {"hsts-preload-ineligible", low, pageWith("max-age=63072000; preload")},
		"preload-ineligible/short max-age":        {"hsts-preload-ineligible", low, pageWith("max-age=300; includeSubDomains; preload")},
		"preload-ineligible/invalid certificate":  {"hsts-preload-ineligible", low, withCert(pageWith(preloadHSTS), invalidCert())},
		"preload-ineligible/first hop to www": {"hsts-preload-ineligible", low,
			observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", preloadHSTS)), chain(hop(targetURL, 200, "", preloadHSTS)))},
		"preload-ineligible/redirect hop lacks the header":           {"hsts-preload-ineligible", low, redirectThenPage(nil, hsts(preloadHSTS))},
		"preload-ineligible/quoted max-age (hstspreload rejects it)": {"hsts-preload-ineligible", low, pageWith(`max-age="63072000"; includeSubDomains; preload`)},
		"preload-ineligible/not when eligible":                       {"hsts-preload-ineligible", none, pageWith(preloadHSTS)},
		"preload-ineligible/not without preload":                     {"hsts-preload-ineligible", none, pageWith("max-age=300")},
		"preload-ineligible/not when http is unavailable": {"hsts-preload-ineligible", none,
			observe(chain(failed("http://a.test/", probe.KindRefused)), chain(hop(targetURL, 200, "", preloadHSTS)))},
		"preload-ineligible/not on an invalid header (hsts-invalid)": {"hsts-preload-ineligible", none, pageWith("max-age=abc; preload")},

		// hsts-on-http: the header on a plain-HTTP response.
		"on-http/on the http redirect": {"hsts-on-http", info,
			observe(chain(hop("http://a.test/", 301, targetURL, goodHSTS), hop(targetURL, 200, "", goodHSTS)), goodHTTPS())},
		"on-http/on an http page": {"hsts-on-http", info, observe(chain(hop("http://a.test/", 200, "", goodHSTS)), goodHTTPS())},
		"on-http/on the second http hop": {"hsts-on-http", info,
			observe(chain(hop("http://a.test/", 301, "http://www.a.test/"), hop("http://www.a.test/", 301, "https://www.a.test/", "max-age=31536000"), hop("https://www.a.test/", 200, "", goodHSTS)), goodHTTPS())},
		"on-http/not on the https hop of the http chain":           {"hsts-on-http", none, good()},
		"on-http/not on the https page (200 from the https chain)": {"hsts-on-http", none, pageWith(goodHSTS)},
		"on-http/not on an http hop without it":                    {"hsts-on-http", none, observe(chain(hop("http://a.test/", 200, "")), goodHTTPS())},

		// hsts-meta-tag: <meta http-equiv="Strict-Transport-Security">.
		"meta/double quotes":             {"hsts-meta-tag", info, pageBody(`<head><meta http-equiv="Strict-Transport-Security" content="max-age=31536000"></head>`)},
		"meta/upper case, single quotes": {"hsts-meta-tag", info, pageBody(`<META HTTP-EQUIV='STRICT-TRANSPORT-SECURITY' CONTENT='max-age=1'>`)},
		"meta/unquoted, content first":   {"hsts-meta-tag", info, pageBody(`<meta content="max-age=1" http-equiv=strict-transport-security>`)},
		"meta/not on other http-equiv":   {"hsts-meta-tag", none, pageBody(`<meta http-equiv="Content-Security-Policy" content="default-src 'self'">`)},
		"meta/not on the name in text":   {"hsts-meta-tag", none, pageBody(`<p>We send Strict-Transport-Security on every response.</p>`)},
		"meta/not on meta name=":         {"hsts-meta-tag", none, pageBody(`<meta name="Strict-Transport-Security" content="x">`)},
		"meta/not on an http page": {"hsts-meta-tag", none,
			observe(chain(withBody(hop("http://a.test/", 200, ""), `<meta http-equiv="Strict-Transport-Security" content="max-age=1">`)), goodHTTPS())},
	}
}

func TestHSTSRules(t *testing.T) { runObsCases(t, hstsCases()) }

// The same response reached from both chains is judged once.
func TestHSTSDedupe(t *testing.T) {
	o := observe(chain(hop("http://a.test/", 301, targetURL), hop(targetURL, 200, "", goodHSTS, goodHSTS)), chain(hop(targetURL, 200, "", goodHSTS, goodHSTS)))
	if n := count(rules.Evaluate(o), "hsts-multiple-headers"); n != 1 {
		t.Errorf("hsts-multiple-headers fired %d times for one URL, want 1", n)
	}
}

func TestPageAndPreload(t *testing.T) {
	if _, ok := rules.Page(good()); !ok {
		t.Error("Page: no page on a clean site")
	}
	if _, ok := rules.Page(observe(goodHTTP(), looped(chain(hop(targetURL, 302, "/"))))); ok {
		t.Error("Page: a page on a loop")
	}
	if _, ok := rules.Page(httpsOnly()); !ok {
		t.Error("Page: no page when http was not tried")
	}
	o := pageWith(preloadHSTS)
	f, ok := rules.PageHSTS(o)
	if !ok || !f.Present() || !f.First().Preload {
		t.Fatalf("PageHSTS = %+v, %v", f, ok)
	}
	if eligible, reasons := rules.Preload(o, f); !eligible {
		t.Errorf("Preload: not eligible: %v", reasons)
	}
	o = redirectThenPage(nil, hsts(preloadHSTS))
	f, _ = rules.PageHSTS(o)
	eligible, reasons := rules.Preload(o, f)
	if eligible || len(reasons) != 1 || reasons[0].Code != "redirects.http.first_redirect.no_hsts" {
		t.Errorf("Preload with a bare redirect hop = %v, %v; want the no_hsts reason", eligible, reasons)
	}
}
