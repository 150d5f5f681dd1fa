// Package diff compares two scan reports of the same target: what is new, what was
// resolved, and what changed for the worse or the better (a cookie that lost a flag,
// an HSTS max-age that dropped, a grade change). `cookiescan diff`, `scan
// --baseline` and the monitor's regression alerts all read it.
package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/hsts"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

// LifetimeTolerance is how far a cookie's lifetime may move between two scans
// and still be the same: a lifetime derived from Expires and the response's
// Date moves with the clock (34559991s, a minute later 34559992s), and a
// second's drift is no change of the site.
const LifetimeTolerance = 60 // seconds

// lifetimeRules are the rules whose firing or severity depends on the
// lifetime alone: they follow the same tolerance.
var lifetimeRules = map[string]bool{"session-cookie-persistent": true, "cookie-lifetime-over-400d": true}

// Change is one difference that is not a whole finding appearing or going.
type Change struct {
	Kind    string `json:"kind"`    // cookie-flag, cookie-lifetime, hsts, redirect, grade, tls, severity
	Worse   bool   `json:"worse"`   // false: better
	Subject string `json:"subject"` // the cookie, header or rule it is about
	From    string `json:"from"`
	To      string `json:"to"`
	Text    string `json:"text"`
}

// Diff is the comparison of an old and a new report.
type Diff struct {
	Target   string           `json:"target"`
	From     string           `json:"from"` // grade; "" when that scan has none
	To       string           `json:"to"`
	New      []result.Finding `json:"new"`
	Resolved []result.Finding `json:"resolved"`
	Changes  []Change         `json:"changes"`
	// NotScanned is set when either report is of a target that could not be
	// scanned: nothing is compared (its empty findings would read as all
	// resolved, or all new), and it says which side and why.
	NotScanned string `json:"notScanned,omitempty"`
}

// Worse reports whether anything got worse.
func (d Diff) Worse() bool {
	if len(d.New) > 0 {
		return true
	}
	for _, c := range d.Changes {
		if c.Worse {
			return true
		}
	}
	return false
}

// Empty reports whether nothing changed; a comparison with a scan that did
// not reach the target is never empty: nobody knows what changed.
func (d Diff) Empty() bool {
	return d.NotScanned == "" && len(d.New) == 0 && len(d.Resolved) == 0 && len(d.Changes) == 0
}

// Key identifies a finding across scans: the rule plus the cookie (name, domain,
// path) or, for other rules, the URL's path (ports of a test site may change).
func Key(f result.Finding) string {
	if f.Cookie != "" {
		return f.Rule + "|" + f.Cookie + "|" + f.CookieDomain + "|" + f.CookiePath
	}
	return f.Rule + "|" + pathOf(f.URL)
}

func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
		return "/"
	}
	return u
}

