package setcookie

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Redacted returns the raw line with the cookie value replaced by
// RedactValue. Everything else, attributes included, stays byte-exact: the
// report needs the evidence, not the secret.
func (c Cookie) Redacted() string {
	s, e := valueSpan(c.Raw)
	return c.Raw[:s] + RedactValue(c.Raw[s:e]) + c.Raw[e:]
}

// RedactValue hides a cookie value while keeping enough to tell values apart
// in a report: "" stays "", up to 8 bytes become "…(n chars)", longer values
// keep their first 4 bytes, e.g. "a1b2…(32 chars)". n counts bytes.
func RedactValue(v string) string {
	n := len(v)
	if n == 0 {
		return ""
	}
	tail := "…(" + strconv.Itoa(n) + " chars)"
	if n <= 8 {
		return tail
	}
	// Do not cut a UTF-8 sequence in two: that would invent invalid UTF-8.
	k := 4
	for k > 0 && !utf8.RuneStart(v[k]) {
		k--
	}
	out := v[:k] + tail
	if strings.Contains(out, v) {
		// Only possible for values that themselves look like a redaction
		// ("abcd…(9"); never echo the value.
		return tail
	}
	return out
}

// valueSpan returns the byte range of the trimmed cookie value in a raw line,
// mirroring Parse: the name-value pair ends at the first ';', the value starts
// after its first '=' (or at 0 for a pair without '=').
func valueSpan(line string) (start, end int) {
	end = strings.IndexByte(line, ';')
	if end < 0 {
		end = len(line)
	}
	if eq := strings.IndexByte(line[:end], '='); eq >= 0 {
		start = eq + 1
	}
	for start < end && (line[start] == ' ' || line[start] == '\t') {
		start++
	}
	for end > start && (line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	return start, end
}
