package rules_test

import (
	"strings"
	"testing"

	ob "github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

// Every HTTPS document the visitor lands on is judged on its own: here
// http://a.test/ goes to https://www.a.test/, which sends an invalid header,
// while https://a.test/ itself is fine (issue 10: only the target's host was
// judged, so www's max-age=abc went unreported).
func TestHSTSJudgedWhereTheHTTPChainLands(t *testing.T) {
	o := observe(
		chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", "max-age=abc")),
		chain(hop(targetURL, 200, "", goodHSTS)),
	)
	var got []result.Finding
	for _, f := range rules.Evaluate(o) {
		if strings.HasPrefix(f.Rule, "hsts-") {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Rule != "hsts-invalid" || got[0].URL != "https://www.a.test/" || got[0].Severity != medium {
		t.Fatalf("hsts findings %+v, want one hsts-invalid (medium) at https://www.a.test/", got)
	}
	if !strings.Contains(got[0].Detail, "https://www.a.test/") || !strings.Contains(got[0].Evidence, "max-age=abc") {
		t.Errorf("the finding does not name the URL and header: %q / %q", got[0].Detail, got[0].Evidence)
	}

	// The same landing host missing HSTS, or with a short max-age, is said too.
	for hdr, want := range map[string]string{"": "hsts-missing", "max-age=600; includeSubDomains": "hsts-max-age-short"} {
		var fields []string
		if hdr != "" {
			fields = []string{hdr}
		}
		o := observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", fields...)), goodHTTPS())
		found := false
		for _, f := range rules.Evaluate(o) {
			if f.Rule == want && f.URL == "https://www.a.test/" {
				found = true
			}
			if strings.HasPrefix(f.Rule, "hsts-") && f.URL == targetURL {
				t.Errorf("%q: unexpected %s on the target", hdr, f.Rule)
			}
		}
		if !found {
			t.Errorf("%q: no %s at https://www.a.test/", hdr, want)
		}
	}

	// Landing on the page the https chain ends on is judged once.
	n := 0
	for _, f := range rules.Evaluate(pageWith("max-age=abc")) {
		if f.Rule == "hsts-invalid" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d hsts-invalid findings for one page, want 1", n)
	}
}

// Each other host the crawl lands on gets its own verdict, naming the URL;
// the target's own host is judged from the probe's page, not twice.
func TestHSTSJudgedOnEachCrawledHost(t *testing.T) {
	doc := func(u string, hsts ...string) ob.Response {
		return ob.Response{URL: u, Type: "Document", Status: 200, Phase: ob.PreLogin, Date: crawlTime, HSTS: hsts}
	}
	c := ob.Crawl{Responses: []ob.Response{
		doc("https://app.test/"),
		doc("https://www.app.test/", "max-age=abc"),
		doc("https://www.app.test/other", "max-age=abc"),
		doc("https://login.app.test/", goodHSTS),
		doc("https://shop.app.test/"),
	}}
	got := map[string]string{}
	for _, f := range rules.CrawlFindings(c, mustURL("https://app.test/"), false, crawlTime) {
		if strings.HasPrefix(f.Rule, "hsts-") && f.Rule != "hsts-inconsistent" {
			if got[f.URL] != "" {
				t.Errorf("%s judged twice: %s and %s", f.URL, got[f.URL], f.Rule)
			}
			got[f.URL] = f.Rule
			if !strings.Contains(f.Detail, f.URL) {
				t.Errorf("%s: detail does not name the URL: %q", f.Rule, f.Detail)
			}
		}
	}
	want := map[string]string{"https://www.app.test/": "hsts-invalid", "https://shop.app.test/": "hsts-missing"}
	if len(got) != len(want) || got["https://www.app.test/"] != want["https://www.app.test/"] || got["https://shop.app.test/"] != want["https://shop.app.test/"] {
		t.Errorf("verdicts %v, want %v", got, want)
	}
}

// A host the probe judged is not judged again from another of its pages
// the crawl reached; other hosts and other rules stay.
func TestDropProbedHosts(t *testing.T) {
	o := observe(chain(hop("http://a.test/", 301, "https://www.a.test/"), hop("https://www.a.test/", 200, "", "max-age=abc")), goodHTTPS())
	probed := rules.ProbedHosts(o)
	if !probed["a.test"] || !probed["www.a.test"] || len(probed) != 2 {
		t.Fatalf("probed %v", probed)
	}
	fs := []result.Finding{
		{Rule: "hsts-invalid", URL: "https://www.a.test/about"},
		{Rule: "hsts-missing", URL: "https://shop.a.test/"},
		{Rule: "hsts-inconsistent", URL: "https://a.test/"},
	}
	got := rules.DropProbedHosts(fs, probed)
	if len(got) != 2 || got[0].URL != "https://shop.a.test/" || got[1].Rule != "hsts-inconsistent" {
		t.Errorf("kept %+v", got)
	}
}
