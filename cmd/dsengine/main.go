// Command dsengine is the Diagnostic Signature runtime and EEM-style event
// engine of IOS XE Call Home, for a Linux host. This package only parses
// the command line and wires the ds/... packages together.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
