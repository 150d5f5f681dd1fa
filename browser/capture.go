package browser

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
)

// Visit is what one navigation showed.
type Visit struct {
	URL      string // as asked
	FinalURL string // of the last main-frame document (or the last one tried)
	Status   int    // of that document; 0 when none arrived
	// Responses holds every response of the visit in arrival order: redirect
	// hops, the documents, subresources, XHR and fetch.
	Responses []Response
	Links     []string // absolute hrefs of <a> on the final document
	Anchors   []Anchor // the same links with their text, in document order
	Error     string   // why the page did not load (net::ERR_…), "" on success
	// Scriptless: the document had no script at its load event, so nothing
	// but the recorded responses can have changed the cookie store.
	Scriptless bool
	// Writes are the cookie writes of the page's script, in order.
	Writes []CookieWrite
	// Busy: the page still had work pending (requests, timers, frames)
	// when its wait after the load event reached maxQuietWait.
	Busy bool
}

// CookieWrite is one cookie write by script, as the script made it.
type CookieWrite struct {
	API      string // document.cookie, cookieStore.set or cookieStore.delete
	Value    string // the string assigned (document.cookie) or the options as JSON (cookieStore)
	FrameURL string // the document that wrote it
	At       time.Time
}

// Anchor is one link of a document.
type Anchor struct {
	URL  string `json:"url"`  // absolute
	Text string `json:"text"` // visible text (or aria-label, title), trimmed
}

// Response is one HTTP response, one hop of a redirect chain included.
type Response struct {
	RequestID string // shared by every hop of a redirect chain
	URL       string
	Type      string // Document, XHR, Fetch, Script, Stylesheet, Image, Other…
	Status    int
	Redirect  bool // a 3xx hop (or Chromium's internal 307) of a chain
	MainFrame bool // a document of the top-level frame, not of an iframe
	// SetCookies holds the raw Set-Cookie lines as received, one per cookie;
	// only Network.responseReceivedExtraInfo carries them reliably.
	SetCookies []string
	Blocked    []BlockedCookie   // lines Chromium refused to store
	HSTS       []string          // Strict-Transport-Security fields as received
	Headers    map[string]string // lower-cased names; repeated fields joined by "\n"

	at time.Time // when its Set-Cookie lines arrived (script-cookie attribution)
}

// BlockedCookie is a Set-Cookie line Chromium refused, with the protocol's
// reason names (SameSiteNoneInsecure, InvalidPrefix, SecureOnly…).
type BlockedCookie struct {
	Line    string
	Reasons []string
}

// recorder turns one visit's protocol events into Responses. It runs inside
// chromedp's read loop (see Listen), so onEvent only updates state under a
// lock and never calls the browser.
//
// Correlation is by requestId, buffered both ways: a redirect chain keeps one
// requestId; each hop's response comes as RedirectResponse of the next
// requestWillBeSent (the last as responseReceived); each hop that has raw
// headers gets one responseReceivedExtraInfo, in hop order, but that event may
// come before or after the hop it belongs to. So the n-th ExtraInfo of a
// request belongs to its n-th hop that announced one (hasExtraInfo).
type recorder struct {
	mainFrame string

	mu        sync.Mutex
	responses []*Response
	reqs      map[string]*request
	order     []string        // request ids, first seen first
	inflight  map[string]bool // requests still waiting for their response
	// bodies: requests whose body runs page code (see runsCode), until
	// loadingFinished or loadingFailed. A fetch is not among them: its
	// body may never be read, and the page hooks report its promises.
	bodies    map[string]bool
	lastEvent time.Time
	loaded    map[string]bool // loader ids whose main-frame "load" fired
	rejected  []certNote      // certificate errors cancelled during the visit
	changed   chan struct{}   // poked after each event; capacity 1

	// timers are the short timers the page hooks report pending, per
	// execution context; writes the cookie writes they report.
	timers    map[runtime.ExecutionContextID]int
	scheduled int // how many times the hooks reported something pending
	// contexts maps the unique ids of the contexts created during the
	// visit to their ids: a destroyed one is named by its unique id.
	contexts map[string]runtime.ExecutionContextID
	writes   []CookieWrite
	// doc is the main frame's latest load report (nil: none yet).
	doc *loadedDoc

	// Main-frame navigations, for waiting after a click or a key press:
	// navSeq counts them, navLoader is the latest one's loader id (the
	// request id of a navigation), navFailed holds loaders that failed.
	navSeq    int
	navLoader string
	navFailed map[string]bool

	crashed bool // the tab's renderer died (Inspector.targetCrashed)
	busy    bool // settling ended at maxQuietWait (Visit.Busy)
}

