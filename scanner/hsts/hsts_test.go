package hsts

import (
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func u(n uint64) *uint64 { return &n }

// Expected results are those of Chromium's current ParseHSTSHeader (the
// NameValuePairsIterator version); several inputs come from its
// http_security_headers_unittest.cc. "hstspreload:" notes mark inputs that
// github.com/chromium/hstspreload's ParseHeaderString judges differently;
// "old Chromium:" notes mark inputs the pre-2024 tokenizer parser judged
// differently.
var parseCases = []struct {
	name    string
	in      string
	valid   bool
	maxAge  *uint64
	isd     bool
	preload bool
	code    string // expected ProblemCode when invalid ("" = don't check)
}{
	// Valid headers.
	{"plain", "max-age=31536000", true, u(31536000), false, false, ""},
	{"full preload header", "max-age=63072000; includeSubDomains; preload", true, u(63072000), true, true, ""},
	{"upper-case name", "MAX-AGE=600", true, u(600), false, false, ""},
	{"mixed-case names", "Max-Age=600; IncludeSubdomains", true, u(600), true, false, ""},
	{"includeSubDomains first", "incLudesUbdOmains; max-age=123", true, u(123), true, false, ""},
	// hstspreload: a quoted max-age is an error (non_digit_characters).
	{"quoted max-age", `max-age="31536000"`, true, u(31536000), false, false, ""},
	{"quoted max-age with escape", `max-age="1\2"`, true, u(12), false, false, ""},
	{"max-age zero", "max-age=0", true, u(0), false, false, ""},
	{"leading zeros", "max-age=0031536000", true, u(31536000), false, false, ""},
	{"overflow saturates", "max-age=999999999999999999999999999999", true, u(math.MaxUint64), false, false, ""},
	{"exactly MaxUint64", "max-age=18446744073709551615", true, u(math.MaxUint64), false, false, ""},
	// hstspreload: parse_int_error.
	{"MaxUint64 plus one", "max-age=18446744073709551616", true, u(math.MaxUint64), false, false, ""},
	{"spaces around =", "max-age = 10", true, u(10), false, false, ""},
	{"tabs everywhere", "\tmax-age\t=\t10\t;\tincludeSubDomains\t", true, u(10), true, false, ""},
	{"leading semicolon", ";max-age=10", true, u(10), false, false, ""},
	{"trailing semicolon", "max-age=10;", true, u(10), false, false, ""},
	{"double semicolon", "max-age=10;;includeSubDomains", true, u(10), true, false, ""},
	{"semicolons and spaces", ";;    ; ; max-age=10;;; includeSubdomains     ;;  ;", true, u(10), true, false, ""},
	{"unknown directive", "max-age=10; foo", true, u(10), false, false, ""},
	{"unknown directive with value", "max-age=10; foo=bar", true, u(10), false, false, ""},
	{"unknown quoted value with ;", `foo="a;b"; max-age=1`, true, u(1), false, false, ""},
	{"max-age hidden in a quoted value", `foo="x; max-age=5"; max-age=1`, true, u(1), false, false, ""},
	{"unknown quoted value with escaped quote", `max-age=1; foo="a\"b"`, true, u(1), false, false, ""},
	{"unknown quoted non-ASCII value", `max-age=1; foo="ünïcode"`, true, u(1), false, false, ""},
	{"single-quoted name is a token", "max-age=1; 'x'", true, u(1), false, false, ""},
	{"preload", "max-age=1; preload", true, u(1), false, true, ""},
	{"preload upper case", "max-age=1; PRELOAD", true, u(1), false, true, ""},
	// hstspreload: invalid.preload warning, and preload is not counted.
	{"preload with value", "max-age=1; preload=1", true, u(1), false, true, ""},
	{"preload repeated", "max-age=1; preload; preload", true, u(1), false, true, ""},

	// Invalid headers.
	{"empty", "", false, nil, false, false, CodeEmpty},
	{"only whitespace", " \t ", false, nil, false, false, CodeEmpty},
	{"only semicolons", ";;", false, nil, false, false, CodeMaxAgeMissing},
	{"semicolons and spaces only", "; ; ;", false, nil, false, false, CodeMaxAgeMissing},
	{"max-age missing", "includeSubDomains; preload", false, nil, true, true, CodeMaxAgeMissing},
	{"misspelt max-age", "max-ag=10", false, nil, false, false, CodeMaxAgeMissing},
	// Single quotes are token characters, so this is an unknown directive.
	{"single-quoted max-age", "'max-age'=1", false, nil, false, false, CodeMaxAgeMissing},
	{"max-age without =", "max-age", false, nil, false, false, CodeMaxAgeNoValue},
	{"max-age without = then isd", "max-age; includeSubDomains", false, nil, true, false, CodeMaxAgeNoValue},
	{"max-age= empty", "max-age=", false, nil, false, false, CodeMaxAgeNoValue},
	{"max-age= spaces", "max-age=   ;", false, nil, false, false, CodeMaxAgeNoValue},
	{"quoted empty", `max-age=""`, false, nil, false, false, CodeMaxAgeNonDigit},
	{"quoted with space", `max-age=" 10"`, false, nil, false, false, CodeMaxAgeNonDigit},
	{"non-numeric", "max-age=abc", false, nil, false, false, CodeMaxAgeNonDigit},
	{"negative", "max-age=-1", false, nil, false, false, CodeMaxAgeNonDigit},
	// old Chromium (StringToInt64, before 2016) accepted "+5"; ParseUint32
	// rejects it, and Chromium's unit test asserts "max-age=+1" is invalid.
	{"plus sign", "max-age=+5", false, nil, false, false, CodeMaxAgeNonDigit},
	{"decimal", "max-age=1.5", false, nil, false, false, CodeMaxAgeNonDigit},
	{"fullwidth digit", "max-age=１", false, nil, false, false, CodeMaxAgeNonDigit},
	{"double =", "max-age==10", false, nil, false, false, CodeMaxAgeNonDigit},
	{"junk after value", "max-age=10 junk", false, nil, false, false, CodeMaxAgeNonDigit},
	{"glued directive", "max-age=3488923includesubdomains", false, nil, false, false, CodeMaxAgeNonDigit},
	{"quoted value with ;", `max-age="1;00"`, false, nil, false, false, CodeMaxAgeNonDigit},
	{"comma folded", "max-age=1, max-age=2", false, nil, false, false, CodeMaxAgeNonDigit},
	{"comma folded after isd", "max-age=31536000; includeSubDomains, max-age=0", false, u(31536000), false, false, CodeInvalidDirective},
	// hstspreload: repeated directives are only warnings (first max-age kept).
	{"repeated max-age equal", "max-age=1; max-age=1", false, u(1), false, false, CodeMaxAgeRepeated},
	{"repeated max-age any case", "max-age=1; MaX-AgE=2", false, u(1), false, false, CodeMaxAgeRepeated},
	{"repeated includeSubDomains", "max-age=1; includeSubDomains; iNcLUdEsUbDoMaInS", false, u(1), true, false, CodeISDRepeated},
	{"includeSubDomains with value", "max-age=1; includeSubDomains=true", false, u(1), false, false, CodeISDWithValue},
	{"includeSubDomains quoted empty", `max-age=1; includeSubDomains=""`, false, u(1), false, false, CodeISDWithValue},
	{"junk after includeSubDomains", "max-age=1; includeSubDomains x", false, u(1), false, false, CodeInvalidDirective},
	{"quoted directive name", `"max-age"=1`, false, nil, false, false, CodeInvalidDirective},
	{"unterminated quote in max-age", `max-age="1`, false, nil, false, false, CodeInvalidDirective},
	{"unterminated quote in unknown", `max-age=1; foo="bar`, false, u(1), false, false, CodeInvalidDirective},
	{"escaped closing quote", `max-age=1; foo="abc\"`, false, u(1), false, false, CodeInvalidDirective},
	{"lone quote", `max-age=1; "`, false, u(1), false, false, CodeInvalidDirective},
	// old Chromium: ignored as an unknown directive, header valid.
	{"unicode junk directive", "max-age=1; ünïcode", false, u(1), false, false, CodeInvalidDirective},
	{"empty name", "max-age=1; =2", false, u(1), false, false, CodeInvalidDirective},
	{"unknown with empty value", "max-age=1; foo=", false, u(1), false, false, CodeInvalidDirective},
	{"unknown with non-token value", "max-age=1; foo=a b", false, u(1), false, false, CodeInvalidDirective},
	{"non-token name", "max-age=1; includeSubdomains; non@token", false, u(1), true, false, CodeInvalidDirective},
	// strings.EqualFold would match 'ſ' to 's'; Chromium compares ASCII only.
	{"unicode case folding", "max-age=1; includeſubdomains", false, u(1), false, false, CodeInvalidDirective},
	{"NUL byte", "max-age=1\x00", false, nil, false, false, CodeMaxAgeNonDigit},
}

func TestParse(t *testing.T) {
	if len(parseCases) < 45 {
		t.Fatalf("only %d cases", len(parseCases))
	}
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			h := Parse(tc.in)
			if h.Raw != tc.in {
				t.Errorf("Raw = %q", h.Raw)
			}
			if h.Valid != tc.valid {
				t.Errorf("Parse(%q).Valid = %v, want %v (problem %q)", tc.in, h.Valid, tc.valid, h.Problem)
			}
			switch {
			case tc.maxAge == nil && h.MaxAge != nil:
				t.Errorf("MaxAge = %d, want nil", *h.MaxAge)
			case tc.maxAge != nil && h.MaxAge == nil:
				t.Errorf("MaxAge = nil, want %d", *tc.maxAge)
			case tc.maxAge != nil && *h.MaxAge != *tc.maxAge:
				t.Errorf("MaxAge = %d, want %d", *h.MaxAge, *tc.maxAge)
			}
			if h.IncludeSubDomains != tc.isd {
				t.Errorf("IncludeSubDomains = %v, want %v", h.IncludeSubDomains, tc.isd)
			}
			if h.Preload != tc.preload {
				t.Errorf("Preload = %v, want %v", h.Preload, tc.preload)
			}
			if tc.valid != (h.Problem == "") || tc.valid != (h.ProblemCode == "") {
				t.Errorf("Problem = %q, ProblemCode = %q with Valid %v", h.Problem, h.ProblemCode, h.Valid)
			}
			if tc.code != "" && h.ProblemCode != tc.code {
				t.Errorf("ProblemCode = %q, want %q (problem %q)", h.ProblemCode, tc.code, h.Problem)
			}
			if h.Unknown == nil || h.Warnings == nil {
				t.Errorf("Unknown or Warnings is nil")
			}
		})
	}
}

