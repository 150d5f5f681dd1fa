package sarif

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/report/reporttest"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample is the shared report with hostile site data.
func sample() []result.Report { return reporttest.Sample() }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	reporttest.Golden(t, *update, name, got)
}

func TestGolden(t *testing.T) {
	a := render(t, Writer{}, sample())
	b := render(t, Writer{}, sample())
	if !bytes.Equal(a, b) {
		t.Error("output is not byte-stable across renders")
	}
	golden(t, "sample.sarif.golden", a)
}

// Parsed is the part of a log the GitHub checks below read.
type parsed struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name, Version, SemanticVersion string
				Rules                          []struct {
					ID, Name             string
					DefaultConfiguration struct{ Level string }
					Properties           map[string]any
					Help                 struct{ Text, Markdown string }
				}
			}
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct{ Message struct{ Text string } }
		}
		Results []struct {
			RuleID              string
			RuleIndex           *int
			Level               string
			Message             struct{ Text string }
			PartialFingerprints map[string]string
			Properties          map[string]any
			Locations           []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI string }
					Region           struct{ StartLine int }
				}
			}
		}
	}
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	var p parsed
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Runs) != 1 {
		t.Fatalf("%d runs, want 1 (GitHub takes one run per tool)", len(p.Runs))
	}
	return p
}

// What GitHub code scanning needs beyond the schema: every result resolves to a
// rule, carries a location with an absolute URI, and a stable fingerprint; every
// rule has a security-severity GitHub can parse.
func TestGitHubRequirements(t *testing.T) {
	p := parse(t, render(t, Writer{}, sample()))
	run := p.Runs[0]
	d := run.Tool.Driver
	if d.Name != "cookiescan" || d.Version != "1.4.0" || d.SemanticVersion != "1.4.0" {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.SemanticVersion)
	}
	all := rules.All()
	if len(d.Rules) != len(all)+1 {
		t.Fatalf("%d rule descriptors, want the %d catalog rules and future-rule", len(d.Rules), len(all))
	}
	for i, r := range all {
		got := d.Rules[i]
		if got.ID != r.ID {
			t.Errorf("rule %d is %q, want %q", i, got.ID, r.ID)
		}
		if sev, err := strconv.ParseFloat(got.Properties["security-severity"].(string), 64); err != nil || sev <= 0 || sev > 10 {
			t.Errorf("%s: security-severity %v", r.ID, got.Properties["security-severity"])
		}
		if got.Help.Text == "" || !strings.Contains(got.Help.Text, r.Fix) {
			t.Errorf("%s: help lacks the generic fix", r.ID)
		}
	}
	if r := d.Rules[0]; r.ID != "http-no-redirect" || r.Name != "HttpNoRedirect" || r.DefaultConfiguration.Level != "error" {
		t.Errorf("first rule = %+v", r)
	}

	if len(run.Results) != 6 {
		t.Fatalf("%d results, want one per finding (6)", len(run.Results))
	}
	fps := map[string]bool{}
	for i, res := range run.Results {
		if res.RuleIndex == nil || d.Rules[*res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex does not point at %s", i, res.RuleID)
		}
		if len(res.Locations) == 0 {
			t.Errorf("result %d: no location", i)
		}
		for _, loc := range res.Locations {
			u, err := url.Parse(loc.PhysicalLocation.ArtifactLocation.URI)
			if err != nil || u.Scheme != "https" {
				t.Errorf("result %d: uri %q: %v", i, loc.PhysicalLocation.ArtifactLocation.URI, err)
			}
			if loc.PhysicalLocation.Region.StartLine != 1 {
				t.Errorf("result %d: startLine %d", i, loc.PhysicalLocation.Region.StartLine)
			}
		}
		fp := res.PartialFingerprints["cookiescan/v1"]
		if len(fp) != 64 || fps[fp] {
			t.Errorf("result %d: fingerprint %q missing or repeated", i, fp)
		}
		fps[fp] = true
	}

	first := run.Results[0]
	if first.Level != "error" || first.Properties["severity"] != "high" || first.Properties["cookie"] != "<img src=x onerror=alert(1)>" {
		t.Errorf("first result = %+v", first)
	}
	if !strings.Contains(first.Message.Text, "Django: SESSION_COOKIE_SECURE = True") {
		t.Errorf("message lacks the framework fix: %s", first.Message.Text)
	}
	if len(first.Locations) != 2 {
		t.Fatalf("want one location per URL, got %d", len(first.Locations))
	}
	if got, want := first.Locations[1].PhysicalLocation.ArtifactLocation.URI, "https://shop.example/%1B%5B31mred?q=a%20b"; got != want {
		t.Errorf("uri = %q, want %q", got, want)
	}
	for i, want := range []string{"error", "warning", "note", "note", "note", "note"} {
		if run.Results[i].Level != want {
			t.Errorf("result %d: level %q, want %q", i, run.Results[i].Level, want)
		}
	}
	inv := run.Invocations[0]
	if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != len(sample()[0].Errors) {
		t.Errorf("scan errors should fail the invocation with one notification each: %+v", inv)
	}
}

