package spec

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cookiescan/cookiescan/scanner/inputfile"
)

// DecodeOptions say where a mapping sits, for its messages.
type DecodeOptions struct {
	File string // names the file in messages
	// Dir anchors relative caCert and login paths ("" : as written).
	Dir string
	// Other are keys of the same mapping the caller reads itself (a monitor
	// target's schedule).
	Other []string
	// Refuse are keys that mean nothing here, each with what to do instead;
	// they win over the spec's own keys.
	Refuse map[string]string
	// Where names the mapping in an unknown-key message ("in a target
	// (targets:)"); "" : "".
	Where string
}

// Decode sets s's fields from a YAML mapping, over what s holds: only the
// keys present change, each remembering its line. Every problem comes back,
// with its line.
func Decode(n *yaml.Node, s *Spec, o DecodeOptions) Errors {
	var errs Errors
	add := func(key string, line int, fix, format string, args ...any) {
		errs = append(errs, &Error{Key: key, File: o.File, Line: line, Msg: fmt.Sprintf(format, args...), Fix: fix})
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		add("", n.Line, "write the settings as keys, e.g. maxPages: 10", "expected a mapping of settings, found %s", kindName(n))
		return errs
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if why, ok := o.Refuse[key]; ok {
			add("", k.Line, why, "unknown key %q%s", key, where(o.Where))
			continue
		}
		if slices.Contains(o.Other, key) {
			continue
		}
		f, ok := FieldOf(key)
		if !ok {
			known := append(slices.DeleteFunc(Keys(), func(k string) bool {
				f, _ := FieldOf(k)
				_, r := o.Refuse[k]
				return r || f.Hidden
			}), o.Other...)
			slices.Sort(known)
			fix := "remove it or use one of: " + strings.Join(known, ", ")
			if sg := Suggest(key, known); sg != "" {
				fix = "did you mean " + sg + "? Keys are camelCase, like the scan flags (--http-url is httpUrl)"
			}
			add("", k.Line, fix, "unknown key %q%s", key, where(o.Where))
			continue
		}
		if err := decodeValue(v, f.Ptr(s)); err != nil {
			add(key, v.Line, typeFix(f.Ptr(s)), "%v", err)
			continue
		}
		if (key == "caCert" || key == "login") && o.Dir != "" {
			p := f.Ptr(s).(*string)
			if *p != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(o.Dir, *p)
			}
		}
		s.SetOrigin(key, Origin{File: o.File, Line: v.Line})
	}
	return errs
}

func where(w string) string {
	if w == "" {
		return ""
	}
	return " " + w
}

// decodeValue decodes one value into a field; a duration is a string such as
// "20s" (or "1d").
func decodeValue(v *yaml.Node, ptr any) error {
	if d, ok := ptr.(*time.Duration); ok {
		var s string
		if v.Kind != yaml.ScalarNode || v.Decode(&s) != nil {
			return fmt.Errorf("expected a duration such as 20s, found %s", kindName(v))
		}
		x, err := ParseDuration(s)
		if err != nil {
			return err
		}
		*d = x
		return nil
	}
	if l, ok := ptr.(*[]string); ok && v.Kind == yaml.ScalarNode {
		// One value where a list is expected: a list of one.
		var s string
		if err := v.Decode(&s); err != nil {
			return errors.New(yamlMsg(err))
		}
		*l = []string{s}
		return nil
	}
	if err := v.Decode(ptr); err != nil {
		return errors.New(yamlMsg(err))
	}
	return nil
}

func typeFix(ptr any) string {
	switch ptr.(type) {
	case *time.Duration:
		return "write a duration such as 20s, 5m or 1h"
	case *bool:
		return "write true or false"
	case *int:
		return "write a whole number"
	case *[]string:
		return "write a list of strings, e.g. [\"a\", \"b\"]"
	}
	return "write a string (quote it when it holds ': ' or starts with '@', '*' or '&')"
}

var yamlLineRE = regexp.MustCompile(`^yaml: (unmarshal errors:\n\s*)?(line \d+: )?`)

func yamlMsg(err error) string { return yamlLineRE.ReplaceAllString(err.Error(), "") }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "nothing"
}

// Load reads a scan config file (the spec's keys, as in a monitor target)
// over base. Relative caCert and login paths are relative to the file.
func Load(path string, base Spec) (Spec, error) {
	data, err := inputfile.Read(path, inputfile.SmallLimit)
	if err != nil {
		return base, Errors{{File: path, Msg: err.Error(), Fix: "give the path of a YAML file of scan settings with --config"}}
	}
	return Parse(path, data, base)
}

// Parse decodes scan config data over base; path names it in messages. With
// an error, the Spec still holds every key that decoded, so that Check can
// report the rest of the file's problems at once.
func Parse(path string, data []byte, base Spec) (Spec, error) {
	s := base.Clone()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := regexp.MustCompile(`^line (\d+): `).FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return base, Errors{{File: path, Line: line, Msg: "YAML syntax: " + msg,
			Fix: "check the indentation and quoting on this line (quote values that contain ': ' or start with '@', '*', '&')"}}
	}
	if errs := Decode(&root, &s, DecodeOptions{File: path, Dir: filepath.Dir(path), Refuse: scanConfigRefused}); len(errs) > 0 {
		return s, errs
	}
	return s, nil
}

// scanConfigRefused are the keys people reach for in a scan config that are
// not scan settings.
var scanConfigRefused = map[string]string{
	"targets":  "list the targets in a file, one per line, and give it with -l FILE",
	"schedule": "schedules belong to the monitor: cookiescan monitor --config monitor.yaml",
}

// Line is one target of a target list.
type Line struct {
	Raw  string
	Line int
}

// MaxTargets bounds a target list; more is a usage error.
const MaxTargets = 100_000

// ReadTargets reads a target list: one URL or bare host per line; blank
// lines and lines starting with # are skipped, as is anything after " #".
func ReadTargets(r io.Reader) ([]Line, error) {
	var out []Line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		s := string(bytes.TrimSpace(sc.Bytes()))
		if i := strings.Index(s, " #"); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if len(out) == MaxTargets {
			return nil, fmt.Errorf("more than %d targets: split the list", MaxTargets)
		}
		out = append(out, Line{Raw: s, Line: n})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than 64 KiB: one URL per line", n+1)
		}
		return nil, err
	}
	return out, nil
}

// ParseDuration reads Go durations plus days ("90d", "1d12h").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (use s, m, h or d, e.g. 90d or 6h)", s)
	}
	return days + d, nil
}

// Suggest finds the known key a typo most likely meant: the same letters
// ignoring case, '-' and '_' (http-url, http_url, HTTPURL → httpUrl), or one
// or two edits away.
func Suggest(key string, known []string) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s)) }
	best, bestD := "", 3
	for _, k := range known {
		if norm(k) == norm(key) {
			return k
		}
		if d := editDistance(norm(k), norm(key)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
