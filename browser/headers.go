package browser

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// addHeaders sends header with the tab's requests to host, and with no
// other request: a token meant for the scanned site must not reach its CDN or
// its analytics. Network.setExtraHTTPHeaders would add it to every request of
// the tab, so the tab pauses each request (Fetch, request stage) and adds the
// header where the URL's host is host, hop by hop through redirects. Only a
// scan with --header pays the extra round trip per request.
func (s *Session) addHeaders(ctx context.Context, header map[string]string, host string) error {
	if len(header) == 0 {
		return nil
	}
	// Subscribe before enabling: a paused request waits for an answer. The
	// subscription ends with the tab.
	paused := chromedp.Events(s.ctx, fetch.RequestPaused)
	cctx, cancel := joinContext(ctx, s.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(cctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		return err
	}
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			go s.continueRequest(ev.RequestID, withHeaders(ev.Request, header, host))
		}
	}()
	return nil
}

// withHeaders is the request's headers plus header when it goes to host,
// nil (unchanged) otherwise.
func withHeaders(req *network.Request, header map[string]string, host string) []*fetch.HeaderEntry {
	if req == nil {
		return nil
	}
	u, err := url.Parse(req.URL)
	if err != nil || !strings.EqualFold(u.Hostname(), host) {
		return nil
	}
	var out []*fetch.HeaderEntry
	replaced := map[string]bool{}
	for k, v := range header {
		replaced[http.CanonicalHeaderKey(k)] = true
		out = append(out, &fetch.HeaderEntry{Name: k, Value: v})
	}
	for k, v := range req.Headers {
		if !replaced[http.CanonicalHeaderKey(k)] {
			s, _ := v.(string)
			out = append(out, &fetch.HeaderEntry{Name: k, Value: s})
		}
	}
	return out
}

// continueRequest lets a paused request go on, with headers if not nil.
func (s *Session) continueRequest(id fetch.RequestID, headers []*fetch.HeaderEntry) {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id, Headers: headers})
}