// The fingerprint ties an alert across scans: it must not move when only the
// detail or severity changes, and must move with the cookie.
func TestFingerprintStable(t *testing.T) {
	f := sample()[0].Findings[0]
	g := f
	g.Detail, g.Severity, g.Evidence = "reworded", result.SeverityLow, "other"
	if fingerprint(f) != fingerprint(g) {
		t.Error("fingerprint changed with the wording")
	}
	g.Cookie = "other"
	if fingerprint(f) == fingerprint(g) {
		t.Error("fingerprint ignores the cookie")
	}
	a := result.Finding{Rule: "r", Cookie: "ab", URL: "c"}
	b := result.Finding{Rule: "r", Cookie: "a", URL: "bc"}
	if fingerprint(a) == fingerprint(b) {
		t.Error("field boundaries are not part of the hash")
	}
}

func TestDriverDefaults(t *testing.T) {
	p := parse(t, render(t, Writer{Tool: "scanner-x", Version: "v2.0.1-rc.1"}, sample()))
	d := p.Runs[0].Tool.Driver
	if d.Name != "scanner-x" || d.Version != "v2.0.1-rc.1" || d.SemanticVersion != "2.0.1-rc.1" {
		t.Errorf("driver = %+v", d)
	}
	p = parse(t, render(t, Writer{Version: "dev"}, nil))
	if d := p.Runs[0].Tool.Driver; d.SemanticVersion != "" || d.Name != "cookiescan" {
		t.Errorf("dev build: %+v", d)
	}
	if p.Runs[0].Results == nil {
		t.Error("results should be [] for an empty scan")
	}
}

func TestURIOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://[::1]:8443/a[1]":        "https://[::1]:8443/a%5B1%5D",
		"https://x.example/é <b>":        "https://x.example/%C3%A9%20%3Cb%3E",
		"https://x.example/?a=1&b=%20#f": "https://x.example/?a=1&b=%20#f",
		"relative[x]":                    "relative%5Bx%5D",
	} {
		if got := uriOf(in); got != want {
			t.Errorf("uriOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestManyURLsAreCapped(t *testing.T) {
	r := result.New("https://x.example/", time.Time{}, "1.0.0")
	f := result.Finding{Rule: "cookie-missing-secure", Severity: result.SeverityHigh, Title: "Cookie without Secure", Cookie: "sid"}
	for i := range 150 {
		f.URLs = append(f.URLs, "https://x.example/p/"+strconv.Itoa(i))
	}
	f.URL = f.URLs[0]
	r.Findings = []result.Finding{f}
	res := parse(t, render(t, Writer{}, []result.Report{r})).Runs[0].Results[0]
	if len(res.Locations) != maxLocations || !strings.Contains(res.Message.Text, "Seen on 150 URLs") {
		t.Errorf("%d locations; message %q", len(res.Locations), res.Message.Text)
	}
}

// report.New will return this Writer as a report.Writer; the package cannot import
// report (report imports it), so the method set is checked here.
var _ interface {
	Write(io.Writer, []result.Report) error
} = Writer{}

// TestSuppressionsAndBaselineState: an accepted finding carries a SARIF
// suppression with its reason; --baseline sets baselineState, and a finding
// the baseline had and this scan has not is an "absent" result.
func TestSuppressionsAndBaselineState(t *testing.T) {
	reps := sample()[:1]
	reps[0].Findings = append([]result.Finding(nil), reps[0].Findings[:2]...)
	reps[0].Findings[0].Baseline = "new"
	reps[0].Findings[0].Suppression = &result.Suppression{Reason: "legacy app", Source: "ign.yaml:2"}
	reps[0].Findings[1].Baseline = "known"
	reps[0].Resolved = []result.Finding{{Rule: "hsts-missing", Severity: result.SeverityMedium, URL: "https://shop.example/"}}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID        string `json:"ruleId"`
				BaselineState string `json:"baselineState"`
				Suppressions  []struct {
					Kind, Status, Justification string
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, Writer{}, reps), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Results
	if len(rs) != 3 {
		t.Fatalf("%d results, want 3 (two findings, one absent)", len(rs))
	}
	if s := rs[0].Suppressions; rs[0].BaselineState != "new" || len(s) != 1 || s[0].Kind != "external" || s[0].Justification != "legacy app (ign.yaml:2)" {
		t.Errorf("suppressed new finding: %+v", rs[0])
	}
	if rs[1].BaselineState != "unchanged" || len(rs[1].Suppressions) != 0 {
		t.Errorf("known finding: %+v", rs[1])
	}
	if rs[2].BaselineState != "absent" || rs[2].RuleID != "hsts-missing" {
		t.Errorf("resolved finding: %+v", rs[2])
	}
}
