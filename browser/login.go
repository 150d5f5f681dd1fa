package browser

import (
	"context"
	"errors"
	"time"

	"github.com/cookiescan/cookiescan/scanner/loginflow"
	"github.com/cookiescan/cookiescan/scanner/observe"
)

// successWait bounds the success check after the last step: the flow's own
// waits should have done the waiting.
const successWait = 3 * time.Second

// login replays the flow's steps in the first tab; every response on the way
// is phase "login". It returns the URL the login ended on and whether the
// success check passed. A failed step is no scan error: LoginResult says
// which step and why, and the scan goes on logged out.
func (s *scan) login(ctx context.Context, flow *loginflow.Flow) (string, bool) {
	res := &observe.LoginResult{}
	s.mu.Lock()
	s.out.Login = res
	s.mu.Unlock()
	s.progress("login")
	if s.tabs[0].Broken() {
		s.renew(ctx, 0)
	}
	tab := s.tabs[0]
	final, failed, err := s.replay(ctx, tab, flow.Steps, observe.Login, &res.Notes, func(ctx context.Context, r *stepRunner) error {
		return checkSuccess(ctx, r, flow.Success)
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	res.FinalURL = final
	if err != nil {
		res.FailedStep, res.Error = failed, err.Error()
		return final, false
	}
	res.OK = true
	return final, true
}

// logout goes back to the page the login ended on (unless the steps start
// with a goto) and replays the logout steps; then it keeps the store as
// Stored["logout"].
func (s *scan) logout(ctx context.Context, steps []loginflow.Step, from string) {
	if s.stopped(ctx) {
		return
	}
	s.progress("logout")
	if steps[0].Kind != loginflow.Goto {
		steps = append([]loginflow.Step{{Kind: loginflow.Goto, URL: from, Name: "return to " + from}}, steps...)
	}
	var notes []string
	final, failed, err := s.replay(ctx, s.tabs[0], steps, observe.PostLogin, &notes, nil)
	res := &observe.LogoutResult{OK: err == nil}
	s.mu.Lock()
	if err != nil {
		res.Error = failed + ": " + err.Error()
		s.out.Errors = append(s.out.Errors, observe.Error{Stage: "login", URL: final, Message: "logout failed at " + res.Error})
	}
	s.out.Logout = res
	s.mu.Unlock()
	s.snapshot(ctx, PhaseLogout, observe.PostLogin, final)
}

// replay runs steps (then check, if given) in tab, records their responses
// under phase and looks for script cookies. It returns the final URL, and
// the failed step's name and error. A browser failure also fails the scan.
func (s *scan) replay(ctx context.Context, tab *Session, steps []loginflow.Step, phase string, notes *[]string,
	check func(context.Context, *stepRunner) error) (final, failed string, err error) {
	tab.visitMu.Lock()
	defer tab.visitMu.Unlock()
	rec, stop, err := tab.watch()
	if err != nil {
		s.fail(err)
		return "", "", err
	}
	r := &stepRunner{tab: tab, rec: rec, base: s.start}
	failed, err = r.run(ctx, steps, notes)
	if err == nil && check != nil {
		failed, err = "success check", check(ctx, r)
		if err != nil && tab.ctx.Err() != nil {
			err = errors.Join(errors.New("browser tab gone"), err, tab.ctx.Err())
		} else if err != nil && ctx.Err() != nil {
			err = ctx.Err()
		}
	}
	lctx, cancel := joinContext(ctx, tab.ctx, 5*time.Second)
	final = r.location(lctx)
	cancel()
	stop()
	var v Visit
	rec.fill(&v)
	if final == "" {
		final = v.FinalURL
	}
	s.record(phase, final, 0, v.Responses, nil)
	s.noteWrites(phase, final, v.Writes)
	var se *errStep
	if err != nil && !errors.As(err, &se) {
		s.fail(err) // the browser died or ctx ended
		return final, failed, err
	}
	s.checkStore(ctx, tab, phase, final, 0)
	return final, failed, err
}

// checkSuccess tells whether the login worked: the success selector is on
// the page, and the URL contains the success URL.
func checkSuccess(ctx context.Context, r *stepRunner, c loginflow.Check) error {
	cctx, cancel := joinContext(ctx, r.tab.ctx, successWait)
	defer cancel()
	if c.Selector != "" {
		if _, err := r.find(cctx, []string{c.Selector}, successWait); err != nil {
			var se *errStep
			if errors.As(err, &se) {
				return stepErrorf("the success selector %q is not on the page after login (%s)", c.Selector, r.location(ctx))
			}
			return err
		}
	}
	if c.URL != "" {
		if err := r.waitURL(cctx, c.URL, successWait); err != nil {
			return err
		}
	}
	return nil
}
