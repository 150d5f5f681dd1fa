// Package hsts judges Strict-Transport-Security header values the way a
// browser does, and checks them against the hstspreload.org requirements.
//
// Parse mirrors Chromium's ParseHSTSHeader (net/http/http_security_headers.cc)
// as it is today: the value is split on ';' outside quoted strings with
// HttpUtil::NameValuePairsIterator (values optional, STRICT_QUOTES), and
// each directive must follow the RFC 6797 grammar. Chromium's older
// tokenizer state machine (before 2024) accepted some headers this one
// rejects, such as unknown directives with non-token names ("=2",
// "non@token"). The scanner drives a current Chromium, so Parse follows the
// current code. Everything here is pure; there is no I/O.
package hsts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxEffectiveAge is Chromium's kMaxHSTSAgeSecs: a longer max-age is legal
// but Chromium stores at most one year.
const MaxEffectiveAge = 86400 * 365

// Problem codes (Header.ProblemCode). Where hstspreload has an issue code for
// the same defect it is reused; header.parse.invalid.syntax is our own.
const (
	CodeEmpty             = "header.parse.empty"
	CodeMaxAgeMissing     = "header.preloadable.max_age.missing"
	CodeMaxAgeNoValue     = "header.parse.invalid.max_age.no_value"
	CodeMaxAgeNonDigit    = "header.parse.max_age.non_digit_characters"
	CodeMaxAgeRepeated    = "header.parse.repeated.max_age"
	CodeISDRepeated       = "header.parse.repeated.include_sub_domains"
	CodeISDWithValue      = "header.parse.invalid.include_sub_domains"
	CodeInvalidDirective  = "header.parse.invalid.syntax"
	codeMaxAgeParseIntErr = "header.parse.max_age.parse_int_error"
)

// Header is one parsed Strict-Transport-Security field value.
//
// The fields describe what the header says even when it is invalid (best
// effort, first max-age wins), but a browser uses none of it unless Valid.
type Header struct {
	Raw               string
	Valid             bool    // Chromium would honour it
	Problem           string  // why invalid, naming the offending part; "" when valid
	ProblemCode       string  // hstspreload-style code for Problem; "" when valid
	MaxAge            *uint64 // as sent (saturated at MaxUint64); nil when absent or unparseable
	MaxAgeOverflow    bool    // the max-age digits did not fit in 64 bits
	IncludeSubDomains bool
	Preload           bool     // a directive named preload is present (Chromium ignores it)
	PreloadHasValue   bool     // preload carried a value ("preload=1"); hstspreload then ignores it
	QuotedMaxAge      bool     // max-age="..." is valid, but hstspreload's parser rejects it
	Unknown           []string // names of unknown directives, in order; never nil
	Warnings          []string // non-fatal notes; never nil
	// Directives is what the header said, every non-empty ';'-separated
	// part in order, valid or not: evidence, never the policy. Never nil.
	Directives []Directive
}

// Directive is one part of the header as sent: the name and the value as
// written (quotes kept), both trimmed of spaces and tabs.
type Directive struct {
	Name     string
	Value    string
	HasValue bool // an '=' was present (Value may still be empty)
}

// Policy is what Chromium applies from one header: nothing unless it is
// valid, and a max-age of at most one year (kMaxHSTSAgeSecs). Preload is
// reported as the header asks; Chromium itself ignores the directive.
type Policy struct {
	MaxAge            *uint64 // nil when the header is invalid
	IncludeSubDomains bool
	Preload           bool
}

// Policy returns the policy Chromium applies from h.
func (h Header) Policy() Policy {
	if !h.Valid || h.MaxAge == nil {
		return Policy{}
	}
	age := h.EffectiveMaxAge()
	return Policy{MaxAge: &age, IncludeSubDomains: h.IncludeSubDomains, Preload: h.Preload}
}

// EffectiveMaxAge is the max-age Chromium applies: 0 when the header is
// invalid or has no max-age, and never more than one year.
func (h Header) EffectiveMaxAge() uint64 {
	if !h.Valid || h.MaxAge == nil {
		return 0
	}
	return min(*h.MaxAge, MaxEffectiveAge)
}

// Parse parses one Strict-Transport-Security field value.
func Parse(raw string) Header {
	h := Header{Raw: raw, Unknown: []string{}, Warnings: []string{}, Directives: []Directive{}}
	if trimLWS(raw) == "" {
		h.Problem, h.ProblemCode = "the header is empty", CodeEmpty
		return h
	}
	p := parser{h: &h}
	segs, comma := splitDirectives(raw)
	if comma {
		p.warn("a ',' outside quotes: this looks like two headers folded with a comma")
	}
	for _, seg := range segs {
		p.directive(seg)
	}
	if !p.maxAgeSeen {
		p.fail(CodeMaxAgeMissing, "max-age is missing")
	}
	h.Valid = h.Problem == ""
	return h
}

