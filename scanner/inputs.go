package scanner

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ParseHeader checks a "Name: value" header the scan sends (--header, a monitor
// target's header:). Go's client refuses a name that is not an RFC 9110 token
// and a value with a control character other than tab (Chromium refuses CR, LF
// and NUL): checked here, such a header is a usage error rather than a scan
// that fails as "target unreachable". Messages never repeat the value, which
// is often a secret.
func ParseHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	name, value = strings.TrimSpace(name), strings.Trim(value, " \t")
	switch {
	case !ok || name == "":
		return "", "", fmt.Errorf("%q: write it as \"Name: value\"", line)
	case strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0:
		return "", "", fmt.Errorf("header name %q is not valid: use letters, digits and - (no spaces or separators)", name)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return "", "", fmt.Errorf("the value of %s holds the control character %s (byte %d); header values cannot contain control characters other than tab: remove it", name, char(c), i+1)
		}
	}
	return name, value, nil
}

// checkPort refuses a port the dialer would refuse after the scan started.
func checkPort(raw string, u *url.URL) error {
	p := u.Port()
	if p == "" {
		if strings.HasSuffix(u.Host, ":") {
			return fmt.Errorf("%q has an empty port: drop the ':' or give a port from 1 to 65535", raw)
		}
		return nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port %s is out of range: give a port from 1 to 65535", raw, p)
	}
	return nil
}

// ParseCookie checks a "name=value" cookie the scan sends (--cookie, a monitor
// target's cookie:) by the rules Chromium applies when the scan seeds it
// (RFC 6265bis cookie-name and cookie-value octets): no control character, tab
// included, and no ";", which would split it into two cookies in the probe's
// Cookie header. Spaces around the name and value are dropped, as Chromium
// refuses them there; quotes, commas and inner spaces are kept, as Chromium
// stores them.
func ParseCookie(pair string) (name, value string, err error) {
	name, value, ok := strings.Cut(pair, "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" {
		return "", "", fmt.Errorf("%q: write it as name=value", pair)
	}
	for _, part := range []struct{ what, s string }{{"name", name}, {"value", value}} {
		for i := 0; i < len(part.s); i++ {
			switch c := part.s[i]; {
			case c == ';':
				return "", "", fmt.Errorf("the %s of %q holds ';', which would make it two cookies: give each cookie on its own", part.what, name)
			case c < 0x20 || c == 0x7f:
				return "", "", fmt.Errorf("the %s of %q holds the control character %s (byte %d); cookies cannot contain control characters: remove it", part.what, name, char(c), i+1)
			}
		}
	}
	return name, value, nil
}

// char shows a control byte as the escape a person would type.
func char(c byte) string {
	switch c {
	case '\r':
		return `\r`
	case '\n':
		return `\n`
	case '\t':
		return `\t`
	}
	return fmt.Sprintf(`\x%02x`, c)
}

// isTokenChar is RFC 9110's tchar, the rule Go's client applies to header names.
func isTokenChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}
