package spec

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/cookiescan/cookiescan/browser"
	"github.com/cookiescan/cookiescan/scanner"
	"github.com/cookiescan/cookiescan/scanner/inputfile"
	"github.com/cookiescan/cookiescan/scanner/loginflow"
	"github.com/cookiescan/cookiescan/scanner/probe"
	"github.com/cookiescan/cookiescan/scanner/proxy"
	"github.com/cookiescan/cookiescan/scanner/scope"
)

// Error is one setting that is wrong: which (its key, and the file and line
// when it was written in one), what, and how to fix it.
type Error struct {
	Key  string // YAML key ("" : not one setting, e.g. an unknown key)
	File string // "" : a flag or a default
	Line int
	Msg  string
	Fix  string
}

// Name is how the user wrote the setting: the YAML key in a file, the flag
// otherwise.
func (e *Error) Name() string {
	switch {
	case e.Key == "":
		return ""
	case e.File != "":
		return e.Key
	case e.Key == "url":
		return "URL"
	}
	return "--" + FlagName(e.Key)
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if n := e.Name(); n != "" {
		b.WriteString(n + ": ")
	}
	b.WriteString(e.Msg)
	if e.Fix != "" {
		b.WriteString(" (fix: " + e.Fix + ")")
	}
	return b.String()
}

// Errors are every problem found in one pass.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// err returns es as an error, nil when empty.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// CheckOptions tune Check.
type CheckOptions struct {
	// Getenv reads ${VAR} in login flows (default os.LookupEnv).
	Getenv func(string) (string, bool)
	// Lenient reads no file (caCert, login): for commands that only read
	// stored reports.
	Lenient bool
}

// Settings are a checked Spec: the values the scan uses, parsed once.
type Settings struct {
	Spec
	Target     *url.URL // nil when Spec.URL is empty (a base for many targets)
	HTTPTarget *url.URL // nil: scanner.HTTPURL(Target)
	CAPEM      []byte
	LoginFlow  *loginflow.Flow
	// Sent is what the probe sends over HTTPS to the target's origin: every
	// header line and the cookies as Cookie lines.
	Sent http.Header
	// ProxyConfig is Proxy (or the environment's) as the probe and the
	// browser take it.
	ProxyConfig proxy.Config
}

