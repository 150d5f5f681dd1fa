package proxy

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Dialer dials a TCP address; nil means the system's dialer.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// Tunnel opens a CONNECT tunnel to addr (host:port) through the proxy pu:
// what is written to the connection then reaches addr, for a TLS handshake
// made and verified by the caller, end to end.
func Tunnel(ctx context.Context, dial Dialer, pu *url.URL, addr string) (net.Conn, error) {
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	c, err := dial(ctx, "tcp", pu.Host)
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", pu.Redacted(), err)
	}
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
		defer c.SetDeadline(time.Time{})
	}
	fail := func(err error) (net.Conn, error) {
		c.Close()
		return nil, fmt.Errorf("proxy %s: CONNECT %s: %w", pu.Redacted(), addr, err)
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if pu.User != nil {
		req.Header.Set("Proxy-Authorization", BasicAuth(pu.User))
	}
	if err := req.Write(c); err != nil {
		return fail(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return fail(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("the proxy answered %s", resp.Status))
	}
	if br.Buffered() > 0 { // the tunnel's first bytes must be the server's
		return fail(fmt.Errorf("the proxy sent data before the tunnel opened"))
	}
	return c, nil
}

// BasicAuth is the Proxy-Authorization value for the proxy URL's user.
func BasicAuth(u *url.Userinfo) string {
	pass, _ := u.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass))
}
