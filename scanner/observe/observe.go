// Package observe holds what a browser crawl saw, as plain values: the browser
// package fills them, the rules judge them. Nothing here knows about Chromium.
package observe

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cookiescan/cookiescan/scanner/loginflow"
)

// Phases of a scan with a login.
const (
	PreLogin  = "pre-login"
	Login     = "login"
	PostLogin = "post-login"
)

// Request is what the scanner asks the browser to do.
type Request struct {
	StartURL     string
	HTTPURL      string // where to prove exposure over plain HTTP ("" skips it)
	MaxPages     int
	Depth        int
	Include      []string // regular expressions a URL must match (any)
	Exclude      []string // regular expressions a URL must not match
	FollowLogout bool
	Concurrency  int
	PageTimeout  time.Duration
	Login        *loginflow.Flow
	Header       map[string]string // extra request headers for the target host
	Cookies      []StoredCookie    // cookies to seed (--cookie)
	Progress     func(step string)
}

// Crawler runs a browser crawl. browser.Crawler implements it; tests hand in fakes.
type Crawler interface {
	Crawl(ctx context.Context, req Request) (Crawl, error)
}

// Preparer is a Crawler that can get ready (start its browser) while the
// scan does other work.
type Preparer interface {
	Prepare(ctx context.Context)
}

// Crawl is everything the browser observed. It is filled as far as the crawl got,
// even when Crawl returns an error.
type Crawl struct {
	Pages     []Page
	Responses []Response
	// Stored is the browser's cookie store at the end of each phase.
	Stored map[string][]StoredCookie
	// ScriptCookies are cookies in the store that no Set-Cookie header explains.
	ScriptCookies []ScriptCookie
	// ScriptWrites are every cookie write the page hooks saw, in order,
	// stored or refused by Chromium alike.
	ScriptWrites []ScriptWrite
	HTTPProof    *HTTPProof
	// Supplied are the operator's cookies (Request.Cookies, --cookie): in
	// the store they are not the site's, as long as they keep their value.
	Supplied []StoredCookie
	Login    *LoginResult
	Logout   *LogoutResult
	Errors   []Error
	// RememberMe: the login flow ticked a "remember me" box (set by the
	// scanner from the flow, not by the browser): a cookie the login then
	// sets persistent is judged as a remember-me cookie.
	RememberMe bool
}

// Page is one document the crawl navigated to.
type Page struct {
	URL      string // as linked
	FinalURL string
	Status   int
	Phase    string
	Depth    int
	Error    string
	// Refused: the scan's own scope refused the navigation (a redirect off
	// the site, to a link-local address); nothing was loaded. Error says why.
	Refused bool
	// Busy: the page still had work pending (requests, short timers,
	// animation frames) when the visit stopped waiting for it; what it did
	// later is not observed.
	Busy bool
	Hops []Hop // redirect hops of the navigation, in order
}

// Hop is one redirect of a navigation.
type Hop struct {
	URL      string
	Status   int
	Location string
}

// Response is one network response and the raw headers that matter.
type Response struct {
	URL        string
	PageURL    string // the page whose load caused it
	Type       string // Document, XHR, Fetch, Script, Image, Other...
	Status     int
	Redirect   bool
	Location   string // of a redirect, as sent
	MainFrame  bool   // a navigation of the tab, not a subresource
	Phase      string
	Date       time.Time
	SetCookies []string
	Blocked    []Blocked
	HSTS       []string
}

// BlockedReasons are Chromium's reasons for refusing one Set-Cookie line of the
// response (none when it was stored).
func (r Response) BlockedReasons(line string) []string {
	for _, b := range r.Blocked {
		if b.Line == line {
			return b.Reasons
		}
	}
	return nil
}

// Blocked is a Set-Cookie line Chromium refused, with its reasons (CDP names).
type Blocked struct {
	Line    string
	Reasons []string
}

// StoredCookie is a cookie as the browser keeps it.
type StoredCookie struct {
	Name, Value, Domain, Path string
	Secure, HTTPOnly, Session bool
	SameSite                  string
	Expires                   time.Time
}

// ScriptCookie is a cookie written by script (document.cookie, cookieStore),
// found in the store where no Set-Cookie header explains it.
type ScriptCookie struct {
	Cookie  StoredCookie
	PageURL string
	Phase   string
	// Write is the script's last write of that name, when the page hooks saw
	// it (nil for a write they cannot see: a cross-site iframe's, a service
	// worker's).
	Write *ScriptWrite
}

// ScriptWrite is one cookie write by a page's script, as the script made it.
type ScriptWrite struct {
	API      string // document.cookie, cookieStore.set or cookieStore.delete
	Value    string // the string assigned, or cookieStore's options as JSON: site data, with the cookie's value
	PageURL  string // the page being visited
	FrameURL string // the document that wrote
	Phase    string
	At       time.Time
}

// Base is the URL a document.cookie write is judged against: its frame's,
// else its page's; false when neither parses.
func (w ScriptWrite) Base() (*url.URL, bool) {
	if u, err := url.Parse(w.FrameURL); err == nil && u.Host != "" {
		return u, true
	}
	u, err := url.Parse(w.PageURL)
	return u, err == nil
}

// LandingDocuments are the first HTTPS document (2xx, not a redirect) of each
// host the crawl loaded, in order, skipping the hosts of skip (lower-cased
// host[:port]): the pages whose HSTS a visitor landing there gets.
func (c Crawl) LandingDocuments(skip map[string]bool) []Response {
	seen := map[string]bool{}
	var out []Response
	for _, r := range c.Responses {
		u, err := url.Parse(r.URL)
		if err != nil || r.Type != "Document" || r.Redirect || u.Scheme != "https" || r.Status < 200 || r.Status > 299 {
			continue
		}
		host := strings.ToLower(u.Host)
		if skip[host] || seen[host] {
			continue
		}
		seen[host] = true
		out = append(out, r)
	}
	return out
}

// HTTPProof records which cookies Chromium attached to a plain-HTTP request to the
// site, in a context that had not learned HSTS.
type HTTPProof struct {
	URL      string
	Attached []string // cookie names sent
	// Discounted are Secure cookies Chromium sent only because the URL's host
	// is loopback or localhost, which it treats as a secure context; to any
	// other host it withholds them (SecureOnly), so they prove nothing.
	Discounted []string
	Error      string
}

// LoginResult says how the login went.
type LoginResult struct {
	OK         bool
	FailedStep string
	Error      string
	Notes      []string
	FinalURL   string
}

// LogoutResult is the store after the logout steps ran.
type LogoutResult struct {
	OK    bool
	Error string
}

// Error is something that stopped part of the crawl.
type Error struct {
	Stage, URL, Message string
}

// IsSupplied reports whether a stored cookie is one the operator supplied
// and the site has not overwritten.
func (c Crawl) IsSupplied(s StoredCookie) bool { return IsSupplied(c.Supplied, s.Name, s.Value) }

// IsSupplied reports whether name=value is one of the supplied cookies: the
// same name with another value is the site's (it overwrote the operator's).
func IsSupplied(supplied []StoredCookie, name, value string) bool {
	return slices.ContainsFunc(supplied, func(k StoredCookie) bool { return k.Name == name && k.Value == value })
}
