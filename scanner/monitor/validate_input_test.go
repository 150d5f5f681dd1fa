package monitor

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Settings that `monitor check` accepted and every scan then failed on are
// config errors naming the line and the fix.
func TestConfigRefusesValuesThatFailLater(t *testing.T) {
	const target = "targets:\n  - url: https://example.com/\n    schedule: \"@every 6h\"\n"
	cases := []struct {
		name, yaml string
		line       int
		want       []string
	}{
		{"header CR LF", target + "    header: [\"X-Token: a\\r\\nInjected: 1\"]\n", 4, []string{"header", `\r`, "control character"}},
		{"header NUL", target + "    header: [\"X-Token: a\\0b\"]\n", 4, []string{`\x00`}},
		{"header ESC in defaults", "defaults:\n  header: [\"X-Token: a\\eb\"]\n" + target, 2, []string{`\x1b`}},
		{"header bad name", target + "    header: [\"X(Token): a\"]\n", 4, []string{"name"}},
		{"cookie LF", target + "    cookie: [\"sid=a\\nb\"]\n", 4, []string{"cookie", `\n`}},
		{"cookie semicolon", target + "    cookie: [\"sid=a; other=b\"]\n", 4, []string{"its own"}},
		{"alert header CR LF", target + "alerts:\n  - webhook: https://hooks.example/\n    header: {X-Key: \"a\\r\\nb\"}\n", 6, []string{`header "X-Key"`, `\r`}},
		{"url port 99999", "targets:\n  - url: https://example.com:99999/\n    schedule: \"@daily\"\n", 2, []string{"port 99999"}},
		{"httpUrl port 99999", target + "    httpUrl: http://example.com:99999/\n", 4, []string{"port 99999"}},
		{"pageTimeout negative", target + "    pageTimeout: -5s\n", 4, []string{"pageTimeout", "positive"}},
		{"schedule 1ms", "targets:\n  - url: https://example.com/\n    schedule: \"@every 1ms\"\n", 3, []string{"@every 1ms", "at least 1m between", "@every 1m"}},
		{"schedule 30s", "targets:\n  - url: https://example.com/\n    schedule: \"@every 30s\"\n", 3, []string{"at least 1m between"}},
		{"cron seconds", "targets:\n  - url: https://example.com/\n    schedule: \"*/5 * * * * *\"\n", 3, []string{"every 5s", "at least 1m between"}},
		{"cron two seconds a minute", "targets:\n  - url: https://example.com/\n    schedule: \"0,1 * * * * *\"\n", 3, []string{"every 1s", "at least 1m between"}},
		{"cron never", "targets:\n  - url: https://example.com/\n    schedule: \"0 0 30 2 *\"\n", 3, []string{"never runs"}},
	}
	// The documented minimum, not the one the package's own tests lower.
	defer func(m time.Duration) { minScheduleInterval = m }(minScheduleInterval)
	minScheduleInterval = MinScheduleInterval
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "monitor.yaml")
			_, err := ParseConfig(path, []byte(c.yaml), LoadOptions{Lenient: true, Getenv: func(string) (string, bool) { return "", false }})
			var ce ConfigErrors
			if !errors.As(err, &ce) {
				t.Fatalf("accepted (err %v):\n%s", err, c.yaml)
			}
			for _, e := range ce {
				if e.Line != c.line {
					continue
				}
				msg := e.Error()
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Errorf("line %d: %q does not say %q", c.line, msg, w)
					}
				}
				if strings.ContainsAny(msg, "\x00\x1b\r") || strings.Count(msg, "\n") > 0 {
					t.Errorf("message carries a raw control character: %q", msg)
				}
				return
			}
			t.Errorf("no error on line %d: %v", c.line, err)
		})
	}
}

// The minimum leaves every usual schedule alone.
func TestConfigAcceptsUsualSchedules(t *testing.T) {
	defer func(m time.Duration) { minScheduleInterval = m }(minScheduleInterval)
	minScheduleInterval = MinScheduleInterval
	for _, s := range []string{"@every 1m", "@every 6h", "@hourly", "@daily", "* * * * *", "15 */6 * * *",
		"0 * * * * *", "CRON_TZ=Europe/Berlin 0 7 * * *", "0 0 29 2 *"} {
		yaml := "targets:\n  - url: https://example.com/\n    schedule: \"" + s + "\"\n    header: [\"X-Tab: a\\tb\"]\n    cookie: [\"pref=\\\"a b,c\\\"\"]\n"
		if _, err := ParseConfig("monitor.yaml", []byte(yaml), LoadOptions{Lenient: true}); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
}
