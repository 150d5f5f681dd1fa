package termsafe

import (
	"testing"
	"time"
)

func TestString(t *testing.T) {
	for _, c := range []struct{ in, str, line string }{
		{"plain https://x.example/a?b=c", "plain https://x.example/a?b=c", "plain https://x.example/a?b=c"},
		{"é€𝄞 ✓", "é€𝄞 ✓", "é€𝄞 ✓"},
		{"a\x1b[31mb", `a\x1b[31mb`, `a\x1b[31mb`},
		{"a\nb\tc\rd", "a\nb\tc\\rd", `a\nb\tc\rd`},
		{"\x00\x07\x7f", `\x00\x07\x7f`, `\x00\x07\x7f`},
		{"\u009b1m", `\x9b1m`, `\x9b1m`},
		{"lone \x9b byte", `lone \x9b byte`, `lone \x9b byte`},
		{"admin\u202egnp.exe", `admin\u202egnp.exe`, `admin\u202egnp.exe`},
		{"\u2066x\u2069\u200f", `\u2066x\u2069\u200f`, `\u2066x\u2069\u200f`},
		{`already \x1b`, `already \x1b`, `already \x1b`},
	} {
		if got := String(c.in); got != c.str {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.str)
		}
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
	}
}

type inner struct {
	S   string
	P   *string
	L   []string
	M   map[string]string
	Any any
	T   time.Time
	n   string
}

type outer struct {
	In  inner
	Ins []inner
	Ptr *inner
	Nil []string
}

func TestValue(t *testing.T) {
	s := "p\x1b"
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	in := outer{
		In:  inner{S: "s\x1b", P: &s, L: []string{"l\x1b"}, M: map[string]string{"k\x1b": "v\x1b"}, Any: "a\x1b", T: at, n: "n\x1b"},
		Ins: []inner{{S: "i\x1b"}},
		Ptr: &inner{S: "q\x1b"},
	}
	got := Value(in)
	if got.In.S != `s\x1b` || *got.In.P != `p\x1b` || got.In.L[0] != `l\x1b` || got.In.M[`k\x1b`] != `v\x1b` ||
		got.In.Any != `a\x1b` || got.Ins[0].S != `i\x1b` || got.Ptr.S != `q\x1b` || got.Nil != nil {
		t.Errorf("Value = %+v", got)
	}
	if !got.In.T.Equal(at) || got.In.T.Location().String() != "X" || got.In.n != "n\x1b" {
		t.Errorf("unexported state changed: %v %q", got.In.T, got.In.n)
	}
	if in.In.S != "s\x1b" || s != "p\x1b" || in.In.L[0] != "l\x1b" || in.Ptr.S != "q\x1b" {
		t.Errorf("the input was changed: %+v", in)
	}
}
