package browser

import (
	"slices"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
)

// Event builders for replaying orders seen on Chromium 156.
func sent(id, url string, redirect *network.Response) *network.EventRequestWillBeSent {
	return &network.EventRequestWillBeSent{RequestID: network.RequestID(id), FrameID: "F",
		Type: network.ResourceTypeDocument, Request: &network.Request{URL: url},
		RedirectResponse: redirect, RedirectHasExtraInfo: redirect != nil && redirect.StatusText != "internal"}
}

func received(id, url string, status int64) *network.EventResponseReceived {
	return &network.EventResponseReceived{RequestID: network.RequestID(id), FrameID: "F", HasExtraInfo: true,
		Type: network.ResourceTypeDocument, Response: &network.Response{URL: url, Status: status}}
}

func extra(id string, status int64, headers network.Headers, blocked ...*network.BlockedSetCookieWithReason) *network.EventResponseReceivedExtraInfo {
	return &network.EventResponseReceivedExtraInfo{RequestID: network.RequestID(id), StatusCode: status, Headers: headers, BlockedCookies: blocked}
}

func redirect(url string, status int64, location string) *network.Response {
	return &network.Response{URL: url, Status: status, Headers: network.Headers{"Location": location}}
}

func TestRecorderCorrelation(t *testing.T) {
	const a, b, c = "http://x.test/", "https://x.test/", "https://x.test/home"
	hop1 := network.Headers{"Location": b, "Set-Cookie": "hop=1; Path=/"}
	hop2 := network.Headers{"Location": c, "Strict-Transport-Security": "max-age=1"}
	page := network.Headers{"Set-Cookie": "sid=1; Secure\nbad=1; SameSite=None", "strict-transport-security": "max-age=2\nmax-age=3"}
	blocked := &network.BlockedSetCookieWithReason{CookieLine: "bad=1; SameSite=None",
		BlockedReasons: []network.SetCookieBlockedReason{network.SetCookieBlockedReasonSameSiteNoneInsecure}}

	tests := []struct {
		name   string
		events []any
	}{
		{"extra info in step", []any{
			sent("R", a, nil), extra("R", 301, hop1), sent("R", b, redirect(a, 301, b)),
			extra("R", 302, hop2), sent("R", c, redirect(b, 302, c)),
			extra("R", 200, page, blocked), received("R", c, 200)}},
		// cookie-over-http profile: every ExtraInfo after the final response.
		{"extra info after the final response", []any{
			sent("R", a, nil), sent("R", b, redirect(a, 301, b)), sent("R", c, redirect(b, 302, c)),
			received("R", c, 200), extra("R", 301, hop1), extra("R", 302, hop2), extra("R", 200, page, blocked)}},
		// long-chain profile: a hop's ExtraInfo before the event carrying the hop.
		{"extra info before its hop", []any{
			sent("R", a, nil), extra("R", 301, hop1), extra("R", 302, hop2), sent("R", b, redirect(a, 301, b)),
			extra("R", 200, page, blocked), sent("R", c, redirect(b, 302, c)), received("R", c, 200)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder("F")
			for _, ev := range tt.events {
				r.onEvent(ev)
			}
			var v Visit
			r.fill(&v)
			if len(v.Responses) != 3 {
				t.Fatalf("got %d responses, want 3: %+v", len(v.Responses), v.Responses)
			}
			h1, h2, doc := v.Responses[0], v.Responses[1], v.Responses[2]
			if !h1.Redirect || h1.Status != 301 || h1.URL != a || !slices.Equal(h1.SetCookies, []string{"hop=1; Path=/"}) || h1.HSTS != nil {
				t.Errorf("first hop = %+v", h1)
			}
			if !h2.Redirect || h2.Status != 302 || h2.URL != b || h2.SetCookies != nil || !slices.Equal(h2.HSTS, []string{"max-age=1"}) {
				t.Errorf("second hop = %+v", h2)
			}
			if doc.Redirect || doc.Status != 200 || !doc.MainFrame || doc.Type != "Document" ||
				!slices.Equal(doc.SetCookies, []string{"sid=1; Secure", "bad=1; SameSite=None"}) ||
				!slices.Equal(doc.HSTS, []string{"max-age=2", "max-age=3"}) ||
				len(doc.Blocked) != 1 || doc.Blocked[0].Line != "bad=1; SameSite=None" ||
				!slices.Equal(doc.Blocked[0].Reasons, []string{"SameSiteNoneInsecure"}) {
				t.Errorf("document = %+v", doc)
			}
			if v.FinalURL != c || v.Status != 200 {
				t.Errorf("FinalURL, Status = %s, %d", v.FinalURL, v.Status)
			}
		})
	}
}

