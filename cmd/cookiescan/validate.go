package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cookiescan/cookiescan/scanner"
)

// validateSent checks what the scan will send and how long it waits, so that a
// value the clients would refuse mid-scan (a header or cookie with CR, LF or
// NUL, a negative page timeout) is a usage error now, not "target unreachable".
func (o *scanOptions) validateSent() error {
	o.header = http.Header{}
	for _, h := range o.Headers {
		name, value, err := scanner.ParseHeader(h)
		if err != nil {
			return fmt.Errorf("--header: %v", err)
		}
		o.header.Add(name, value)
	}
	for i, c := range o.Cookies {
		name, value, err := scanner.ParseCookie(c)
		if err != nil {
			return fmt.Errorf("--cookie: %v", err)
		}
		// The probe's Cookie header and the browser's seeded cookie are the
		// same name=value, spaces around them dropped.
		o.Cookies[i] = name + "=" + value
		o.header.Add("Cookie", o.Cookies[i])
	}
	if o.PageTimeout <= 0 {
		return errors.New("--page-timeout must be positive, for example 20s")
	}
	return nil
}
