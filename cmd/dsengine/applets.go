package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/daemon"
	"github.com/dsengine/dsengine/ds/vty"
)

// runEventManagerRun is `event manager run NAME [ARGS]`: it fires the
// applet's `event none` in the running daemon. An applet whose `event
// none` says `sync yes` runs in the command, as on IOS: the command prints
// what it puts and fails with its error, or with its $_exit_status when
// that is not 0.
func runEventManagerRun(e *env, _ *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("name the applet")
	}
	d, err := e.running()
	if err != nil {
		return err
	}
	if d.AppletSync(args[0]) {
		// From a vty, gets and puts use its terminal.
		var term applet.Terminal
		if t := vty.TerminalFrom(e.ctx); t != nil {
			term = t
		}
		res, err := d.RunApplet(e.ctx, args[0], args[1:], term)
		fmt.Fprint(e.stdout, res.Output)
		if err != nil {
			return err
		}
		if res.Exit != 0 {
			return fmt.Errorf("applet %s: exit status %d", args[0], res.Exit)
		}
		return nil
	}
	n, err := d.Hub().Run(daemon.AppletOwnerPrefix+args[0], args[1:])
	if err != nil {
		return fmt.Errorf("applet %s: %w (only an applet with `event none` runs by hand)", args[0], err)
	}
	fmt.Fprintf(e.stdout, "applet %s started (%d event)\n", args[0], n)
	return nil
}

// historyTime is how IOS prints the time of an event in the history.
const historyTime = "Mon Jan _2 15:04:05 2006"

// printAppletHistory prints `show event manager history events`: IOS's
// table of the recent runs, oldest first; detailed adds each run's exit
// status and error.
func printAppletHistory(w io.Writer, runs []daemon.AppletRun, detailed bool) {
	if len(runs) == 0 {
		fmt.Fprintln(w, "No applet has run since the daemon started.")
		return
	}
	fmt.Fprintln(w, "No.  Job Id Status       Time of Event            Event Type          Name")
	for i, r := range runs {
		typ := r.EventType
		if typ == "" {
			typ = "-"
		}
		fmt.Fprintf(w, "%-4d %-6d %-12s %-24s %-19s applet: %s\n", i+1, r.Job, r.Status, r.Time.UTC().Format(historyTime), typ, r.Applet)
		if detailed {
			fmt.Fprintf(w, "     exit status %d", r.Exit)
			if r.Err != "" {
				fmt.Fprintf(w, "; %s", strings.ReplaceAll(r.Err, "\n", "; "))
			}
			fmt.Fprintln(w)
		}
	}
}
