package alert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Sender posts alerts to webhooks. The zero value is usable.
type Sender struct {
	Client *http.Client // default: 10 s timeout
	// Tries is how many times one delivery is attempted (default 3); Backoff the
	// first wait between tries, doubled each time (default 1 s).
	Tries     int
	Backoff   time.Duration
	UserAgent string
}

// StatusError is a webhook that answered, but not with 2xx.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	if e.Body != "" {
		return fmt.Sprintf("webhook answered %d: %s", e.Status, e.Body)
	}
	return fmt.Sprintf("webhook answered %d", e.Status)
}

// retryable: a network error, a 5xx, 408 or 429. Another 4xx will not change by
// asking again at once (the outbox still retries it later, as config may be fixed).
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500 || se.Status == http.StatusTooManyRequests || se.Status == http.StatusRequestTimeout
	}
	return true
}

// Send posts body to url, retrying with exponential backoff. It returns the last
// error when every try failed.
func (s Sender) Send(ctx context.Context, url, contentType string, body []byte, header map[string]string) error {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	tries := s.Tries
	if tries <= 0 {
		tries = 3
	}
	wait := s.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	var err error
	for i := 0; i < tries; i++ {
		if i > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%w (last try: %v)", ctx.Err(), err)
			case <-t.C:
			}
			wait *= 2
		}
		err = s.post(ctx, client, url, contentType, body, header)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (s Sender) post(ctx context.Context, client *http.Client, url, contentType string, body []byte, header map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	ua := s.UserAgent
	if ua == "" {
		ua = "cookiescan-monitor"
	}
	req.Header.Set("User-Agent", ua)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL may hold a secret (Slack puts it in the path): say only where.
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			return fmt.Errorf("post to %s: %v", req.URL.Host, ue.Unwrap())
		}
		return fmt.Errorf("post to %s: %v", req.URL.Host, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode/100 != 2 {
		return &StatusError{Status: resp.StatusCode, Body: string(bytes.TrimSpace(snippet))}
	}
	return nil
}
