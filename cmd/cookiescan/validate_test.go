package main

import (
	"bytes"
	"strings"
	"testing"
)

// Values the scan would accept and then fail on ("target unreachable", exit 3)
// are usage errors (exit 2) that say what to fix. The target is on a closed
// port: a value that slipped through would exit 3, not 2.
func TestScanRefusesValuesThatFailLater(t *testing.T) {
	target := "https://127.0.0.1:1/"
	cases := map[string]struct {
		args []string
		want string
	}{
		"header CR LF":      {[]string{"--header", "X-Token: a\r\nInjected: 1"}, "--header"},
		"header LF":         {[]string{"--header", "X-Token: a\nb"}, "control character"},
		"header NUL":        {[]string{"--header", "X-Token: a\x00b"}, `\x00`},
		"header ESC":        {[]string{"--header", "X-Token: a\x1bb"}, `\x1b`},
		"header DEL":        {[]string{"--header", "X-Token: a\x7fb"}, `\x7f`},
		"header bad name":   {[]string{"--header", "X(Token): a"}, "name"},
		"cookie CR LF":      {[]string{"--cookie", "sid=a\r\nX: 1"}, "--cookie"},
		"cookie NUL":        {[]string{"--cookie", "sid=a\x00b"}, `\x00`},
		"cookie tab":        {[]string{"--cookie", "sid=a\tb"}, `\t`},
		"cookie semicolon":  {[]string{"--cookie", "sid=a; other=b"}, "its own"},
		"cookie name ctl":   {[]string{"--cookie", "s\x01id=a"}, `\x01`},
		"target port 99999": {nil, "port"},
		"http-url port":     {[]string{"--http-url", "http://127.0.0.1:99999/"}, "port 99999"},
		"http-url port 0":   {[]string{"--http-url", "http://127.0.0.1:0/"}, "port 0"},
		"page-timeout -5s":  {[]string{"--page-timeout", "-5s"}, "--page-timeout"},
		"page-timeout 0":    {[]string{"--page-timeout", "0s"}, "--page-timeout"},
		"depth below zero":  {[]string{"--depth", "-1"}, "--depth"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tgt := target
			if name == "target port 99999" {
				tgt = "https://127.0.0.1:99999/"
			}
			args := append([]string{"scan", tgt, "--timeout", "2s", "-q", "--fail-on", "none"}, tc.args...)
			if !strings.HasPrefix(name, "page-timeout") && !strings.HasPrefix(name, "depth") {
				args = append(args, "--no-browser")
			}
			code, _, errOut := run(t, args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not say %q", errOut, tc.want)
			}
			if strings.ContainsAny(errOut, "\x00\x01\x1b\x7f\r") {
				t.Errorf("stderr carries a raw control character: %q", errOut)
			}
		})
	}
}

// What Chromium and Go's client both accept stays accepted.
func TestScanAcceptsValidHeaderAndCookieValues(t *testing.T) {
	var got *scanOptions
	cmd := newScanCmd(&ioStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(o *scanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"https://example.com/", "--no-browser",
		"--header", "Authorization: Bearer a.b-c_d~e+f/g=", "--header", "X-Tab: a\tb",
		"--header", "X-Utf8: héllo", "--cookie", `pref="a b,c\d"`, "--cookie", "empty="})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.settings[0].Sent.Get("X-Tab") != "a\tb" || len(got.settings[0].Sent.Values("Cookie")) != 2 {
		t.Fatalf("header %v", got.settings[0].Sent)
	}
}

// --depth 0 means the start page only; the default of 2 is the flag's, so
// nothing downstream has to guess what 0 means.
func TestScanDepthZeroReachesTheCrawl(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, 2}, {[]string{"--depth", "0"}, 0}, {[]string{"--depth", "3"}, 3}} {
		var got *scanOptions
		cmd := newScanCmd(&ioStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(o *scanOptions) error { got = o; return nil })
		cmd.SetArgs(append([]string{"https://example.com/"}, tc.args...))
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if d := got.settings[0].CrawlRequest().Depth; d != tc.want {
			t.Errorf("%v: crawl depth %d, want %d", tc.args, d, tc.want)
		}
	}
}