func TestParseDetails(t *testing.T) {
	tests := []struct {
		in       string
		problem  string   // substring of Problem
		warnings []string // substrings, each must match some warning
		unknown  []string
		quoted   bool
		overflow bool
	}{
		{in: "max-age=1; max-age=1", problem: "max-age appears twice"},
		{in: "max-age=10 junk", problem: `junk "junk" after max-age=10`},
		{in: "max-age=abc", problem: `max-age value "abc" is not a number`},
		{in: "includeSubDomains", problem: "max-age is missing"},
		{in: "max-age=-5", problem: "negative"},
		{in: "max-age=1, max-age=2", problem: "folded", warnings: []string{"two headers folded with a comma"}},
		{in: `max-age=1; foo="a,b"`, warnings: []string{`unknown directive "foo"`}, unknown: []string{"foo"}},
		{in: "max-age=1;; foo; Bar=2", warnings: []string{"empty directive", `"foo"`, `"Bar"`}, unknown: []string{"foo", "Bar"}},
		{in: "max-age=007", warnings: []string{"leading zero"}},
		{in: "max-age=1; preload=1", warnings: []string{"preload has a value"}},
		{in: "max-age=1; preload; Preload", warnings: []string{"more than once"}},
		{in: `max-age="600"`, warnings: []string{"quoted"}, quoted: true},
		{in: "max-age=99999999999999999999", warnings: []string{"64 bits"}, overflow: true},
	}
	for _, tc := range tests {
		h := Parse(tc.in)
		if tc.problem != "" && !strings.Contains(h.Problem, tc.problem) {
			t.Errorf("Parse(%q).Problem = %q, want it to contain %q", tc.in, h.Problem, tc.problem)
		}
		if tc.problem == "" && !h.Valid {
			t.Errorf("Parse(%q) invalid: %s", tc.in, h.Problem)
		}
		for _, w := range tc.warnings {
			if !slices.ContainsFunc(h.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
				t.Errorf("Parse(%q).Warnings = %q, want one containing %q", tc.in, h.Warnings, w)
			}
		}
		if len(tc.warnings) == 0 && len(h.Warnings) != 0 {
			t.Errorf("Parse(%q).Warnings = %q, want none", tc.in, h.Warnings)
		}
		if tc.unknown == nil {
			tc.unknown = []string{}
		}
		if !slices.Equal(h.Unknown, tc.unknown) {
			t.Errorf("Parse(%q).Unknown = %q, want %q", tc.in, h.Unknown, tc.unknown)
		}
		if h.QuotedMaxAge != tc.quoted || h.MaxAgeOverflow != tc.overflow {
			t.Errorf("Parse(%q): QuotedMaxAge %v MaxAgeOverflow %v", tc.in, h.QuotedMaxAge, h.MaxAgeOverflow)
		}
	}
}

