// Package result holds the scan report types: what a scan observed and what the
// rules concluded. It is the JSON contract of SPEC.md (schemaVersion "1") and the
// only thing report writers read.
package result

import "time"

// SchemaVersion is bumped when a field is removed or renamed.
const SchemaVersion = "1"

// Report is one scan of one target.
type Report struct {
	SchemaVersion string    `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	Target        string    `json:"target"`
	StartedAt     time.Time `json:"startedAt"`
	DurationMs    int64     `json:"durationMs"`
	// Score (0–100) and Grade are nil, null in JSON, when the target could not
	// be scanned; NotScanned then says why. Use Graded, SetGrade, SetNotScanned.
	Score      *int        `json:"score"`
	Grade      *string     `json:"grade"`
	NotScanned string      `json:"notScanned,omitempty"`
	Redirect   Redirect    `json:"redirect"`
	HTTPS      Redirect    `json:"https"`
	HSTS       HSTS        `json:"hsts"`
	TLS        TLS         `json:"tls"`
	Pages      []Page      `json:"pages"`
	Cookies    []Cookie    `json:"cookies"`
	Frameworks []Framework `json:"frameworks"`
	Findings   []Finding   `json:"findings"`
	Errors     []ScanError `json:"errors"`
	// Notes explain a verdict the scan deliberately did not draw (e.g. a
	// Secure cookie sent over http:// to loopback only).
	Notes []string `json:"notes"`
	// Resolved lists, after a comparison with --baseline, the findings the
	// baseline had for this target that this scan no longer has.
	Resolved []Finding `json:"resolved,omitempty"`
}

// Tool names the scanner that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Redirect is a chain of requests made one hop at a time.
type Redirect struct {
	StartURL        string `json:"startUrl"`
	Hops            []Hop  `json:"hops"`
	FinalURL        string `json:"finalUrl"`
	UpgradedToHTTPS bool   `json:"upgradedToHttps"`
}

// Hop is one request/response of a chain. Status 0 means no response (Error says why).
type Hop struct {
	URL        string   `json:"url"`
	Status     int      `json:"status"`
	Location   string   `json:"location,omitempty"`
	HSTS       string   `json:"hsts"`
	SetCookies []string `json:"setCookies"`
	Error      string   `json:"error,omitempty"`
	// Note: the response was read as a browser reads it because Go's client
	// refused a header line; it says which (the hop is otherwise complete).
	Note string `json:"note,omitempty"`
}

// HSTS summarises the Strict-Transport-Security header of the HTTPS page.
//
// MaxAge, IncludeSubDomains and Preload state the policy Chromium applies
// from the first field: nil/false when the header is invalid (Chromium
// ignores it), and a max-age of at most one year (Chromium's cap). What the
// header said is evidence in Raw and Directives.
type HSTS struct {
	Present           bool            `json:"present"`
	Valid             bool            `json:"valid"`
	Raw               string          `json:"raw"`
	MaxAge            *uint64         `json:"maxAge"`
	IncludeSubDomains bool            `json:"includeSubDomains"`
	Preload           bool            `json:"preload"`
	Directives        []HSTSDirective `json:"directives"`
	PreloadEligible   bool            `json:"preloadEligible"`
	PreloadReasons    []string        `json:"preloadReasons"`
	Problem           string          `json:"problem,omitempty"`
	Responses         []HSTSResponse  `json:"responses"`
}

// HSTSDirective is one directive as the header wrote it (value with its
// quotes), whether or not Chromium accepted the header.
type HSTSDirective struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// HSTSResponse is the header as seen on one HTTPS response, and the policy
// Chromium applies from it (the same fields as HSTS).
type HSTSResponse struct {
	URL               string          `json:"url"`
	Raw               string          `json:"raw"`
	Present           bool            `json:"present"`
	Valid             bool            `json:"valid"`
	MaxAge            *uint64         `json:"maxAge"`
	IncludeSubDomains bool            `json:"includeSubDomains"`
	Preload           bool            `json:"preload"`
	Directives        []HSTSDirective `json:"directives"`
	Problem           string          `json:"problem,omitempty"`
}

// TLS describes the certificate of the HTTPS origin.
type TLS struct {
	Checked  bool       `json:"checked"`
	Valid    bool       `json:"valid"`
	Error    string     `json:"error"`
	Subject  string     `json:"subject,omitempty"`
	Issuer   string     `json:"issuer,omitempty"`
	NotAfter *time.Time `json:"notAfter"`
	DaysLeft *int       `json:"daysLeft"`
}

// Page is a document the scan loaded, or tried to: Error says why it did not
// load (the same failure is in the report's errors, stage "page").
type Page struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
	Phase  string `json:"phase"`
	Error  string `json:"error,omitempty"`
	// Busy: the page still had work pending when the crawl stopped waiting
	// for it; cookies it wrote later are missing.
	Busy bool `json:"busy,omitempty"`
}

// Cookie phases.
const (
	PhasePreLogin  = "pre-login"
	PhaseLogin     = "login"
	PhasePostLogin = "post-login"
)

// Cookie is one cookie the site set, as the server asked for it.
type Cookie struct {
	Name     string `json:"name"`
	Domain   string `json:"domain"`
	HostOnly bool   `json:"hostOnly"`
	Path     string `json:"path"`
	Secure   bool   `json:"secure"`
	HTTPOnly bool   `json:"httpOnly"`
	SameSite string `json:"sameSite"`
	Session  bool   `json:"session"`
	MaxAge   *int64 `json:"maxAge"`
	SetBy    string `json:"setBy"`
	URL      string `json:"url"`
	Scheme   string `json:"scheme"`
	Phase    string `json:"phase"`
	// Stored, Deletion and BlockedReasons say what Chromium does with the
	// line received from URL, whether the browser saw it or only the probe
	// did: it keeps the cookie (Stored); or the line deletes it (Deletion:
	// an expiry in the past, MaxAge <= 0; nothing is stored); or it refuses
	// it, with Chromium's own reason names (CDP SetCookieBlockedReason) or
	// none when Chromium drops the line silently. Note explains in our words.
	Stored         bool     `json:"stored"`
	Deletion       bool     `json:"deletion,omitempty"`
	BlockedReasons []string `json:"blockedReasons"`
	Note           string   `json:"note,omitempty"`
	SessionLike    bool     `json:"sessionLike"`
	SessionSignal  string   `json:"sessionSignal,omitempty"`
	ValueRedacted  string   `json:"valueRedacted"`
	Value          string   `json:"value,omitempty"`
	Raw            string   `json:"raw"`
}

// SetBy values of Cookie.
const (
	SetByHeader   = "header"
	SetByScript   = "script"
	SetBySupplied = "supplied" // the operator's --cookie: not the site's, never judged
)

// Framework is a stack detected from cookie names and response headers, with the
// evidence that matched; it picks the fix lines of findings.
type Framework struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Evidence []string `json:"evidence"`
}

// Finding is one rule that fired, with its evidence.
type Finding struct {
	Rule         string   `json:"rule"`
	Severity     Severity `json:"severity"`
	Title        string   `json:"title"`
	Detail       string   `json:"detail"`
	Cookie       string   `json:"cookie,omitempty"`
	CookieClass  string   `json:"cookieClass,omitempty"` // session, csrf or other
	CookieDomain string   `json:"cookieDomain,omitempty"`
	CookiePath   string   `json:"cookiePath,omitempty"`
	URL          string   `json:"url"`
	URLs         []string `json:"urls"` // every place it was seen; URL is the first
	// Baseline is set when the scan was compared with --baseline: "new"
	// (not in it), "known" (in it, unchanged) or "updated" (in it, at
	// another severity).
	Baseline    string      `json:"baseline,omitempty"`
	Evidence    string      `json:"evidence"`
	Remediation Remediation `json:"remediation"`
	// ScoreImpact is the points this finding costs the score (rules.ScoreImpacts):
	// a rule's penalty counts once, on its first finding at its worst severity;
	// the rule's other findings cost 0. The impacts add up to 100 − score (the
	// score stops at 0).
	ScoreImpact int `json:"scoreImpact"`
	// Suppression is set when an ignore file (--ignore,
	// .cookiescan-ignore.yaml) accepted the finding: it stays in the
	// report, marked, and does not count for --fail-on.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression is the ignore entry that accepted a finding.
type Suppression struct {
	Reason  string `json:"reason"`
	Source  string `json:"source"`            // file:line of the entry
	Expires string `json:"expires,omitempty"` // YYYY-MM-DD, the last day it applies
}

// Remediation is the fix: generic, and the framework's own setting when known.
type Remediation struct {
	Generic   string `json:"generic"`
	Framework string `json:"framework,omitempty"`
	Fix       string `json:"fix,omitempty"`
}

// Stages of ScanError.
const (
	StageRedirect = "redirect"
	StageHTTPS    = "https"
	StageTLS      = "tls"
	StageBrowser  = "browser"
	StageLogin    = "login"
	// StageLimit says a cap was hit: part of what the site sent was left
	// unexamined (or unshown) on purpose. The scan itself did not fail.
	StageLimit = "limit"
	// StagePage is one page that did not load (timeout, a renderer that hung or
	// crashed, a redirect the browser refuses); the crawl went on without it.
	StagePage = "page"
)

// ScanError is something that stopped part of the scan; what was observed is kept.
type ScanError struct {
	Stage   string `json:"stage"`
	URL     string `json:"url"`
	Message string `json:"message"`
}

// New returns a report with every list empty rather than nil, as the contract asks.
func New(target string, startedAt time.Time, version string) Report {
	return Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "cookiescan", Version: version},
		Target:        target,
		StartedAt:     startedAt,
		Redirect:      Redirect{Hops: []Hop{}},
		HTTPS:         Redirect{Hops: []Hop{}},
		HSTS:          HSTS{Responses: []HSTSResponse{}, PreloadReasons: []string{}, Directives: []HSTSDirective{}},
		Pages:         []Page{},
		Cookies:       []Cookie{},
		Frameworks:    []Framework{},
		Findings:      []Finding{},
		Errors:        []ScanError{},
		Notes:         []string{},
	}
}

// SetGrade records the score and grade of a scanned target.
func (r *Report) SetGrade(score int, grade string) {
	r.Score, r.Grade, r.NotScanned = &score, &grade, ""
}

// SetNotScanned marks the report as a target that could not be scanned: no
// score, no grade, and why.
func (r *Report) SetNotScanned(why string) {
	if why == "" {
		why = "the target could not be scanned"
	}
	r.Score, r.Grade, r.NotScanned = nil, nil, why
}

// Graded returns the score and grade; ok is false when the target was not
// scanned (NotScanned says why).
func (r Report) Graded() (score int, grade string, ok bool) {
	if r.NotScanned != "" || r.Score == nil || r.Grade == nil {
		return 0, "", false
	}
	return *r.Score, *r.Grade, true
}

// PageFailures counts the pages that did not load (errors of stage "page").
func (r Report) PageFailures() int {
	n := 0
	for _, e := range r.Errors {
		if e.Stage == StagePage {
			n++
		}
	}
	return n
}

// Normalized returns the report with every list non-nil, as the JSON contract
// promises ("[]", never null), for reports built by hand or read from older files.
// A report without a score or grade reads as not scanned, so no writer shows a
// grade it does not have.
func (r Report) Normalized() Report {
	if _, _, ok := r.Graded(); !ok {
		why := r.NotScanned
		if why == "" {
			why = "the report has no score or grade"
		}
		r.SetNotScanned(why)
	}
	r.Redirect.Hops = orEmpty(r.Redirect.Hops)
	r.HTTPS.Hops = orEmpty(r.HTTPS.Hops)
	r.HSTS.Responses = orEmpty(r.HSTS.Responses)
	r.HSTS.PreloadReasons = orEmpty(r.HSTS.PreloadReasons)
	r.HSTS.Directives = orEmpty(r.HSTS.Directives)
	responses := make([]HSTSResponse, len(r.HSTS.Responses))
	for i, h := range r.HSTS.Responses {
		h.Directives = orEmpty(h.Directives)
		responses[i] = h
	}
	r.HSTS.Responses = responses
	r.Pages = orEmpty(r.Pages)
	r.Frameworks = orEmpty(r.Frameworks)
	r.Errors = orEmpty(r.Errors)
	r.Notes = orEmpty(r.Notes)
	cookies := make([]Cookie, len(r.Cookies))
	for i, c := range r.Cookies {
		c.BlockedReasons = orEmpty(c.BlockedReasons)
		cookies[i] = c
	}
	r.Cookies = cookies
	findings := make([]Finding, len(r.Findings))
	for i, f := range r.Findings {
		if len(f.URLs) == 0 {
			f.URLs = []string{f.URL}
		}
		findings[i] = f
	}
	r.Findings = findings
	for i := range r.Redirect.Hops {
		r.Redirect.Hops[i].SetCookies = orEmpty(r.Redirect.Hops[i].SetCookies)
	}
	for i := range r.HTTPS.Hops {
		r.HTTPS.Hops[i].SetCookies = orEmpty(r.HTTPS.Hops[i].SetCookies)
	}
	return r
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// FrameworkLabel is the display name of a framework this report detected, or id.
func (r Report) FrameworkLabel(id string) string {
	if id == FrameworkScript {
		return FrameworkScriptLabel
	}
	for _, fw := range r.Frameworks {
		if fw.Name == id && fw.Label != "" {
			return fw.Label
		}
	}
	return id
}

// FrameworkScript is Remediation.Framework for a cookie written by script: it is
// fixed in the page's JavaScript, whatever the server runs.
const (
	FrameworkScript      = "script"
	FrameworkScriptLabel = "Page script"
)
