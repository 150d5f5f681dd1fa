package hsts

import "strings"

// chromiumParse is a line-by-line transcription of Chromium's current
// ParseHSTSHeader and the HttpUtil helpers it uses, kept separate from
// Parse so the fuzzer can compare the two. It returns Chromium's outputs:
// max-age clamped to kMaxHSTSAgeSecs, and includeSubDomains.
func chromiumParse(value string) (ok bool, maxAge uint32, isd bool) {
	it := newNVIterator(value)
	maxAgeSeen, isdValue := false, false
	var maxAgeValue uint32
	for it.getNext() {
		switch {
		case asciiEqualFold(it.name, "max-age"):
			if maxAgeSeen {
				return false, 0, false
			}
			maxAgeSeen = true
			v, good := maxAgeToLimitedInt(it.value(), MaxEffectiveAge)
			if !good {
				return false, 0, false
			}
			maxAgeValue = v
		case asciiEqualFold(it.name, "includeSubDomains"):
			if isdValue {
				return false, 0, false
			}
			if it.value() != "" || it.quoted {
				return false, 0, false
			}
			isdValue = true
		default:
			if !isToken(it.name) || it.name == "" {
				return false, 0, false
			}
			if it.value() != "" && !it.quoted && !isToken(it.value()) {
				return false, 0, false
			}
		}
	}
	if !it.valid || !maxAgeSeen {
		return false, 0, false
	}
	return true, maxAgeValue, isdValue
}

// maxAgeToLimitedInt: ParseUint32(NON_NEGATIVE); overflow clamps to limit.
func maxAgeToLimitedInt(s string, limit uint32) (uint32, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	var r uint64
	overflow := false
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		r = r*10 + uint64(s[i]-'0')
		if r > 0xFFFFFFFF {
			overflow = true
			r = 0xFFFFFFFF
		}
	}
	if overflow || uint32(r) > limit {
		return limit, true
	}
	return uint32(r), true
}

type nvIterator struct {
	props    *stringTokenizer
	valid    bool
	name     string
	rawValue string
	unquoted string
	quoted   bool
}

func newNVIterator(v string) *nvIterator {
	return &nvIterator{props: &stringTokenizer{s: v, delims: ";", quotes: `"`}, valid: true}
}

func (it *nvIterator) value() string {
	if it.quoted {
		return it.unquoted
	}
	return it.rawValue
}

// getNext is NameValuePairsIterator::GetNext over ValuesIterator (which
// trims LWS and skips empty values).
func (it *nvIterator) getNext() bool {
	for it.props.getNext() {
		v := strings.Trim(it.props.token(), " \t")
		if v == "" {
			continue
		}
		it.valid = it.parsePair(v)
		return it.valid
	}
	return false
}

func (it *nvIterator) parsePair(p string) bool {
	equals := strings.IndexByte(p, '=')
	if equals == 0 {
		return false
	}
	hasValue := equals >= 0
	if hasValue {
		it.name = strings.Trim(p[:equals], " \t")
	} else {
		it.name = strings.Trim(p, " \t")
	}
	it.rawValue, it.quoted, it.unquoted = "", false, ""
	if hasValue {
		if strings.ContainsRune(it.name, '"') {
			return false
		}
		it.rawValue = strings.Trim(p[equals+1:], " \t")
		if it.rawValue == "" {
			return false
		}
	}
	if hasValue && it.rawValue[0] == '"' {
		it.quoted = true
		u, ok := strictUnquote(it.rawValue)
		it.unquoted = u
		return ok
	}
	return true
}

// stringTokenizer is base::StringTokenizer::FullGetNext without
// RETURN_DELIMS or RETURN_EMPTY_TOKENS.
type stringTokenizer struct {
	s                    string
	delims, quotes       string
	tokenBegin, tokenEnd int
	tokenIsDelim         bool
	started              bool
}

func (t *stringTokenizer) token() string { return t.s[t.tokenBegin:t.tokenEnd] }

func (t *stringTokenizer) getNext() bool {
	if !t.started {
		t.started, t.tokenIsDelim = true, true
	}
	var inQuote, inEscape bool
	var quoteChar byte
	advanceOne := func(c byte) bool {
		if inQuote {
			switch {
			case inEscape:
				inEscape = false
			case c == '\\':
				inEscape = true
			case c == quoteChar:
				inQuote = false
			}
			return true
		}
		if strings.IndexByte(t.delims, c) >= 0 {
			return false
		}
		quoteChar = c
		inQuote = strings.IndexByte(t.quotes, c) >= 0
		return true
	}
	for {
		if t.tokenIsDelim {
			t.tokenIsDelim = false
			t.tokenBegin = t.tokenEnd
			for t.tokenEnd != len(t.s) && advanceOne(t.s[t.tokenEnd]) {
				t.tokenEnd++
			}
			if t.tokenBegin != t.tokenEnd {
				return true
			}
		}
		t.tokenIsDelim = true
		t.tokenBegin = t.tokenEnd
		if t.tokenEnd == len(t.s) {
			return false
		}
		t.tokenEnd++
	}
}
