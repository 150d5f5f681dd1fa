package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/fixtures"
	"github.com/cookiescan/cookiescan/scanner/result"
)

func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (make test installs it)")
	}
}

// scanLogin runs the whole CLI with real Chromium and the YAML login flow against
// one of the login fixture profiles, reached as cookiescan.test so that Chromium
// applies its real rules for non-local origins.
func scanLogin(t *testing.T, profile string) result.Report {
	t.Helper()
	code, errOut, rep := runLogin(t, profile, fixtures.FixturePassword)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	return rep
}

// runLogin scans a login fixture profile with the flow and password; it
// returns the exit code, stderr and the JSON report.
func runLogin(t *testing.T, profile, password string) (int, string, result.Report) {
	t.Helper()
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: profile, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	t.Setenv("COOKIESCAN_PASSWORD", password)
	out := filepath.Join(dir, "scan.json")
	code, _, errOut := run(t, "scan", site.URL("https", "cookiescan.test", "/"),
		"--http-url", site.URL("http", "cookiescan.test", "/"), "--ca-cert", site.CAFile,
		"--host-resolver-rules", "MAP *.test 127.0.0.1", "--login", "../../fixtures/flows/login.yaml",
		"--max-pages", "8", "--fail-on", "none", "-q", "-o", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("exit %d, no report: %v: %s", code, err, errOut)
	}
	var rep result.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return code, errOut, rep
}

// A login that fails (a wrong password here) leaves the logged-in part
// unscanned: exit 3 with the reason, and the logged-out report written.
func TestLoginFailedExits3(t *testing.T) {
	code, errOut, rep := runLogin(t, "login", "wrong password")
	if code != exitScan || !strings.Contains(errOut, "login failed") {
		t.Errorf("exit %d, stderr %q; want %d and the login failure", code, errOut, exitScan)
	}
	login := false
	for _, e := range rep.Errors {
		login = login || e.Stage == result.StageLogin
	}
	if !login || len(rep.Pages) == 0 {
		t.Errorf("report: errors %+v, %d pages; want the login error and the pages crawled logged out", rep.Errors, len(rep.Pages))
	}
}

func findingFor(rep result.Report, rule, cookie string) *result.Finding {
	for i, f := range rep.Findings {
		if f.Rule == rule && (cookie == "" || f.Cookie == cookie) {
			return &rep.Findings[i]
		}
	}
	return nil
}

func TestScanWithLoginInChromium(t *testing.T) {
	needChromium(t)
	fix := scanLogin(t, "login-fixation")
	if f := findingFor(fix, "session-not-rotated-on-login", "sessionid"); f == nil || f.Severity != result.SeverityHigh {
		t.Errorf("login-fixation: session-not-rotated-on-login missing: %+v", fix.Findings)
	}
	// The app sends HSTS: a browser that got the cookie got the policy and
	// upgrades http://, so the proof's finding is medium, and says why.
	if f := findingFor(fix, "cookie-sent-over-http", "sessionid"); f == nil || f.Severity != result.SeverityMedium || !strings.Contains(f.Detail, "HSTS policy") {
		t.Errorf("login-fixation: cookie-sent-over-http for sessionid = %+v, want medium under the site's HSTS", f)
	}

	good := scanLogin(t, "login")
	if f := findingFor(good, "session-not-rotated-on-login", ""); f != nil {
		t.Errorf("login: rotation finding on a rotating login: %+v", f)
	}
	if f := findingFor(good, "cookie-sent-over-http", "sessionid"); f != nil {
		t.Errorf("login: a Secure session cookie was reported as sent over HTTP")
	}
	// Every kind of cookie the fixture sets is in the inventory with its phase.
	want := map[string]string{"sessionid/login": "header", "remember_me/login": "header", "ui_theme/pre-login": "script",
		"visit/": "header", "api_seen/": "header", "prefs/pre-login": "header"}
	got := map[string]bool{}
	for _, c := range good.Cookies {
		got[c.Name+"/"+c.Phase+"/"+c.SetBy] = true
		got[c.Name+"//"+c.SetBy] = true
	}
	for k, setBy := range want {
		name, phase, _ := strings.Cut(k, "/")
		if !got[name+"/"+phase+"/"+setBy] {
			t.Errorf("cookie %s (phase %q, set by %s) missing from %v", name, phase, setBy, got)
		}
	}
	for _, c := range good.Cookies {
		if c.Name == "embed" && (c.Stored || len(c.BlockedReasons) == 0) {
			t.Errorf("embed (SameSite=None without Secure) must show as blocked: %+v", c)
		}
	}
	if len(good.Pages) < 3 {
		t.Errorf("pages: %+v", good.Pages)
	}
}

