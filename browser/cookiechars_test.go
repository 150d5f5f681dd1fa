package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"

	"github.com/cookiescan/cookiescan/scanner"
)

// scanner.ParseCookie refuses exactly the --cookie values Chromium refuses
// when the scan seeds them (a control character, tab included, or ';'), and
// keeps the rest (inner spaces, quotes, commas, backslashes, UTF-8).
func TestChromiumAgreesOnCookieCharacters(t *testing.T) {
	s := session(t)
	for _, pair := range []string{
		"sid=plain", "sid=a b", `sid="quoted"`, `sid=a,b\c`, "sid=é€", "sid=", " sid = v ", "s id=1", "a,b=1",
		"sid=a;b", "s;id=1", "sid=a\tb", "s\tid=1", "sid=a\x01b", "sid=a\x7fb", "sid=a\rb", "sid=a\nb", "sid=a\x00b", "s\x00id=1",
	} {
		name, value, err := scanner.ParseCookie(pair)
		if err != nil {
			name, value, _ = strings.Cut(pair, "=")
			name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		}
		cerr := s.setCookies(t.Context(), []*network.CookieParam{{Name: name, Value: value, URL: "https://cookiescan.test/", Path: "/"}})
		if (err == nil) != (cerr == nil) {
			t.Errorf("%q: ParseCookie says %v, Chromium says %v", pair, err, cerr)
		}
	}
}
