package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/cookiescan/cookiescan/scanner/loginflow"
)

// DefaultStepTimeout bounds a login step without a timeout of its own.
const DefaultStepTimeout = 10 * time.Second

// pollInterval is how often a waiting step looks again.
const pollInterval = 100 * time.Millisecond

// stepRunner replays login steps in one tab. Every response they cause goes
// into rec. It never logs a step's Value: it may be a password.
type stepRunner struct {
	tab  *Session
	rec  *recorder
	base *url.URL // relative Goto URLs resolve against it
}

// errStep is a step that did not do what it says (the site's or the flow's
// fault); any other error means the browser or the context failed.
type errStep struct{ msg string }

func (e *errStep) Error() string { return e.msg }

func stepErrorf(format string, args ...any) error { return &errStep{fmt.Sprintf(format, args...)} }

// run replays steps in order; a Skip step adds its note. It returns the name
// of the step that failed and why.
func (r *stepRunner) run(ctx context.Context, steps []loginflow.Step, notes *[]string) (string, error) {
	for _, st := range steps {
		if st.Kind == loginflow.Skip {
			*notes = append(*notes, st.Name+": "+st.Note)
			continue
		}
		if err := r.step(ctx, st); err != nil {
			return st.Name, err
		}
	}
	return "", nil
}

func (r *stepRunner) step(ctx context.Context, st loginflow.Step) error {
	timeout := st.Timeout
	if timeout <= 0 {
		timeout = DefaultStepTimeout
	}
	sctx, cancel := joinContext(ctx, r.tab.ctx, timeout)
	defer cancel()
	err := r.do(sctx, st, timeout)
	if err != nil && (ctx.Err() != nil || r.tab.ctx.Err() != nil) {
		// Not the step's fault: the scan was cancelled or the browser died.
		if r.tab.ctx.Err() != nil {
			return fmt.Errorf("browser tab gone: %w", errors.Join(err, r.tab.ctx.Err()))
		}
		return ctx.Err()
	}
	return err
}

func (r *stepRunner) do(ctx context.Context, st loginflow.Step, timeout time.Duration) error {
	switch st.Kind {
	case loginflow.Goto:
		return r.gotoURL(ctx, st.URL, timeout)
	case loginflow.Fill:
		obj, err := r.find(ctx, st.Selectors, timeout)
		if err != nil {
			return err
		}
		return r.fill(ctx, obj, st.Value)
	case loginflow.Click:
		obj, err := r.find(ctx, st.Selectors, timeout)
		if err != nil {
			return err
		}
		since, seq := time.Now(), r.rec.navigations()
		if err := r.click(ctx, obj); err != nil {
			return err
		}
		return r.settle(ctx, since, seq)
	case loginflow.Key:
		k, err := keyRune(st.Key)
		if err != nil {
			return err
		}
		since, seq := time.Now(), r.rec.navigations()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(string(k))); err != nil {
			return err
		}
		return r.settle(ctx, since, seq)
	case loginflow.WaitFor:
		_, err := r.find(ctx, st.Selectors, timeout)
		return err
	case loginflow.WaitForURL:
		return r.waitURL(ctx, st.URL, timeout)
	case loginflow.WaitForExpr:
		return r.waitExpr(ctx, st.Expression, timeout)
	}
	return stepErrorf("unknown step kind %q", st.Kind)
}

// gotoURL loads a page; a page that arrived but never finished loading is
// no failure (the next step decides).
func (r *stepRunner) gotoURL(ctx context.Context, raw string, timeout time.Duration) error {
	ref, err := url.Parse(raw)
	if err != nil {
		return stepErrorf("goto %q: %v", raw, err)
	}
	u := r.base.ResolveReference(ref).String()
	committed, _, loadErr, err := r.tab.navigate(ctx, r.rec, u)
	switch {
	case err != nil && ctx.Err() != nil && r.tab.ctx.Err() == nil: // the step's time ran out
		if committed {
			return nil
		}
		return stepErrorf("goto %s: no response within %s", u, timeout)
	case err != nil:
		return err
	case !committed:
		return stepErrorf("goto %s: %s", u, loadErr)
	}
	return nil
}

