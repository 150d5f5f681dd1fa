package hsts

import "strings"

// Fields handles several Strict-Transport-Security header fields on one
// response. Chromium (and RFC 6797 §8.1) process only the first field, so
// First is what a browser uses; the rest matter only as a defect.
type Fields struct {
	Headers []Header // every field parsed, in order (empty slice when none)
	Count   int
}

// ParseFields parses the field values of one response. CDP joins repeated
// headers with "\n" while net/http keeps them apart, so every element is
// split on "\n". After such a split, blank pieces are dropped (a join
// artefact cannot be told from an empty field) and a trailing "\r" is
// trimmed (raw HTTP/1 text). An element without "\n" is parsed as given,
// so a present but empty header still counts and parses as invalid.
func ParseFields(values []string) Fields {
	f := Fields{Headers: []Header{}}
	for _, v := range values {
		if !strings.Contains(v, "\n") {
			f.Headers = append(f.Headers, Parse(v))
			continue
		}
		for line := range strings.SplitSeq(v, "\n") {
			line = strings.TrimSuffix(line, "\r")
			if trimLWS(line) == "" {
				continue
			}
			f.Headers = append(f.Headers, Parse(line))
		}
	}
	f.Count = len(f.Headers)
	return f
}

// Present reports whether the response carried the header at all.
func (f Fields) Present() bool { return f.Count > 0 }

// First is the field a browser uses; the zero Header when there is none.
func (f Fields) First() Header {
	if len(f.Headers) == 0 {
		return Header{}
	}
	return f.Headers[0]
}

// Multiple reports more than one field (RFC 6797 §7.1: send at most one).
func (f Fields) Multiple() bool { return f.Count > 1 }
