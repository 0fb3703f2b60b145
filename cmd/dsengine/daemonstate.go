package main

import (
	"flag"
	"fmt"
)

// runReload is `reload`: inside the daemon it re-reads the configuration;
// outside, no daemon answered the socket.
func runReload(e *env, _ *flag.FlagSet, args []string) error {
	if e.daemon == nil {
		return fmt.Errorf("no dsengine daemon is running on %s; start one with `dsengine run`", e.socketPath())
	}
	if err := e.daemon.Reload(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "configuration reloaded")
	return nil
}