type request struct {
	url       string // latest URL of the chain
	typ       string
	mainFrame bool
	awaiting  []*Response // hops that announced an ExtraInfo not yet matched
	extras    []*network.EventResponseReceivedExtraInfo
	// hops counts requestWillBeSent events (one per hop of a chain),
	// extrasSeen the ExtraInfo events, matched or not.
	hops, extrasSeen int
}

type certNote struct{ url, text string }

func newRecorder(mainFrame string) *recorder {
	return &recorder{
		mainFrame: mainFrame,
		reqs:      map[string]*request{},
		inflight:  map[string]bool{},
		bodies:    map[string]bool{},
		loaded:    map[string]bool{},
		navFailed: map[string]bool{},
		timers:    map[runtime.ExecutionContextID]int{},
		contexts:  map[string]runtime.ExecutionContextID{},
		lastEvent: time.Now(),
		changed:   make(chan struct{}, 1),
	}
}

func (r *recorder) onEvent(ev any) {
	r.mu.Lock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		q := r.request(string(ev.RequestID))
		if q.typ == "" {
			q.typ = string(ev.Type)
		}
		if ev.Type == network.ResourceTypeDocument && string(ev.FrameID) == r.mainFrame {
			q.mainFrame = true
			if ev.RedirectResponse == nil {
				r.navSeq++
				r.navLoader = string(ev.LoaderID)
				clear(r.timers) // the old document's timers die with it
			}
		}
		if ev.RedirectResponse != nil {
			hop := r.add(string(ev.RequestID), q, ev.RedirectResponse)
			hop.Redirect = true
			if ev.RedirectHasExtraInfo {
				q.awaiting = append(q.awaiting, hop)
			}
		}
		if ev.Request != nil {
			q.url = ev.Request.URL
		}
		q.hops++
		if q.extrasSeen < q.hops {
			r.inflight[string(ev.RequestID)] = true
		}
		// A worker's script has no loader, and its loadingFinished goes
		// to the worker's own target: it is not waited for.
		if runsCode[ev.Type] && ev.LoaderID != "" {
			r.bodies[string(ev.RequestID)] = true
		}
		q.match()
	case *network.EventResponseReceived:
		// The headers are what we record: a body still streaming (or
		// never read, as a fire-and-forget fetch's is, which then never
		// finishes) does not keep the visit waiting.
		delete(r.inflight, string(ev.RequestID))
		if ev.Response != nil && endless(ev.Response.MimeType) {
			delete(r.bodies, string(ev.RequestID)) // e.g. a camera's MJPEG image
		}
		q := r.reqs[string(ev.RequestID)]
		if q == nil || q.url == "" {
			break // a request of the page before this visit
		}
		if ev.Type != "" {
			q.typ = string(ev.Type)
		}
		hop := r.add(string(ev.RequestID), q, ev.Response)
		if ev.HasExtraInfo {
			q.awaiting = append(q.awaiting, hop)
		}
		q.match()
	case *network.EventResponseReceivedExtraInfo:
		q := r.request(string(ev.RequestID))
		q.extras = append(q.extras, ev)
		q.extrasSeen++
		if q.extrasSeen >= q.hops {
			// Every hop's raw headers are in, and they are what we record.
			// Some requests never get their responseReceived (a favicon
			// fetched for the tab by the browser): without this rule they
			// would hold the visit until maxQuietWait. fill keeps an
			// unmatched ExtraInfo as a response.
			delete(r.inflight, string(ev.RequestID))
		}
		q.match()
	case *network.EventLoadingFinished:
		delete(r.inflight, string(ev.RequestID))
		delete(r.bodies, string(ev.RequestID))
	case *network.EventLoadingFailed:
		delete(r.inflight, string(ev.RequestID))
		delete(r.bodies, string(ev.RequestID))
		if q := r.reqs[string(ev.RequestID)]; q != nil && q.mainFrame {
			r.navFailed[string(ev.RequestID)] = true
		}
	case *page.EventLifecycleEvent:
		// Paint and the other lifecycle events are no network activity:
		// only the main frame's load matters.
		if string(ev.FrameID) != r.mainFrame || ev.Name != "load" {
			r.mu.Unlock()
			return
		}
		r.loaded[string(ev.LoaderID)] = true
	case *runtime.EventBindingCalled:
		if ev.Name != bindingName || !r.hook(ev) {
			r.mu.Unlock()
			return
		}
	case *runtime.EventExecutionContextsCleared:
		// The document is gone with its timers, and the requests whose
		// body would have run its code.
		clear(r.timers)
		clear(r.bodies)
	case *runtime.EventExecutionContextCreated:
		if ev.Context != nil {
			r.contexts[ev.Context.UniqueID] = ev.Context.ID
		}
	case *runtime.EventExecutionContextDestroyed:
		// An iframe that navigated or was removed: what it had pending
		// will never report done.
		if id, ok := r.contexts[ev.ExecutionContextUniqueID]; ok {
			delete(r.timers, id)
			delete(r.contexts, ev.ExecutionContextUniqueID)
		}
	case *inspector.EventTargetCrashed:
		r.crashed = true
	default:
		r.mu.Unlock()
		return
	}
	r.lastEvent = time.Now()
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *recorder) request(id string) *request {
	q := r.reqs[id]
	if q == nil {
		q = &request{}
		r.reqs[id] = q
		r.order = append(r.order, id)
	}
	return q
}