func TestChromiumMissingExits3WithPartialReport(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	out := filepath.Join(t.TempDir(), "scan.json")
	code, _, errOut := run(t, "scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile,
		"--chrome", "/nonexistent/chromium", "-q", "-o", out)
	if code != exitScan || !strings.Contains(errOut, "apt-get install -y chromium") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	var rep result.Report
	data, _ := os.ReadFile(out)
	if err := json.Unmarshal(data, &rep); err != nil || rep.Grade == nil {
		t.Errorf("partial report with the transport verdict: %v %s", err, data)
	}
}

// TestOperatorSecretsStayOnHTTPS: the whole CLI with real Chromium against the
// hardened profile on 127.0.0.1. --header and --cookie values arrive at the
// target's HTTPS origin only (the site's request log says what came over
// http), appear in no report, and the supplied cookie is listed as supplied
// and judged nowhere. The Secure session cookie Chromium sends to loopback
// http is no cookie-sent-over-http finding (it would not be on a real host).
func TestOperatorSecretsStayOnHTTPS(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	out := filepath.Join(dir, "scan.json")
	code, _, errOut := run(t, "scan", site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile,
		"--header", "Authorization: Bearer hdr-secret-1", "--cookie", "sessionid=cookie-secret-2",
		"--max-pages", "2", "--fail-on", "low", "-q", "-o", out, "-o", filepath.Join(dir, "scan.txt"))
	if code != 0 {
		t.Fatalf("exit %d (want 0: nothing above info): %s", code, errOut)
	}
	sawHTTPS := false
	for _, r := range site.Received() {
		secret := strings.Contains(r.Authorization, "hdr-secret-1") || strings.Contains(r.Cookie, "cookie-secret-2")
		if !r.TLS && secret {
			t.Errorf("plain HTTP %s%s received a secret: Authorization %q Cookie %q", r.Host, r.Path, r.Authorization, r.Cookie)
		}
		sawHTTPS = sawHTTPS || (r.TLS && secret)
	}
	if !sawHTTPS {
		t.Error("the secrets never reached the target's HTTPS origin")
	}
	for _, f := range []string{out, filepath.Join(dir, "scan.txt")} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "hdr-secret") || strings.Contains(string(data), "cookie-secret") {
			t.Errorf("%s contains a secret", f)
		}
	}
	data, _ := os.ReadFile(out)
	var rep result.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	supplied := false
	for _, c := range rep.Cookies {
		supplied = supplied || (c.Name == "sessionid" && c.SetBy == result.SetBySupplied)
	}
	if !supplied {
		t.Errorf("cookies %+v: want sessionid listed as supplied", rep.Cookies)
	}
	for _, f := range rep.Findings {
		if f.Cookie == "sessionid" || f.Rule == "cookie-sent-over-http" {
			t.Errorf("finding %s for %q: the operator's cookie or a loopback-only Secure cookie", f.Rule, f.Cookie)
		}
	}
	if len(rep.Notes) == 0 {
		t.Error("no note on the Secure cookie sent to loopback")
	}
}

