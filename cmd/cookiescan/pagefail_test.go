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

// Pages that do not load (a script that never yields, one that exhausts
// memory, redirects to file:, javascript: and data:) are errors of stage
// "page" in the report and counted in the verdict, with real Chromium; the
// scan completes (exit 0 here). A start page that does not load exits 3.
func TestBrokenPagesReported(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "broken-pages", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	scan := func(path string, outputs ...string) (int, string, string) {
		args := []string{"scan", site.URL("https", "cookiescan.test", path),
			"--http-url", site.URL("http", "cookiescan.test", path), "--ca-cert", site.CAFile,
			"--host-resolver-rules", "MAP *.test 127.0.0.1", "--page-timeout", "5s", "--concurrency", "1",
			"--fail-on", "none", "-q", "--format", "table"}
		for _, o := range outputs {
			args = append(args, "-o", o)
		}
		return run(t, args...)
	}

	jsonPath, mdPath := filepath.Join(dir, "scan.json"), filepath.Join(dir, "scan.md")
	code, out, errOut := scan("/", jsonPath, mdPath)
	if code != exitOK {
		t.Fatalf("exit %d, want 0 (other pages failing is reported, not fatal): %s", code, errOut)
	}
	var rep result.Report
	data, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	failed := map[string]string{}
	for _, e := range rep.Errors {
		if e.Stage == result.StagePage {
			failed[e.URL[strings.LastIndex(e.URL, "/"):]] = e.Message
		}
	}
	for _, p := range fixtures.BrokenPages {
		if failed[p] == "" {
			t.Errorf("no page error for %s; errors %+v", p, rep.Errors)
		}
	}
	if len(failed) != len(fixtures.BrokenPages) {
		t.Errorf("page errors %v, want exactly %v", failed, fixtures.BrokenPages)
	}
	want := "6 pages failed to load"
	if !strings.Contains(out, want) || !strings.Contains(out, "[page] https://cookiescan.test:") {
		t.Errorf("the table does not count the failed pages (%q):\n%s", want, out)
	}
	if md, _ := os.ReadFile(mdPath); !strings.Contains(string(md), want) {
		t.Errorf("the Markdown summary does not count the failed pages:\n%s", md)
	}

	code, _, errOut = scan("/spin")
	if code != exitScan || !strings.Contains(errOut, "start page did not load") {
		t.Errorf("start page that spins: exit %d, want 3 saying the start page did not load: %s", code, errOut)
	}
}
