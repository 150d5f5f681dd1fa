package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRulesCommand(t *testing.T) {
	code, out, _ := run(t, "rules")
	if code != 0 || !strings.Contains(out, "cookie-missing-secure") || !strings.Contains(out, "MDN HTTP Observatory") {
		t.Fatalf("rules: %d\n%s", code, out)
	}
	code, out, _ = run(t, "rules", "hsts-invalid")
	if code != 0 || !strings.Contains(out, "SECURE_HSTS_SECONDS") || !strings.Contains(out, "References") {
		t.Errorf("rules hsts-invalid: %d\n%s", code, out)
	}
	code, out, _ = run(t, "rules", "--format", "json")
	var doc struct {
		Rules []ruleJSON `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || len(doc.Rules) < 40 {
		t.Errorf("rules --format json: %d %v, %d rules", code, err, len(doc.Rules))
	}
	if code, _, errOut := run(t, "rules", "no-such-rule"); code != exitUsage || !strings.Contains(errOut, "cookiescan rules") {
		t.Errorf("unknown rule: %d %s", code, errOut)
	}
}
