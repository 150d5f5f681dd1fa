package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/fixtures"
)

// closedTarget is an https URL on a port nothing listens on.
func closedTarget(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "https://" + addr + "/"
}

// An unreachable target exits 3 and no format grades it: each says "not
// scanned" and why. Before, every format said "grade A+ (100/100)".
func TestUnreachableIsNotGraded(t *testing.T) {
	dir := t.TempDir()
	target := closedTarget(t)
	var args []string
	files := []string{"r.json", "r.txt", "r.md", "r.xml", "r.html", "r.sarif"}
	for _, f := range files {
		args = append(args, "-o", filepath.Join(dir, f))
	}
	code, out, errOut := run(t, append([]string{"scan", target, "--no-browser", "-q", "--timeout", "2s", "--format", "table", "--fail-on", "none"}, args...)...)
	if code != exitScan {
		t.Fatalf("exit %d, want 3; stderr %s", code, errOut)
	}
	outputs := map[string]string{"stdout": out}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("partial report %s not written: %v", f, err)
		}
		outputs[f] = string(data)
	}
	for name, text := range outputs {
		says := "not scanned"
		if name == "r.json" {
			says = `"notScanned": "connection refused`
		}
		if !strings.Contains(strings.ToLower(text), strings.ToLower(says)) || !strings.Contains(text, "refused") {
			t.Errorf("%s does not say not scanned and why:\n%.1500s", name, text)
		}
		for _, bad := range []string{"A+", "100/100", "no problem above info", `"score": 100`} {
			if strings.Contains(text, bad) {
				t.Errorf("%s claims %q for a target that was not scanned", name, bad)
			}
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(outputs["r.json"]), &m); err != nil {
		t.Fatal(err)
	}
	if m["score"] != nil || m["grade"] != nil || m["notScanned"] == nil {
		t.Errorf("JSON score %v grade %v notScanned %v, want null, null and the reason", m["score"], m["grade"], m["notScanned"])
	}

	// Re-rendering the saved JSON keeps it ungraded.
	code, out, errOut = run(t, "report", filepath.Join(dir, "r.json"))
	if code != 0 || !strings.Contains(out, "not scanned") || strings.Contains(out, "A+") {
		t.Errorf("report: exit %d\n%s%s", code, out, errOut)
	}
}

// diff against a report of a scan that could not run claims nothing: no
// finding resolved, no grade better, and it exits 3 (nothing was compared).
func TestDiffWithUnscannedReport(t *testing.T) {
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "insecure", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	scanned, unscanned := filepath.Join(dir, "scanned.json"), filepath.Join(dir, "unscanned.json")
	if code, _, e := run(t, "scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile, "-q", "--no-browser", "--fail-on", "none", "-o", scanned); code != 0 {
		t.Fatalf("scan: %d %s", code, e)
	}
	site.Close()
	if code, _, e := run(t, "scan", site.HTTPSURL, "--http-url", site.HTTPURL, "-q", "--no-browser", "--timeout", "2s", "-o", unscanned); code != exitScan {
		t.Fatalf("scan of the closed site: %d %s", code, e)
	}
	for _, order := range [][2]string{{scanned, unscanned}, {unscanned, scanned}} {
		for _, format := range []string{"text", "json"} {
			code, out, errOut := run(t, "diff", order[0], order[1], "--format", format)
			name := filepath.Base(order[0]) + " → " + filepath.Base(order[1]) + " (" + format + ")"
			if code != exitScan {
				t.Errorf("%s: exit %d, want 3\n%s%s", name, code, out, errOut)
			}
			if !strings.Contains(out, "not scanned") {
				t.Errorf("%s does not say which side was not scanned:\n%s", name, out)
			}
			for _, bad := range []string{"resolved  ", "better", "+ new", `"worse": false`, "A+"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s claims %q:\n%s", name, bad, out)
				}
			}
		}
	}
}