// settle waits until an action's effects are over: a navigation it started
// has loaded and the network is quiet (at most maxQuietWait after the
// load). Running out of time is no failure.
func (r *stepRunner) settle(ctx context.Context, since time.Time, seq int) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var doneAt time.Time
	for {
		navDone, idle := r.rec.actionState(since, seq, actionQuiet)
		if navDone && doneAt.IsZero() {
			doneAt = time.Now()
		}
		if navDone && (idle || time.Since(doneAt) >= maxQuietWait) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // step() tells a cancelled scan from a slow page
		case <-r.rec.changed:
		case <-tick.C:
		}
	}
}

// find waits until one of the alternative selectors matches an element, tried
// in order, and returns a handle to it.
func (r *stepRunner) find(ctx context.Context, sels []string, timeout time.Duration) (runtime.RemoteObjectID, error) {
	invalid := map[string]string{}
	for {
		for _, sel := range sels {
			if _, bad := invalid[sel]; bad {
				continue
			}
			id, err := r.query(ctx, sel)
			var se *errStep
			switch {
			case errors.As(err, &se):
				invalid[sel] = se.msg
			case err == nil && id != "":
				return id, nil
			}
		}
		select {
		case <-ctx.Done():
			msg := fmt.Sprintf("no element matches %s within %s", quoteList(sels), timeout)
			for _, sel := range sels {
				if why, ok := invalid[sel]; ok {
					msg += fmt.Sprintf("; selector %q is invalid: %s", sel, why)
				}
			}
			return "", &errStep{msg}
		case <-time.After(pollInterval):
		}
	}
}

// query looks sel up once in the main frame. A selector the page cannot
// parse is an errStep; no match is "", nil.
func (r *stepRunner) query(ctx context.Context, sel string) (runtime.RemoteObjectID, error) {
	arg, _ := json.Marshal(sel)
	ctx, cancel := joinContext(ctx, r.tab.ctx, 0)
	defer cancel()
	res, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{
		Expression: "(" + findJS + ")(" + string(arg) + ")", ObjectGroup: "cookiescan", Silent: new(true)})
	if err != nil {
		return "", err // e.g. no execution context during a navigation
	}
	if ex := res.ExceptionDetails; ex != nil {
		text := ex.Text
		if ex.Exception != nil && ex.Exception.Description != "" {
			text = strings.SplitN(ex.Exception.Description, "\n", 2)[0]
		}
		if strings.Contains(text, "SyntaxError") || strings.Contains(text, "not a valid") {
			return "", &errStep{text}
		}
		return "", nil
	}
	if res.Result == nil || res.Result.Subtype != "node" {
		return "", nil
	}
	return res.Result.ObjectID, nil
}

