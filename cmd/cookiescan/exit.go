package main

import (
	"context"
	"errors"
)

// Exit codes of SPEC.md.
const (
	exitOK       = 0 // scan completed, nothing reached --fail-on
	exitFindings = 1 // findings reached --fail-on
	exitUsage    = 2 // usage or config error
	exitScan     = 3 // the scan could not run
)

// usageError is a mistake in the command line or config; the message says what to fix.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(err error) error { return usageError{err} }

// scanError means the scan could not run; any partial report was already written.
type scanError struct{ err error }

func (e scanError) Error() string { return e.err.Error() }
func (e scanError) Unwrap() error { return e.err }

// findingsError is not a failure of the tool: the summary was already printed.
type findingsError struct{ msg string }

func (e findingsError) Error() string { return e.msg }

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var (
		u usageError
		s scanError
		f findingsError
	)
	switch {
	case errors.As(err, &f):
		return exitFindings
	case errors.As(err, &s), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return exitScan
	case errors.As(err, &u):
		return exitUsage
	}
	// Anything cobra returns itself (unknown flag, wrong arguments) is a usage error.
	return exitUsage
}
