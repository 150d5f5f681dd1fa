package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// The official SARIF 2.1.0 schema (JSON Schema draft-07) is checked in under
// testdata (see testdata/README.md for its source). No JSON-schema module is in
// go.mod, so this file carries a validator for the keywords that schema uses;
// TestValidatorCoversSchema fails if a newer copy of the schema uses one it does
// not know, so a silent pass is not possible.

// handled are the keywords the validator checks; annotations are the ones that
// carry no constraint.
var (
	handled = map[string]bool{
		"$ref": true, "type": true, "enum": true, "const": true, "properties": true, "required": true,
		"additionalProperties": true, "patternProperties": true, "items": true, "minItems": true,
		"maxItems": true, "uniqueItems": true, "minimum": true, "maximum": true, "minLength": true,
		"pattern": true, "format": true, "anyOf": true, "oneOf": true, "allOf": true, "not": true,
	}
	annotations = map[string]bool{
		"$schema": true, "$id": true, "id": true, "title": true, "description": true, "default": true,
		"definitions": true, "examples": true, "$comment": true,
	}
)

type validator struct {
	root     any
	patterns map[string]*regexp.Regexp
}

func loadSchema(t *testing.T) *validator {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sarif-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := decode(data)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return &validator{root: root, patterns: map[string]*regexp.Regexp{}}
}

// decode keeps numbers exact, so "integer" and minimum are judged on the text.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// validate returns every violation, each with the JSON path of the instance.
func (v *validator) validate(schema, inst any, path string) []string {
	switch s := schema.(type) {
	case bool:
		if !s {
			return []string{path + ": schema false allows nothing"}
		}
		return nil
	case map[string]any:
		return v.object(s, inst, path)
	}
	return []string{path + ": schema is neither an object nor a boolean"}
}

func (v *validator) object(s map[string]any, inst any, path string) []string {
	if ref, ok := s["$ref"].(string); ok {
		target, err := v.resolve(ref)
		if err != nil {
			return []string{path + ": " + err.Error()}
		}
		return v.validate(target, inst, path) // draft-07: siblings of $ref are ignored
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }

	if t, ok := s["type"]; ok && !typeMatches(t, inst) {
		fail("want type %v, got %s", t, kind(inst))
		return errs // the other keywords would only repeat the mismatch
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, c := range e {
			if canon(c) == canon(inst) {
				found = true
			}
		}
		if !found {
			fail("%s is not one of %s", canon(inst), canon(e))
		}
	}
	if c, ok := s["const"]; ok && canon(c) != canon(inst) {
		fail("%s is not %s", canon(inst), canon(c))
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		subs, ok := s[key].([]any)
		if !ok {
			continue
		}
		passed := 0
		var why []string
		for _, sub := range subs {
			if e := v.validate(sub, inst, path); len(e) == 0 {
				passed++
			} else {
				why = append(why, e...)
			}
		}
		switch {
		case key == "allOf" && passed != len(subs):
			errs = append(errs, why...)
		case key == "anyOf" && passed == 0:
			fail("matches none of anyOf: %s", strings.Join(why, "; "))
		case key == "oneOf" && passed != 1:
			fail("matches %d of oneOf, want exactly 1", passed)
		}
	}
	if n, ok := s["not"]; ok && len(v.validate(n, inst, path)) == 0 {
		fail("matches a schema it must not")
	}

	switch x := inst.(type) {
	case map[string]any:
		errs = append(errs, v.props(s, x, path)...)
	case []any:
		errs = append(errs, v.array(s, x, path)...)
	case string:
		if p, ok := s["pattern"].(string); ok {
			re, err := v.regexp(p)
			if err != nil {
				fail("schema pattern %q: %v", p, err)
			} else if !re.MatchString(x) {
				fail("%q does not match %q", x, p)
			}
		}
		if m, ok := s["minLength"].(json.Number); ok && int64(len([]rune(x))) < mustInt(m) {
			fail("shorter than %s characters", m)
		}
		if f, ok := s["format"].(string); ok {
			if err := checkFormat(f, x); err != nil {
				fail("format %s: %v", f, err)
			}
		}
	case json.Number:
		n := num(x)
		if m, ok := s["minimum"].(json.Number); ok && n.Cmp(num(m)) < 0 {
			fail("%s is below the minimum %s", x, m)
		}
		if m, ok := s["maximum"].(json.Number); ok && n.Cmp(num(m)) > 0 {
			fail("%s is above the maximum %s", x, m)
		}
	}
	return errs
}

