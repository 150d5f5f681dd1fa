package markdown

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cookiescan/cookiescan/report/termsafe"
)

// text makes site data (cookie names, URLs, header text, error messages) inert in
// GitHub-flavoured Markdown, inside a table cell or a paragraph: HTML becomes
// entities, Markdown punctuation is backslash-escaped, "|" cannot end a cell,
// control characters and newlines show as \xNN and \n, "@" cannot mention a
// GitHub user, and anything longer than limit runes is cut with "…".
func text(s string, limit int) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if limit > 0 && n == limit {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\\n`)
		case r == '\r':
			b.WriteString(`\\r`)
		case r == '\t':
			b.WriteString(`\\t`)
		case r < 0x20 || r >= 0x7f && r < 0xa0: // C1 too: U+009B is CSI to a terminal
			fmt.Fprintf(&b, `\\x%02x`, r)
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '@':
			b.WriteString("@\u2060") // a word joiner: GitHub does not see a mention
		case strings.ContainsRune("\\`*_[]()|~!#{}$", r): // $: GitHub's math
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			// Invisible format characters (bidi overrides) could make a name read
			// as another; show them.
			fmt.Fprintf(&b, `\\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += w
	}
	return b.String()
}

// Code puts trusted text (a framework setting from the catalog) in a code span:
// the fence outgrows any backtick run inside and newlines become spaces. In a
// table cell "|" is escaped too, because GFM splits cells before it parses code
// spans; elsewhere the backslash would show.
func Code(s string, inTable bool) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	// Trusted text can still come from a crafted JSON report: no raw control
	// character reaches a terminal that prints the Markdown.
	s = termsafe.Line(s)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
