// Command cookiescan audits a web site's HTTPS redirect, HSTS and cookies the way a
// browser experiences them. main only wires signals and maps errors to exit codes;
// the commands live beside it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(defaultIO()).ExecuteContext(ctx)
	stop()
	code := exitCode(err)
	if err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
	}
	os.Exit(code)
}