func TestEffectiveMaxAge(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"max-age=600", 600},
		{"max-age=31536000", 31536000},
		{"max-age=63072000", MaxEffectiveAge},
		{"max-age=99999999999999999999999", MaxEffectiveAge},
		{"max-age=0", 0},
		{"max-age=600; max-age=600", 0}, // invalid: Chromium ignores it
		{"includeSubDomains", 0},
		{"", 0},
	}
	for _, tc := range tests {
		if got := Parse(tc.in).EffectiveMaxAge(); got != tc.want {
			t.Errorf("Parse(%q).EffectiveMaxAge() = %d, want %d", tc.in, got, tc.want)
		}
	}
	if got := (Header{}).EffectiveMaxAge(); got != 0 {
		t.Errorf("zero Header EffectiveMaxAge = %d", got)
	}
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		name     string
		values   []string
		count    int
		firstAge uint64 // 0 with firstValid false means "don't care"
		valid    bool
	}{
		{"none", nil, 0, 0, false},
		{"one", []string{"max-age=600"}, 1, 600, true},
		{"two slice elements", []string{"max-age=600", "max-age=31536000"}, 2, 600, true},
		{"CDP newline-joined", []string{"max-age=600; includeSubDomains\nmax-age=0"}, 2, 600, true},
		{"first invalid is what counts", []string{"max-age=1; max-age=2\nmax-age=31536000"}, 2, 0, false},
		{"trailing newline is not a field", []string{"max-age=600\n"}, 1, 600, true},
		{"CRLF raw text", []string{"max-age=600\r\nmax-age=5\r\n"}, 2, 600, true},
		{"mixed", []string{"max-age=1\nmax-age=2", "max-age=3"}, 3, 1, true},
		{"present but empty", []string{""}, 1, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := ParseFields(tc.values)
			if f.Count != tc.count || len(f.Headers) != tc.count {
				t.Fatalf("Count = %d, len = %d, want %d", f.Count, len(f.Headers), tc.count)
			}
			if f.Headers == nil {
				t.Errorf("Headers is nil")
			}
			if f.Present() != (tc.count > 0) || f.Multiple() != (tc.count > 1) {
				t.Errorf("Present %v Multiple %v", f.Present(), f.Multiple())
			}
			first := f.First()
			if first.Valid != tc.valid {
				t.Errorf("First().Valid = %v (%s)", first.Valid, first.Problem)
			}
			if tc.valid && first.EffectiveMaxAge() != tc.firstAge {
				t.Errorf("First().EffectiveMaxAge() = %d, want %d", first.EffectiveMaxAge(), tc.firstAge)
			}
		})
	}
	if h := ParseFields(nil).First(); h.Raw != "" || h.Valid || h.MaxAge != nil {
		t.Errorf("First() of none = %+v, want zero Header", h)
	}
}

