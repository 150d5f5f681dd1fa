package monitor

import (
	"context"
	"errors"
	"net"
	"net/url"
	"sort"
	"sync"
	"time"
)

// CheckWebhooks proves each webhook's host resolves and accepts a TCP connection,
// without sending anything: a typo in a host name or a firewall is found at start
// rather than at the first regression, possibly weeks later. The command's
// --skip-webhook-check turns it off (a webhook reachable only later, or through a
// proxy).
func CheckWebhooks(ctx context.Context, cfg *Config, timeout time.Duration, dial func(ctx context.Context, network, addr string) (net.Conn, error)) error {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	var mu sync.Mutex
	var errs ConfigErrors
	var wg sync.WaitGroup
	for _, a := range cfg.Alerts {
		raw, err := Expand(a.Webhook, nil)
		if err != nil {
			continue // reported by LoadConfig
		}
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			c, err := dial(cctx, "tcp", net.JoinHostPort(u.Hostname(), port))
			if err == nil {
				c.Close()
				return
			}
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, &ConfigError{File: cfg.Path, Line: a.Line,
				Msg: "webhook " + redactURL(raw) + " is unreachable: " + dialMessage(err),
				Fix: "check the host name and port, and that this machine may connect to it; or start with --skip-webhook-check"})
		}()
	}
	wg.Wait()
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs
}

func dialMessage(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "host name does not resolve (" + dnsErr.Name + ")"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer within the check's time limit"
	}
	return err.Error()
}
