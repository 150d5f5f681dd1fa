package loginflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSecret is what every ${VAR} expands to in the fuzz target: it must never
// show up in an error message.
const fuzzSecret = "s3cret-Value-9f2c"

// FuzzParse feeds Parse YAML and Recorder JSON flows: it never panics, an error
// leaves no half-parsed flow and never carries an expanded fuzzSecret, and a flow
// it accepts is one the browser can replay (steps, a success check, every step
// of a known kind).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"login.yaml", "login.recorder.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "flows", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		// README's example.
		"steps:\n  - goto: /login\n  - fill: {selector: \"#username\", value: alice}\n  - fill: {selector: \"#password\", value: \"${COOKIESCAN_PASSWORD}\"}\n  - click: \"#submit\"\n  - waitFor: \"#welcome\"\nsuccess: {selector: \"#welcome\"}\nlogout:\n  - click: \"#logout\"\n",
		"timeout: 1s\nsteps:\n  - goto: /login\n  - fill: {selector: \"#nope\", value: alice}\nsuccess: {selector: \"#welcome\"}\n",
		"steps:\n  - goto: ${HOST}/x\n  - key: Enter\n  - waitForURL: /account\n  - waitForExpr: \"document.cookie.includes('${VAR}')\"\nsuccess: {url: /account}\n",
		"steps:\n  - click: {selector: [\"#a\", \"xpath//b\"], timeout: 2s}\nsuccess: {selector: x}\n",
		"steps: []\n", "steps:\n  - frobnicate: 1\nsuccess: {selector: x}\n", "timeout: soon\n", "- a\n- b\n", "{", "",
		`{"title":"t","steps":[{"type":"navigate","url":"https://x.test/login"},{"type":"change","value":"${P}","selectors":[["#p"]]},{"type":"keyDown","key":"Enter"},{"type":"waitForElement","selectors":[["aria/Welcome"],["#w"]]}]}`,
		`{"steps":[{"type":"click","target":"popup","selectors":[["#a"]]},{"type":"click","frame":[0],"selectors":[["#b"]]},{"type":"waitForExpression","expression":"1"}]}`,
		`{"steps":[{"type":"click","selectors":[[1,2]]}]}`, `{"steps":null}`, `{"timeout":-5,"steps":[{"type":"scroll"}]}`,
	} {
		f.Add([]byte(s))
	}
	getenv := func(string) (string, bool) { return fuzzSecret, true }
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse(data, getenv)
		if err != nil {
			if err.Error() == "" || strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("error %q", err)
			}
			if fl.Steps != nil || fl.Logout != nil || fl.Format != "" {
				t.Fatalf("an error with a flow: %+v", fl)
			}
			return
		}
		if len(fl.Steps) == 0 || fl.Success == (Check{}) || (fl.Format != "yaml" && fl.Format != "recorder") {
			t.Fatalf("accepted a flow that cannot run: %+v", fl)
		}
		for _, steps := range [][]Step{fl.Steps, fl.Logout} {
			for _, s := range steps {
				switch s.Kind {
				case Goto, Fill, Click, Key, WaitFor, WaitForURL, WaitForExpr, Skip:
				default:
					t.Fatalf("step of unknown kind %q", s.Kind)
				}
				if s.Timeout < 0 {
					t.Fatalf("negative timeout %v", s.Timeout)
				}
			}
		}
	})
}