func TestPreloadEligibility(t *testing.T) {
	good := "max-age=63072000; includeSubDomains; preload"
	ok := func(header string) PreloadInput {
		return PreloadInput{Header: Parse(header), HTTPReachable: true, FirstHopHTTPSSameHost: true, FirstHopHasHSTS: true, CertValid: true}
	}
	with := func(in PreloadInput, f func(*PreloadInput)) PreloadInput { f(&in); return in }
	tests := []struct {
		name  string
		in    PreloadInput
		codes []string
	}{
		{"eligible", ok(good), nil},
		{"eligible, HTTP not reachable", with(ok(good), func(in *PreloadInput) { in.HTTPReachable, in.FirstHopHTTPSSameHost = false, false }), nil},
		{"exactly one year", ok("max-age=31536000; includeSubDomains; preload"), nil},
		{"below one year", ok("max-age=15552000; includeSubDomains; preload"), []string{"header.preloadable.max_age.below_1_year"}},
		{"max-age zero", ok("max-age=0; includeSubDomains; preload"), []string{"header.preloadable.max_age.zero"}},
		{"no includeSubDomains", ok("max-age=63072000; preload"), []string{"header.preloadable.include_sub_domains.missing"}},
		{"no preload", ok("max-age=63072000; includeSubDomains"), []string{"header.preloadable.preload.missing"}},
		{"preload with value", ok("max-age=63072000; includeSubDomains; preload=yes"), []string{"header.preloadable.preload.missing"}},
		{"everything missing in a valid header", ok("max-age=600"), []string{
			"header.preloadable.include_sub_domains.missing", "header.preloadable.preload.missing", "header.preloadable.max_age.below_1_year"}},
		{"quoted max-age", ok(`max-age="63072000"; includeSubDomains; preload`), []string{"header.parse.max_age.non_digit_characters"}},
		{"max-age beyond 64 bits", ok("max-age=99999999999999999999; includeSubDomains; preload"), []string{"header.parse.max_age.parse_int_error"}},
		{"max-age missing", ok("includeSubDomains; preload"), []string{"header.preloadable.max_age.missing"}},
		{"invalid header", ok("max-age=abc; includeSubDomains; preload"), []string{"header.parse.max_age.non_digit_characters"}},
		{"repeated max-age", ok("max-age=63072000; max-age=63072000; includeSubDomains; preload"), []string{"header.parse.repeated.max_age"}},
		{"no header", ok(""), []string{"response.no_header"}},
		{"multiple headers", with(ok(good), func(in *PreloadInput) { in.MultipleHeaders = true }), []string{"response.multiple_headers"}},
		{"bad certificate", with(ok(good), func(in *PreloadInput) { in.CertValid = false }), []string{"domain.tls.invalid_cert_chain"}},
		{"first hop insecure", with(ok(good), func(in *PreloadInput) { in.FirstHopHTTPSSameHost = false }), []string{"redirects.http.first_redirect.insecure"}},
		{"no redirect", with(ok(good), func(in *PreloadInput) { in.FirstHopHTTPSSameHost, in.HTTPNoRedirect = false, true }), []string{"redirects.http.no_redirect"}},
		{"first hop without HSTS", with(ok(good), func(in *PreloadInput) { in.FirstHopHasHSTS = false }), []string{"redirects.http.first_redirect.no_hsts"}},
		// Like hstspreload: no_hsts is not repeated when the page's header already fails.
		{"first hop without HSTS, header fails", with(ok("max-age=600; includeSubDomains; preload"), func(in *PreloadInput) { in.FirstHopHasHSTS = false }),
			[]string{"header.preloadable.max_age.below_1_year"}},
		{"several at once", PreloadInput{Header: Parse("max-age=600"), MultipleHeaders: true, HTTPReachable: true}, []string{
			"domain.tls.invalid_cert_chain", "header.preloadable.include_sub_domains.missing", "header.preloadable.preload.missing",
			"header.preloadable.max_age.below_1_year", "response.multiple_headers", "redirects.http.first_redirect.insecure"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eligible, reasons := PreloadEligibility(tc.in)
			if reasons == nil {
				t.Fatal("reasons is nil")
			}
			var codes []string
			for _, r := range reasons {
				codes = append(codes, r.Code)
				if r.Message == "" || r.Code == "" {
					t.Errorf("empty code or message: %+v", r)
				}
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("codes = %q, want %q", codes, tc.codes)
			}
			if eligible != (len(tc.codes) == 0) {
				t.Errorf("eligible = %v", eligible)
			}
		})
	}
}

