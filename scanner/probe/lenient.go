package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/proxy"
)

// Go's client refuses a whole response when one header line is malformed
// ("malformed MIME header line": a control byte in a value, a name that is not
// a token, a line without a colon). Browsers load such pages, so for the
// probe they are not "unreachable": the hop is requested once more and read
// the way Chromium reads it (browser.TestChromiumOnOddHeaders pins this
// against real Chromium, on the lines of fixtures.OddHeaders):
//
//   - a NUL anywhere in the header block fails the response
//     (net::ERR_INVALID_HTTP_RESPONSE);
//   - LF, CRLF and a lone CR end a line; a line starting with a space or tab
//     continues the previous one;
//   - a line without a colon, or whose name is not a token, is ignored;
//   - other control bytes stay in the value.
//
// The hop's Note says which lines were odd. The read is bounded like the
// client's: MaxHeaderBytes, the request's deadline, and the probe's own TLS
// handshake and certificate check.

// malformedHeader reports whether err is net/textproto refusing a response
// header line.
func malformedHeader(err error) bool {
	var pe textproto.ProtocolError
	return errors.As(err, &pe) && strings.HasPrefix(string(pe), "malformed MIME header")
}

// errNUL is Chromium's verdict on a NUL in the header block.
var errNUL = errors.New("the response header holds a NUL byte; browsers refuse such a response too (net::ERR_INVALID_HTTP_RESPONSE)")

// lenientDo makes req again over a new HTTP/1.1 connection and reads the
// response as a browser would. The note lists the odd lines.
func (p *Prober) lenientDo(ctx context.Context, req *http.Request) (*http.Response, string, error) {
	u := req.URL
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	var conn net.Conn
	var cs *tls.ConnectionState
	absolute := false // a proxy takes the request line's URL in absolute form
	if u.Scheme == "https" {
		// Verified as dialTLS verifies for the first request: the lenient
		// read never weakens certificate checks.
		tc, err := p.handshake(ctx, addr, []string{"http/1.1"})
		if err != nil {
			return nil, "", err
		}
		state := tc.ConnectionState()
		if verr := p.verify(state, u.Hostname()); verr != nil && !p.opts.Insecure {
			tc.Close()
			return nil, "", fmt.Errorf("certificate: %w", verr)
		}
		conn, cs = tc, &state
	} else {
		c, viaProxy, err := p.dialPlain(ctx, u, addr)
		if err != nil {
			return nil, "", err
		}
		conn, absolute = c, viaProxy
	}
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	fail := func(err error) (*http.Response, string, error) {
		stop()
		conn.Close()
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, "", err
	}

	again := req.Clone(ctx)
	again.Close = true // one response, then the server closes: the body ends there
	write := again.Write
	if absolute {
		write = again.WriteProxy
		if pu, _ := p.proxyFor(u); pu != nil && pu.User != nil {
			again.Header.Set("Proxy-Authorization", proxy.BasicAuth(pu.User))
		}
	}
	if err := write(conn); err != nil {
		return fail(err)
	}
	lr := &io.LimitedReader{R: conn, N: p.opts.MaxHeaderBytes}
	br := bufio.NewReader(lr)
	block, err := readHeaderBlock(br, lr)
	if err != nil {
		return fail(err)
	}
	resp, note, err := parseLenient(block)
	if err != nil {
		return fail(err)
	}
	resp.Request = req
	resp.TLS = cs
	// The body is read only for <meta> checks: a bounded snippet, as in Do.
	lr.N = bodySnippetBytes + 64<<10
	var body io.Reader = br
	switch {
	case strings.EqualFold(resp.Header.Get("Transfer-Encoding"), "chunked"):
		body = httputil.NewChunkedReader(br)
	case resp.ContentLength >= 0:
		body = io.LimitReader(br, resp.ContentLength)
	}
	resp.Body = &connBody{Reader: body, close: func() error { stop(); return conn.Close() }}
	return resp, note, nil
}

