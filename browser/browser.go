// Package browser drives a headless Chromium over the DevTools protocol and
// reports what a page load did — every response with its raw Set-Cookie lines,
// the cookies Chromium refused, the cookies it stored — as plain Go values.
// Crawler builds the scanner's crawl on it: breadth first through a site,
// through a login flow and out again, and a proof over plain HTTP.
//
// It is the only package that imports chromedp and cdproto; no type of theirs
// leaves it, so a chromedp upgrade touches this folder only and callers can
// hand in a fake.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/cookiescan/cookiescan/scanner/proxy"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// ErrNotFound means no Chromium or Chrome executable was found.
var ErrNotFound = errors.New("no Chromium or Chrome executable found: install one with `apt-get install -y chromium` or give its path with --chrome")

// DefaultPageTimeout bounds one Visit when Options.PageTimeout is zero. It is
// also the default of scan --page-timeout and a monitor target's pageTimeout
// (scanner/spec reads it from here): one default, not one per caller.
const DefaultPageTimeout = 20 * time.Second

// DefaultStartTimeout bounds Start when Options.StartTimeout is zero. Chromium
// answers within a few seconds even on a loaded machine; an executable that
// is not a browser (or a wrapper that hangs) would otherwise hang the scan.
const DefaultStartTimeout = 30 * time.Second

// Options configures Start.
type Options struct {
	// ExecPath is the browser executable (--chrome); default: the first of
	// chromium, chromium-browser, google-chrome, google-chrome-stable on PATH.
	ExecPath string
	// BrowserURL attaches to a running browser (ws://…) instead of starting one.
	BrowserURL string
	// CAPEM is a private CA to trust in addition to the system roots. See
	// certs.go for how (Chromium has no per-process way to add a root); with
	// BrowserURL the check dials the site from this machine.
	CAPEM []byte
	// Insecure continues past every certificate error, as --insecure asks:
	// the scan's probe still reports the certificate, the crawl goes on.
	Insecure bool
	// HostResolverRules is passed to --host-resolver-rules, e.g.
	// "MAP *.test 127.0.0.1". The CA check dials through the same rules.
	HostResolverRules string
	// PageTimeout bounds one Visit; default DefaultPageTimeout.
	PageTimeout time.Duration
	// Scope refuses requests to addresses it does not allow (see
	// scanner/scope); the zero value is scope.Site.
	Scope scope.Scope
	// Proxy is the forward proxy Chromium takes (--proxy-server and its
	// bypass list): the same as the probe's. Loopback is never proxied.
	Proxy proxy.Config
	// StartTimeout bounds Start until the browser answers on its DevTools
	// endpoint; default DefaultStartTimeout.
	StartTimeout time.Duration
}

