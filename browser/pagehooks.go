package browser

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Page hooks: a script evaluated in every document of the tab before the
// page's own reports, through a binding, what network events cannot show:
//
//   - short timers (setTimeout up to shortTimerMs, the first run of a short
//     setInterval), animation frames, idle callbacks, fetches and reads of
//     response bodies pending and done, so a visit is settled when nothing
//     is in flight and nothing is scheduled to start soon, instead of after
//     a fixed quiet window;
//   - each cookie write: document.cookie = "...", cookieStore.set/delete,
//     with the raw string and the page, so a write Chromium refuses (HttpOnly
//     from script, SameSite=None without Secure) and the lifetime the script
//     asked for are known, and the store need not be read after every page;
//   - at the main frame's load event, whether the document has script and,
//     if it has none, its links: the visit then needs no evaluation of its
//     own for a scriptless page, and one (the links after settling) for a
//     page with script.
//
// The hook takes the binding off the page's global before the page's own
// scripts run, so a page cannot easily call it; what arrives is still site
// data like any other (bounded in the recorder, never trusted beyond
// "activity" and what the page itself could show).

// bindingName is the global the hooks call. It starts with a prefix no page
// uses, and a page that calls it only adds activity or a write row.
const bindingName = "__cookiescanHook"

// shortTimerMs is the longest setTimeout a visit waits for, and the longest
// interval whose first run it waits for: a page that fetches 1 s after load
// (lazy widgets, consent banners) is still recorded; longer timers are not
// waited for, and a page that keeps scheduling is bounded by maxQuietWait.
const shortTimerMs = 2000

var hookScript = `(() => {
const B = globalThis.` + bindingName + `;
if (typeof B !== "function" || globalThis.__cookiescanHooked) return;
Object.defineProperty(globalThis, "__cookiescanHooked", {value: true});
try { delete globalThis.` + bindingName + `; } catch (e) {}
const send = (o) => { try { B(JSON.stringify(o)); } catch (e) {} };
const here = () => { try { return String(location.href); } catch (e) { return ""; } };
const st = globalThis.setTimeout, ct = globalThis.clearTimeout;
const pending = new Set();
// A short timeout, and a short interval until its first run, is pending
// until one task after its callback: a request the callback started (even
// one whose start is itself a task) is then announced first, in this
// renderer's order, so no wall-clock window has to cover it. An interval's
// later runs do not hold the visit: a page that writes a cookie every
// second has written it once when the visit settles.
const short = (native) => function (fn, ms, ...args) {
	const d = Number(ms) || 0;
	if (typeof fn !== "function" || d > ` + strconv.Itoa(shortTimerMs) + `) return native.call(this, fn, ms, ...args);
	let id;
	id = native.call(this, function () {
		try { return fn.apply(this, args); }
		finally { if (pending.delete(id)) st(() => send({k: "t", n: -1}), 0); }
	}, ms);
	pending.add(id);
	send({k: "t", n: 1});
	return id;
};
// Timeouts and intervals share one id space: either clear ends either.
const clear = (native) => function (id) {
	if (pending.delete(id)) send({k: "t", n: -1});
	return native.call(this, id);
};
globalThis.setTimeout = short(st);
globalThis.clearTimeout = clear(ct);
const si = globalThis.setInterval, ci = globalThis.clearInterval;
if (typeof si === "function" && typeof ci === "function") {
	globalThis.setInterval = short(si);
	globalThis.clearInterval = clear(ci);
}
// An animation frame or idle callback requested outside another one's
// callback is pending until one task after it runs; one requested inside
// (an animation loop, a chain of idle work) is not, or a page that
// animates would never settle. Frames only in a visible top document: a
// hidden one, or an iframe that is not displayed, gets none.
const later = (request, cancel) => {
	const req = globalThis[request], can = globalThis[cancel];
	if (typeof req !== "function" || typeof can !== "function") return;
	const frames = request === "requestAnimationFrame";
	const waiting = new Set();
	let inside = false;
	globalThis[request] = function (fn, ...rest) {
		if (typeof fn !== "function") return req.call(this, fn, ...rest);
		const tracked = !inside && (!frames || (globalThis.top === globalThis && document.visibilityState === "visible"));
		let id;
		id = req.call(this, function (...a) {
			const was = inside;
			inside = true;
			try { return fn.apply(this, a); }
			finally { inside = was; if (waiting.delete(id)) st(() => send({k: "t", n: -1}), 0); }
		}, ...rest);
		if (tracked) { waiting.add(id); send({k: "t", n: 1}); }
		return id;
	};
	globalThis[cancel] = function (id) {
		if (waiting.delete(id)) send({k: "t", n: -1});
		return can.call(this, id);
	};
};
try { later("requestAnimationFrame", "cancelAnimationFrame"); later("requestIdleCallback", "cancelIdleCallback"); } catch (e) {}
// A fetch and each read of a response body are pending until one task
// after their promise settles: the page's own handlers of the result (a
// cookie write, the next request) run first, as they are attached to the
// promise returned, which settles as the native one does (a rejection the
// page does not handle is still reported unhandled). A body that is never
// read does not hold the visit.
const track = (p) => {
	let done = false;
	const end = () => { if (!done) { done = true; st(() => send({k: "t", n: -1}), 0); } };
	send({k: "t", n: 1});
	try { return p.then((v) => { end(); return v; }, (e) => { end(); throw e; }); } catch (e) { end(); return p; }
};
try {
	const F = globalThis.fetch;
	if (typeof F === "function") globalThis.fetch = function fetch(...a) { return track(F.apply(this, a)); };
	const R = globalThis.Response && Response.prototype;
	if (R) for (const m of ["json", "text", "arrayBuffer", "blob", "formData", "bytes"]) {
		const f = R[m];
		if (typeof f === "function") R[m] = {[m](...a) { return track(f.apply(this, a)); }}[m];
	}
} catch (e) {}
try {
	const d = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
	if (d && d.set) Object.defineProperty(Document.prototype, "cookie", {
		configurable: true, enumerable: d.enumerable,
		get() { return d.get.call(this); },
		set(v) { send({k: "c", v: String(v), u: here()}); return d.set.call(this, v); },
	});
} catch (e) {}
try {
	const cs = globalThis.cookieStore;
	if (cs && typeof cs.set === "function") {
		const set = cs.set.bind(cs), del = cs.delete.bind(cs);
		cs.set = function (a, b) {
			const o = typeof a === "object" && a !== null ? a : {name: a, value: b};
			send({k: "s", v: JSON.stringify(o), u: here()});
			return set(a, b);
		};
		cs.delete = function (a) {
			const o = typeof a === "object" && a !== null ? a : {name: a};
			send({k: "d", v: JSON.stringify(o), u: here()});
			return del(a);
		};
	}
} catch (e) {}
if (globalThis.top === globalThis) addEventListener("load", () => {
	try {
		const none = ` + scriptlessJS + `;
		send({k: "l", s: none, a: none ? (` + anchorsJS + `)() : null});
	} catch (e) {}
}, {once: true});
})();`

