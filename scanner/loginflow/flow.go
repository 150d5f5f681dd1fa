// Package loginflow reads a login flow — a small YAML list of steps or a Chrome
// DevTools Recorder JSON export (@puppeteer/replay) — into one list of steps the
// browser replays. Secrets never sit in the file: ${NAME} is read from the
// environment when the flow is loaded.
package loginflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/inputfile"
)

// Step kinds.
const (
	Goto        = "goto"        // URL (absolute, or relative to the target)
	Fill        = "fill"        // Selectors, Value
	Click       = "click"       // Selectors
	Key         = "key"         // Key pressed (keyDown+keyUp)
	WaitFor     = "waitFor"     // Selectors
	WaitForURL  = "waitForURL"  // URL is a substring of the page URL
	WaitForExpr = "waitForExpr" // Expression (JavaScript) becomes truthy
	Skip        = "skip"        // a Recorder step we do not replay (Note says which)
)

// Step is one action. Selectors are alternatives, tried in order; each is CSS, or
// carries a Recorder prefix (xpath/, text/, aria/, pierce/).
type Step struct {
	Kind       string
	Selectors  []string
	URL        string
	Value      string `json:"-"` // may hold a secret: never printed
	Secret     bool   // Value came from the environment
	Key        string
	Expression string
	Timeout    time.Duration
	Note       string
	// Name identifies the step in errors: "step 3 (click #submit)".
	Name string
}

// Check says how to tell that the login worked.
type Check struct {
	Selector string // an element present only when logged in
	URL      string // a substring of the URL after login
}

// Flow is a whole login.
type Flow struct {
	Title   string
	Steps   []Step
	Success Check
	Logout  []Step // optional: steps that log out (for the logout rule)
	Format  string // "yaml" or "recorder"
}

// Load reads a flow from path; getenv resolves ${NAME} (os.LookupEnv when nil).
func Load(path string, getenv func(string) (string, bool)) (Flow, error) {
	data, err := inputfile.Read(path, inputfile.SmallLimit)
	if err != nil {
		return Flow{}, fmt.Errorf("--login: %w", err)
	}
	f, err := Parse(data, getenv)
	if err != nil {
		return Flow{}, fmt.Errorf("--login %s: %w", path, err)
	}
	return f, nil
}

// Parse reads a flow in either format: a JSON object with "steps" whose entries have
// a "type" is a Recorder export; anything else is YAML.
func Parse(data []byte, getenv func(string) (string, bool)) (Flow, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	var f Flow
	var err error
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' && json.Valid(t) {
		f, err = parseRecorder(t)
	} else {
		f, err = parseYAML(data)
	}
	if err != nil {
		return Flow{}, err
	}
	if err := f.expand(getenv); err != nil {
		return Flow{}, err
	}
	if len(f.Steps) == 0 {
		return Flow{}, fmt.Errorf("the flow has no steps")
	}
	if f.Success == (Check{}) {
		return Flow{}, fmt.Errorf("the flow never says how to tell that the login worked: add `success: {selector: \"#logout\"}` (YAML), or end the recording with a waitForElement step or a navigation")
	}
	return f, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand substitutes ${NAME} in values, URLs and expressions; a missing variable is
// an error naming it, so a flow never types "${COOKIESCAN_PASSWORD}" into a form.
func (f *Flow) expand(getenv func(string) (string, bool)) error {
	var missing []string
	sub := func(s string) (string, bool) {
		used := false
		out := envRef.ReplaceAllStringFunc(s, func(m string) string {
			name := envRef.FindStringSubmatch(m)[1]
			v, ok := getenv(name)
			if !ok {
				missing = append(missing, name)
			}
			used = true
			return v
		})
		return out, used
	}
	for _, steps := range [][]Step{f.Steps, f.Logout} {
		for i := range steps {
			s := &steps[i]
			var used bool
			s.Value, used = sub(s.Value)
			s.Secret = s.Secret || used
			s.URL, _ = sub(s.URL)
			s.Expression, _ = sub(s.Expression)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("environment variable %s is not set (the flow reads it with ${%s})", strings.Join(uniq(missing), ", "), missing[0])
	}
	return nil
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func describe(i int, s Step) string {
	what := s.Kind
	switch {
	case len(s.Selectors) > 0:
		what += " " + s.Selectors[0]
	case s.URL != "":
		what += " " + s.URL
	case s.Key != "":
		what += " " + s.Key
	}
	return fmt.Sprintf("step %d (%s)", i+1, what)
}

// rememberWords mark a "keep me logged in" control in a selector:
// #rememberme (WordPress), input[name=remember], #keep-signed-in, ….
var rememberWords = []string{"remember", "keep", "stay", "persist"}

// AsksToRemember reports whether a login step clicks a "remember me"
// control: the cookies the login then sets persistent are remember-me
// cookies, long-lived by the user's choice.
func (f Flow) AsksToRemember() bool {
	for _, s := range f.Steps {
		if s.Kind != Click {
			continue
		}
		for _, sel := range s.Selectors {
			l := strings.ToLower(sel)
			for _, w := range rememberWords {
				if strings.Contains(l, w) {
					return true
				}
			}
		}
	}
	return false
}
