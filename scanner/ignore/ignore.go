// Package ignore reads suppression files (--ignore FILE, or
// .cookiescan-ignore.yaml in the working directory) and marks the findings
// they accept. A suppressed finding stays in every report, marked with the
// entry's reason, and does not count for --fail-on; an entry past its expiry
// date suppresses nothing and warns, so an accepted risk is looked at again.
//
//   - rule: cookie-missing-secure
//     cookie: old_sid               # optional: exact cookie name
//     url: "^https://old\\."        # optional: regular expression on the finding's URL
//     reason: "legacy app, retired in March"
//     expires: 2027-03-31           # optional: the last day it applies
package ignore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cookiescan/cookiescan/scanner/result"
)

// DefaultFile is read from the working directory when --ignore is not given.
const DefaultFile = ".cookiescan-ignore.yaml"

// maxFileBytes bounds an ignore file: thousands of entries fit well below.
const maxFileBytes = 1 << 20

// Entry is one accepted finding class.
type Entry struct {
	Rule    string
	Cookie  string // exact cookie name; "" for any
	URL     *regexp.Regexp
	Reason  string
	Expires time.Time // zero: never; otherwise the end of the last day (UTC)
	Source  string    // file:line
	expires string    // as written
}

// List is an ignore file's entries.
type List struct {
	Entries []Entry
}

// Error is one problem of an ignore file, with the line it is on.
type Error struct {
	Source string // file:line
	Msg    string
}

func (e Error) Error() string { return e.Source + ": " + e.Msg }

type rawEntry struct {
	Rule    string `yaml:"rule"`
	Cookie  string `yaml:"cookie"`
	URL     string `yaml:"url"`
	Reason  string `yaml:"reason"`
	Expires string `yaml:"expires"`
}

// Load reads and checks an ignore file; known says whether a rule ID exists.
func Load(path string, known func(string) bool) (List, error) {
	f, err := os.Open(path)
	if err != nil {
		return List{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return List{}, err
	}
	if len(data) > maxFileBytes {
		return List{}, fmt.Errorf("%s: larger than %d bytes: is it the right file?", path, maxFileBytes)
	}
	return Parse(data, path, known)
}

// Parse checks an ignore file's content; every problem is reported, each
// with its line, so one run fixes them all.
func Parse(data []byte, name string, known func(string) bool) (List, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return List{}, Error{Source: name, Msg: strings.TrimPrefix(err.Error(), "yaml: ") + " (an ignore file is a YAML list of entries with rule: and reason:)"}
	}
	if len(root.Content) == 0 {
		return List{}, nil // empty file: nothing suppressed
	}
	seq := root.Content[0]
	if seq.Kind != yaml.SequenceNode {
		return List{}, Error{Source: fmt.Sprintf("%s:%d", name, seq.Line), Msg: "expected a list of entries (each starting with '- rule: ...')"}
	}
	var list List
	var errs []error
	for _, n := range seq.Content {
		src := fmt.Sprintf("%s:%d", name, n.Line)
		fail := func(format string, a ...any) { errs = append(errs, Error{Source: src, Msg: fmt.Sprintf(format, a...)}) }
		var r rawEntry
		dec := yaml.NewDecoder(bytes.NewReader(mustEncode(n)))
		dec.KnownFields(true)
		if err := dec.Decode(&r); err != nil {
			fail("%s (keys: rule, cookie, url, reason, expires)", cleanYAMLError(err))
			continue
		}
		e := Entry{Rule: strings.TrimSpace(r.Rule), Cookie: r.Cookie, Reason: strings.TrimSpace(r.Reason), Source: src, expires: r.Expires}
		switch {
		case e.Rule == "":
			fail("rule: is missing (a rule ID, as `cookiescan rules` lists them)")
		case known != nil && !known(e.Rule):
			fail("rule %q does not exist (see `cookiescan rules`)", e.Rule)
		}
		if e.Reason == "" {
			fail("reason: is missing: say why the finding is accepted, for whoever reads the report next")
		}
		if r.URL != "" {
			re, err := regexp.Compile(r.URL)
			if err != nil {
				fail("url: %q is not a regular expression: %v", r.URL, err)
			}
			e.URL = re
		}
		if r.Expires != "" {
			d, err := time.Parse("2006-01-02", strings.TrimSpace(r.Expires))
			if err != nil {
				fail("expires: %q is not a date like 2027-03-31", r.Expires)
			}
			e.Expires = d.Add(24*time.Hour - time.Nanosecond) // through that day, UTC
		}
		list.Entries = append(list.Entries, e)
	}
	if len(errs) > 0 {
		return List{}, errors.Join(errs...)
	}
	return list, nil
}

func mustEncode(n *yaml.Node) []byte {
	b, err := yaml.Marshal(n)
	if err != nil {
		return nil
	}
	return b
}

func cleanYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
		msg = msg[i+2:] // the line is the entry's own, given already
	}
	return strings.ReplaceAll(msg, "in type ignore.rawEntry", "")
}

// Matches reports whether e accepts f (expiry aside).
func (e Entry) Matches(f result.Finding) bool {
	if e.Rule != f.Rule {
		return false
	}
	if e.Cookie != "" && e.Cookie != f.Cookie {
		return false
	}
	if e.URL != nil {
		urls := append([]string{f.URL}, f.URLs...)
		for _, u := range urls {
			if e.URL.MatchString(u) {
				return true
			}
		}
		return false
	}
	return true
}

// Apply marks the findings of r that a live entry accepts, and returns a
// warning for each expired entry that would have matched or not (an expired
// acceptance is a decision to look at again either way).
func (l List) Apply(r *result.Report, now time.Time) (warnings []string) {
	for _, e := range l.Entries {
		if !e.Expires.IsZero() && now.After(e.Expires) {
			warnings = append(warnings, fmt.Sprintf("%s: the suppression of %s expired on %s and no longer applies (%s)", e.Source, e.describe(), e.expires, e.Reason))
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		for _, e := range l.Entries {
			if (!e.Expires.IsZero() && now.After(e.Expires)) || !e.Matches(*f) {
				continue
			}
			f.Suppression = &result.Suppression{Reason: e.Reason, Source: e.Source, Expires: e.expires}
			break
		}
	}
	return warnings
}

func (e Entry) describe() string {
	s := e.Rule
	if e.Cookie != "" {
		s += " for cookie " + e.Cookie
	}
	if e.URL != nil {
		s += " on URLs matching " + e.URL.String()
	}
	return s
}
