package html

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

// The view types hold what the template prints, already in words. Every string
// that came from the site passes through text() on its way in; the template
// escapes it on the way out.

type reportView struct {
	ID         string // "r0", "r1": our own anchors, never site data
	Target     string
	Grade      string
	GradeClass string
	Score      int
	Verdict    verdictView
	Counts     []countView
	Frameworks []frameworkView
	Chains     []chainView
	HSTS       hstsView
	TLS        tlsView
	Cookies    []cookieView
	Groups     []groupView
	Plan       planView
	Findings   int
	Errors     []errorView
	Meta       metaView

	// NotScanned says why the target was not scanned (no grade, no score).
	NotScanned string
	// PageFailures counts pages that did not load (errors of stage "page").
	PageFailures int
}

// planView is the action plan: the changes that remove findings, worth most first.
type planView struct {
	ID    string // "r0-plan": our own anchor
	Title string // "9 changes fix 11 findings"
	Steps []stepView
}

type stepView struct {
	Gain     string // "+80"
	Class    string // severity class of its worst finding
	Label    string // framework label; "" for generic advice
	Fix      string
	Removes  []stepFinding
	Cookies  string // "sessionid, csrftoken"
	Findings int
}

// stepFinding links a rule of a step to the first finding it removes.
type stepFinding struct {
	Rule string
	Href string // "#r0-f3": our own anchor
}

type verdictView struct {
	Clean    bool   // nothing above info
	Counts   string // "1 high, 2 low"
	Rule     string
	Cookie   string
	FixLabel string // framework label, "" for the generic fix
	Fix      string
}

type countView struct {
	Name  string
	Class string
	N     int
}

type frameworkView struct {
	Label    string
	Evidence []string
}

type chainView struct {
	Title    string
	Start    string
	Final    string
	Upgraded bool
	Hops     []hopView
}

type hopView struct {
	N        int
	URL      string
	Status   string
	OK       bool // the hop answered
	HTTPS    bool
	Location string // shown when the chain did not follow it to the next hop
	HSTS     bool
	Cookies  int
	Error    string
}

type hstsView struct {
	Present           bool
	Valid             bool
	Raw               string
	Problem           string
	MaxAge            string // in words; "" when absent
	IncludeSubDomains bool
	Preload           bool
	PreloadEligible   bool
	PreloadReasons    []string
	Responses         []hstsResponseView
}

type hstsResponseView struct{ URL, Raw string }

type tlsView struct {
	State    string // ok, bad, na
	Summary  string
	Error    string
	NotAfter string
	DaysLeft string
	Subject  string
	Issuer   string
}

type cookieView struct {
	Name        string
	Value       string // redacted unless the scan was told --show-values
	Domain      string
	HostOnly    bool
	Path        string
	Secure      bool
	HTTPOnly    bool
	SameSite    string
	SameClass   string
	Lifetime    string
	LifetimeKey int64 // sort key: seconds; session -1, deleted -2
	Phase       string
	SetBy       string
	URL         string
	SessionLike bool
	Blocked     []string
	// Dropped says why a line without Chromium's reasons is not stored:
	// it deletes the cookie, or Chromium drops it silently (the note).
	Dropped string
}

type groupView struct {
	Severity string
	Class    string
	Findings []findingView
}

type findingView struct {
	ID       string // "r0-f3": our own anchor, never site data
	Points   string // "costs 40 points"
	Status   string // new/known against --baseline, suppressed and why
	Rule     string
	Severity string
	Class    string
	Title    string
	Cookie   string
	Detail   string
	URLs     []string
	Evidence string
	FixLabel string
	Fix      string
	Generic  string
}

type errorView struct{ Stage, URL, Message string }

type metaView struct {
	Scanned   string // "2026-11-21 12:00 UTC"
	Tool      string
	Version   string
	Schema    string
	StartedAt string
	Duration  string
	Pages     []pageView
}

type pageView struct {
	URL    string
	Status int
	Phase  string
}

