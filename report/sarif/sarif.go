// Package sarif writes scan reports as SARIF 2.1.0, the format GitHub code scanning
// (and most security dashboards) import. All targets go into one run, because
// GitHub expects one run per tool and category; each finding becomes a result that
// points at the URLs where it was seen.
package sarif

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

const (
	schemaURI      = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion   = "2.1.0"
	informationURI = "https://github.com/cookiescan/cookiescan"
	// fingerprintKey is versioned so that a change of the hashed fields can start a
	// new key instead of silently re-opening every alert.
	fingerprintKey = "cookiescan/v1"
	// maxLocations stays well under GitHub's limit of 1,000 locations per result;
	// the JSON report keeps every URL.
	maxLocations = 100
)

// Writer renders reports as one SARIF log.
type Writer struct {
	// Tool is the driver name (default "cookiescan").
	Tool string
	// Version is the driver version (default: the version in the first report).
	Version string
}

// Write encodes every report's findings into a single run.
func (sw Writer) Write(w io.Writer, reps []result.Report) error {
	doc := sw.build(reps)
	// Straight to w: the command writes files through a temporary file, so
	// a failed encode never leaves half a log where the report should be.
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	return nil
}

func (sw Writer) build(reps []result.Report) log {
	name, version := sw.Tool, sw.Version
	if name == "" {
		name = "cookiescan"
	}
	if version == "" && len(reps) > 0 {
		version = reps[0].Tool.Version
	}
	descs, index := descriptors(reps)
	rn := run{
		Tool: tool{Driver: driver{
			Name:            name,
			Version:         version,
			SemanticVersion: semver(version),
			InformationURI:  informationURI,
			Rules:           descs,
		}},
		Results:    []sarifResult{},
		Properties: runProps{Targets: []targetProps{}},
	}
	inv := invocation{ExecutionSuccessful: true, ToolExecutionNotifications: []notification{}}
	for _, r := range reps {
		r = r.Normalized()
		rn.Properties.Targets = append(rn.Properties.Targets, targetProps{Target: r.Target, Grade: r.Grade, Score: r.Score, NotScanned: r.NotScanned})
		if r.NotScanned != "" {
			// No results for this target proves nothing: it was not reached.
			inv.ExecutionSuccessful = false
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification{
				Level:   "error",
				Message: message{Text: fmt.Sprintf("%s: not scanned: %s", r.Target, r.NotScanned)},
			})
		}
		for _, f := range r.Findings {
			rn.Results = append(rn.Results, toResult(r, f, index))
		}
		for _, f := range r.Resolved {
			res := toResult(r, f, index)
			res.BaselineState = "absent"
			rn.Results = append(rn.Results, res)
		}
		for _, e := range r.Errors {
			// A scan error means part of the site was not observed: the absence of
			// results there proves nothing, which SARIF says with a failed invocation.
			inv.ExecutionSuccessful = false
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, notification{
				Level:   "error",
				Message: message{Text: fmt.Sprintf("%s: %s stage failed on %s: %s", r.Target, e.Stage, e.URL, e.Message)},
			})
		}
	}
	rn.Invocations = []invocation{inv}
	return log{Schema: schemaURI, Version: sarifVersion, Runs: []run{rn}}
}

func toResult(r result.Report, f result.Finding, index map[string]int) sarifResult {
	res := sarifResult{
		RuleID:  f.Rule,
		Level:   level(f.Severity),
		Message: message{Text: messageText(r, f)},
		PartialFingerprints: map[string]string{
			fingerprintKey: fingerprint(f),
		},
		Properties: resultProps{
			Severity:    f.Severity.String(),
			Cookie:      f.Cookie,
			Evidence:    f.Evidence,
			Target:      r.Target,
			ScoreImpact: f.ScoreImpact,
		},
	}
	if i, ok := index[f.Rule]; ok {
		res.RuleIndex = &i
	}
	res.BaselineState = map[string]string{"new": "new", "known": "unchanged", "updated": "updated"}[f.Baseline]
	if s := f.Suppression; s != nil {
		res.Suppressions = []suppression{{Kind: "external",
			Justification: s.Reason + " (" + s.Source + ")"}}
	}
	urls := f.URLs
	if len(urls) > maxLocations {
		urls = urls[:maxLocations]
	}
	for _, u := range urls {
		res.Locations = append(res.Locations, location(u, r.Target))
	}
	if len(res.Locations) == 0 {
		// GitHub drops results without a location; the target is the next best place.
		res.Locations = []sarifLocation{location("", r.Target)}
	}
	return res
}

