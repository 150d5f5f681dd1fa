package setcookie

import "time"

// parseCookieDate reads an Expires value the way Chromium's
// cookie_util::ParseCookieExpirationTime does, which is not RFC 6265's
// algorithm and not time.Parse: the value is split at the RFC's delimiters
// and each token classified by its first byte. A token that starts with a
// letter is the month when its first three letters name one ("January",
// "Janx"); a token with a colon is the time when it is exactly
// 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT; other tokens of digits only are the
// day (at most two digits, first) and the year (at most five). Later
// tokens of a kind already found are ignored, and so is a token that fits
// nothing. Years 70-99 are 19xx, 0-69 are 20xx. The zone is ignored; dates
// are UTC. A date before 1601 is kept (it is in the past: the line deletes
// its cookie), as Chromium clamps it to its earliest time.
//
// Each rule is pinned by a case Chromium was asked about (fixtures.CookieCases).
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
		switch {
		case tok == "":
		case !isDigit(tok[0]):
			if !foundMonth {
				month, foundMonth = matchMonth(tok)
			}
		case containsByte(tok, ':'):
			if !foundTime {
				hour, minute, second, foundTime = matchTime(tok)
			}
		case !foundDay && len(tok) <= 2:
			day, foundDay = digitsOnly(tok)
		case !foundYear && len(tok) <= 5:
			year, foundYear = digitsOnly(tok)
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
	if day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 {
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

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// digitsOnly reads a token of digits only (at most five, so no overflow).
func digitsOnly(tok string) (int, bool) {
	n := 0
	for i := 0; i < len(tok); i++ {
		if !isDigit(tok[i]) {
			return 0, false
		}
		n = n*10 + int(tok[i]-'0')
	}
	return n, tok != ""
}

// matchTime matches exactly 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT.
func matchTime(tok string) (h, m, s int, ok bool) {
	var parts [3]int
	i := 0
	for p := 0; p < 3; p++ {
		if p > 0 {
			if i >= len(tok) || tok[i] != ':' {
				return 0, 0, 0, false
			}
			i++
		}
		j := i
		for j < len(tok) && isDigit(tok[j]) {
			j++
		}
		if j == i || j-i > 2 {
			return 0, 0, 0, false
		}
		parts[p], _ = digitsOnly(tok[i:j])
		i = j
	}
	if i != len(tok) {
		return 0, 0, 0, false
	}
	return parts[0], parts[1], parts[2], true
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