func newReportView(i int, r result.Report) reportView {
	v := reportView{
		ID:         "r" + strconv.Itoa(i),
		Target:     text(r.Target),
		Grade:      "—",
		GradeClass: gradeClass(""),
		Verdict:    verdict(r),
		Counts:     counts(r.Findings),
		HSTS:       hstsOf(r.HSTS),
		TLS:        tlsOf(r.TLS),
		Findings:   len(r.Findings),
		Meta: metaView{
			Tool: text(r.Tool.Name), Version: text(r.Tool.Version), Schema: text(r.SchemaVersion),
			StartedAt: r.StartedAt.UTC().Format(time.RFC3339), Duration: duration(r.DurationMs),
			Scanned: r.StartedAt.UTC().Format("2006-01-02 15:04 UTC"),
		},
		NotScanned:   text(r.NotScanned),
		PageFailures: r.PageFailures(),
	}
	if score, grade, ok := r.Graded(); ok {
		v.Grade, v.GradeClass, v.Score = text(grade), gradeClass(grade), score
	}
	for _, fw := range r.Frameworks {
		v.Frameworks = append(v.Frameworks, frameworkView{Label: text(fw.Label), Evidence: texts(fw.Evidence)})
	}
	v.Chains = append(v.Chains, chainOf("Redirect from HTTP", r.Redirect))
	if len(r.HTTPS.Hops) > 1 {
		v.Chains = append(v.Chains, chainOf("HTTPS target", r.HTTPS))
	}
	for _, c := range r.Cookies {
		v.Cookies = append(v.Cookies, cookieOf(c))
	}
	v.Groups = groups(v.ID, r)
	v.Plan = plan(v.ID, r)
	for _, e := range r.Errors {
		v.Errors = append(v.Errors, errorView{Stage: text(e.Stage), URL: text(e.URL), Message: text(e.Message)})
	}
	for _, p := range r.Pages {
		v.Meta.Pages = append(v.Meta.Pages, pageView{URL: text(p.URL), Status: p.Status, Phase: text(p.Phase)})
	}
	return v
}

// gradeClass maps a grade to one of a fixed set of CSS classes (vocab's grade
// bands, coloured alike in every report); the grade itself never reaches an
// attribute.
func gradeClass(g string) string { return "grade-" + vocab.GradeBand(g) }

func severityClass(s result.Severity) string {
	if _, err := result.ParseSeverity(s.String()); err == nil {
		return "sev-" + s.String()
	}
	return "sev-unknown"
}

// bySeverity lists severities from the worst down, as the page shows them.
func bySeverity() []result.Severity {
	out := make([]result.Severity, 0, len(result.Severities))
	for i := len(result.Severities) - 1; i >= 0; i-- {
		out = append(out, result.Severities[i])
	}
	return out
}

func counts(fs []result.Finding) []countView {
	var out []countView
	for _, c := range vocab.Counts(fs) {
		out = append(out, countView{Name: c.Severity.String(), Class: severityClass(c.Severity), N: c.N})
	}
	return out
}

// worst is the first finding of the highest severity: scanner output is sorted
// worst first already, but a hand-built or re-read report may not be.
func worst(fs []result.Finding) (result.Finding, bool) {
	best := -1
	for i, f := range fs {
		if best < 0 || f.Severity > fs[best].Severity {
			best = i
		}
	}
	if best < 0 {
		return result.Finding{}, false
	}
	return fs[best], true
}

func verdict(r result.Report) verdictView {
	counts := vocab.CountsText(r.Findings, result.SeverityLow)
	w, ok := worst(r.Findings)
	if counts == "" || !ok {
		return verdictView{Clean: true}
	}
	v := verdictView{Counts: counts, Rule: text(w.Rule), Cookie: text(w.Cookie), Fix: text(w.Remediation.Generic)}
	if w.Remediation.Fix != "" {
		v.FixLabel = text(vocab.FrameworkLabel(r, w.Remediation.Framework))
		v.Fix = text(w.Remediation.Fix)
	}
	return v
}

