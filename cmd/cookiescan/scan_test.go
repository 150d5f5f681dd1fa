package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// run executes the root command like main does and returns the exit code and streams.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	cmd := newRootCmd(ios)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("cookiescan: " + err.Error() + "\n")
	}
	return exitCode(err), out.String(), errOut.String()
}

func TestScanUsageErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"not a url":      {[]string{"scan", "not-a-url"}, "give a URL such as https://example.com/"},
		"no url":         {[]string{"scan"}, "give at least one URL"},
		"bad scheme":     {[]string{"scan", "ftp://example.com/"}, "scheme \"ftp\" is not supported"},
		"bad format":     {[]string{"scan", "https://example.com/", "--format", "xml"}, "unknown format \"xml\""},
		"bad fail-on":    {[]string{"scan", "https://example.com/", "--fail-on", "severe"}, "unknown severity"},
		"bad header":     {[]string{"scan", "https://example.com/", "--header", "novalue"}, "\"Name: value\""},
		"bad http-url":   {[]string{"scan", "https://example.com/", "--http-url", "https://example.com/"}, "must be an http:// URL"},
		"http-url creds": {[]string{"scan", "https://example.com/", "--http-url", "http://user:hunter2@example.com/"}, "contains credentials"},
		"bad scope":      {[]string{"scan", "https://example.com/", "--scope", "intranet"}, "use site (default"},
		"missing ca":     {[]string{"scan", "https://example.com/", "--ca-cert", "/nonexistent/ca.pem"}, "--ca-cert"},
		"bad output ext": {[]string{"scan", "https://example.com/", "-o", "report.xyz"}, "cannot tell the format"},
		"unknown flag":   {[]string{"scan", "https://example.com/", "--frobnicate"}, "unknown flag"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %s", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not say %q", errOut, tc.want)
			}
			if strings.Contains(errOut, "hunter2") {
				t.Errorf("stderr repeats the password: %q", errOut)
			}
		})
	}
}

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "insecure", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	base := []string{"scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "-q", "--timeout", "3s", "--no-browser"}

	code, out, _ := run(t, append(base, "--fail-on", "high")...)
	if code != exitFindings || !strings.Contains(out, "grade F") {
		t.Errorf("insecure --fail-on high: exit %d, want 1; out %s", code, out)
	}
	code, _, _ = run(t, append(base, "--fail-on", "none")...)
	if code != exitOK {
		t.Errorf("--fail-on none: exit %d, want 0", code)
	}

	if err := site.SetProfile("hardened"); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "scan.json")
	code, out, _ = run(t, append(base, "-o", jsonPath)...)
	if code != exitOK || out != "" {
		t.Errorf("hardened: exit %d, want 0; stdout should be empty with -o, got %q", code, out)
	}
	var rep result.Report
	data, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("scan.json: %v", err)
	}
	if _, grade, _ := rep.Graded(); rep.SchemaVersion != "1" || grade != "A+" {
		t.Errorf("scan.json: schema %q grade %q", rep.SchemaVersion, grade)
	}
	for _, field := range []string{`"findings": [`, `"errors": []`, `"pages": [`, `"cookies": [`} {
		if !bytes.Contains(data, []byte(field)) {
			t.Errorf("scan.json lacks %s", field)
		}
	}
	if bytes.Contains(data, []byte("null,")) && bytes.Contains(data, []byte(`"hops": null`)) {
		t.Errorf("lists must be [] not null")
	}
}

func TestScanUnreachableExits3WithErrors(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	site.Close() // nothing listens any more
	jsonPath := filepath.Join(t.TempDir(), "scan.json")
	code, _, errOut := run(t, "scan", site.HTTPSURL, "--http-url", site.HTTPURL, "-q", "--no-browser", "--format", "json", "-o", jsonPath)
	if code != exitScan {
		t.Fatalf("exit %d, want 3; stderr %s", code, errOut)
	}
	var rep result.Report
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatalf("partial report not written: %v", err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) == 0 {
		t.Errorf("errors[] empty in %s", data)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "cookiescan ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestReportDiffAndBaseline(t *testing.T) {
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	base := []string{"scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "-q", "--no-browser", "--fail-on", "none"}
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	if code, _, e := run(t, append(base, "-o", good)...); code != 0 {
		t.Fatalf("scan: %d %s", code, e)
	}
	if err := site.SetProfile("hsts-short"); err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(t, append(base, "-o", bad)...); code != 0 {
		t.Fatalf("scan: %d %s", code, e)
	}

	code, out, _ := run(t, "diff", good, bad)
	if code != exitFindings || !strings.Contains(out, "hsts-max-age-short") || !strings.Contains(out, "WORSE") {
		t.Errorf("diff good bad: %d\n%s", code, out)
	}
	if code, out, _ := run(t, "diff", bad, good); code != 0 || !strings.Contains(out, "resolved") {
		t.Errorf("diff bad good: %d\n%s", code, out)
	}
	if code, out, _ := run(t, "report", bad); code != 0 || !strings.Contains(out, "hsts-max-age-short") {
		t.Errorf("report: %d\n%s", code, out)
	}
	if code, _, e := run(t, "report", filepath.Join(dir, "missing.json")); code != exitUsage || !strings.Contains(e, "missing.json") {
		t.Errorf("report missing: %d %s", code, e)
	}

	// --baseline: the HSTS finding is known, so --fail-on-new passes; without it, it fails.
	withBase := append(base[:len(base)-2], "--baseline", bad, "--fail-on", "low", "--format", "json")
	code, out, _ = run(t, append(withBase, "--fail-on-new")...)
	if code != 0 || !strings.Contains(out, `"baseline": "known"`) {
		t.Errorf("--fail-on-new with only known findings: %d", code)
	}
	if code, _, _ := run(t, withBase...); code != exitFindings {
		t.Errorf("--fail-on low without --fail-on-new: %d, want 1", code)
	}
}
