package loginflow

import (
	"os"
	"strings"
	"testing"
)

// The login flows of examples/real-apps (Tomcat 10, WordPress) are run by hand
// against real applications; this keeps them parseable, with the password read
// from the environment and never written in the file.
func TestRealAppFlows(t *testing.T) {
	getenv := env(map[string]string{"COOKIESCAN_PASSWORD": "s3cret", "COMMENT_TEXT": "hello"})
	for _, c := range []struct {
		file, steps string
		logout      int
	}{
		{"tomcat-login.yaml", "goto,fill,fill,click,waitForExpr", 2},
		{"tomcat-login-norotate.yaml", "goto,fill,fill,click,waitForExpr", 2},
		{"tomcat-login.recorder.json", "skip,goto,waitForURL,click,fill,key,skip,fill,click,waitForURL,waitFor", 0},
		{"wp-login.yaml", "goto,fill,fill,click,waitFor", 3},
		{"wp-login-remember.yaml", "goto,fill,fill,click,click,waitFor", 3},
		{"wp-comment-then-login.yaml", "goto,fill,fill,fill,click,click,waitForURL,goto,fill,fill,click,waitFor", 0},
	} {
		data, err := os.ReadFile("../../examples/real-apps/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(data, getenv)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		var kinds []string
		secrets := 0
		for _, s := range f.Steps {
			kinds = append(kinds, s.Kind)
			if s.Value == "s3cret" {
				secrets++
				if !s.Secret {
					t.Errorf("%s: %s types the password but is not marked secret", c.file, s.Name)
				}
			}
		}
		if got := strings.Join(kinds, ","); got != c.steps {
			t.Errorf("%s: steps\n got %s\nwant %s", c.file, got, c.steps)
		}
		if secrets != 1 || strings.Contains(string(data), "correct horse") {
			t.Errorf("%s: %d steps read the password from the environment; the file must hold none", c.file, secrets)
		}
		if len(f.Logout) != c.logout {
			t.Errorf("%s: %d logout steps, want %d", c.file, len(f.Logout), c.logout)
		}
	}
}