// scriptlessJS is true for a document with no <script>, no inline event
// handler, no iframe or meta refresh that could load more.
const scriptlessJS = `document.scripts.length === 0 && !document.querySelector("iframe,frame,object,embed,meta[http-equiv=refresh i],[onload],[onerror],[onclick],[onmouseover],[onfocus]")`

// hookEvent is one report of the hooks.
type hookEvent struct {
	// t: timer count change; c: document.cookie write; s/d: cookieStore
	// set/delete; l: the main frame's load event.
	Kind  string   `json:"k"`
	N     int      `json:"n"`
	Value string   `json:"v"`
	URL   string   `json:"u"`
	None  bool     `json:"s"` // l: the document is scriptless
	Links []Anchor `json:"a"` // l: its links, when scriptless
}

func parseHook(payload string) (hookEvent, bool) {
	var ev hookEvent
	if len(payload) > maxHookBytes || json.Unmarshal([]byte(payload), &ev) != nil {
		return hookEvent{}, false
	}
	if ev.Kind != "l" && len(payload) > maxWriteBytes {
		return hookEvent{}, false
	}
	return ev, true
}

// maxHookBytes bounds a load report (a scriptless page's links); a page
// with more links than that is inspected by an evaluation instead.
const maxHookBytes = 1 << 20

// maxWriteBytes bounds one reported write: Chromium itself refuses a cookie
// line over 4096 bytes of name and value, so more is no cookie.
const maxWriteBytes = 16 << 10

// installHooks makes every new document of the tab run hookScript.
func installHooks(ctx context.Context) error {
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: bindingName}); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: hookScript})
	return err
}
