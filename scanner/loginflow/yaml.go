package loginflow

import (
	"bytes"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// yamlFlow is the hand-written format:
//
//	steps:
//	  - goto: /login
//	  - fill: {selector: "#username", value: alice}
//	  - fill: {selector: "#password", value: "${COOKIESCAN_PASSWORD}"}
//	  - click: "#submit"
//	  - waitFor: "#welcome"
//	success: {selector: "#welcome"}     # or {url: /account}
//	logout:
//	  - click: "#logout"
type yamlFlow struct {
	Title   string      `yaml:"title"`
	Timeout string      `yaml:"timeout"`
	Steps   []yaml.Node `yaml:"steps"`
	Success struct {
		Selector string `yaml:"selector"`
		URL      string `yaml:"url"`
	} `yaml:"success"`
	Logout []yaml.Node `yaml:"logout"`
}

type yamlTarget struct {
	Selector any    `yaml:"selector"` // a string or a list of alternatives
	Value    string `yaml:"value"`
	Timeout  string `yaml:"timeout"`
}

func parseYAML(data []byte) (Flow, error) {
	var yf yamlFlow
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt key is an error, not a silently ignored step
	if err := dec.Decode(&yf); err != nil {
		return Flow{}, fmt.Errorf("not a YAML login flow (nor a DevTools Recorder JSON): %w", err)
	}
	var def time.Duration
	if yf.Timeout != "" {
		d, err := time.ParseDuration(yf.Timeout)
		if err != nil {
			return Flow{}, fmt.Errorf("timeout %q: write it like 10s", yf.Timeout)
		}
		def = d
	}
	f := Flow{Title: yf.Title, Format: "yaml", Success: Check{Selector: yf.Success.Selector, URL: yf.Success.URL}}
	var err error
	if f.Steps, err = yamlSteps(yf.Steps, def); err != nil {
		return Flow{}, err
	}
	if f.Logout, err = yamlSteps(yf.Logout, def); err != nil {
		return Flow{}, fmt.Errorf("logout: %w", err)
	}
	return f, nil
}

func yamlSteps(nodes []yaml.Node, def time.Duration) ([]Step, error) {
	var out []Step
	for i := range nodes {
		n := &nodes[i]
		if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
			return nil, fmt.Errorf("line %d: each step is one key, such as `- click: \"#submit\"`", n.Line)
		}
		key, val := n.Content[0].Value, n.Content[1]
		s := Step{Timeout: def}
		where := fmt.Sprintf("line %d (%s)", n.Line, key)
		switch key {
		case "goto":
			s.Kind, s.URL = Goto, val.Value
		case "waitForURL":
			s.Kind, s.URL = WaitForURL, val.Value
		case "waitForExpression":
			s.Kind, s.Expression = WaitForExpr, val.Value
		case "key":
			s.Kind, s.Key = Key, val.Value
		case "click", "waitFor", "fill":
			var t yamlTarget
			if val.Kind == yaml.ScalarNode {
				t.Selector = val.Value
			} else if err := val.Decode(&t); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			sels, err := selectorList(t.Selector)
			if err != nil || len(sels) == 0 {
				return nil, fmt.Errorf("%s: give a selector, e.g. `%s: \"#submit\"` or `{selector: \"#user\", value: alice}`", where, key)
			}
			s.Selectors = sels
			s.Value = t.Value
			if t.Timeout != "" {
				d, err := time.ParseDuration(t.Timeout)
				if err != nil {
					return nil, fmt.Errorf("%s: timeout %q: write it like 10s", where, t.Timeout)
				}
				s.Timeout = d
			}
			s.Kind = map[string]string{"click": Click, "waitFor": WaitFor, "fill": Fill}[key]
		default:
			return nil, fmt.Errorf("%s: unknown step %q (want goto, fill, click, key, waitFor, waitForURL or waitForExpression)", where, key)
		}
		if (s.Kind == Goto || s.Kind == WaitForURL) && s.URL == "" {
			return nil, fmt.Errorf("%s: give a URL or path", where)
		}
		s.Name = describe(i, s)
		out = append(out, s)
	}
	return out, nil
}

func selectorList(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		var out []string
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("selector %v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("no selector")
}