func TestPreloadMessageNamesValues(t *testing.T) {
	_, reasons := PreloadEligibility(PreloadInput{Header: Parse("max-age=15552000; includeSubDomains; preload"), CertValid: true})
	want := "max-age is 15552000; preload needs at least 31536000 (1 year)"
	if len(reasons) != 1 || reasons[0].Message != want {
		t.Errorf("reasons = %+v, want message %q", reasons, want)
	}
}

// TestParseMatchesChromiumTranscription runs the table through the literal
// transcription of Chromium's code as well, so the expectations above are
// checked against two independent readings of the C++.
func TestParseMatchesChromiumTranscription(t *testing.T) {
	for _, tc := range parseCases {
		ok, age, isd := chromiumParse(tc.in)
		if ok != tc.valid {
			t.Errorf("%s: transcription says valid=%v for %q", tc.name, ok, tc.in)
		}
		if ok && (uint64(age) != min(*tc.maxAge, MaxEffectiveAge) || isd != tc.isd) {
			t.Errorf("%s: transcription says age %d isd %v", tc.name, age, isd)
		}
	}
}

// Policy is what Chromium applies: nothing from an invalid header (the
// parsed values are evidence only), and at most one year of max-age.
func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		in      string
		age     int64 // -1: no policy
		isd, pl bool
	}{
		{"max-age=100; max-age=200", -1, false, false},
		{"max-age=100 junk; includeSubDomains; preload", -1, false, false},
		{"includeSubDomains; preload", -1, false, false},
		{"max-age=abc", -1, false, false},
		{"max-age=0", 0, false, false},
		{"max-age=100; includeSubDomains; preload", 100, true, true},
		{"max-age=63072000", 31536000, false, false},
		{`max-age="31536000"; includeSubDomains`, 31536000, true, false},
	} {
		p := Parse(tc.in).Policy()
		if tc.age < 0 {
			if p.MaxAge != nil || p.IncludeSubDomains || p.Preload {
				t.Errorf("%q: policy %+v, want none", tc.in, p)
			}
			continue
		}
		if p.MaxAge == nil || int64(*p.MaxAge) != tc.age || p.IncludeSubDomains != tc.isd || p.Preload != tc.pl {
			t.Errorf("%q: policy %+v, want max-age %d isd %v preload %v", tc.in, p, tc.age, tc.isd, tc.pl)
		}
	}
}

