package monitor_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cookiescan/cookiescan/scanner/monitor"
)

// The fleet manifest's monitor.yaml is a valid config: PostgreSQL store with
// its password from the environment, listen beyond loopback with auth.
func TestDeployFleetConfigIsValid(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes", "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	found := false
	for {
		var doc struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.Kind != "ConfigMap" {
			continue
		}
		found = true
		env := map[string]string{"COOKIESCAN_DB_PASSWORD": "pw", "COOKIESCAN_STATUS_TOKEN": "tok", "HOOK_TOKEN": "h"}
		cfg, err := monitor.ParseConfig("fleet.yaml", []byte(doc.Data["monitor.yaml"]), monitor.LoadOptions{
			Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Store != "postgres://cookiescan:pw@postgres.db.svc:5432/cookiescan?sslmode=require" || !cfg.Auth.Enabled() || len(cfg.Targets) != 2 {
			t.Errorf("fleet config: store %q, auth %v, %d targets", cfg.Store, cfg.Auth.Enabled(), len(cfg.Targets))
		}
	}
	if !found {
		t.Fatal("no ConfigMap in fleet.yaml")
	}
}
