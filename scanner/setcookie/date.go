package setcookie

import "time"

// parseCookieDate implements the cookie-date algorithm of RFC 6265 §5.1.1
// (unchanged in 6265bis, which also makes the trailing "( non-digit *OCTET )"
// optional). It is deliberately not time.Parse: browsers accept far more than
// IMF-fixdate (RFC 850, asctime, junk around tokens), and we must agree with
// them on which cookies are persistent. The zone is ignored; dates are UTC.
func parseCookieDate(s string) (time.Time, bool) {
	var (
		foundTime, foundDay, foundMonth, foundYear bool
		hour, minute, second, day, year            int
		month                                      time.Month
	)
	for i := 0; i < len(s); {
		for i < len(s) && isDateDelimiter(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isDateDelimiter(s[j]) {
			j++
		}
		tok := s[i:j]
		i = j
		if tok == "" {
			continue
		}
		if !foundTime {
			if h, m, sec, ok := matchTime(tok); ok {
				foundTime, hour, minute, second = true, h, m, sec
				continue
			}
		}
		if !foundDay {
			if d, ok := matchDigits(tok, 1, 2); ok {
				foundDay, day = true, d
				continue
			}
		}
		if !foundMonth {
			if m, ok := matchMonth(tok); ok {
				foundMonth, month = true, m
				continue
			}
		}
		if !foundYear {
			if y, ok := matchDigits(tok, 2, 4); ok {
				foundYear, year = true, y
				continue
			}
		}
	}
	if !foundTime || !foundDay || !foundMonth || !foundYear {
		return time.Time{}, false
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, second, 0, time.UTC)
	if t.Day() != day || t.Month() != month {
		return time.Time{}, false // e.g. Feb 30: time.Date normalised it
	}
	return t, true
}

// isDateDelimiter: delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
func isDateDelimiter(b byte) bool {
	return b == 0x09 || (b >= 0x20 && b <= 0x2F) || (b >= 0x3B && b <= 0x40) ||
		(b >= 0x5B && b <= 0x60) || (b >= 0x7B && b <= 0x7E)
}

// leadingDigits reads min..max digits at tok[i:] and requires that they are
// not followed by another digit.
func leadingDigits(tok string, i, min, max int) (val, next int, ok bool) {
	j := i
	for j < len(tok) && j-i < max && tok[j] >= '0' && tok[j] <= '9' {
		val = val*10 + int(tok[j]-'0')
		j++
	}
	if j-i < min || (j < len(tok) && tok[j] >= '0' && tok[j] <= '9') {
		return 0, 0, false
	}
	return val, j, true
}

// matchDigits matches day-of-month (1*2DIGIT) and year (2*4DIGIT), each
// optionally followed by a non-digit and anything.
func matchDigits(tok string, min, max int) (int, bool) {
	v, _, ok := leadingDigits(tok, 0, min, max)
	return v, ok
}

// matchTime matches hms-time [ non-digit *OCTET ].
func matchTime(tok string) (h, m, s int, ok bool) {
	var i int
	if h, i, ok = leadingDigits(tok, 0, 1, 2); !ok || i >= len(tok) || tok[i] != ':' {
		return 0, 0, 0, false
	}
	if m, i, ok = leadingDigits(tok, i+1, 1, 2); !ok || i >= len(tok) || tok[i] != ':' {
		return 0, 0, 0, false
	}
	if s, _, ok = leadingDigits(tok, i+1, 1, 2); !ok {
		return 0, 0, 0, false
	}
	return h, m, s, true
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// matchMonth: the first three characters name a month, case-insensitively.
func matchMonth(tok string) (time.Month, bool) {
	if len(tok) < 3 {
		return 0, false
	}
	p := asciiLower(tok[:3])
	for i, n := range monthNames {
		if p == n {
			return time.Month(i + 1), true
		}
	}
	return 0, false
}
