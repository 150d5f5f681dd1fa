package monitor

import (
	"errors"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cookiescan/cookiescan/scanner/spec"
)

// yamlErrors turns yaml.v3's messages into ConfigErrors with a fix each.
func (v *validator) yamlErrors(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		// A syntax error: "yaml: line 4: mapping values are not allowed in this context".
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = strings.TrimPrefix(msg, m[0])
		}
		v.add(line, "check the indentation and quoting on this line (quote values that contain ': ' or start with '@', '*', '&')", "YAML syntax: %s", msg)
		return v.errs
	}
	for _, e := range te.Errors {
		line := 0
		if m := lineRE.FindStringSubmatch(e); m != nil {
			line, _ = strconv.Atoi(m[1])
			e = strings.TrimPrefix(e, m[0])
		}
		if m := unknownFieldRE.FindStringSubmatch(e); m != nil {
			key, where, known := m[1], sectionOf(m[2]), knownKeys(m[2])
			fix := "remove it or use one of: " + strings.Join(known, ", ")
			if s := spec.Suggest(key, known); s != "" {
				fix = "did you mean " + s + "? Keys are camelCase, like the scan flags (--http-url is httpUrl)"
			}
			if why, ok := scanOnlyKeys[key]; ok {
				fix = why
			}
			v.add(line, fix, "unknown key %q %s", key, where)
			continue
		}
		v.add(line, "check the value's type on this line (durations and URLs are strings; maxPages is a number; header is a list)", "%s", e)
	}
	return v.errs
}

var (
	lineRE         = regexp.MustCompile(`^line (\d+): `)
	unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
)

// scanOnlyKeys are `scan` flags that have no meaning for the monitor, with why.
var scanOnlyKeys = map[string]string{
	"format":      "the monitor stores every report; render one with `cookiescan monitor show ID --format ...`",
	"output":      "the monitor stores every report; write one with `cookiescan monitor show ID -o FILE`",
	"failOn":      "the monitor alerts instead of failing: use minSeverity: under alerts:",
	"failOnNew":   "the monitor alerts on what is new by itself: remove it",
	"baseline":    "the monitor compares each scan with the previous one by itself: remove it",
	"quiet":       "the monitor logs with log/slog: remove it",
	"concurrency": "concurrency is a top-level key (scans at once), not per target: move it to the top",
}

// sectionOf names the part of the file a Go type stands for.
func sectionOf(typ string) string {
	switch {
	case strings.HasSuffix(typ, "rawTarget"):
		return "in a target (targets:)"
	case strings.HasSuffix(typ, "rawDefaults"):
		return "under defaults:"
	case strings.HasSuffix(typ, "rawAlert"):
		return "in an alert (alerts:)"
	}
	return "at the top level"
}

// knownKeys lists the YAML keys of the type yaml.v3 named, inline fields included.
func knownKeys(typ string) []string {
	var t reflect.Type
	switch {
	case strings.HasSuffix(typ, "rawTarget"):
		t = reflect.TypeOf(rawTarget{})
	case strings.HasSuffix(typ, "rawDefaults"):
		t = reflect.TypeOf(rawDefaults{})
	case strings.HasSuffix(typ, "rawAlert"):
		t = reflect.TypeOf(rawAlert{})
	default:
		t = reflect.TypeOf(rawConfig{})
	}
	var keys []string
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("yaml")
			if strings.Contains(tag, "inline") {
				walk(f.Type)
				continue
			}
			if name, _, _ := strings.Cut(tag, ","); name != "" {
				keys = append(keys, name)
			}
		}
	}
	walk(t)
	sort.Strings(keys)
	return keys
}

// keyLine is the line of a top-level key (0 when absent).
func keyLine(root *yaml.Node, key string) int {
	if root == nil || len(root.Content) == 0 {
		return 0
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// seqLines is the line of each item of a top-level sequence.
func seqLines(root *yaml.Node, key string) []int {
	if root == nil || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			var out []int
			for _, it := range m.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}