// Check validates every setting, collecting every problem; messages never
// repeat a header's or cookie's value (often a secret).
func (s Spec) Check(o CheckOptions) (*Settings, error) {
	c := &checker{s: &s}
	out := &Settings{Spec: s.Clone(), Sent: http.Header{}}
	sp := &out.Spec
	if sp.URL != "" {
		out.Target = c.target(sp.URL)
	}
	if sp.HTTPURL != "" {
		u, err := scanner.ParseHTTPURL(sp.HTTPURL)
		if err != nil {
			c.add("httpUrl", "write the plain-HTTP URL of the site, e.g. http://example.com:8080/", "%s", trimFlag(err, "--http-url"))
		}
		out.HTTPTarget = u
	}
	if sp.CACert != "" && !o.Lenient {
		data, err := inputfile.Read(sp.CACert, inputfile.SmallLimit)
		if err == nil {
			err = probe.ParseCAPEM(data)
			if err != nil {
				err = fmt.Errorf("%s: %w", sp.CACert, err)
			}
		}
		if err != nil {
			c.add("caCert", "give a readable PEM file of CA certificates", "%v", err)
		} else {
			out.CAPEM = data
		}
	}
	for _, d := range []struct {
		key string
		v   interface{ Seconds() float64 }
		eg  string
	}{{"timeout", sp.Timeout, "15s"}, {"scanTimeout", sp.ScanTimeout, "10m"}, {"pageTimeout", sp.PageTimeout, "20s"}} {
		if d.v.Seconds() <= 0 {
			c.add(d.key, "give a positive duration such as "+d.eg, "must be positive, not %v", d.v)
		}
	}
	var headers []string
	for _, h := range sp.Header {
		name, value, err := scanner.ParseHeader(h)
		if err != nil {
			c.add("header", `write each header as "Name: value" with a token name and no control character in the value`, "%v", err)
			continue
		}
		headers = append(headers, name+": "+value)
		out.Sent.Add(name, value)
	}
	sp.Header = headers
	var cookies []string
	for _, k := range sp.Cookie {
		name, value, err := scanner.ParseCookie(k)
		if err != nil {
			c.add("cookie", "write each cookie as name=value, one cookie per entry, with no control character", "%v", err)
			continue
		}
		// The probe's Cookie header and the browser's seeded cookie are
		// the same name=value, spaces around them dropped.
		cookies = append(cookies, name+"="+value)
		out.Sent.Add("Cookie", name+"="+value)
	}
	sp.Cookie = cookies
	if pc, err := proxy.FromEnvironment(sp.Proxy); err != nil {
		c.add("proxy", "give an http:// proxy URL such as http://proxy.example:3128, or fix the environment variable named", "%v", err)
	} else {
		out.ProxyConfig = pc
		if _, _, err := pc.ChromiumFlags(); err != nil && !sp.NoBrowser {
			c.add("proxy", "use a proxy without a user name and password for the browser, or scan with --no-browser", "%v", err)
		}
	}
	if sc, err := scope.Parse(string(sp.Scope)); err != nil {
		c.add("scope", "use site, public or any", "%v", err)
	} else {
		sp.Scope = sc
	}
	for _, key := range []string{"include", "exclude"} {
		for _, re := range *mustField(key).Ptr(sp).(*[]string) {
			if _, err := regexp.Compile(re); err != nil {
				c.add(key, "write a Go regular expression (RE2 syntax)", "%q is not a valid regular expression: %v", re, err)
			}
		}
	}
	if sp.MaxPages < 1 {
		c.add("maxPages", "crawl at least 1 page", "must be at least 1, not %d", sp.MaxPages)
	}
	if sp.Depth < 0 {
		c.add("depth", "give 0 (the start page only) or more", "must not be negative, not %d", sp.Depth)
	}
	if sp.Concurrency < 1 {
		c.add("concurrency", "give 1 or more tabs", "must be at least 1, not %d", sp.Concurrency)
	}
	if sp.BrowserURL != "" {
		if u, err := url.Parse(sp.BrowserURL); err != nil || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http") {
			c.add("browserUrl", "give the browser's DevTools address, e.g. ws://127.0.0.1:9222/devtools/browser/<id>", "%q is not a DevTools address", sp.BrowserURL)
		}
		if sp.Chrome != "" {
			c.add("browserUrl", "keep one of chrome and browserUrl", "chrome and browserUrl exclude each other")
		}
	}
	if sp.HostResolverRules != "" {
		if _, err := browser.RuleDialer(sp.HostResolverRules); err != nil {
			c.add("hostResolverRules", "write Chromium's rules, e.g. \"MAP *.test 127.0.0.1\"", "%v", err)
		}
	}
	if sp.Login != "" {
		switch {
		case sp.NoBrowser:
			c.add("login", "drop noBrowser (--no-browser), or remove the login", "login needs the browser, but noBrowser is set")
		case !o.Lenient:
			f, err := loginflow.Load(sp.Login, o.Getenv)
			if err != nil {
				c.add("login", "fix the login flow file, or set the environment variables it reads", "%s", trimFlag(err, "--login"))
			} else {
				out.LoginFlow = &f
			}
		}
	}
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// WithTarget is a copy of base (checked once, for many targets) that scans
// raw; o says where raw was written (a line of a target list).
func (base *Settings) WithTarget(raw string, o Origin) (*Settings, error) {
	out := *base
	out.Spec = base.Spec.Clone()
	out.URL = raw
	out.SetOrigin("url", o)
	c := &checker{s: &out.Spec}
	out.Target = c.target(raw)
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	return &out, nil
}

type checker struct {
	s    *Spec
	errs Errors
}

func (c *checker) add(key, fix, format string, args ...any) {
	o := c.s.OriginOf(key)
	c.errs = append(c.errs, &Error{Key: key, File: o.File, Line: o.Line, Msg: fmt.Sprintf(format, args...), Fix: fix})
}

func (c *checker) target(raw string) *url.URL {
	u, err := scanner.ParseTarget(raw)
	if err != nil {
		c.add("url", "write an https:// URL with a host, e.g. https://example.com/, or a bare host such as example.com", "%v", err)
		return nil
	}
	return u
}

// trimFlag drops the flag name the scanner's parsers put first, since Error
// names the setting as the user wrote it.
func trimFlag(err error, flag string) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, flag+": ")
	return strings.TrimPrefix(msg, flag+" ")
}

func mustField(key string) Field {
	f, ok := FieldOf(key)
	if !ok {
		panic(errors.New("spec: no field " + key))
	}
	return f
}