// findJS resolves one selector of a login flow: CSS, or a Recorder prefix.
// aria/ and text/ are approximations of what @puppeteer/replay does (the
// accessible name from aria-label, aria-labelledby, <label>, alt, title,
// placeholder, or the text of a control), preferring controls.
const findJS = `function (sel) {
	const all = (root) => {
		const out = [];
		const walk = (r) => { for (const el of r.querySelectorAll('*')) { out.push(el); if (el.shadowRoot) walk(el.shadowRoot); } };
		walk(root);
		return out;
	};
	const deep = (root, css) => {
		const hit = root.querySelector(css);
		if (hit) return hit;
		for (const el of root.querySelectorAll('*')) {
			if (el.shadowRoot) { const h = deep(el.shadowRoot, css); if (h) return h; }
		}
		return null;
	};
	const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
	const control = 'a[href],button,input,select,textarea,summary,[role],[tabindex],[contenteditable=""],[contenteditable=true]';
	const name = (el) => {
		const by = el.getAttribute('aria-labelledby');
		if (by) return norm(by.split(/\s+/).map(id => { const e = document.getElementById(id); return e ? e.textContent : ''; }).join(' '));
		if (el.hasAttribute('aria-label')) return norm(el.getAttribute('aria-label'));
		if (el.labels && el.labels.length) {
			return norm(Array.from(el.labels, l => {
				const c = l.cloneNode(true);
				for (const f of c.querySelectorAll('input,select,textarea')) f.remove();
				return c.textContent;
			}).join(' '));
		}
		if (el.tagName === 'INPUT' && /^(submit|button|reset)$/i.test(el.type)) return norm(el.value);
		if (el.tagName === 'IMG' || el.tagName === 'AREA') return norm(el.alt);
		if (/^(A|BUTTON|SUMMARY|OPTION|H[1-6])$/.test(el.tagName) || /^(button|link|menuitem|tab|option|heading|checkbox|radio)$/.test(el.getAttribute('role') || '')) {
			const t = norm(el.textContent);
			if (t) return t;
		}
		return norm(el.getAttribute('title') || el.getAttribute('placeholder') || '');
	};
	const role = (el) => {
		const r = el.getAttribute('role');
		if (r) return r;
		const t = el.tagName;
		if (t === 'A' && el.hasAttribute('href')) return 'link';
		if (t === 'BUTTON' || (t === 'INPUT' && /^(submit|button|reset|image)$/i.test(el.type))) return 'button';
		if (t === 'INPUT' && /^(checkbox|radio)$/i.test(el.type)) return el.type.toLowerCase();
		if (t === 'INPUT' || t === 'TEXTAREA') return 'textbox';
		if (t === 'SELECT') return 'combobox';
		if (/^H[1-6]$/.test(t)) return 'heading';
		if (t === 'IMG') return 'img';
		return '';
	};
	if (sel.startsWith('xpath/')) {
		return document.evaluate(sel.slice(6), document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
	}
	if (sel.startsWith('pierce/')) {
		let root = document, hit = null;
		for (const part of sel.slice(7).split(' >>> ')) {
			hit = deep(root, part);
			if (!hit) return null;
			root = hit.shadowRoot || hit;
		}
		return hit;
	}
	if (sel.startsWith('text/')) {
		const want = norm(sel.slice(5));
		let best = null;
		const root = document.body || document.documentElement;
		for (const el of [root, ...all(root)]) { // the body's own text too (Tomcat's "You are logged in as ...")
			if (/^(SCRIPT|STYLE|TEMPLATE)$/.test(el.tagName)) continue;
			if (norm(el.innerText || el.textContent).includes(want)) best = el; // later = deeper
		}
		return best;
	}
	if (sel.startsWith('aria/')) {
		const m = /^(.*?)(?:\[role="([^"]*)"\])?$/.exec(sel.slice(5));
		const want = norm(m[1]), wantRole = m[2];
		const hits = all(document).filter(el => name(el) === want && (!wantRole || role(el) === wantRole));
		return hits.find(el => el.matches(control)) || hits[0] || null;
	}
	return document.querySelector(sel);
}`

// callOn calls fn with this = obj and returns its result by value.
func (r *stepRunner) callOn(ctx context.Context, obj runtime.RemoteObjectID, fn string, args ...any) ([]byte, error) {
	ctx, cancel := joinContext(ctx, r.tab.ctx, 0)
	defer cancel()
	p := runtime.CallFunctionOnParams{FunctionDeclaration: fn, ObjectID: obj, ReturnByValue: new(true), Silent: new(true)}
	for _, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		p.Arguments = append(p.Arguments, &runtime.CallArgument{Value: b})
	}
	res, err := chromedp.Call(ctx, runtime.CallFunctionOn, p)
	if err != nil {
		return nil, err
	}
	if ex := res.ExceptionDetails; ex != nil {
		text := ex.Text
		if ex.Exception != nil && ex.Exception.Description != "" {
			text = strings.SplitN(ex.Exception.Description, "\n", 2)[0]
		}
		return nil, stepErrorf("%s", text)
	}
	if res.Result == nil {
		return nil, nil
	}
	return res.Result.Value, nil
}

// click scrolls the element into view and clicks its centre with the mouse,
// as a user would; an element with no box (hidden) gets a DOM click().
func (r *stepRunner) click(ctx context.Context, obj runtime.RemoteObjectID) error {
	raw, err := r.callOn(ctx, obj, `function () {
	this.scrollIntoView({block: 'center', inline: 'center'});
	const b = this.getBoundingClientRect();
	return [b.left + b.width / 2, b.top + b.height / 2, b.width, b.height];
}`)
	if err != nil {
		return err
	}
	ctx, cancel := joinContext(ctx, r.tab.ctx, 0)
	defer cancel()
	var box []float64
	if json.Unmarshal(raw, &box) != nil || len(box) != 4 || box[2] <= 0 || box[3] <= 0 {
		_, err := r.callOn(ctx, obj, `function () { this.click(); }`)
		return err
	}
	for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
		_, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{
			Type: typ, X: box[0], Y: box[1], Button: input.MouseButtonLeft, ClickCount: 1})
		if err != nil {
			return err
		}
	}
	return nil
}

