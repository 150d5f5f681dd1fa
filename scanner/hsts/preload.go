package hsts

import (
	"fmt"
	"strings"
)

// MinPreloadMaxAge is hstspreload.org's minimum max-age (1 year, the
// bulk-1-year policy).
const MinPreloadMaxAge = 31536000

// PreloadInput holds the facts the hstspreload.org requirements are judged
// on: the header and what the scanner saw of the redirect from http://.
type PreloadInput struct {
	Header                Header // the HTTPS response's (first) header
	MultipleHeaders       bool
	HTTPReachable         bool // something answered on http://
	FirstHopHTTPSSameHost bool // first http hop redirects to https on the same host
	FirstHopHasHSTS       bool // that first https hop carried a preload-valid header; true if it is the page itself
	CertValid             bool
	// HTTPNoRedirect says http:// answered without redirecting at all. It
	// only picks the code: redirects.http.no_redirect instead of
	// redirects.http.first_redirect.insecure (the zero value folds both into
	// the latter).
	HTTPNoRedirect bool
}

// Reason is one unmet requirement. Code is an hstspreload issue code (or,
// for a header Chromium rejects, Header.ProblemCode).
type Reason struct{ Code, Message string }

// PreloadEligibility reports whether the site meets the hstspreload.org
// requirements that can be judged from the header and the redirect facts,
// and if not, every unmet one. reasons is empty, not nil, when eligible.
//
// Not judged here: the www subdomain over TLS, redirects to www first, SHA-1
// certificates and the domain-format checks; they need facts PreloadInput
// does not carry. hstspreload warnings (max-age over 10 years, HTTP
// unreachable, a header on plain HTTP) do not block preloading and are not
// reasons.
func PreloadEligibility(in PreloadInput) (eligible bool, reasons []Reason) {
	reasons = []Reason{}
	add := func(code, format string, args ...any) {
		reasons = append(reasons, Reason{Code: code, Message: fmt.Sprintf(format, args...)})
	}

	if !in.CertValid {
		add("domain.tls.invalid_cert_chain",
			"the HTTPS certificate is not valid; serve a certificate that chains to a trusted root and matches the host (browsers ignore HSTS on a connection with certificate errors)")
	}

	headerReasons := len(reasons)
	h := in.Header
	switch {
	case trimLWS(h.Raw) == "":
		add("response.no_header",
			"the HTTPS response has no Strict-Transport-Security header; send max-age=%d; includeSubDomains; preload", MinPreloadMaxAge)
	case !h.Valid:
		add(h.ProblemCode, "browsers ignore this Strict-Transport-Security header because %s; fix it so it parses", h.Problem)
	default:
		if !h.IncludeSubDomains {
			add("header.preloadable.include_sub_domains.missing",
				"the header lacks includeSubDomains; preloading covers every subdomain, so add it (after making sure all subdomains serve HTTPS)")
		}
		if !h.Preload || h.PreloadHasValue {
			msg := "the header lacks the preload directive; add preload to ask for inclusion"
			if h.Preload {
				msg = "the preload directive has a value, which hstspreload.org does not accept; write just preload"
			}
			add("header.preloadable.preload.missing", "%s", msg)
		}
		age := *h.MaxAge
		switch {
		case age == 0:
			add("header.preloadable.max_age.zero",
				"max-age is 0, which switches HSTS off; preload needs at least %d (1 year). If you are leaving the preload list, use https://hstspreload.org/removal/", MinPreloadMaxAge)
		case age < MinPreloadMaxAge:
			add("header.preloadable.max_age.below_1_year",
				"max-age is %d; preload needs at least %d (1 year)", age, MinPreloadMaxAge)
		}
		if h.QuotedMaxAge {
			add(CodeMaxAgeNonDigit,
				"max-age is quoted; browsers accept that, but hstspreload.org does not: write max-age=%d without quotes", age)
		}
		if h.MaxAgeOverflow {
			add(codeMaxAgeParseIntErr,
				"max-age is larger than hstspreload.org can read (64 bits); use %d (1 year) or 63072000 (2 years)", MinPreloadMaxAge)
		}
	}
	headerOK := len(reasons) == headerReasons

	if in.MultipleHeaders {
		add("response.multiple_headers",
			"the response carries more than one Strict-Transport-Security header; send exactly one (browsers use only the first)")
	}

	if in.HTTPReachable {
		switch {
		case !in.FirstHopHTTPSSameHost && in.HTTPNoRedirect:
			add("redirects.http.no_redirect",
				"http:// answers without redirecting; redirect it to https:// on the same host")
		case !in.FirstHopHTTPSSameHost:
			add("redirects.http.first_redirect.insecure",
				"the first redirect from http:// does not go to https:// on the same host; redirect there first, so the host itself receives the HSTS header")
		case !in.FirstHopHasHSTS && headerOK:
			// Like hstspreload, only when the page's own header is fine:
			// otherwise the same fix is reported twice.
			add("redirects.http.first_redirect.no_hsts",
				"the https:// redirect that http:// leads to has no preload-ready Strict-Transport-Security header; send the header on redirect responses too (e.g. nginx add_header ... always)")
		}
	}
	return len(reasons) == 0, reasons
}

// String renders a reason as "code: message" for logs.
func (r Reason) String() string {
	return strings.TrimSpace(r.Code + ": " + r.Message)
}