// Compare returns what changed from old to new. When either was not scanned,
// the Diff is empty but for NotScanned.
func Compare(old, new result.Report) Diff {
	oldScore, oldGrade, oldOK := old.Graded()
	newScore, newGrade, newOK := new.Graded()
	d := Diff{Target: new.Target, From: oldGrade, To: newGrade,
		New: []result.Finding{}, Resolved: []result.Finding{}, Changes: []Change{}}
	switch {
	case !oldOK && !newOK:
		d.NotScanned = "neither report's target was scanned: old: " + old.NotScanned + "; new: " + new.NotScanned
		return d
	case !oldOK:
		d.NotScanned = "the old report's target was not scanned: " + old.NotScanned
		return d
	case !newOK:
		d.NotScanned = "the new report's target was not scanned: " + new.NotScanned
		return d
	}
	oldF := index(old.Findings)
	newF := index(new.Findings)
	jitter := lifetimeJitter(old, new)
	for _, k := range sortedKeys(newF) {
		nf := newF[k]
		of, ok := oldF[k]
		switch {
		case (!ok || nf.Severity != of.Severity) && jitter(nf):
			// A lifetime at a threshold that moved by seconds: unchanged.
		case !ok:
			d.New = append(d.New, nf)
		case nf.Severity != of.Severity:
			d.Changes = append(d.Changes, Change{Kind: "severity", Worse: nf.Severity > of.Severity, Subject: nf.Rule + cookieSuffix(nf),
				From: of.Severity.String(), To: nf.Severity.String(),
				Text: fmt.Sprintf("%s%s went from %s to %s", nf.Rule, cookieSuffix(nf), of.Severity, nf.Severity)})
		}
	}
	for _, k := range sortedKeys(oldF) {
		if _, ok := newF[k]; !ok && !jitter(oldF[k]) {
			d.Resolved = append(d.Resolved, oldF[k])
		}
	}
	d.Changes = append(d.Changes, cookieChanges(old, new)...)
	d.Changes = append(d.Changes, hstsChanges(old.HSTS, new.HSTS)...)
	if old.Redirect.UpgradedToHTTPS && !new.Redirect.UpgradedToHTTPS && new.Redirect.StartURL != "" {
		d.Changes = append(d.Changes, Change{Kind: "redirect", Worse: true, Subject: "redirect", From: "to https", To: "none",
			Text: "plain HTTP no longer redirects to HTTPS"})
	} else if !old.Redirect.UpgradedToHTTPS && new.Redirect.UpgradedToHTTPS {
		d.Changes = append(d.Changes, Change{Kind: "redirect", Subject: "redirect", From: "none", To: "to https",
			Text: "plain HTTP now redirects to HTTPS"})
	}
	if oldGrade != newGrade {
		d.Changes = append(d.Changes, Change{Kind: "grade", Worse: newScore < oldScore, Subject: "grade", From: oldGrade, To: newGrade,
			Text: fmt.Sprintf("grade %s (%d) → %s (%d)", oldGrade, oldScore, newGrade, newScore)})
	}
	if old.TLS.Valid && !new.TLS.Valid && new.TLS.Checked {
		d.Changes = append(d.Changes, Change{Kind: "tls", Worse: true, Subject: "certificate", From: "valid", To: "invalid",
			Text: "the certificate no longer verifies: " + new.TLS.Error})
	}
	return d
}

func cookieSuffix(f result.Finding) string {
	if f.Cookie == "" {
		return ""
	}
	return " on " + f.Cookie
}