// fill replaces the value of a form field: it focuses the field, clears it
// and inserts the text as typing would (input events fire), then fires
// change. A <select> gets its value set.
func (r *stepRunner) fill(ctx context.Context, obj runtime.RemoteObjectID, value string) error {
	raw, err := r.callOn(ctx, obj, `function () {
	this.focus();
	if (this.tagName === 'SELECT') return 'select';
	if (this.isContentEditable) {
		const range = document.createRange();
		range.selectNodeContents(this);
		const s = getSelection(); s.removeAllRanges(); s.addRange(range);
		return 'type';
	}
	if ('value' in this) this.value = '';
	return 'type';
}`)
	if err != nil {
		return err
	}
	if string(raw) == `"select"` {
		_, err := r.callOn(ctx, obj, `function (v) {
	this.value = v;
	this.dispatchEvent(new Event('input', {bubbles: true}));
	this.dispatchEvent(new Event('change', {bubbles: true}));
}`, value)
		return err
	}
	if value != "" {
		ctx, cancel := joinContext(ctx, r.tab.ctx, 0)
		defer cancel()
		if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: value}); err != nil {
			return err
		}
	}
	_, err = r.callOn(ctx, obj, `function () { this.dispatchEvent(new Event('change', {bubbles: true})); }`)
	return err
}

// location is the URL of the tab's document, "" when it cannot be read.
func (r *stepRunner) location(ctx context.Context) string {
	ctx, cancel := joinContext(ctx, r.tab.ctx, 0)
	defer cancel()
	res, err := chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{Expression: "location.href", ReturnByValue: new(true)})
	if err != nil || res.Result == nil {
		return ""
	}
	var s string
	_ = json.Unmarshal(res.Result.Value, &s)
	return s
}

// waitURL waits until the document's URL contains want.
func (r *stepRunner) waitURL(ctx context.Context, want string, timeout time.Duration) error {
	for {
		loc := r.location(ctx)
		if strings.Contains(loc, want) {
			return nil
		}
		select {
		case <-ctx.Done():
			return stepErrorf("the page URL (%s) does not contain %q within %s", loc, want, timeout)
		case <-time.After(pollInterval):
		}
	}
}

// waitExpr waits until a JavaScript expression is truthy (promises awaited).
func (r *stepRunner) waitExpr(ctx context.Context, expr string, timeout time.Duration) error {
	last := ""
	cctx, cancel := joinContext(ctx, r.tab.ctx, 0)
	defer cancel()
	for {
		res, err := chromedp.Call(cctx, runtime.Evaluate, runtime.EvaluateParams{
			Expression: "(async () => !!(" + expr + "\n))()", AwaitPromise: new(true), ReturnByValue: new(true), Silent: new(true)})
		if err == nil && res.ExceptionDetails == nil && res.Result != nil && string(res.Result.Value) == "true" {
			return nil
		}
		if err == nil && res.ExceptionDetails != nil {
			last = res.ExceptionDetails.Text
			if e := res.ExceptionDetails.Exception; e != nil && e.Description != "" {
				last = strings.SplitN(e.Description, "\n", 2)[0]
			}
		}
		select {
		case <-ctx.Done():
			msg := fmt.Sprintf("the expression %q is not true within %s", expr, timeout)
			if last != "" {
				msg += " (it throws " + last + ")"
			}
			return &errStep{msg}
		case <-time.After(pollInterval):
		}
	}
}

// keyRune maps a Recorder key name ("Enter", "Tab", "ArrowDown", "a") to the
// rune chromedp's keyboard table knows.
func keyRune(name string) (rune, error) {
	if rs := []rune(name); len(rs) == 1 {
		return rs[0], nil
	}
	for r, k := range kb.Keys {
		if k.Key == name {
			return r, nil
		}
	}
	return 0, stepErrorf("unknown key %q", name)
}

func quoteList(sels []string) string {
	q := make([]string, len(sels))
	for i, s := range sels {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "any of " + strings.Join(q, ", ")
}
