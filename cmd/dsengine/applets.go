package main

import (
	"flag"
	"fmt"

	"github.com/dsengine/dsengine/ds/daemon"
)

// runEventManagerRun is `event manager run NAME [ARGS]`: it fires the
// applet's `event none` in the running daemon.
func runEventManagerRun(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("name the applet")
	}
	d, err := e.running()
	if err != nil {
		return err
	}
	n, err := d.Hub().Run(daemon.AppletOwnerPrefix+args[0], args[1:])
	if err != nil {
		return fmt.Errorf("applet %s: %w (only an applet with `event none` runs by hand)", args[0], err)
	}
	fmt.Fprintf(e.stdout, "applet %s started (%d event)\n", args[0], n)
	return nil
}