// messageText is what GitHub shows as the alert: what, where, why, and the fix.
func messageText(r result.Report, f result.Finding) string {
	var b strings.Builder
	b.WriteString(f.Title)
	if f.Cookie != "" {
		fmt.Fprintf(&b, " (cookie %q)", f.Cookie)
	}
	fmt.Fprintf(&b, " on %s.", r.Target)
	if f.Detail != "" {
		b.WriteString(" " + f.Detail)
	}
	if fix := fixText(r, f); fix != "" {
		b.WriteString(" Fix: " + fix)
	}
	if f.ScoreImpact > 0 {
		b.WriteString(" It " + vocab.PointsText(f.ScoreImpact) + " of the score.")
	}
	if n := len(f.URLs); n > maxLocations {
		fmt.Fprintf(&b, " (Seen on %d URLs; the first %d are listed.)", n, maxLocations)
	}
	return b.String()
}

// fixText puts the framework's own setting first, because that is what the reader
// will paste; the generic advice follows for everyone else.
func fixText(r result.Report, f result.Finding) string {
	rem := f.Remediation
	if rem.Fix == "" {
		return rem.Generic
	}
	s := vocab.FrameworkLabel(r, rem.Framework) + ": " + rem.Fix
	if rem.Generic != "" {
		s += " (" + rem.Generic + ")"
	}
	return s
}

// fingerprint identifies the same problem across scans so GitHub keeps one alert
// open instead of opening a new one each run. Site data is hashed, so separators
// that cannot occur in it keep "a"+"bc" apart from "ab"+"c".
func fingerprint(f result.Finding) string {
	u := f.URL
	if u == "" && len(f.URLs) > 0 {
		u = f.URLs[0]
	}
	sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.Cookie + "\x00" + u))
	return hex.EncodeToString(sum[:])
}

func location(u, target string) sarifLocation {
	uri := uriOf(u)
	if uri == "" {
		uri = uriOf(target)
	}
	if uri == "" {
		uri = "unknown"
	}
	return sarifLocation{PhysicalLocation: physicalLocation{
		ArtifactLocation: artifactLocation{URI: uri},
		Region:           region{StartLine: 1},
	}}
}

// uriOf percent-encodes what the site may have put in a URL that is not allowed in
// a URI (controls, spaces, quotes, non-ASCII, brackets outside an IPv6 host), so
// the uri stays valid for strict consumers while every byte stays recoverable.
func uriOf(s string) string {
	authEnd := -1 // brackets are legal only in the authority ("https://[::1]:8443/")
	if i := strings.Index(s, "://"); i >= 0 {
		authEnd = len(s)
		if j := strings.IndexAny(s[i+3:], "/?#"); j >= 0 {
			authEnd = i + 3 + j
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		bad := c <= 0x20 || c >= 0x7f || strings.IndexByte(`"<>\^`+"`{|}", c) >= 0
		if (c == '[' || c == ']') && i >= authEnd {
			bad = true
		}
		if bad {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// level maps severities onto SARIF's three levels the way GitHub colours them.
func level(s result.Severity) string {
	switch {
	case s >= result.SeverityHigh:
		return "error"
	case s == result.SeverityMedium:
		return "warning"
	case s >= result.SeverityInfo:
		return "note"
	}
	return "warning" // an invalid severity should still be seen
}

// securitySeverity is GitHub's CVSS-like score that sorts alerts into
// critical (≥9.0), high (≥7.0), medium (≥4.0) and low.
func securitySeverity(s result.Severity) string {
	switch s {
	case result.SeverityCritical:
		return "9.5"
	case result.SeverityHigh:
		return "8.0"
	case result.SeverityMedium:
		return "5.0"
	case result.SeverityLow:
		return "3.0"
	}
	return "1.0"
}

var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// semver returns the version in SemVer 2.0 form ("v1.2.3" → "1.2.3"), or "" for
// builds such as "dev" that have none.
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	if semverRE.MatchString(v) {
		return v
	}
	return ""
}