// plan is vocab's action plan in the page's words, each rule linking the first
// finding of the step that has it.
func plan(id string, r result.Report) planView {
	steps := vocab.Plan(r)
	if len(steps) == 0 {
		return planView{}
	}
	pv := planView{ID: id + "-plan", Title: vocab.PlanTitle(steps)}
	for _, st := range steps {
		sv := stepView{
			Gain: "+" + strconv.Itoa(st.Points), Class: severityClass(st.Worst), Label: text(st.Label), Fix: text(st.Fix),
			Cookies: text(strings.Join(st.Cookies, ", ")), Findings: len(st.Findings),
		}
		seen := map[string]bool{}
		for _, i := range st.Findings {
			rule := r.Findings[i].Rule
			if !seen[rule] {
				seen[rule] = true
				sv.Removes = append(sv.Removes, stepFinding{Rule: text(rule), Href: "#" + findingID(id, i)})
			}
		}
		pv.Steps = append(pv.Steps, sv)
	}
	return pv
}

func findingID(report string, i int) string { return report + "-f" + strconv.Itoa(i) }

func chainOf(title string, c result.Redirect) chainView {
	v := chainView{Title: title, Start: text(c.StartURL), Final: text(c.FinalURL), Upgraded: c.UpgradedToHTTPS}
	for i, h := range c.Hops {
		hv := hopView{
			N: i + 1, URL: text(h.URL), OK: h.Status != 0, HTTPS: isHTTPS(h.URL),
			HSTS: h.HSTS != "", Cookies: len(h.SetCookies), Error: text(h.Error),
		}
		if h.Location != "" && (i+1 == len(c.Hops) || c.Hops[i+1].URL != h.Location) {
			hv.Location = text(h.Location)
		}
		if h.Status != 0 {
			hv.Status = strconv.Itoa(h.Status)
		} else {
			hv.Status = "no response"
		}
		v.Hops = append(v.Hops, hv)
	}
	return v
}

func isHTTPS(u string) bool {
	return len(u) >= 8 && strings.EqualFold(u[:8], "https://")
}

func hstsOf(h result.HSTS) hstsView {
	v := hstsView{
		Present: h.Present, Valid: h.Valid, Raw: text(h.Raw), Problem: text(h.Problem),
		IncludeSubDomains: h.IncludeSubDomains, Preload: h.Preload, PreloadEligible: h.PreloadEligible,
		PreloadReasons: texts(h.PreloadReasons),
	}
	if h.MaxAge != nil {
		v.MaxAge = maxAgeWords(*h.MaxAge)
	}
	for _, r := range h.Responses {
		v.Responses = append(v.Responses, hstsResponseView{URL: text(r.URL), Raw: text(r.Raw)})
	}
	return v
}

func maxAgeWords(s uint64) string {
	if s == 0 {
		return "0 (switches HSTS off)"
	}
	if s > 1<<62 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%s (%d s)", vocab.Seconds(int64(s)), s)
}

func tlsOf(t result.TLS) tlsView {
	v := tlsView{Error: text(t.Error), Subject: text(t.Subject), Issuer: text(t.Issuer)}
	if t.NotAfter != nil {
		v.NotAfter = t.NotAfter.UTC().Format("2006-01-02")
	}
	if t.DaysLeft != nil {
		v.DaysLeft = strconv.Itoa(*t.DaysLeft)
	}
	switch {
	case !t.Checked:
		v.State, v.Summary = "na", "not checked"
	case t.NotAfter == nil:
		v.State, v.Summary = "bad", "no certificate (handshake failed)"
	case !t.Valid:
		v.State, v.Summary = "bad", "certificate does not verify"
	default:
		v.State, v.Summary = "ok", "certificate valid"
	}
	return v
}