// add appends a hop's response; raw headers may still come from ExtraInfo.
func (r *recorder) add(id string, q *request, resp *network.Response) *Response {
	if resp == nil {
		resp = &network.Response{}
	}
	h := &Response{
		RequestID: id,
		URL:       resp.URL,
		Type:      q.typ,
		Status:    int(resp.Status),
		MainFrame: q.mainFrame,
		Headers:   map[string]string{},
	}
	mergeHeaders(h, resp.Headers)
	r.responses = append(r.responses, h)
	return h
}

// match pairs hops and ExtraInfo events in order.
func (q *request) match() {
	for len(q.awaiting) > 0 && len(q.extras) > 0 {
		applyExtra(q.awaiting[0], q.extras[0])
		q.awaiting, q.extras = q.awaiting[1:], q.extras[1:]
	}
}

// applyExtra adds the raw headers and the refused cookies of ei to h.
func applyExtra(h *Response, ei *network.EventResponseReceivedExtraInfo) {
	raw := make(network.Headers, len(ei.Headers))
	for k, v := range ei.Headers {
		if s, ok := v.(string); ok {
			v = headerBytes(s)
		}
		raw[k] = v
	}
	mergeHeaders(h, raw)
	for _, b := range ei.BlockedCookies {
		bc := BlockedCookie{Line: b.CookieLine}
		for _, reason := range b.BlockedReasons {
			bc.Reasons = append(bc.Reasons, string(reason))
		}
		h.Blocked = append(h.Blocked, bc)
	}
}

// mergeHeaders overlays hdr (raw headers win, as they come last) and derives
// the Set-Cookie and HSTS lists from the result.
func mergeHeaders(h *Response, hdr network.Headers) {
	for k, v := range hdr {
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		h.Headers[strings.ToLower(k)] = s
	}
	h.SetCookies = splitLines(h.Headers["set-cookie"])
	if len(h.SetCookies) > 0 && h.at.IsZero() {
		h.at = time.Now()
	}
	h.HSTS = splitLines(h.Headers["strict-transport-security"])
}

