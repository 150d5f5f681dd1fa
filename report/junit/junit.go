// Package junit writes scan reports as JUnit XML, the format CI dashboards (GitLab,
// Jenkins, Azure DevOps, GitHub test reporters) already know how to show. Each
// target is a test suite and each rule of the catalog a test case, so a dashboard
// shows what was checked and passed, not only what failed.
package junit

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// Writer renders reports as one <testsuites> document.
type Writer struct {
	// FailOn is the lowest severity that fails a test case, like --fail-on.
	// Zero never fails one: every finding is listed in <system-out> instead.
	FailOn result.Severity
}

type testsuites struct {
	XMLName  xml.Name    `xml:"testsuites"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Suites   []testsuite `xml:"testsuite"`
}

type testsuite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Properties []property `xml:"properties>property"`
	Cases      []testcase `xml:"testcase"`
}

type output struct {
	Text string `xml:",innerxml"` // from escapeBody
}

type property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type testcase struct {
	Name      string   `xml:"name,attr"`
	Classname string   `xml:"classname,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *problem `xml:"failure,omitempty"`
	Error     *problem `xml:"error,omitempty"`
	SystemOut *output  `xml:"system-out,omitempty"`
}

// problem is a <failure> or an <error>: a one-line message, and the full list in
// the element's text.
type problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",innerxml"` // from escapeBody
}

// escapeBody escapes element text here rather than in encoding/xml, which writes
// every newline as "&#xA;" and makes a multi-line list unreadable in the raw file.
// After clean, escaping &, < and > is all XML needs (">" also breaks any "]]>");
// carriage returns stay references, or parsers would fold them into newlines.
func escapeBody(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(clean(s))
}

// Write renders every report; the output depends only on the reports.
func (jw Writer) Write(w io.Writer, reps []result.Report) error {
	doc := testsuites{Name: "cookiescan", Suites: []testsuite{}}
	var ms int64
	for _, r := range reps {
		r = r.Normalized()
		s := jw.suite(r)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		ms += r.DurationMs
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = seconds(ms)

	// Straight to w, buffered (see sarif.Writer): no copy of the document.
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header)
	enc := xml.NewEncoder(bw)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit: %w", err)
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

func (jw Writer) suite(r result.Report) testsuite {
	target := clean(r.Target)
	s := testsuite{Name: target, Time: seconds(r.DurationMs)}
	score, grade, scanned := r.Graded()
	if scanned {
		s.Properties = append(s.Properties, property{Name: "grade", Value: clean(grade)}, property{Name: "score", Value: strconv.Itoa(score)})
	} else {
		s.Properties = append(s.Properties, property{Name: "not-scanned", Value: clean(r.NotScanned)})
	}
	s.Properties = append(s.Properties, property{Name: "fail-on", Value: failOnName(jw.FailOn)},
		property{Name: "tool-version", Value: clean(r.Tool.Version)})
	if !r.StartedAt.IsZero() {
		// JUnit's timestamp is an xs:dateTime without a zone; the scan time is UTC.
		s.Timestamp = r.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}

	byRule := map[string][]result.Finding{}
	for _, f := range r.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	ids := make([]string, 0, len(byRule))
	titles := map[string]string{}
	for _, rule := range rules.All() {
		ids = append(ids, rule.ID)
		titles[rule.ID] = rule.Title
	}
	// A report from a newer cookiescan may name rules this catalog lacks; they
	// still get a test case, after the known ones.
	var unknown []string
	for id, fs := range byRule {
		if _, ok := titles[id]; !ok {
			unknown = append(unknown, id)
			titles[id] = fs[0].Title
		}
	}
	sort.Strings(unknown)
	ids = append(ids, unknown...)

	for _, id := range ids {
		if !scanned && len(byRule[id]) == 0 {
			continue // not checked: a passing test case would say it was
		}
		tc := testcase{Name: clean(id), Classname: target, Time: "0"}
		var failing, passing []result.Finding
		for _, f := range byRule[id] {
			if jw.FailOn > 0 && f.Severity >= jw.FailOn && vocab.Counted(f) {
				failing = append(failing, f)
			} else {
				passing = append(passing, f)
			}
		}
		if len(failing) > 0 {
			tc.Failure = failure(r, titles[id], failing)
			s.Failures++
		}
		if len(passing) > 0 {
			head := "Findings below --fail-on " + failOnName(jw.FailOn) + ":\n"
			if jw.FailOn <= 0 {
				head = "Findings (no --fail-on level set):\n"
			}
			tc.SystemOut = &output{Text: escapeBody(head + list(r, passing))}
		}
		s.Cases = append(s.Cases, tc)
	}
	if len(r.Errors) > 0 || !scanned {
		s.Cases = append(s.Cases, scanErrors(r, target))
		s.Errors++
	}
	s.Tests = len(s.Cases)
	return s
}

// failure folds every failing finding of one rule into one <failure>: dashboards
// show one failure per test case, and one rule on ten cookies is one problem.
func failure(r result.Report, title string, fs []result.Finding) *problem {
	worst := fs[0]
	for _, f := range fs[1:] {
		if f.Severity > worst.Severity {
			worst = f
		}
	}
	msg := fmt.Sprintf("%s: %d findings", title, len(fs))
	if len(fs) == 1 {
		msg = title
		if worst.Cookie != "" {
			msg += ": cookie " + strconv.Quote(worst.Cookie)
		}
	}
	return &problem{Message: clean(msg), Type: worst.Severity.String(), Text: escapeBody(list(r, fs))}
}

// scanErrors is a test case that errored: part of the target was not observed, so
// the passing test cases above prove less than they seem to.
func scanErrors(r result.Report, target string) testcase {
	var b strings.Builder
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "[%s] %s: %s\n", e.Stage, e.URL, e.Message)
	}
	msg := fmt.Sprintf("%d scan %s: part of the target was not checked", len(r.Errors), plural(len(r.Errors), "error", "errors"))
	if n := r.PageFailures(); n > 0 {
		msg += fmt.Sprintf(" (%d %s failed to load)", n, plural(n, "page", "pages"))
	}
	typ := "scan-error"
	if _, _, ok := r.Graded(); !ok {
		msg, typ = "not scanned: "+r.NotScanned, "not-scanned"
	}
	return testcase{Name: "scan", Classname: target, Time: "0", Error: &problem{
		Message: clean(msg),
		Type:    typ,
		Text:    escapeBody(b.String()),
	}}
}

// list writes one block per finding: where, what, the evidence and the fix, with
// the framework's own setting first.
func list(r result.Report, fs []result.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "[%s]", f.Severity)
		if f.Cookie != "" {
			fmt.Fprintf(&b, " cookie %q", f.Cookie) // quoted: control characters show as escapes
		}
		fmt.Fprintf(&b, " at %s (%s)\n", f.URL, vocab.PointsText(f.ScoreImpact))
		if st := vocab.Status(f); st != "" {
			fmt.Fprintf(&b, "  %s\n", st)
		}
		if also := others(f); len(also) > 0 {
			more := ""
			if len(also) > maxURLs {
				more = fmt.Sprintf(" (and %d more)", len(also)-maxURLs)
				also = also[:maxURLs]
			}
			b.WriteString("  also at: " + strings.Join(also, ", ") + more + "\n")
		}
		if f.Detail != "" {
			b.WriteString("  " + f.Detail + "\n")
		}
		if f.Evidence != "" {
			b.WriteString("  evidence: " + f.Evidence + "\n")
		}
		if f.Remediation.Fix != "" {
			fmt.Fprintf(&b, "  fix (%s): %s\n", vocab.FrameworkLabel(r, f.Remediation.Framework), f.Remediation.Fix)
		}
		if f.Remediation.Generic != "" {
			b.WriteString("  fix: " + f.Remediation.Generic + "\n")
		}
	}
	return b.String()
}

// maxURLs keeps a cookie set on every page from burying the rest of the list;
// the JSON report keeps every URL.
const maxURLs = 10

// others are the places a finding was seen besides its first URL.
func others(f result.Finding) []string {
	var out []string
	for _, u := range f.URLs {
		if u != f.URL {
			out = append(out, u)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func failOnName(s result.Severity) string {
	if s <= 0 {
		return "never"
	}
	return s.String()
}

func seconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// clean replaces what XML 1.0 cannot carry even escaped (NUL and most C0 controls,
// U+FFFE/U+FFFF, invalid UTF-8) with a visible \xNN, so one hostile cookie name
// cannot make the whole file unparseable. encoding/xml escapes the rest (<, &, ]]>).
func clean(s string) string {
	ok := utf8.ValidString(s)
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !xmlChar(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
