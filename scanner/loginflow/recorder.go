package loginflow

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// recorderFlow is the @puppeteer/replay UserFlow, as far as we read it.
type recorderFlow struct {
	Title   string         `json:"title"`
	Timeout int            `json:"timeout"`
	Steps   []recorderStep `json:"steps"`
}

type recorderStep struct {
	Type           string            `json:"type"`
	URL            string            `json:"url"`
	Selectors      []json.RawMessage `json:"selectors"`
	Value          string            `json:"value"`
	Key            string            `json:"key"`
	Expression     string            `json:"expression"`
	Timeout        int               `json:"timeout"`
	Target         string            `json:"target"`
	Frame          []int             `json:"frame"`
	AssertedEvents []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"assertedEvents"`
}

// parseRecorder maps Recorder steps onto ours. Steps that only shape the page
// (setViewport, scroll, hover, ...) are kept as Skip with a note, never a failure.
func parseRecorder(data []byte) (Flow, error) {
	var rf recorderFlow
	if err := json.Unmarshal(data, &rf); err != nil {
		return Flow{}, fmt.Errorf("not a DevTools Recorder export: %w", err)
	}
	if rf.Steps == nil {
		return Flow{}, fmt.Errorf("not a DevTools Recorder export: no \"steps\" array")
	}
	f := Flow{Title: rf.Title, Format: "recorder"}
	for i, rs := range rf.Steps {
		s := Step{Timeout: time.Duration(firstPositive(rs.Timeout, rf.Timeout)) * time.Millisecond}
		if rs.Target != "" && rs.Target != "main" {
			s.Kind, s.Note = Skip, "step in another target ("+rs.Target+") is not replayed"
		} else if len(rs.Frame) > 0 {
			s.Kind, s.Note = Skip, "step inside a child frame is not replayed"
		} else {
			sels, err := selectors(rs.Selectors)
			if err != nil {
				return Flow{}, fmt.Errorf("step %d (%s): %w", i+1, rs.Type, err)
			}
			switch rs.Type {
			case "navigate":
				s.Kind, s.URL = Goto, rs.URL
			case "click", "doubleClick":
				s.Kind, s.Selectors = Click, sels
			case "change":
				s.Kind, s.Selectors, s.Value = Fill, sels, rs.Value
			case "keyDown":
				s.Kind, s.Key = Key, rs.Key
			case "keyUp":
				s.Kind, s.Note = Skip, "keyUp "+rs.Key+" (the key was pressed at keyDown)"
			case "waitForElement":
				s.Kind, s.Selectors = WaitFor, sels
				f.Success = Check{Selector: firstCSS(sels)}
			case "waitForExpression":
				s.Kind, s.Expression = WaitForExpr, rs.Expression
			case "setViewport", "scroll", "hover", "emulateNetworkConditions", "close":
				s.Kind, s.Note = Skip, rs.Type+" does not change what the login does"
			default:
				s.Kind, s.Note = Skip, "step type "+rs.Type+" is not supported"
			}
			if s.Kind == Click || s.Kind == Fill || s.Kind == WaitFor {
				if len(s.Selectors) == 0 {
					return Flow{}, fmt.Errorf("step %d (%s) has no selectors", i+1, rs.Type)
				}
			}
		}
		s.Name = describe(i, s)
		f.Steps = append(f.Steps, s)
		// A navigation the step caused: wait for it, and take the last one as the
		// URL that proves the login, unless a waitForElement came later.
		for _, ev := range rs.AssertedEvents {
			if ev.Type == "navigation" && ev.URL != "" {
				w := Step{Kind: WaitForURL, URL: ev.URL, Timeout: s.Timeout}
				w.Name = fmt.Sprintf("step %d (navigation to %s)", i+1, ev.URL)
				f.Steps = append(f.Steps, w)
				f.Success = Check{URL: ev.URL}
			}
		}
	}
	return f, nil
}

// selectors flattens Recorder alternatives. An alternative that is an array walks
// into shadow roots; we keep such chains only when they are one element long.
func selectors(raw []json.RawMessage) ([]string, error) {
	var out []string
	for _, r := range raw {
		var s string
		if err := json.Unmarshal(r, &s); err == nil {
			out = append(out, s)
			continue
		}
		var chain []string
		if err := json.Unmarshal(r, &chain); err != nil {
			return nil, fmt.Errorf("selector %s is neither a string nor a list of strings", r)
		}
		if len(chain) == 1 {
			out = append(out, chain[0])
		} else if len(chain) > 1 {
			out = append(out, "pierce/"+strings.Join(chain, " >>> "))
		}
	}
	return out, nil
}

func firstCSS(sels []string) string {
	for _, s := range sels {
		if !strings.Contains(s, "/") || strings.HasPrefix(s, "xpath/") {
			return s
		}
	}
	if len(sels) > 0 {
		return sels[0]
	}
	return ""
}

func firstPositive(vs ...int) int {
	for _, v := range vs {
		if v > 0 {
			return v
		}
	}
	return 0
}