func (v *validator) props(s map[string]any, obj map[string]any, path string) []string {
	var errs []string
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing required property %q", path, r))
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	patProps, _ := s["patternProperties"].(map[string]any)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // stable error order
	for _, k := range keys {
		sub := path + "." + k
		matched := false
		if ps, ok := props[k]; ok {
			matched = true
			errs = append(errs, v.validate(ps, obj[k], sub)...)
		}
		for p, ps := range patProps {
			if re, err := v.regexp(p); err == nil && re.MatchString(k) {
				matched = true
				errs = append(errs, v.validate(ps, obj[k], sub)...)
			}
		}
		if matched {
			continue
		}
		if ap, ok := s["additionalProperties"]; ok {
			if b, isBool := ap.(bool); isBool && !b {
				errs = append(errs, fmt.Sprintf("%s: property %q is not allowed", path, k))
			} else if !isBool {
				errs = append(errs, v.validate(ap, obj[k], sub)...)
			}
		}
	}
	return errs
}

func (v *validator) array(s map[string]any, arr []any, path string) []string {
	var errs []string
	if m, ok := s["minItems"].(json.Number); ok && int64(len(arr)) < mustInt(m) {
		errs = append(errs, fmt.Sprintf("%s: %d items, want at least %s", path, len(arr), m))
	}
	if m, ok := s["maxItems"].(json.Number); ok && int64(len(arr)) > mustInt(m) {
		errs = append(errs, fmt.Sprintf("%s: %d items, want at most %s", path, len(arr), m))
	}
	if u, _ := s["uniqueItems"].(bool); u {
		seen := map[string]int{}
		for i, it := range arr {
			c := canon(it)
			if j, dup := seen[c]; dup {
				errs = append(errs, fmt.Sprintf("%s: items %d and %d are equal", path, j, i))
			}
			seen[c] = i
		}
	}
	switch items := s["items"].(type) {
	case map[string]any, bool:
		for i, it := range arr {
			errs = append(errs, v.validate(items, it, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case []any:
		for i, it := range arr {
			if i < len(items) {
				errs = append(errs, v.validate(items[i], it, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

// resolve follows a local JSON pointer ("#", "#/definitions/run"); the SARIF
// schema refers to nothing outside itself.
func (v *validator) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("external $ref %q is not supported", ref)
	}
	cur := v.root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#"), "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not in an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

func (v *validator) regexp(p string) (*regexp.Regexp, error) {
	if re, ok := v.patterns[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p) // JSON Schema patterns are unanchored, like MatchString
	if err != nil {
		return nil, err
	}
	v.patterns[p] = re
	return re, nil
}

// checkFormat checks formats loosely, as most validators do: a uri must parse and
// be absolute, a uri-reference must parse, a date-time must be RFC 3339.
func checkFormat(f, s string) error {
	switch f {
	case "uri":
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		if u.Scheme == "" {
			return fmt.Errorf("%q is not absolute", s)
		}
	case "uri-reference":
		_, err := url.Parse(s)
		return err
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err
	}
	return nil
}

func typeMatches(t, inst any) bool {
	switch t := t.(type) {
	case string:
		return isType(t, inst)
	case []any:
		for _, one := range t {
			if s, ok := one.(string); ok && isType(s, inst) {
				return true
			}
		}
	}
	return false
}

func isType(t string, inst any) bool {
	switch t {
	case "integer":
		n, ok := inst.(json.Number)
		return ok && num(n).IsInt()
	case "number":
		_, ok := inst.(json.Number)
		return ok
	}
	return kind(inst) == t
}

func kind(inst any) string {
	switch inst.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", inst)
}

func num(n json.Number) *big.Float {
	f, _, err := big.ParseFloat(string(n), 10, 200, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	return f
}

func mustInt(n json.Number) int64 {
	i, err := n.Int64()
	if err != nil {
		panic(err)
	}
	return i
}

// canon is a value's JSON with sorted keys, for enum, const and uniqueItems.
func canon(v any) string {
	b, err := json.Marshal(v) // maps are written with sorted keys
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestValidatorCoversSchema(t *testing.T) {
	v := loadSchema(t)
	var walk func(s any, at string)
	walk = func(s any, at string) {
		m, ok := s.(map[string]any)
		if !ok {
			return
		}
		for k, sub := range m {
			if !handled[k] && !annotations[k] {
				t.Errorf("%s: keyword %q is not checked by the test validator", at, k)
			}
			switch k {
			case "properties", "definitions", "patternProperties":
				for name, child := range sub.(map[string]any) {
					walk(child, at+"/"+k+"/"+name)
				}
			case "items", "additionalProperties", "not":
				walk(sub, at+"/"+k)
				if arr, ok := sub.([]any); ok {
					for i, child := range arr {
						walk(child, fmt.Sprintf("%s/%s/%d", at, k, i))
					}
				}
			case "anyOf", "oneOf", "allOf":
				for i, child := range sub.([]any) {
					walk(child, fmt.Sprintf("%s/%s/%d", at, k, i))
				}
			case "$ref":
				if _, err := v.resolve(sub.(string)); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			case "pattern":
				if _, err := v.regexp(sub.(string)); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
		}
	}
	walk(v.root, "#")
	if title, _ := v.root.(map[string]any)["title"].(string); !strings.Contains(title, "2.1.0") {
		t.Errorf("testdata holds %q, want the SARIF 2.1.0 schema", title)
	}
}

func render(t *testing.T, w Writer, reps []result.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(&buf, reps); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOutputValidatesAgainstSchema(t *testing.T) {
	v := loadSchema(t)
	many := sample()[:1]
	many[0].Findings = nil
	for i := range 300 {
		many[0].Findings = append(many[0].Findings, result.Finding{
			Rule: "cookie-missing-httponly", Severity: result.SeverityMedium, Title: "Cookie without HttpOnly",
			Cookie: fmt.Sprintf("c%d", i), URL: fmt.Sprintf("https://shop.example/p/%d", i),
		})
	}
	triaged := sample()[:1]
	triaged[0].Findings = append([]result.Finding(nil), triaged[0].Findings...)
	for i := range triaged[0].Findings {
		triaged[0].Findings[i].Baseline = []string{"new", "known", "updated"}[i%3]
	}
	triaged[0].Findings[0].Suppression = &result.Suppression{Reason: "legacy app", Source: ".cookiescan-ignore.yaml:2", Expires: "2027-03-31"}
	triaged[0].Resolved = []result.Finding{{Rule: "hsts-missing", Severity: result.SeverityMedium, URL: "https://shop.example/"}}
	cases := map[string][]result.Report{
		"sample":                   sample(),
		"baseline and suppression": triaged,
		"no reports":               nil,
		"empty report":             {result.Report{}},
		"many findings":            many,
		"dev build":                {result.New("https://x.example/", time.Time{}, "dev")},
		"no urls at all":           {{Target: "", Findings: []result.Finding{{Rule: "hsts-missing", Severity: result.SeverityMedium}}}},
		"invalid severity":         {{Target: "https://x.example/", Findings: []result.Finding{{Rule: "hsts-missing", URL: "https://x.example/"}}}},
	}
	for name, reps := range cases {
		t.Run(name, func(t *testing.T) {
			doc, err := decode(render(t, Writer{}, reps))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range v.validate(v.root, doc, "$") {
				t.Error(e)
			}
		})
	}
}

// A validator that accepts everything would make the test above worthless.
func TestValidatorRejectsInvalidLogs(t *testing.T) {
	v := loadSchema(t)
	good := render(t, Writer{}, sample())
	breakers := map[string]func(log map[string]any){
		"wrong version": func(l map[string]any) { l["version"] = "2.0.0" },
		"unknown level": func(l map[string]any) { result0(l)["level"] = "fatal" },
		"no driver name": func(l map[string]any) {
			delete(run0(l)["tool"].(map[string]any)["driver"].(map[string]any), "name")
		},
		"no message":         func(l map[string]any) { delete(result0(l), "message") },
		"extra property":     func(l map[string]any) { result0(l)["colour"] = "red" },
		"ruleIndex below -1": func(l map[string]any) { result0(l)["ruleIndex"] = json.Number("-2") },
		"startLine zero": func(l map[string]any) {
			loc := result0(l)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = json.Number("0")
		},
		"duplicate tags": func(l map[string]any) {
			rule := run0(l)["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any)
			rule["properties"].(map[string]any)["tags"] = []any{"security", "security"}
		},
		"relative informationUri": func(l map[string]any) {
			run0(l)["tool"].(map[string]any)["driver"].(map[string]any)["informationUri"] = "cookiescan"
		},
	}
	for name, breakIt := range breakers {
		t.Run(name, func(t *testing.T) {
			doc, err := decode(good)
			if err != nil {
				t.Fatal(err)
			}
			breakIt(doc.(map[string]any))
			if errs := v.validate(v.root, doc, "$"); len(errs) == 0 {
				t.Error("the validator accepted an invalid log")
			}
		})
	}
}

func run0(l map[string]any) map[string]any { return l["runs"].([]any)[0].(map[string]any) }

func result0(l map[string]any) map[string]any {
	return run0(l)["results"].([]any)[0].(map[string]any)
}