// headerBytes undoes how DevTools hands raw header values over: each byte
// decoded as windows-1252, so the UTF-8 bytes of "é" arrive as "Ã©". A value
// holding a character that decoding cannot have produced is kept as it is.
func headerBytes(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		ascii = ascii && s[i] < 0x80
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch c, ok := cp1252[r]; {
		case r < 0x100:
			b = append(b, byte(r))
		case ok:
			b = append(b, c)
		default:
			return s
		}
	}
	return string(b)
}

// cp1252 maps the characters windows-1252 gives bytes 0x80-0x9F back to them.
var cp1252 = map[rune]byte{
	'\u20AC': 0x80, '\u201A': 0x82, '\u0192': 0x83, '\u201E': 0x84, '\u2026': 0x85, '\u2020': 0x86, '\u2021': 0x87,
	'\u02C6': 0x88, '\u2030': 0x89, '\u0160': 0x8A, '\u2039': 0x8B, '\u0152': 0x8C, '\u017D': 0x8E, '\u2018': 0x91,
	'\u2019': 0x92, '\u201C': 0x93, '\u201D': 0x94, '\u2022': 0x95, '\u2013': 0x96, '\u2014': 0x97, '\u02DC': 0x98,
	'\u2122': 0x99, '\u0161': 0x9A, '\u203A': 0x9B, '\u0153': 0x9C, '\u017E': 0x9E, '\u0178': 0x9F,
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// rejectCert notes a certificate error the session cancelled.
func (r *recorder) rejectCert(url, text string) {
	r.mu.Lock()
	r.rejected = append(r.rejected, certNote{url, text})
	r.mu.Unlock()
}

// state reports whether the main frame's load fired for loaderID and whether
// the page is idle: no request in flight or waiting for its raw headers, no
// short timer pending, and no event for quiet.
func (r *recorder) state(loaderID string, quiet time.Duration) (loaded, idle bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loaded[loaderID], len(r.inflight) == 0 && len(r.bodies) == 0 && !r.awaitingExtra() && !r.timersPending() && time.Since(r.lastEvent) >= quiet
}

// markBusy notes that settling ended at maxQuietWait with work pending.
func (r *recorder) markBusy() {
	r.mu.Lock()
	r.busy = true
	r.mu.Unlock()
}

// endless reports whether a response of this type streams without end: its
// loadingFinished never comes.
func endless(mime string) bool {
	mime = strings.ToLower(mime)
	return strings.HasPrefix(mime, "multipart/") || mime == "text/event-stream"
}

// runsCode are the resource types whose loaded body runs page code that can
// write a cookie or start a request: a script, an image's or a stylesheet's
// onload, an XHR's handlers. Under load their code ran well after the
// response's headers, beyond any quiet margin. Not a document: a cross-site
// iframe's loadingFinished goes to its own target, not to the tab's.
var runsCode = map[network.ResourceType]bool{
	network.ResourceTypeScript:     true,
	network.ResourceTypeImage:      true,
	network.ResourceTypeStylesheet: true,
	network.ResourceTypeFont:       true,
	network.ResourceTypeXHR:        true,
}

func (r *recorder) timersPending() bool {
	for _, n := range r.timers {
		if n > 0 {
			return true
		}
	}
	return false
}

// maxWrites bounds the cookie writes one visit records: a page that writes
// in a loop is reported by its first writes, not by all of them.
const maxWrites = 500

// hook applies one report of the page hooks; false if it was not one.
func (r *recorder) hook(ev *runtime.EventBindingCalled) bool {
	h, ok := parseHook(ev.Payload)
	if !ok {
		return false
	}
	switch h.Kind {
	case "t":
		r.timers[ev.ExecutionContextID] = max(0, r.timers[ev.ExecutionContextID]+h.N)
		if h.N > 0 {
			r.scheduled++
		}
	case "l":
		r.doc = &loadedDoc{Scriptless: h.None, Anchors: h.Links}
		if !h.None {
			r.doc.Anchors = nil
		}
	case "c", "s", "d":
		if len(r.writes) < maxWrites {
			r.writes = append(r.writes, CookieWrite{API: hookAPI[h.Kind], Value: h.Value, FrameURL: h.URL, At: time.Now()})
		}
	default:
		return false
	}
	return true
}

// loadReport is what the page hooks reported at the main frame's load
// event; ok is false when no report came.
func (r *recorder) loadReport() (doc loadedDoc, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.doc == nil {
		return loadedDoc{}, false
	}
	return *r.doc, true
}

var hookAPI = map[string]string{"c": "document.cookie", "s": "cookieStore.set", "d": "cookieStore.delete"}

// awaitingExtra is true while a response that announced raw headers (its
// Set-Cookie lines) has not received them: they may come after the response.
func (r *recorder) awaitingExtra() bool {
	for _, q := range r.reqs {
		if len(q.awaiting) > 0 {
			return true
		}
	}
	return false
}

// actionState reports, for an action (a click, a key press) made at since
// when navSeq was seq, whether a main-frame navigation the action started (if
// any) reached its load event or failed, and whether the network has been
// quiet for quiet since the action.
func (r *recorder) actionState(since time.Time, seq int, quiet time.Duration) (navDone, idle bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := r.lastEvent
	if since.After(last) {
		last = since
	}
	navDone = r.navSeq == seq || r.loaded[r.navLoader] || r.navFailed[r.navLoader]
	return navDone, len(r.inflight) == 0 && time.Since(last) >= quiet
}

// waitQuiet waits until no request is in flight or awaits its raw headers and
// no event came for quiet, at most max.
func (r *recorder) waitQuiet(ctx context.Context, quiet, max time.Duration) {
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	tick := time.NewTicker(quiet / 2)
	defer tick.Stop()
	for {
		r.mu.Lock()
		idle := len(r.inflight) == 0 && !r.awaitingExtra() && time.Since(r.lastEvent) >= quiet
		r.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-r.changed:
		case <-tick.C:
		}
	}
}