func index(fs []result.Finding) map[string]result.Finding {
	m := map[string]result.Finding{}
	for _, f := range fs {
		k := Key(f)
		if cur, ok := m[k]; !ok || f.Severity > cur.Severity {
			m[k] = f
		}
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var sameSiteRank = map[string]int{"": 0, "none": 1, "lax": 2, "strict": 3}

func refusedOrDeletion(c result.Cookie) bool { return c.Deletion || len(c.BlockedReasons) > 0 }

func cookieKey(c result.Cookie) string { return c.Name + "|" + c.Domain + "|" + c.Path }

// cookieChanges compares each cookie present in both scans (first record wins).
func cookieChanges(old, new result.Report) []Change {
	oc := map[string]result.Cookie{}
	// Only cookies Chromium keeps have flags to compare: a deletion or a
	// refused line (their findings are compared) would pair with a live row.
	for _, c := range old.Cookies {
		if _, ok := oc[cookieKey(c)]; !ok && !refusedOrDeletion(c) {
			oc[cookieKey(c)] = c
		}
	}
	var out []Change
	seen := map[string]bool{}
	for _, n := range new.Cookies {
		k := cookieKey(n)
		o, ok := oc[k]
		if !ok || seen[k] || refusedOrDeletion(n) {
			continue
		}
		seen[k] = true
		flag := func(name string, before, after bool) {
			if before == after {
				return
			}
			verb := "lost"
			if after {
				verb = "gained"
			}
			out = append(out, Change{Kind: "cookie-flag", Worse: before && !after, Subject: n.Name,
				From: onOff(before), To: onOff(after), Text: fmt.Sprintf("cookie %s %s %s", vocab.CookieLabel(n), verb, name)})
		}
		flag("Secure", o.Secure, n.Secure)
		flag("HttpOnly", o.HTTPOnly, n.HTTPOnly)
		if ro, rn := sameSiteRank[strings.ToLower(o.SameSite)], sameSiteRank[strings.ToLower(n.SameSite)]; ro != rn {
			out = append(out, Change{Kind: "cookie-flag", Worse: rn < ro, Subject: n.Name, From: "SameSite=" + o.SameSite, To: "SameSite=" + n.SameSite,
				Text: fmt.Sprintf("cookie %s SameSite %q → %q", vocab.CookieLabel(n), o.SameSite, n.SameSite)})
		}
		if lo, ln := life(o.MaxAge), life(n.MaxAge); lo != ln && !sameLifetime(o.MaxAge, n.MaxAge) {
			out = append(out, Change{Kind: "cookie-lifetime", Worse: ln > lo, Subject: n.Name, From: lifeText(o.MaxAge), To: lifeText(n.MaxAge),
				Text: fmt.Sprintf("cookie %s lifetime %s → %s", vocab.CookieLabel(n), vocab.Lifetime(o.MaxAge), vocab.Lifetime(n.MaxAge))})
		}
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "set"
	}
	return "unset"
}

// sameLifetime: both persistent, within LifetimeTolerance of each other.
func sameLifetime(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	d := *a - *b
	return d > -LifetimeTolerance && d < LifetimeTolerance
}

// lifetimeJitter returns whether a finding of a lifetime rule is about a
// cookie both scans saw with the same lifetime (within the tolerance): its
// appearing, going or changing severity is the clock, not the site.
func lifetimeJitter(old, new result.Report) func(result.Finding) bool {
	lives := func(r result.Report) map[string][]*int64 {
		m := map[string][]*int64{}
		for _, c := range r.Cookies {
			m[c.Name] = append(m[c.Name], c.MaxAge)
		}
		return m
	}
	ol, nl := lives(old), lives(new)
	return func(f result.Finding) bool {
		if !lifetimeRules[f.Rule] || f.Cookie == "" {
			return false
		}
		// By name: a finding's domain is the attribute as sent, a
		// record's the host it defaults to.
		os, ns := ol[f.Cookie], nl[f.Cookie]
		if len(os) == 0 || len(ns) == 0 {
			return false
		}
		for _, o := range os {
			if !slices.ContainsFunc(ns, func(n *int64) bool { return sameLifetime(o, n) }) {
				return false
			}
		}
		for _, n := range ns {
			if !slices.ContainsFunc(os, func(o *int64) bool { return sameLifetime(o, n) }) {
				return false
			}
		}
		return true
	}
}

// life orders lifetimes; a session cookie is the shortest.
func life(m *int64) int64 {
	if m == nil {
		return -1
	}
	return *m
}

// lifeText is the lifetime in From and To: seconds, for programs reading alerts.
func lifeText(m *int64) string {
	if m == nil {
		return "session"
	}
	return fmt.Sprintf("%ds", *m)
}

func hstsChanges(o, n result.HSTS) []Change {
	var out []Change
	// What Chromium keeps: reports before the cap was applied to maxAge
	// said 63072000 where today's say 31536000, the same policy.
	eff := func(h result.HSTS) uint64 {
		if !h.Present || !h.Valid || h.MaxAge == nil {
			return 0
		}
		return min(*h.MaxAge, hsts.MaxEffectiveAge)
	}
	desc := func(h result.HSTS) string {
		switch {
		case !h.Present:
			return "absent"
		case !h.Valid:
			return "invalid"
		}
		return h.Raw
	}
	if eo, en := eff(o), eff(n); eo != en {
		text := fmt.Sprintf("HSTS max-age %d → %d", eo, en)
		if en == 0 {
			text = "HSTS removed or invalid (was " + desc(o) + ")"
		}
		out = append(out, Change{Kind: "hsts", Worse: en < eo, Subject: "Strict-Transport-Security", From: desc(o), To: desc(n), Text: text})
	}
	if o.IncludeSubDomains != n.IncludeSubDomains && eff(n) > 0 && eff(o) > 0 {
		out = append(out, Change{Kind: "hsts", Worse: o.IncludeSubDomains, Subject: "includeSubDomains", From: onOff(o.IncludeSubDomains), To: onOff(n.IncludeSubDomains),
			Text: "HSTS includeSubDomains " + map[bool]string{true: "removed", false: "added"}[o.IncludeSubDomains]})
	}
	return out
}