// Directives keep what the header said, whether or not it parses.
func TestDirectivesAsSent(t *testing.T) {
	h := Parse(` max-age = "100" ; ; max-age=abc;includeSubDomains=1; =x; preload`)
	want := []Directive{{"max-age", `"100"`, true}, {"max-age", "abc", true}, {"includeSubDomains", "1", true}, {"", "x", true}, {"preload", "", false}}
	if !slices.Equal(h.Directives, want) {
		t.Errorf("directives %+v, want %+v", h.Directives, want)
	}
	if h.Valid {
		t.Error("valid")
	}
}

// The corpus the browser oracle serves to Chromium
// (browser.TestChromiumAppliesHSTS) also goes through the transcription of
// Chromium's parser here, so a parser change that disagrees is caught even
// without a browser.
func TestCorpusMatchesTranscription(t *testing.T) {
	data, err := os.ReadFile("testdata/chromium-corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q, err := strconv.QuotedPrefix(line)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		v, _ := strconv.Unquote(q) // the first field is the one a browser uses
		n++
		h := Parse(v)
		ok, age, isd := chromiumParse(v)
		if ok != h.Valid || (ok && (uint64(age) != h.EffectiveMaxAge() || isd != h.IncludeSubDomains)) {
			t.Errorf("%q: Parse valid=%v age=%d isd=%v, transcription %v %d %v", v, h.Valid, h.EffectiveMaxAge(), h.IncludeSubDomains, ok, age, isd)
		}
	}
	if n < 80 {
		t.Errorf("%d cases, want at least 80", n)
	}
}