// A --chrome that never opens its DevTools endpoint fails the browser part
// after the start timeout: exit 3 with the reason, the transport report
// written, no browser directory left.
func TestChromeNeverStartsExits3(t *testing.T) {
	site, err := fixtures.Start(fixtures.Options{Profile: "hardened", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	bin := t.TempDir()
	script := filepath.Join(bin, "chrome")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out := filepath.Join(t.TempDir(), "scan.json")
	var stdout, stderr bytes.Buffer
	cmd := newScanCmd(&ioStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}, func(o *scanOptions) error {
		o.startTimeout = time.Second
		return scanRun(context.Background(), o)
	})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs([]string{site.HTTPSURL, "--http-url", site.HTTPURL, "--ca-cert", site.CAFile,
		"--chrome", script, "-q", "-o", out})
	done := make(chan error, 1)
	go func() { done <- cmd.Execute() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("scan still waiting for the browser after 60s")
	}
	if code := exitCode(err); code != exitScan || err == nil || !strings.Contains(err.Error(), "DevTools endpoint within 1s") {
		t.Errorf("exit %d, err %v; want exit 3 naming the DevTools endpoint and the timeout", code, err)
	}
	t.Log(err)
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no partial report: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "cookiescan-browser-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestCookieVerdictsEndToEnd: the whole CLI with real Chromium on a page
// (reached as cookiescan.test, not loopback) whose response sends lines
// Chromium treats in different ways and whose script writes cookies Chromium
// refuses; the plain-HTTP URL, which only the probe follows, sends a
// __Secure- cookie. Every row says what Chromium did.
func TestCookieVerdictsEndToEnd(t *testing.T) {
	needChromium(t)
	dir := t.TempDir()
	site, err := fixtures.Start(fixtures.Options{Profile: "cookie-cases", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	out := filepath.Join(dir, "scan.json")
	code, _, errOut := run(t, "scan", site.URL("https", fixtures.CaseHost, "/cc/script"),
		"--http-url", site.URL("http", fixtures.CaseHost, "/cc/set/http-secure-prefix/x"), "--ca-cert", site.CAFile,
		"--host-resolver-rules", "MAP *.test 127.0.0.1", "--depth", "0", "--fail-on", "none", "-q", "-o", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("exit %d, no report: %v: %s", code, err, errOut)
	}
	var rep result.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	type row struct {
		setBy            string
		stored, deletion bool
		reasons          string
		rule             string
	}
	want := map[string]row{
		"ck_page_twice":  {"header", true, false, "", "cookie-missing-httponly"}, // the last line: Secure, not HttpOnly
		"ck_page_del":    {"header", false, true, "", ""},
		"ck_page_soh":    {"header", false, false, "DisallowedCharacter", "cookie-rejected-by-browser"},
		"ck_page_part":   {"header", false, false, "", "cookie-partitioned-insecure"},
		"ck_js_httponly": {"script", false, false, "", "cookie-rejected-by-browser"},
		"ck_js_ssnone":   {"script", false, false, "SameSiteNoneInsecure", "cookie-samesite-none-insecure"},
		"ck_js_2y":       {"script", true, false, "", "cookie-lifetime-over-400d"},
		"__Secure-http":  {"header", false, false, "InvalidPrefix", "cookie-prefix-violation"},
	}
	got := map[string][]result.Cookie{}
	for _, c := range rep.Cookies {
		got[c.Name] = append(got[c.Name], c)
	}
	for name, w := range want {
		rows := got[name]
		if len(rows) == 0 {
			t.Errorf("%s: no row in %+v", name, rep.Cookies)
			continue
		}
		for _, c := range rows {
			if c.SetBy != w.setBy || c.Stored != w.stored || c.Deletion != w.deletion || strings.Join(c.BlockedReasons, ",") != w.reasons {
				t.Errorf("%s: setBy %s stored %v deletion %v reasons %q note %q; want %+v", name, c.SetBy, c.Stored, c.Deletion, c.BlockedReasons, c.Note, w)
			}
		}
		if w.rule != "" && findingFor(rep, w.rule, name) == nil {
			t.Errorf("%s: no %s finding", name, w.rule)
		}
	}
	if rows := got["ck_page_twice"]; len(rows) > 0 && (!rows[0].Secure || rows[0].HTTPOnly) {
		t.Errorf("ck_page_twice: %+v; want the last line's flags", rows[0])
	}
	if rows := got["ck_js_2y"]; len(rows) > 0 && (rows[0].MaxAge == nil || *rows[0].MaxAge != 63072000) {
		t.Errorf("ck_js_2y maxAge %v; want what the script asked, 63072000", rows[0].MaxAge)
	}
}