// documentArrived reports whether a main-frame document (not a redirect)
// answered during the visit.
func (r *recorder) documentArrived() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.responses {
		if h.MainFrame && !h.Redirect && h.Status != 0 {
			return true
		}
	}
	return false
}

// hasCrashed reports whether the tab's renderer died during the visit.
func (r *recorder) hasCrashed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.crashed
}

// navigations is the number of main-frame navigations seen so far.
func (r *recorder) navigations() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.navSeq
}

// certError is the reason a main-frame request was refused for its
// certificate, "" if none was.
func (r *recorder) certError() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.rejected {
		for _, q := range r.reqs {
			if q.mainFrame && q.url == n.url {
				return n.text
			}
		}
	}
	return ""
}

// fill copies what was recorded into v.
func (r *recorder) fill(v *Visit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v.Busy = r.busy
	// ExtraInfo that never met its hop (the hop never arrived, e.g. the load
	// was cut off) still carries Set-Cookie evidence: keep it as a response.
	for _, id := range r.order {
		q := r.reqs[id]
		for _, ei := range q.extras {
			if q.url == "" {
				continue
			}
			h := &Response{RequestID: id, URL: q.url, Type: q.typ, Status: int(ei.StatusCode),
				Redirect: ei.StatusCode >= 300 && ei.StatusCode < 400, MainFrame: q.mainFrame, Headers: map[string]string{}}
			applyExtra(h, ei)
			r.responses = append(r.responses, h)
		}
		q.extras = nil
	}
	v.Writes = append([]CookieWrite(nil), r.writes...)
	v.Responses = make([]Response, 0, len(r.responses))
	for _, h := range r.responses {
		c := *h
		c.Headers = make(map[string]string, len(h.Headers))
		for k, val := range h.Headers {
			c.Headers[k] = val
		}
		v.Responses = append(v.Responses, c)
		if c.MainFrame && !c.Redirect {
			v.FinalURL, v.Status = c.URL, c.Status
		}
	}
	if v.FinalURL == "" {
		// Nothing arrived for the page: report the last URL it tried.
		for _, id := range r.order {
			if q := r.reqs[id]; q.mainFrame && q.url != "" {
				v.FinalURL = q.url
			}
		}
	}
}
