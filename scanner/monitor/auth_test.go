package monitor_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cookiescan/cookiescan/scanner/monitor"
)

// With auth:, the status page, the reports and /metrics need the bearer token
// or the basic credentials from the environment; /healthz stays open for
// probes. Every series of /metrics names its replica.
func TestStatusServerAuth(t *testing.T) {
	site := startSite(t, "hardened")
	t.Setenv("TEST_STATUS_TOKEN", "s3cret-token")
	t.Setenv("TEST_STATUS_PASSWORD", "pa55word")
	cfg := writeConfig(t, fmt.Sprintf(`store: s.db
listen: 127.0.0.1:0
auth:
  bearerToken: ${TEST_STATUS_TOKEN}
  user: ops
  password: ${TEST_STATUS_PASSWORD}
targets:
%s`, siteTarget(site, "@every 1h", "")))
	m, err := monitor.New(context.Background(), cfg, monitor.Options{Replica: "replica-a"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	do := func(path string, set func(*http.Request)) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if set != nil {
			set(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }

	for _, path := range []string{"/", "/metrics", "/scans/1"} {
		for name, set := range map[string]func(*http.Request){
			"none": nil, "wrong token": bearer("nope"), "wrong password": basic("ops", "nope"), "wrong user": basic("root", "pa55word"),
		} {
			code, _, hdr := do(path, set)
			if code != http.StatusUnauthorized || len(hdr.Values("WWW-Authenticate")) != 2 {
				t.Errorf("%s with %s: %d %v, want 401 with both challenges", path, name, code, hdr.Values("WWW-Authenticate"))
			}
		}
	}
	if code, _, _ := do("/", bearer("s3cret-token")); code != 200 {
		t.Errorf("status page with the token: %d", code)
	}
	if code, _, _ := do("/", basic("ops", "pa55word")); code != 200 {
		t.Errorf("status page with basic auth: %d", code)
	}
	// /healthz answers probes without credentials (503 here: Run has not started).
	if code, body, _ := do("/healthz", nil); code == http.StatusUnauthorized {
		t.Errorf("/healthz asked for credentials: %d %s", code, body)
	}
	code, body, _ := do("/metrics", bearer("s3cret-token"))
	if code != 200 {
		t.Fatalf("/metrics with the token: %d", code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cookiescan_store_writable", "cookiescan_alerts_sent_total", "go_goroutines"} {
		f := fams[name]
		if f == nil || len(f.Metric) == 0 {
			t.Fatalf("no %s", name)
		}
		for _, s := range f.Metric {
			found := false
			for _, l := range s.Label {
				found = found || (l.GetName() == "replica" && l.GetValue() == "replica-a")
			}
			if !found {
				t.Errorf("%s %v has no replica label", name, s.Label)
			}
		}
	}
}

// Secrets of auth: come from the environment; written in the file, or unset,
// they are refused with the line and the fix.
func TestAuthSecretsComeFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "monitor.yaml")
	for _, c := range []struct {
		auth string
		want []string
	}{
		{"  bearerToken: hunter2hunter2\n", []string{":3:", "auth.bearerToken must come from the environment", "${COOKIESCAN_STATUS_BEARERTOKEN}"}},
		{"  user: ops\n  password: hunter2\n", []string{":4:", "auth.password must come from the environment"}},
		{"  bearerToken: ${TEST_UNSET_TOKEN_VAR}\n", []string{":3:", "TEST_UNSET_TOKEN_VAR is not set"}},
		{"  user: ops\n", []string{"auth.user and auth.password go together"}},
	} {
		body := "store: s.db\nauth:\n" + c.auth + "targets:\n  - url: https://example.com/\n    schedule: \"@every 1h\"\n    noBrowser: true\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := monitor.LoadConfig(path, monitor.LoadOptions{})
		if err == nil {
			t.Errorf("accepted:\n%s", body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q lacks %q", c.auth, err, w)
			}
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the secret is quoted back: %v", err)
		}
	}
}

// A PostgreSQL store's password comes from the environment too.
func TestStoreURLPasswordComesFromTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitor.yaml")
	tail := "targets:\n  - url: https://example.com/\n    schedule: \"@every 1h\"\n    noBrowser: true\n"
	os.WriteFile(path, []byte("store: postgres://cs:hunter2@db/cs\n"+tail), 0o644)
	_, err := monitor.LoadConfig(path, monitor.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "password in clear text") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("clear-text store password: %v", err)
	}
	t.Setenv("TEST_DB_PASSWORD", "hunter2")
	os.WriteFile(path, []byte("store: postgres://cs:${TEST_DB_PASSWORD}@db/cs\n"+tail), 0o644)
	cfg, err := monitor.LoadConfig(path, monitor.LoadOptions{})
	if err != nil || cfg.Store != "postgres://cs:hunter2@db/cs" {
		t.Errorf("store from the environment: %+v %v", cfg, err)
	}
}