type parser struct {
	h            *Header
	maxAgeSeen   bool
	isdSeen      bool
	emptyWarned  bool
	preloadCount int
}

// fail records the first problem only: Chromium stops at the first one.
func (p *parser) fail(code, msg string) {
	if p.h.Problem == "" {
		p.h.Problem, p.h.ProblemCode = msg, code
	}
}

func (p *parser) warn(msg string) { p.h.Warnings = append(p.h.Warnings, msg) }

// directive handles one ';'-separated segment, following
// NameValuePairsIterator::ParseNameValuePair and then ParseHSTSHeader.
func (p *parser) directive(seg string) {
	t := trimLWS(seg)
	if t == "" {
		// The iterator skips empty values; hstspreload warns about them.
		if !p.emptyWarned {
			p.emptyWarned = true
			p.warn("empty directive or stray ';'")
		}
		return
	}
	name, value, rawValue := t, "", ""
	hasValue, quoted := false, false
	if n, v, ok := strings.Cut(t, "="); ok {
		p.h.Directives = append(p.h.Directives, Directive{Name: trimLWS(n), Value: trimLWS(v), HasValue: true})
	} else {
		p.h.Directives = append(p.h.Directives, Directive{Name: t})
	}
	if eq := strings.IndexByte(t, '='); eq >= 0 {
		if eq == 0 {
			p.fail(CodeInvalidDirective, fmt.Sprintf("directive %q has no name before '='", t))
			return
		}
		hasValue = true
		name = trimLWS(t[:eq])
		if strings.ContainsRune(name, '"') {
			p.fail(CodeInvalidDirective, fmt.Sprintf("directive name %s contains a quote", q(name)))
			return
		}
		rawValue = trimLWS(t[eq+1:])
		if rawValue == "" {
			if asciiEqualFold(name, "max-age") {
				p.noteMaxAgeSeen()
				p.fail(CodeMaxAgeNoValue, "max-age has no value after '='")
			} else {
				p.fail(CodeInvalidDirective, fmt.Sprintf("directive %s has '=' but no value", q(name)))
			}
			return
		}
		value = rawValue
		if rawValue[0] == '"' {
			quoted = true
			u, ok := strictUnquote(rawValue)
			if !ok {
				p.fail(CodeInvalidDirective, fmt.Sprintf("value of %s is not a properly quoted string: %s", q(name), q(rawValue)))
				return
			}
			value = u
		}
	}

	switch {
	case asciiEqualFold(name, "max-age"):
		p.maxAge(hasValue, quoted, value, rawValue)
	case asciiEqualFold(name, "includeSubDomains"):
		if p.isdSeen {
			p.fail(CodeISDRepeated, "includeSubDomains appears twice")
			return
		}
		p.isdSeen = true
		if hasValue {
			p.fail(CodeISDWithValue, fmt.Sprintf("includeSubDomains must not have a value (found =%s)", q(rawValue)))
			return
		}
		p.h.IncludeSubDomains = true
	default:
		// Unknown directives (preload included) are ignored by Chromium, but
		// only if the name is a token and an unquoted value is a token.
		if !isToken(name) {
			p.fail(CodeInvalidDirective, fmt.Sprintf("directive name %s is not a valid token", q(name)))
			return
		}
		if hasValue && !quoted && !isToken(value) {
			p.fail(CodeInvalidDirective, fmt.Sprintf("value of %s is neither a token nor a quoted string: %s", q(name), q(rawValue)))
			return
		}
		if asciiEqualFold(name, "preload") {
			p.preload(hasValue)
			return
		}
		p.h.Unknown = append(p.h.Unknown, name)
		p.warn(fmt.Sprintf("unknown directive %s is ignored", q(name)))
	}
}

func (p *parser) noteMaxAgeSeen() bool {
	if p.maxAgeSeen {
		p.fail(CodeMaxAgeRepeated, "max-age appears twice")
		return false
	}
	p.maxAgeSeen = true
	return true
}