// Browser is one running (or attached) browser. Sessions share its process and
// nothing else.
type Browser struct {
	opts    Options
	trust   *trust // nil without CAPEM or Insecure
	version string
	dir     string // profile and config of a browser we launched

	allocCancel context.CancelFunc
	ctx         context.Context // the chromedp browser context
	cancel      context.CancelFunc

	// pristine is the tab Chromium opened at launch, in the default
	// browser context of a brand-new profile: the first NewSession takes it
	// (its renderer is already up, where a new context must start one).
	// Empty once taken, and for an attached browser, whose default context
	// is not ours to use.
	pristineMu sync.Mutex
	pristine   target.ID

	// closing tracks the browser contexts and tabs being closed in the
	// background (Session.Close does not wait for Chromium); none is
	// added once closed is set.
	closingMu sync.Mutex
	closed    bool
	closing   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Start launches Chromium (or attaches to Options.BrowserURL). ctx bounds the
// start only: the browser lives until Close, as a net.Conn outlives the
// context of its dial.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	if opts.PageTimeout <= 0 {
		opts.PageTimeout = DefaultPageTimeout
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	b := &Browser{opts: opts}
	if len(opts.CAPEM) > 0 || opts.Insecure {
		t, err := newTrust(opts.CAPEM, opts.HostResolverRules, opts.Insecure)
		if err != nil {
			return nil, err
		}
		t.proxy = opts.Proxy
		b.trust = t
	}

	// The browser's life must not hang on ctx: chromedp ties the process to
	// the context of the first call, so root everything in Background.
	var allocCtx context.Context
	var execPath string
	if opts.BrowserURL != "" {
		if opts.HostResolverRules != "" {
			return nil, errors.New("start browser: host resolver rules need a browser we launch, not --browser-url")
		}
		if opts.Proxy.Enabled() {
			return nil, errors.New("start browser: a proxy needs a browser we launch, not --browser-url (give the browser its proxy where it runs)")
		}
		allocCtx, b.allocCancel = remote.NewAllocator(context.Background(), opts.BrowserURL)
	} else {
		path, err := findExec(opts.ExecPath)
		if err != nil {
			return nil, err
		}
		if _, _, err := opts.Proxy.ChromiumFlags(); err != nil {
			return nil, fmt.Errorf("start browser: %w", err)
		}
		execPath = path
		// One fresh directory per browser holds its profile and config;
		// Close kills every process that mentions it, then removes it.
		// Making it sweeps those whose owner died (browserdir.go).
		if b.dir, err = newBrowserDir(); err != nil {
			return nil, fmt.Errorf("start browser: %w", err)
		}
		allocCtx, b.allocCancel = chromedp.NewExecAllocator(context.Background(), allocatorOptions(path, b.dir, opts)...)
	}
	b.ctx, b.cancel = chromedp.NewContext(allocCtx)

	var version string
	startCtx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	err := bounded(startCtx, func() error {
		if err := chromedp.Do(b.ctx); err != nil {
			return err
		}
		v, err := chromedp.CallBrowser(b.ctx, cdpbrowser.GetVersion, cdp.Empty{})
		version = v.Product
		return err
	})
	if err != nil {
		b.Close()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			// Our own deadline, not the caller's: say what did not happen.
			err = fmt.Errorf("no answer on its DevTools endpoint within %s", opts.StartTimeout)
			if opts.BrowserURL == "" {
				err = fmt.Errorf("%s: %w; check that it is Chromium or Chrome and that it starts when run by hand", execPath, err)
			}
		}
		if opts.BrowserURL != "" {
			return nil, fmt.Errorf("attach to browser at %s: %w", opts.BrowserURL, err)
		}
		return nil, fmt.Errorf("start browser: %w", err)
	}
	b.version = version
	if b.dir != "" {
		b.adoptLaunchTab()
	}
	return b, nil
}

// adoptLaunchTab sets the tab Chromium opened at launch aside for the first
// session. The browser's own connection is attached to it (chromedp's first
// context always is) with every domain on; those are turned off, so that a
// session's events reach Go once, through the session's own attachment.
func (b *Browser) adoptLaunchTab() {
	c := chromedp.FromContext(b.ctx)
	if c == nil || c.Target == nil {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	for _, m := range []func() error{
		func() error {
			_, err := chromedp.Call(ctx, target.SetAutoAttach, target.SetAutoAttachParams{})
			return err
		},
		func() error {
			_, err := chromedp.Call(ctx, page.SetLifecycleEventsEnabled, page.SetLifecycleEventsEnabledParams{})
			return err
		},
		func() error { _, err := chromedp.Call(ctx, css.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, dom.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, page.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, network.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, log.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, inspector.Disable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, runtime.Disable, cdp.Empty{}); return err },
	} {
		if m() != nil {
			return // a new browser context per session, as for an attached browser
		}
	}
	b.pristine = c.Target.TargetID
}

// inBackground runs f on its own unless the browser is closing: Close waits
// for it, and f's context ends with the browser.
func (b *Browser) inBackground(f func()) {
	b.closingMu.Lock()
	defer b.closingMu.Unlock()
	if !b.closed {
		b.closing.Go(f)
	}
}

// takeLaunchTab returns the launch tab once, "" after; "" without take.
func (b *Browser) takeLaunchTab(take bool) target.ID {
	if !take {
		return ""
	}
	b.pristineMu.Lock()
	defer b.pristineMu.Unlock()
	id := b.pristine
	b.pristine = ""
	return id
}

// allocatorOptions are chromedp's defaults plus what a scan on a closed
// network needs; each flag says why.
func allocatorOptions(path, dir string, opts Options) []chromedp.ExecAllocatorOption {
	o := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		// Containers lack the namespaces Chromium's sandbox needs; chromedp
		// adds the flag only for root.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Without a GPU the "GPU process" only composites in software;
		// as a thread of the browser process it saves the IPC of every
		// frame: about 10% of Chromium's CPU per page in the crawl
		// benchmark (8 runs each way). The cost: a crash there (software
		// WebGL included) ends the browser, not just that process.
		chromedp.Flag("in-process-gpu", true),
		// Every response over TCP+TLS: the CA check dials TCP, and QUIC
		// responses carry no raw header text.
		chromedp.Flag("disable-quic", true),
		// Only the scanned site should see traffic. These cut Chromium's
		// own requests down; on 156 one on-demand component check
		// (update.googleapis.com, Optimization Guide manifest) still goes
		// out at start, outside any tab and so outside every Visit.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		// Replaces chromedp's list, so its two entries come first.
		// HttpsUpgrades: Chromium would try https:// before a site's own
		// http:// answer (seen as a 307 "Non-Authoritative-Reason:
		// HttpsUpgrades"), hiding the redirect we audit. The HttpsFirst*
		// features are its opt-in siblings. NetworkTimeServiceQuerying:
		// a background clock fetch seen despite the flags above.
		// WebUIOmniboxPopup, WebUIOmniboxAimPopup: on 156 every window
		// (one per browser context, so one per session) preloads the
		// omnibox popup as a chrome://omnibox-popup.top-chrome page in a
		// renderer of its own that works on every navigation although
		// nothing shows it: about a quarter of Chromium's CPU per page in
		// the crawl benchmark. Browser UI only; the page and its requests
		// are untouched.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,"+
			"HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForTypicallySecureUsers,"+
			"NetworkTimeServiceQuerying,WebUIOmniboxPopup,WebUIOmniboxAimPopup"),
	)
	o = append(o,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		// Crashpad keeps its database under the config home, not the
		// profile: keep it in dir too, so nothing lands in $HOME and its
		// handler (reparented to init) is found by killUsing.
		chromedp.Env("XDG_CONFIG_HOME="+filepath.Join(dir, "config")),
	)
	if opts.HostResolverRules != "" {
		o = append(o, chromedp.Flag("host-resolver-rules", opts.HostResolverRules))
	}
	if server, bypass, err := opts.Proxy.ChromiumFlags(); err == nil && server != "" {
		o = append(o, chromedp.ProxyServer(server))
		if bypass != "" {
			o = append(o, chromedp.Flag("proxy-bypass-list", bypass))
		}
	}
	return o
}

