package loginflow

import (
	"os"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

var secret = env(map[string]string{"COOKIESCAN_PASSWORD": "s3cret"})

func TestYAMLFlow(t *testing.T) {
	data, err := os.ReadFile("../../fixtures/flows/login.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data, secret)
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{}
	for _, s := range f.Steps {
		kinds = append(kinds, s.Kind)
	}
	if got := strings.Join(kinds, ","); got != "goto,fill,fill,click,waitFor" {
		t.Errorf("steps %s", got)
	}
	if f.Steps[2].Value != "s3cret" || !f.Steps[2].Secret || f.Steps[1].Secret {
		t.Errorf("env substitution: %+v", f.Steps[1:3])
	}
	if f.Success.Selector != "#welcome" || len(f.Logout) != 1 || f.Logout[0].Kind != Click {
		t.Errorf("success %+v logout %+v", f.Success, f.Logout)
	}
	if f.Steps[3].Name != "step 4 (click #submit)" {
		t.Errorf("name %q", f.Steps[3].Name)
	}
}

func TestRecorderFlow(t *testing.T) {
	data, err := os.ReadFile("../../fixtures/flows/login.recorder.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data, secret)
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != "recorder" {
		t.Errorf("format %s", f.Format)
	}
	var kinds []string
	for _, s := range f.Steps {
		kinds = append(kinds, s.Kind)
	}
	want := "skip,goto,waitForURL,click,fill,key,skip,fill,click,waitForURL,waitFor"
	if got := strings.Join(kinds, ","); got != want {
		t.Errorf("steps\n got %s\nwant %s", got, want)
	}
	if f.Steps[7].Value != "s3cret" || f.Steps[4].Value != "alice" {
		t.Errorf("values: %q %q", f.Steps[4].Value, f.Steps[7].Value)
	}
	if f.Steps[3].Selectors[0] != "aria/User" || f.Steps[3].Selectors[1] != "#username" {
		t.Errorf("selectors %q", f.Steps[3].Selectors)
	}
	if f.Success.Selector != "#welcome" {
		t.Errorf("success %+v", f.Success)
	}
}

func TestErrors(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"missing env":     {"steps:\n  - fill: {selector: '#p', value: '${NOPE}'}\nsuccess: {url: /a}\n", "NOPE is not set"},
		"unknown step":    {"steps:\n  - tap: '#x'\nsuccess: {url: /a}\n", "line 2 (tap): unknown step"},
		"unknown key":     {"stepz: []\n", "field stepz not found"},
		"no success":      {"steps:\n  - goto: /login\n", "how to tell that the login worked"},
		"no steps":        {"success: {url: /a}\n", "no steps"},
		"no selector":     {"steps:\n  - click: {value: x}\nsuccess: {url: /a}\n", "give a selector"},
		"recorder no sel": {`{"title":"x","steps":[{"type":"click","selectors":[]}]}`, "has no selectors"},
		"bad json types":  {`{"title":"x","steps":[{"type":"click","selectors":[1]}]}`, "neither a string"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in), env(nil))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRecorderSkipsNonMainTargets(t *testing.T) {
	f, err := Parse([]byte(`{"title":"x","steps":[{"type":"click","target":"https://popup/","selectors":["#a"]},{"type":"customStep","name":"x"},{"type":"navigate","url":"/x","assertedEvents":[{"type":"navigation","url":"/done"}]}]}`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if f.Steps[0].Kind != Skip || f.Steps[1].Kind != Skip || !strings.Contains(f.Steps[1].Note, "customStep") || f.Success.URL != "/done" {
		t.Errorf("%+v", f)
	}
}

// A click on a "remember me" control marks the flow; other steps do not.
func TestAsksToRemember(t *testing.T) {
	for _, tc := range []struct {
		steps []Step
		want  bool
	}{
		{[]Step{{Kind: Click, Selectors: []string{"#rememberme"}}}, true},
		{[]Step{{Kind: Click, Selectors: []string{"aria/Keep me signed in"}}}, true},
		{[]Step{{Kind: Click, Selectors: []string{"#submit"}}, {Kind: Fill, Selectors: []string{"#remember"}}}, false},
		{nil, false},
	} {
		if got := (Flow{Steps: tc.steps}).AsksToRemember(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.steps, got, tc.want)
		}
	}
}
