package hsts

import (
	"math"
	"strconv"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"max-age=31536000; includeSubDomains; preload",
		"max-age=0",
		`max-age="31536000"`,
		`max-age="1\2"`,
		`max-age=""`,
		"max-age=1; max-age=1",
		"max-age=10 junk",
		"max-age = 10 ;\tincludeSubDomains\t",
		";;max-age=1;;",
		`foo="a;b"; max-age=1`,
		`max-age=1; foo="abc\"`,
		`"max-age"=1`,
		"max-age=1, max-age=2",
		"max-age=999999999999999999999999999999",
		"max-age=1; ünïcode",
		"max-age=1; =2",
		"max-age=1; includeſubdomains",
		"",
		`"`,
		`\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := Parse(s)
		if h.Valid {
			if h.MaxAge == nil || h.Problem != "" || h.ProblemCode != "" {
				t.Fatalf("Parse(%q): valid with MaxAge %v, Problem %q, ProblemCode %q", s, h.MaxAge, h.Problem, h.ProblemCode)
			}
			if h.EffectiveMaxAge() != min(*h.MaxAge, MaxEffectiveAge) {
				t.Fatalf("Parse(%q): EffectiveMaxAge %d", s, h.EffectiveMaxAge())
			}
		} else if h.Problem == "" || h.ProblemCode == "" || h.EffectiveMaxAge() != 0 {
			t.Fatalf("Parse(%q): invalid without Problem/ProblemCode (%q, %q) or with EffectiveMaxAge %d", s, h.Problem, h.ProblemCode, h.EffectiveMaxAge())
		}
		if h.Unknown == nil || h.Warnings == nil {
			t.Fatalf("Parse(%q): nil Unknown or Warnings", s)
		}
		if ok, age, isd := chromiumParse(s); ok != h.Valid ||
			(ok && (uint64(age) != h.EffectiveMaxAge() || isd != h.IncludeSubDomains)) {
			t.Fatalf("Parse(%q) = valid %v age %d isd %v; Chromium transcription says %v %d %v (problem %q)",
				s, h.Valid, h.EffectiveMaxAge(), h.IncludeSubDomains, ok, age, isd, h.Problem)
		}

		again := Parse(s)
		if again.Valid != h.Valid || again.Problem != h.Problem || again.IncludeSubDomains != h.IncludeSubDomains ||
			again.Preload != h.Preload || (again.MaxAge == nil) != (h.MaxAge == nil) ||
			(h.MaxAge != nil && *again.MaxAge != *h.MaxAge) || len(again.Warnings) != len(h.Warnings) {
			t.Fatalf("Parse(%q) is not deterministic", s)
		}

		// The canonical form of a valid header means the same thing.
		if h.Valid && *h.MaxAge <= math.MaxInt64 {
			canon := "max-age=" + strconv.FormatUint(*h.MaxAge, 10)
			if h.IncludeSubDomains {
				canon += "; includeSubDomains"
			}
			c := Parse(canon)
			if !c.Valid || *c.MaxAge != *h.MaxAge || c.IncludeSubDomains != h.IncludeSubDomains || len(c.Warnings) != 0 {
				t.Fatalf("Parse(%q) valid, but canonical %q gives %+v", s, canon, c)
			}
		}
	})
}
