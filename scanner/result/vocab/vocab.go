// Package vocab is the one home of the words and colours every report shows:
// a cookie's lifetime, a framework's name, the severity counts, a finding's
// score impact, a grade's colour, and the action plan that groups findings by
// the fix that removes them. The table, JSON-derived formats, HTML, Markdown,
// SARIF, JUnit and the monitor's status page all say these things the same way.
//
// It reads scanner/result only, so report writers and the monitor can both use it.
package vocab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// Lifetime says a max-age the way a person would: "session", "deleted",
// "1 year", "399 days", "2.5 years", "14 days", "36 hours". Exact units come
// first; under two years a lifetime is said in days, because the 400-day cap
// browsers apply is counted in days.
func Lifetime(maxAge *int64) string {
	if maxAge == nil {
		return "session"
	}
	return Seconds(*maxAge)
}

// Seconds says a duration in seconds in words, as Lifetime does; 0 or less is
// "deleted" (a cookie with such a max-age is removed).
func Seconds(s int64) string {
	const (
		minute = 60
		hour   = 60 * minute
		day    = 24 * hour
		year   = 365 * day
	)
	switch {
	case s <= 0:
		return "deleted"
	case s%year == 0:
		return Plural(s/year, "year", "years")
	case s >= 2*year:
		return strconv.FormatFloat(float64(s)/year, 'f', 1, 64) + " years"
	case s%day == 0, s >= 2*day:
		return Plural(s/day, "day", "days")
	case s%hour == 0, s >= 2*hour:
		return Plural(s/hour, "hour", "hours")
	case s%minute == 0, s >= 2*minute:
		return Plural(s/minute, "minute", "minutes")
	}
	return Plural(s, "second", "seconds")
}

// Plural is "1 page", "3 pages".
func Plural[N int | int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}

// frameworkNames are the display names of the framework IDs reports use.
var frameworkNames = map[string]string{
	"django": "Django", "express": "Express", "rails": "Rails", "spring": "Java servlet (Tomcat, Jetty, Spring Boot)",
	"aspnetcore": "ASP.NET Core", "laravel": "Laravel", "wordpress": "WordPress", "php": "PHP", "flask": "Flask",
	"nginx": "nginx", "apache": "Apache", result.FrameworkScript: result.FrameworkScriptLabel,
}

// FrameworkName is the display name of a framework ID ("aspnetcore" → "ASP.NET
// Core", "script" → "Page script"), or the ID itself when unknown.
func FrameworkName(id string) string {
	if n, ok := frameworkNames[id]; ok {
		return n
	}
	return id
}

// FrameworkLabel names the framework of a fix in a report: the label the scan
// recorded for it, else the known name, else the ID.
func FrameworkLabel(r result.Report, id string) string {
	if l := r.FrameworkLabel(id); l != id {
		return l
	}
	return FrameworkName(id)
}

// FixLine is the one line to act on: the framework's own setting, labelled
// ("Django: SESSION_COOKIE_SECURE = True"), else the generic advice.
func FixLine(r result.Report, rem result.Remediation) string {
	if rem.Fix != "" {
		return FrameworkLabel(r, rem.Framework) + ": " + rem.Fix
	}
	return rem.Generic
}

// Count is how many findings have one severity.
type Count struct {
	Severity result.Severity
	N        int
}

// Counts are the findings per severity, worst first, every severity listed.
func Counts(fs []result.Finding) []Count {
	n := map[result.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	out := make([]Count, 0, len(result.Severities))
	for i := len(result.Severities) - 1; i >= 0; i-- {
		s := result.Severities[i]
		out = append(out, Count{Severity: s, N: n[s]})
	}
	return out
}

// CountsText is "3 high, 4 medium, 4 low": the severities from min up that
// have findings, worst first; "" when there are none.
func CountsText(fs []result.Finding, min result.Severity) string {
	var parts []string
	for _, c := range Counts(fs) {
		if c.N > 0 && c.Severity >= min {
			parts = append(parts, fmt.Sprintf("%d %s", c.N, c.Severity))
		}
	}
	return strings.Join(parts, ", ")
}

// Points is a finding's score impact in a column: "-40", or "0".
func Points(impact int) string {
	if impact <= 0 {
		return "0"
	}
	return "-" + strconv.Itoa(impact)
}

// PointsText is a finding's score impact in a sentence.
func PointsText(impact int) string {
	if impact <= 0 {
		return "costs no points"
	}
	return "costs " + Plural(impact, "point", "points")
}

// Gain is what a fix is worth: "+40 points", or "" when it changes no points.
func Gain(points int) string {
	if points <= 0 {
		return ""
	}
	return "+" + Plural(points, "point", "points")
}

// GradeBand is the colour family of a grade: "a" … "d", "f", or "none" for a
// target that was not graded. Plus and minus grades share their letter's band.
func GradeBand(grade string) string {
	if grade == "" {
		return "none"
	}
	switch g := strings.ToLower(grade[:1]); g {
	case "a", "b", "c", "d":
		return g
	}
	return "f"
}

// GradeBands lists every band, best first, with its colour (white text reads on
// each).
var GradeBands = []struct{ Band, Color string }{
	{"a", "#1a7f37"}, {"b", "#4d8a1f"}, {"c", "#9a6700"}, {"d", "#bc4c00"}, {"f", "#cf222e"}, {"none", "#57606a"},
}

// GradeCSS is one CSS rule per band, "<prefix><band>{background:<colour>}", for
// a page's stylesheet: the HTML report and the status page colour grades alike.
func GradeCSS(prefix string) string {
	var b strings.Builder
	for _, g := range GradeBands {
		fmt.Fprintf(&b, "%s%s{background:%s}", prefix, g.Band, g.Color)
	}
	return b.String()
}

// Status is what a finding is besides its severity, for every writer: its
// standing against --baseline and its suppression; "" when neither.
func Status(f result.Finding) string {
	var parts []string
	switch f.Baseline {
	case "new":
		parts = append(parts, "new")
	case "known":
		parts = append(parts, "known")
	case "updated":
		parts = append(parts, "known, severity changed")
	}
	if s := f.Suppression; s != nil {
		parts = append(parts, "suppressed: "+s.Reason)
	}
	return strings.Join(parts, "; ")
}

// Counted reports whether a finding counts for --fail-on: not when an
// ignore file accepted it.
func Counted(f result.Finding) bool { return f.Suppression == nil }

// CookieLabel names a cookie row for people: its name, and its path when it
// is not "/" (WordPress sets wordpress_sec_* twice, for /wp-admin and for
// /wp-content/plugins: two cookies, not a duplicate).
func CookieLabel(c result.Cookie) string {
	if c.Path == "" || c.Path == "/" {
		return c.Name
	}
	return c.Name + " (path " + c.Path + ")"
}
