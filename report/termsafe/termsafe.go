// Package termsafe makes text from a scan inert on a terminal. Everything a
// report shows can come from the site or from a crafted JSON file: an escape
// sequence in it could clear the screen, set the window title, or forge lines,
// and a bidi override could make one name read as another. Such characters are
// shown as visible escapes (\x1b, \u202e), never dropped silently, so what
// the site sent stays visible.
package termsafe

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// String escapes C0 and C1 control characters (newline and tab excepted: they
// lay out text), DEL, bidi and other invisible format controls, and bytes that
// are not UTF-8 (a lone 0x9b is CSI to some terminals).
func String(s string) string { return escape(s, "\n\t") }

// Line is String for one line: newlines, tabs and carriage returns are escaped
// too.
func Line(s string) string { return escape(s, "") }

func escape(s, keep string) string {
	if safe(s, keep) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case strings.ContainsRune(keep, r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case control(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case invisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += w
	}
	return b.String()
}

// safe is the fast path: most text has nothing to escape.
func safe(s, keep string) bool {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || (control(r) || invisible(r)) && !strings.ContainsRune(keep, r) {
			return false
		}
		i += w
	}
	return true
}

func control(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }

// invisible are the format characters that reorder or hide text: bidi
// embeddings, overrides and isolates, the marks, and the line/paragraph
// separators some terminals break on.
func invisible(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c,
		r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Value returns a deep copy of v with String applied to every string in it
// (struct fields, slices, maps, pointers): the boundary where a whole report
// is made safe before a writer formats it. v itself is not changed.
func Value[T any](v T) T {
	in := reflect.ValueOf(&v).Elem()
	out := reflect.New(in.Type()).Elem()
	out.Set(clone(in))
	return out.Interface().(T)
}

func clone(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		out := reflect.New(v.Type()).Elem()
		out.SetString(String(v.String()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // unexported fields (time.Time's) come along as they are
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(clone(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(clone(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(clone(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out.SetMapIndex(clone(iter.Key()), clone(iter.Value()))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(clone(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(clone(v.Elem()))
		return out
	}
	return v
}
