package scanner

import (
	"net/url"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// CookieRow is the report's row for one verdict: the cookie as Chromium keeps
// it (or refuses it), from the line received at u; the value redacted unless
// showValue.
func CookieRow(v sc.Verdict, u *url.URL, showValue bool) result.Cookie {
	sessionLike, signal := rules.SessionLike(v.Name, v.Value, false)
	setBy := result.SetByHeader
	if v.Source == sc.FromScript {
		setBy = result.SetByScript
	}
	rc := result.Cookie{
		Name: v.Name, Domain: v.Domain, HostOnly: v.HostOnly, Path: v.Path,
		Secure: v.Secure, HTTPOnly: v.HttpOnly, SameSite: v.SameSite,
		MaxAge: v.MaxAge, Session: v.MaxAge == nil, SetBy: setBy, URL: u.String(), Scheme: u.Scheme,
		Phase: result.PhasePreLogin, Stored: v.Stored, Deletion: v.Deletion,
		BlockedReasons: append([]string{}, v.Reasons...), Note: v.Note,
		SessionLike: sessionLike, SessionSignal: signal,
		ValueRedacted: sc.RedactValue(v.Value), Raw: v.Redacted(),
	}
	if showValue {
		rc.Value = v.Value
		rc.Raw = v.Raw
	}
	return rc
}

// CookieRows are the rows of the lines of one response (or the successive
// document.cookie writes of one script), one verdict each. Chromium applies
// the lines in order, so a later line for the same name, domain and path
// replaces an earlier one that was stored (or deleted): its row takes the
// earlier one's place. A refused line leaves the store as it was and keeps
// its own row.
func CookieRows(lines []string, u *url.URL, date time.Time, src sc.Source, showValues bool) []result.Cookie {
	vs := Verdicts(lines, u, date, src)
	out := make([]result.Cookie, len(vs))
	for i, v := range vs {
		out[i] = CookieRow(v, u, showValues)
	}
	return out
}

// Verdicts judges the lines of one response in order; see CookieRows.
func Verdicts(lines []string, u *url.URL, date time.Time, src sc.Source) []sc.Verdict {
	var out []sc.Verdict
	at := map[string]int{} // name, domain, path -> index of its last accepted line
	for _, line := range lines {
		v := sc.JudgeLine(line, u, date, src)
		if v.Refused() {
			out = append(out, v)
			continue
		}
		k := v.Name + "\x00" + v.Domain + "\x00" + v.Path
		if i, ok := at[k]; ok {
			out[i] = v
			continue
		}
		at[k] = len(out)
		out = append(out, v)
	}
	return out
}

// rowKey identifies a row: the cookie, and whether the line stored, deleted
// or was refused (a deletion or a refusal never hides a live cookie).
func rowKey(rc result.Cookie) string {
	state := "stored"
	switch {
	case rc.Deletion:
		state = "deletion"
	case !rc.Stored:
		state = "refused"
	}
	return rc.Name + "\x00" + rc.Domain + "\x00" + rc.Path + "\x00" + state
}