// readHeaderBlock reads up to and including the empty line that ends the
// header. Past MaxHeaderBytes it fails as the client does.
func readHeaderBlock(br *bufio.Reader, lr *io.LimitedReader) ([]byte, error) {
	var block []byte
	for {
		line, err := br.ReadSlice('\n')
		block = append(block, line...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if lr.N <= 0 {
				return nil, fmt.Errorf("response headers exceeded %d bytes", len(block))
			}
			return nil, fmt.Errorf("reading the response header: %w", err)
		}
		if len(block) > len(line) && (string(line) == "\n" || string(line) == "\r\n") {
			return block, nil
		}
	}
}

// parseLenient turns a header block into a response the way Chromium does
// (see the package comment above).
func parseLenient(block []byte) (*http.Response, string, error) {
	if bytes.IndexByte(block, 0) >= 0 {
		return nil, "", errNUL
	}
	lines := splitLines(string(block))
	if len(lines) == 0 {
		return nil, "", errors.New("empty response")
	}
	proto, rest, _ := strings.Cut(lines[0], " ")
	codeText, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	major, minor, ok := http.ParseHTTPVersion(proto)
	code, err := strconv.Atoi(codeText)
	if !ok || err != nil || len(codeText) != 3 || code < 100 {
		return nil, "", fmt.Errorf("malformed status line %q", lines[0])
	}
	resp := &http.Response{Status: strings.TrimSpace(rest), StatusCode: code, Proto: proto,
		ProtoMajor: major, ProtoMinor: minor, Header: http.Header{}, ContentLength: -1, Close: true}

	// Continuation lines join the line before them.
	var fields []string
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if (l[0] == ' ' || l[0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1] += " " + strings.Trim(l, " \t")
			continue
		}
		fields = append(fields, l)
	}
	var odd []string
	for _, f := range fields {
		name, value, ok := strings.Cut(f, ":")
		name = strings.TrimRight(name, " \t")
		switch {
		case !ok:
			odd = append(odd, fmt.Sprintf("%s (no colon: ignored)", excerpt(f)))
			continue
		case name == "" || strings.IndexFunc(name, func(r rune) bool { return !isToken(r) }) >= 0:
			odd = append(odd, fmt.Sprintf("%s (the name is not a token: ignored)", excerpt(f)))
			continue
		}
		value = strings.Trim(value, " \t")
		if i := strings.IndexFunc(value, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }); i >= 0 {
			odd = append(odd, fmt.Sprintf("%s holds the control character %s (kept, as browsers keep it)", name, byteEscape(value[i])))
		}
		resp.Header.Add(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(cl), 10, 64); err == nil && n >= 0 {
			resp.ContentLength = n
		}
	}
	if bytes.Contains(bytes.ReplaceAll(block, []byte("\r\n"), nil), []byte("\r")) {
		odd = append(odd, "a lone CR ends a header line (read as a line break, as browsers do)")
	}
	note := "Go's HTTP client refused this response's header; read as a browser reads it"
	if len(odd) > 0 {
		if len(odd) > 5 {
			odd = append(odd[:5], fmt.Sprintf("%d more", len(odd)-5))
		}
		note += ": " + strings.Join(odd, "; ")
	}
	return resp, note, nil
}

// splitLines splits a header block on LF, CRLF and a lone CR.
func splitLines(block string) []string {
	block = strings.ReplaceAll(block, "\r\n", "\n")
	return strings.FieldsFunc(strings.ReplaceAll(block, "\r", "\n"), func(r rune) bool { return r == '\n' })
}

// isToken is RFC 9110's tchar.
func isToken(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// excerpt is the start of a header line for the note, its control bytes escaped.
func excerpt(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strconv.QuoteToASCII(s)
}

func byteEscape(c byte) string {
	switch c {
	case '\t':
		return `\t`
	}
	return fmt.Sprintf(`\x%02x`, c)
}

// connBody closes the connection with the body.
type connBody struct {
	io.Reader
	close func() error
}

func (b *connBody) Close() error { return b.close() }
