package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/result"
)

// TestIgnoreFile: an ignore file silences exactly its findings in every
// format (marked, not removed) and for --fail-on; the working directory's
// .cookiescan-ignore.yaml is found by itself; an expired entry warns and
// stops suppressing; a broken file is a usage error naming its line.
func TestIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "insecure", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	base := []string{"scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "-q", "--timeout", "3s", "--no-browser", "--fail-on", "medium"}

	// What fails without suppressions.
	jsonPath := filepath.Join(dir, "plain.json")
	if code, _, _ := run(t, append(base, "-o", jsonPath)...); code != exitFindings {
		t.Fatalf("insecure profile without suppressions: exit %d, want 1", code)
	}
	var plain result.Report
	data, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(data, &plain); err != nil {
		t.Fatal(err)
	}
	var entries strings.Builder
	failing := map[string]bool{}
	for _, f := range plain.Findings {
		if f.Severity >= result.SeverityMedium && !failing[f.Rule] {
			failing[f.Rule] = true
			entries.WriteString("- rule: " + f.Rule + "\n  reason: accepted in the test\n")
		}
	}
	if len(failing) == 0 {
		t.Fatal("the insecure profile has no finding at medium or above")
	}
	ign := filepath.Join(dir, "ignore.yaml")
	if err := os.WriteFile(ign, []byte(entries.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	args := append(base, "--ignore", ign)
	for _, ext := range []string{"json", "sarif", "md", "html", "txt", "xml"} {
		out[ext] = filepath.Join(dir, "r."+ext)
		args = append(args, "-o", out[ext])
	}
	if code, _, stderr := run(t, args...); code != exitOK {
		t.Fatalf("every failing rule suppressed: exit %d, want 0 (%s)", code, stderr)
	}
	var rep result.Report
	data, _ = os.ReadFile(out["json"])
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != len(plain.Findings) {
		t.Errorf("suppression removed findings: %d, want %d", len(rep.Findings), len(plain.Findings))
	}
	for _, f := range rep.Findings {
		if got := f.Suppression != nil; got != failing[f.Rule] {
			t.Errorf("%s: suppressed %v, want %v", f.Rule, got, failing[f.Rule])
		}
	}
	for ext, want := range map[string]string{"sarif": `"suppressions"`, "md": "suppressed: accepted in the test", "html": "suppressed: accepted in the test", "txt": "suppressed: accepted in the test", "xml": "suppressed: accepted in the test"} {
		b, _ := os.ReadFile(out[ext])
		if !strings.Contains(string(b), want) {
			t.Errorf("%s report does not show the suppression (%q)", ext, want)
		}
	}

	// Found in the working directory; an expired entry stops suppressing.
	wd := t.TempDir()
	expired := "- rule: " + plain.Findings[0].Rule + "\n  reason: old decision\n  expires: 2020-01-31\n"
	if err := os.WriteFile(filepath.Join(wd, ".cookiescan-ignore.yaml"), []byte(entries.String()+expired), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(wd)
	code, _, stderr := run(t, base...)
	if code != exitOK || !strings.Contains(stderr, "expired on 2020-01-31") {
		t.Errorf("working directory's file with an expired entry: exit %d (want 0), stderr %q (want the expiry warning)", code, stderr)
	}

	// A broken file fails before the scan, naming the line.
	if err := os.WriteFile(ign, []byte("- rule: hsts-missing\n  reason: x\n- rule: no-such-rule\n  reason: y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, append(base, "--ignore", ign)...)
	if code != exitUsage || !strings.Contains(stderr, "ignore.yaml:3") || !strings.Contains(stderr, "no-such-rule") {
		t.Errorf("broken ignore file: exit %d (want %d), stderr %q", code, exitUsage, stderr)
	}
}