// findExec resolves the browser executable.
func findExec(path string) (string, error) {
	if path != "" {
		p, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("browser %q: %w", path, ErrNotFound)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Version is the browser's product string, e.g. "HeadlessChrome/156.0.8078.79".
func (b *Browser) Version() string { return b.version }

// Close stops the browser (or detaches from a remote one). When it returns, no
// process of a browser it launched is left.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		// A browser we launched is killed at once (its profile is thrown
		// away, and the report is already written: a graceful close only
		// costs time); the allocator waits for the process, then killUsing
		// sweeps helpers that outlive it, found by their directory. An
		// attached browser is only detached from.
		var err error
		if b.dir == "" {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = bounded(ctx, func() error { return chromedp.Cancel(b.ctx) })
			if errors.Is(err, context.Canceled) || errors.Is(err, chromedp.ErrInvalidContext) {
				err = nil
			}
		}
		b.closingMu.Lock()
		b.closed = true
		b.closingMu.Unlock()
		b.cancel()
		b.allocCancel()
		b.closing.Wait() // ended by the cancel: the connection is gone
		if b.dir != "" {
			killUsing(b.dir)
			removeSingletonDir(b.dir)
			if rerr := removeAll(b.dir); err == nil {
				err = rerr
			}
		}
		b.closeErr = err
	})
	return b.closeErr
}

// pid is the browser's process id, 0 for a remote browser (tests use it).
func (b *Browser) pid() int {
	c := chromedp.FromContext(b.ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0
	}
	return c.Browser.Process().Pid
}

// killUsing kills every process whose command line mentions dir, until a few
// passes in a row find none (a child can fork as its parent dies). chromedp's
// own sweep compares whole arguments, but Chromium's children rewrite their
// command line into one space-separated string, so match bytes here. Without
// /proc (not Linux) it finds nothing; chromedp's process kill remains.
func killUsing(dir string) {
	deadline := time.Now().Add(2 * time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids := processesUsing(dir)
		for _, pid := range pids {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
		if len(pids) == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// removeAll retries os.RemoveAll for a while: a helper killed a moment ago
// can still finish writing a file into the directory.
func removeAll(dir string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processesUsing lists the processes whose command line or environment
// mentions a path under dir. The environment (XDG_CONFIG_HOME, see
// allocatorOptions) finds the children of a wrapper script too, whose own
// command lines say nothing of dir.
func processesUsing(dir string) []int {
	want := []byte(dir + string(filepath.Separator))
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		for _, f := range []string{"cmdline", "environ"} {
			if data, err := os.ReadFile("/proc/" + e.Name() + "/" + f); err == nil && bytes.Contains(data, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// bounded runs f, which must use a context that outlives ctx, and returns
// early with ctx's error when ctx ends first. chromedp binds a browser's or a
// tab's life to the context of its first call, so that call cannot carry the
// caller's deadline itself.
func bounded(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