// A hop without raw headers (Chromium's internal HSTS 307) takes no
// ExtraInfo: the next one belongs to the hop after it.
func TestRecorderHopWithoutExtraInfo(t *testing.T) {
	internal := &network.Response{URL: "http://x.test/", Status: 307, StatusText: "internal",
		Headers: network.Headers{"Non-Authoritative-Reason": "HSTS"}}
	r := newRecorder("F")
	for _, ev := range []any{
		sent("R", "http://x.test/", nil),
		sent("R", "https://x.test/", internal),
		extra("R", 200, network.Headers{"Set-Cookie": "a=1"}),
		received("R", "https://x.test/", 200),
	} {
		r.onEvent(ev)
	}
	var v Visit
	r.fill(&v)
	if len(v.Responses) != 2 || v.Responses[0].SetCookies != nil || v.Responses[0].Headers["non-authoritative-reason"] != "HSTS" ||
		!slices.Equal(v.Responses[1].SetCookies, []string{"a=1"}) {
		t.Errorf("responses = %+v", v.Responses)
	}
}

// An ExtraInfo whose hop never arrived (the load was cut off) still counts.
func TestRecorderOrphanExtraInfo(t *testing.T) {
	r := newRecorder("F")
	r.onEvent(sent("R", "https://x.test/", nil))
	r.onEvent(extra("R", 200, network.Headers{"Set-Cookie": "a=1"}))
	r.onEvent(&network.EventRequestWillBeSent{RequestID: "S", FrameID: "G", Type: network.ResourceTypeDocument,
		Request: &network.Request{URL: "https://y.test/"}})
	r.onEvent(extra("unknown", 200, network.Headers{"Set-Cookie": "b=1"}))
	var v Visit
	r.fill(&v)
	if len(v.Responses) != 1 || v.Responses[0].URL != "https://x.test/" || !slices.Equal(v.Responses[0].SetCookies, []string{"a=1"}) {
		t.Errorf("responses = %+v", v.Responses)
	}
	// The response arrived as ExtraInfo only, so FinalURL comes from it.
	if v.FinalURL != "https://x.test/" || v.Status != 200 {
		t.Errorf("FinalURL, Status = %s, %d", v.FinalURL, v.Status)
	}
}

func TestRecorderSettles(t *testing.T) {
	r := newRecorder("F")
	r.onEvent(sent("R", "https://x.test/", nil))
	if loaded, idle := r.state("L", 0); loaded || idle {
		t.Errorf("before load: loaded %v idle %v", loaded, idle)
	}
	r.onEvent(&page.EventLifecycleEvent{FrameID: "F", LoaderID: "L", Name: "load"})
	r.onEvent(&page.EventLifecycleEvent{FrameID: "iframe", LoaderID: "M", Name: "load"})
	if loaded, idle := r.state("L", 0); !loaded || idle {
		t.Errorf("request in flight: loaded %v idle %v", loaded, idle)
	}
	r.onEvent(&network.EventLoadingFinished{RequestID: "R"})
	if _, idle := r.state("L", 0); !idle {
		t.Error("not idle after the last request finished")
	}
	if loaded, _ := r.state("M", 0); loaded {
		t.Error("an iframe's load counted for the main frame")
	}
}

// DevTools hands raw header bytes over decoded as windows-1252; headerBytes
// gets the bytes back, so a UTF-8 cookie value is what the server sent (the
// differential cookie test sends "é€" and "cookiéscan.test").
func TestHeaderBytes(t *testing.T) {
	for in, want := range map[string]string{
		"ck=plain":            "ck=plain",
		"ck_utf8=Ã©â‚¬":       "ck_utf8=é€",
		"Domain=cookiÃ©scan":  "Domain=cookiéscan",
		"ctl=a\x01b":          "ctl=a\x01b",
		"already=€ ünicode ☃": "already=€ ünicode ☃", // ☃ cannot come from windows-1252: kept
	} {
		if got := headerBytes(in); got != want {
			t.Errorf("headerBytes(%q) = %q, want %q", in, got, want)
		}
	}
}