func (p *parser) maxAge(hasValue, quoted bool, value, rawValue string) {
	if !p.noteMaxAgeSeen() {
		return
	}
	if !hasValue {
		p.fail(CodeMaxAgeNoValue, "max-age has no value (expected max-age=<seconds>)")
		return
	}
	n, overflow, ok := parseDigits(value)
	if !ok {
		p.fail(CodeMaxAgeNonDigit, maxAgeNumberProblem(value, rawValue))
		return
	}
	p.h.MaxAge = &n
	p.h.MaxAgeOverflow = overflow
	p.h.QuotedMaxAge = quoted
	if quoted {
		p.warn("max-age is quoted: browsers accept it, but hstspreload.org does not")
	}
	if len(value) > 1 && value[0] == '0' {
		p.warn(fmt.Sprintf("max-age value %s has a leading zero", q(value)))
	}
	if overflow {
		p.warn(fmt.Sprintf("max-age value %s does not fit in 64 bits", q(value)))
	}
}

func (p *parser) preload(hasValue bool) {
	p.preloadCount++
	p.h.Preload = true
	if hasValue {
		p.h.PreloadHasValue = true
		p.warn("preload has a value; it takes none, and hstspreload.org does not count it")
	}
	if p.preloadCount == 2 {
		p.warn("preload appears more than once")
	}
}

// maxAgeNumberProblem explains why a max-age value is not 1*DIGIT, naming
// the offending part when it is recognisable.
func maxAgeNumberProblem(value, rawValue string) string {
	i := 0
	for i < len(value) && isDigit(value[i]) {
		i++
	}
	switch {
	case value == "":
		return fmt.Sprintf("max-age value %s is empty", q(rawValue))
	case value[0] == '-':
		return fmt.Sprintf("max-age value %s is negative", q(rawValue))
	case value[0] == '+':
		return fmt.Sprintf("max-age value %s has a sign; only digits are allowed", q(rawValue))
	case i > 0 && (value[i] == ' ' || value[i] == '\t'):
		return fmt.Sprintf("junk %s after max-age=%s", q(trimLWS(value[i:])), value[:i])
	case i > 0 && value[i] == ',':
		return fmt.Sprintf("max-age value %s is not a number (a ',' suggests two headers folded into one)", q(rawValue))
	}
	return fmt.Sprintf("max-age value %s is not a number", q(rawValue))
}

// parseDigits is ParseUint32(NON_NEGATIVE) without the 32-bit limit: one or
// more ASCII digits and nothing else (no sign, no spaces). Overflow is not an
// error; the value saturates.
func parseDigits(s string) (n uint64, overflow, ok bool) {
	if s == "" {
		return 0, false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false, false
		}
		d := uint64(c - '0')
		if overflow || n > (math.MaxUint64-d)/10 {
			overflow = true
			continue
		}
		n = n*10 + d
	}
	if overflow {
		n = math.MaxUint64
	}
	return n, overflow, true
}

// splitDirectives splits on ';' outside quoted strings, like
// base::StringTokenizer with '"' as quote char: inside quotes a backslash
// escapes the next byte, and an unterminated quote runs to the end. It also
// reports whether a ',' occurs outside quotes.
func splitDirectives(s string) (segs []string, comma bool) {
	start := 0
	inQuote, escape := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && escape:
			escape = false
		case inQuote && c == '\\':
			escape = true
		case inQuote && c == '"':
			inQuote = false
		case inQuote:
		case c == '"':
			inQuote = true
		case c == ',':
			comma = true
		case c == ';':
			segs = append(segs, s[start:i])
			start = i + 1
		}
	}
	return append(segs, s[start:]), comma
}

// strictUnquote is HttpUtil::StrictUnquote: the value must be "..." with no
// unescaped quote inside and no trailing lone backslash.
func strictUnquote(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	escape := false
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if c == '\\' && !escape {
			escape = true
			continue
		}
		if c == '"' && !escape {
			return "", false
		}
		escape = false
		b.WriteByte(c)
	}
	if escape {
		return "", false
	}
	return b.String(), true
}

// trimLWS trims HTTP linear white space: only space and tab.
func trimLWS(s string) string { return strings.Trim(s, " \t") }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isToken is HttpUtil::IsToken (RFC 7230 tchar), ASCII only.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// asciiEqualFold compares ASCII case-insensitively. strings.EqualFold would
// also fold Unicode (e.g. 'ſ' matches 's'), which Chromium does not.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// q quotes a fragment for a message: "x" when that is unambiguous, `x` when
// it holds a double quote, and Go escaping when it holds control bytes.
func q(s string) string {
	if !strconv.CanBackquote(s) {
		return strconv.Quote(s)
	}
	if strings.ContainsRune(s, '"') {
		return "`" + s + "`"
	}
	return `"` + s + `"`
}
