package spec

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFlagNames(t *testing.T) {
	for key, want := range map[string]string{"httpUrl": "http-url", "caCert": "ca-cert", "pageTimeout": "page-timeout",
		"browserUrl": "browser-url", "header": "header", "hostResolverRules": "host-resolver-rules"} {
		if got := FlagName(key); got != want {
			t.Errorf("FlagName(%q) = %q, want %q", key, got, want)
		}
	}
	seen := map[string]bool{}
	for _, f := range Fields() {
		if seen[f.Key] {
			t.Errorf("key %q twice", f.Key)
		}
		seen[f.Key] = true
		if f.Help == "" || f.Ptr(&Spec{}) == nil {
			t.Errorf("%s: no help or no field", f.Key)
		}
	}
}

// One default per setting; the page timeout's is the browser's.
func TestDefaults(t *testing.T) {
	d := Defaults()
	if d.PageTimeout != 20*time.Second || d.Timeout != 15*time.Second || d.MaxPages != 20 || d.Depth != 2 ||
		d.Concurrency != 2 || d.ScanTimeout != 10*time.Minute || d.Scope != "site" {
		t.Errorf("defaults: %+v", d)
	}
}

func TestParseConfigOverDefaults(t *testing.T) {
	data := "# scan.yaml\nmaxPages: 5\npageTimeout: 7s\ncookie: sid=abc\nheader: [\"X-A: 1\", \"X-B: 2\"]\ncaCert: ca.pem\nscope: public\n"
	s, err := Parse("/etc/cs/scan.yaml", []byte(data), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxPages != 5 || s.PageTimeout != 7*time.Second || len(s.Cookie) != 1 || len(s.Header) != 2 ||
		s.CACert != "/etc/cs/ca.pem" || s.Scope != "public" || s.Depth != 2 {
		t.Errorf("decoded: %+v", s)
	}
	if o := s.OriginOf("pageTimeout"); o.File != "/etc/cs/scan.yaml" || o.Line != 3 {
		t.Errorf("origin of pageTimeout: %+v", o)
	}
}

// Every problem names its setting as the user wrote it: the key with
// file:line from a file, the flag otherwise.
func TestErrorsNameTheField(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"negative page timeout", "maxPages: 3\npageTimeout: -5s\n", []string{"scan.yaml:2: pageTimeout: must be positive", "fix:"}},
		{"bad duration", "timeout: soon\n", []string{"scan.yaml:1: timeout:", `"soon" is not a duration`}},
		{"unknown key", "max-pages: 3\n", []string{"scan.yaml:1:", `unknown key "max-pages"`, "did you mean maxPages"}},
		{"wrong type", "maxPages: many\n", []string{"scan.yaml:1: maxPages:", "whole number"}},
		{"targets refused", "targets: [a.example]\n", []string{`unknown key "targets"`, "-l FILE"}},
		{"bad cookie", "depth: 1\ncookie: [\"sid=a;b=c\"]\n", []string{"scan.yaml:2: cookie:", "its own"}},
		{"bad scope", "scope: internal\n", []string{"scan.yaml:1: scope:", "site, public or any"}},
		{"login without browser", "noBrowser: true\nlogin: flow.yaml\n", []string{"scan.yaml:2: login:", "needs the browser"}},
		{"syntax", "maxPages: [\n", []string{"scan.yaml:", "YAML syntax"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("scan.yaml", []byte(c.yaml), Defaults())
			if err == nil {
				_, err = s.Check(CheckOptions{Lenient: true})
			}
			if err == nil {
				t.Fatalf("accepted:\n%s", c.yaml)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	// The same mistake from a flag names the flag.
	s := Defaults()
	s.PageTimeout = 0
	s.Header = []string{"X(Bad): 1"}
	_, err := s.Check(CheckOptions{})
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want two errors, got %v", err)
	}
	for _, w := range []string{"--header: header name", "--page-timeout: must be positive"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
}

func TestReadTargets(t *testing.T) {
	in := "# fleet\nexample.com\n\n  https://a.example:8443/x  \nb.example # staging\n#c.example\n"
	got, err := ReadTargets(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{{"example.com", 2}, {"https://a.example:8443/x", 4}, {"b.example", 5}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %v, want %v", i, got[i], want[i])
		}
	}
}

// A bare host is https://HOST/, its plain-HTTP side http://HOST/; a bad line
// names the list's file and line.
func TestWithTarget(t *testing.T) {
	base, err := Defaults().Check(CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := base.WithTarget("example.com", Origin{File: "hosts.txt", Line: 2})
	if err != nil {
		t.Fatal(err)
	}
	o := st.ScannerOptions()
	if o.Target.String() != "https://example.com/" || o.HTTPURL != nil {
		t.Errorf("target %v, http %v", o.Target, o.HTTPURL)
	}
	if _, err := base.WithTarget("ftp://x.example/", Origin{File: "hosts.txt", Line: 7}); err == nil ||
		!strings.Contains(err.Error(), "hosts.txt:7: url:") {
		t.Errorf("bad line: %v", err)
	}
	if base.Target != nil || base.URL != "" {
		t.Error("WithTarget changed its base")
	}
}

// Supplied cookies are host-only (no Domain) in the crawl, and the probe sends
// the same name=value.
func TestSuppliedCookiesAreHostOnly(t *testing.T) {
	s := Defaults()
	s.URL = "https://shop.example/"
	s.Cookie = []string{" sid = abc ", "pref=x"}
	st, err := s.Check(CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	req := st.CrawlRequest()
	if len(req.Cookies) != 2 {
		t.Fatalf("cookies %+v", req.Cookies)
	}
	for _, c := range req.Cookies {
		if c.Domain != "" || !c.Secure || c.Path != "/" {
			t.Errorf("seeded cookie %+v is not a host-only Secure cookie of /", c)
		}
	}
	if got := st.ScannerOptions().Header.Values("Cookie"); len(got) != 2 || got[0] != "sid=abc" {
		t.Errorf("probe Cookie lines %q", got)
	}
}

func TestCopyFlagOverFile(t *testing.T) {
	file, err := Parse("scan.yaml", []byte("maxPages: 5\ndepth: 1\n"), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	flags := Defaults()
	flags.MaxPages = 9
	Copy(&file, &flags, "maxPages")
	if file.MaxPages != 9 || file.Depth != 1 || file.OriginOf("maxPages") != (Origin{}) {
		t.Errorf("after copy: %+v %+v", file, file.OriginOf("maxPages"))
	}
}