func cookieOf(c result.Cookie) cookieView {
	v := cookieView{
		Name: text(c.Name), Domain: text(c.Domain), HostOnly: c.HostOnly, Path: text(c.Path),
		Secure: c.Secure, HTTPOnly: c.HTTPOnly, Phase: text(c.Phase), SetBy: text(c.SetBy),
		URL: text(c.URL), SessionLike: c.SessionLike, Blocked: texts(c.BlockedReasons),
		Value: text(c.ValueRedacted),
	}
	switch {
	case c.Deletion:
		v.Dropped = "deletes the cookie"
	case !c.Stored && len(c.BlockedReasons) == 0 && c.Note != "":
		v.Dropped = text("dropped: " + c.Note)
	}
	if c.Value != "" {
		v.Value = text(c.Value)
	}
	switch strings.ToLower(c.SameSite) {
	case "":
		v.SameSite, v.SameClass = "not set", "bad"
	case "strict", "lax":
		v.SameSite, v.SameClass = text(c.SameSite), "ok"
	case "none":
		v.SameSite, v.SameClass = text(c.SameSite), "warn"
	default:
		v.SameSite, v.SameClass = text(c.SameSite), "bad" // invalid: browsers ignore it
	}
	v.Lifetime, v.LifetimeKey = lifetime(c.MaxAge)
	return v
}

// lifetime puts a max-age in words, with a sort key that keeps deleted and
// session cookies below every real lifetime.
func lifetime(maxAge *int64) (string, int64) {
	switch {
	case maxAge == nil:
		return vocab.Lifetime(nil), -1
	case *maxAge <= 0:
		return vocab.Lifetime(maxAge), -2
	}
	return vocab.Lifetime(maxAge), *maxAge
}

func duration(ms int64) string {
	if ms < 1000 {
		return strconv.FormatInt(ms, 10) + " ms"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) + " s"
}

// groups puts findings under their severity, worst first, keeping the report's
// order inside a group. Findings with a severity we do not know still show.
func groups(id string, r result.Report) []groupView {
	by := map[result.Severity][]findingView{}
	var unknown []findingView
	known := map[result.Severity]bool{}
	for _, s := range result.Severities {
		known[s] = true
	}
	for i, f := range r.Findings {
		fv := findingOf(r, f)
		fv.ID = findingID(id, i)
		if known[f.Severity] {
			by[f.Severity] = append(by[f.Severity], fv)
		} else {
			unknown = append(unknown, fv)
		}
	}
	var out []groupView
	for _, s := range bySeverity() {
		if len(by[s]) > 0 {
			out = append(out, groupView{Severity: s.String(), Class: severityClass(s), Findings: by[s]})
		}
	}
	if len(unknown) > 0 {
		out = append(out, groupView{Severity: "unknown severity", Class: "sev-unknown", Findings: unknown})
	}
	return out
}

func findingOf(r result.Report, f result.Finding) findingView {
	v := findingView{
		Rule: text(f.Rule), Severity: text(f.Severity.String()), Class: severityClass(f.Severity),
		Title: text(f.Title), Cookie: text(f.Cookie), Detail: text(f.Detail),
		Evidence: text(f.Evidence), Generic: text(f.Remediation.Generic),
		Points: vocab.PointsText(f.ScoreImpact), Status: text(vocab.Status(f)),
	}
	if f.Remediation.Fix != "" {
		v.FixLabel = text(vocab.FrameworkLabel(r, f.Remediation.Framework))
		v.Fix = text(f.Remediation.Fix)
	}
	urls := f.URLs
	if len(urls) == 0 && f.URL != "" {
		urls = []string{f.URL}
	}
	v.URLs = texts(urls)
	return v
}

// maxText bounds one string of site data, so a 1 MB header cannot make a 1 MB
// report (the JSON report keeps it whole).
const maxText = 4096

// text prepares site data for display: invalid UTF-8 is replaced, control
// characters other than newline and tab become visible escapes (a reader should
// see that a header carried ESC or NUL, and they have no business in HTML), and
// long strings are cut with their length noted. Escaping stays html/template's job.
func text(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 && b != '\n' && b != '\t' || b == 0x7f || b >= 0x80 {
			clean = false
			break
		}
	}
	if clean && len(s) <= maxText {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
		if b.Len() > maxText {
			out := b.String()
			cut := maxText
			for cut > 0 && !utf8.RuneStart(out[cut]) {
				cut--
			}
			return out[:cut] + fmt.Sprintf("…(%d bytes in all)", len(s))
		}
	}
	return b.String()
}

func texts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = text(s)
	}
	return out
}
