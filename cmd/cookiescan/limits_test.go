package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sparse makes a file of size bytes without writing them.
func sparse(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every file a user hands in is capped: a huge one (or a device) is a usage
// error naming the flag, the file and the limit, found before anything is read
// into memory.
func TestInputFilesCapped(t *testing.T) {
	dir := t.TempDir()
	small := sparse(t, dir, "big.pem", 1<<20+1)
	huge := sparse(t, dir, "big.json", 256<<20+1)
	cfgDir := filepath.Join(dir, "cfg")
	os.Mkdir(cfgDir, 0o755)
	bigCfg := sparse(t, cfgDir, "monitor.yaml", 1<<20+1)
	caCfg := writeMonitorConfig(t, dir, "targets:\n  - url: https://example.com/\n    schedule: \"@daily\"\n    caCert: "+small+"\n")
	cases := map[string]struct {
		args []string
		want []string
	}{
		"ca-cert":         {[]string{"scan", "https://example.com/", "--ca-cert", small}, []string{"--ca-cert", small, "1 MiB"}},
		"ca-cert device":  {[]string{"scan", "https://example.com/", "--ca-cert", "/dev/zero"}, []string{"--ca-cert", "/dev/zero", "not a regular file"}},
		"login":           {[]string{"scan", "https://example.com/", "--login", small}, []string{"--login", small, "1 MiB"}},
		"baseline":        {[]string{"scan", "https://example.com/", "--baseline", huge}, []string{"--baseline", huge, "256 MiB"}},
		"report":          {[]string{"report", huge}, []string{huge, "256 MiB"}},
		"diff":            {[]string{"diff", huge, huge}, []string{huge, "256 MiB"}},
		"monitor config":  {[]string{"monitor", "check", "--config", bigCfg, "--skip-webhook-check"}, []string{bigCfg, "1 MiB"}},
		"monitor ca-cert": {[]string{"monitor", "check", "--config", caCfg, "--skip-webhook-check"}, []string{"caCert", small, "1 MiB"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(name, "device") {
				if _, err := os.Stat("/dev/zero"); err != nil {
					t.Skip("no /dev/zero")
				}
			}
			code, _, errOut := run(t, c.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}
