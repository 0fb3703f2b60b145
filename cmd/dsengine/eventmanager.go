package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/daemon"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/source"
)

// running returns the running daemon, or an error saying to start one.
func (e *env) running() (*daemon.Daemon, error) {
	if e.daemon == nil {
		return nil, fmt.Errorf("no dsengine daemon is running on %s; start one with `dsengine run`", e.socketPath())
	}
	return e.daemon, nil
}

func eventOIRFlags(fs *flag.FlagSet) {
	fs.Int("slot", -1, "the slot `N` of the card inserted or removed")
}

// runEventOIR injects an OIR event into the running daemon.
func runEventOIR(e *env, fs *flag.FlagSet, args []string) error {
	slot := fs.Lookup("slot").Value.(flag.Getter).Get().(int)
	if slot < 0 || len(args) != 1 || (args[0] != "insert" && args[0] != "remove") {
		return usagef("give --slot N and insert or remove")
	}
	d, err := e.running()
	if err != nil {
		return err
	}
	if err := d.Hub().InjectOIR(slot, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "OIR event injected: slot %d %s\n", slot, args[0])
	return nil
}

// runShowEventManager is `show event manager statistics|policy
// registered|history events [detailed]`.
func runShowEventManager(e *env, _ *flag.FlagSet, args []string) error {
	view := strings.Join(args, " ")
	if view != "statistics" && view != "policy registered" && view != "history events" && view != "history events detailed" {
		return usagef("show event manager statistics, show event manager policy registered, or show event manager history events [detailed]")
	}
	d, err := e.running()
	if err != nil {
		return err
	}
	w := e.stdout
	if strings.HasPrefix(view, "history events") {
		printAppletHistory(w, d.AppletHistory(), strings.HasSuffix(view, "detailed"))
		return nil
	}
	if view == "policy registered" {
		fmt.Fprintln(w, "No.  Owner      Type       Event")
		fmt.Fprintln(w, "---- ---------- ---------- --------------------")
		for i, r := range d.Hub().Registrations() {
			fmt.Fprintf(w, "%-4d %-10s %-10s %s\n", i+1, r.Owner, r.Type, r.EventID)
		}
		return nil
	}
	printInputStats(w, d.InputStats())
	printSourceStats(w, d.SourceStats(), d.Config().Clock)
	depth, capacity := d.QueueDepth()
	fmt.Fprintf(w, "Queue to the detectors: %d of %d", depth, capacity)
	if n := d.QueueShards(); n > 1 {
		fmt.Fprintf(w, " (%d shards by device, one a core)", n)
	}
	fmt.Fprintln(w)
	st := d.Hub().IndexStats()
	fmt.Fprintf(w, "Syslog patterns: %d (%d indexed by a literal, %d checked on every line)\n", st.Patterns, st.Indexed, st.AlwaysRun)
	fmt.Fprintln(w, "DS triggers:")
	fmt.Fprintln(w, "DS ID      Triggers   Dropped")
	trig := d.Triggers()
	ids := make([]string, 0, len(trig))
	for id := range trig {
		ids = append(ids, id)
	}
	ds.SortIDs(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "%-10s %8d %9d\n", id, trig[id][0], trig[id][1])
	}
	if apps := d.AppletStats(); len(apps) > 0 {
		slices.SortFunc(apps, func(a, b daemon.AppletStats) int { return strings.Compare(a.Name, b.Name) })
		fmt.Fprintln(w, "Applet runs:")
		fmt.Fprintln(w, "Applet               Runs   Dropped")
		for _, a := range apps {
			fmt.Fprintf(w, "%-18s %6d %9d\n", a.Name, a.Runs, a.Dropped)
		}
	}
	return nil
}

// printSourceStats prints the "Event sources:" table of `show event manager
// statistics` (nothing without a running source): the Source column as
// wide as the longest name, as IOS sizes its tables ("netlink namespace
// NAME" is long), the last event's time in the configuration's clock
// timezone, UTC without a `clock timezone` line (Location is nil then).
func printSourceStats(w io.Writer, stats []source.Stats, clk config.Clock) {
	if len(stats) == 0 {
		return
	}
	loc := time.UTC
	if l := clk.Location(); l != nil {
		loc = l
	}
	width := len("Source")
	for _, s := range stats {
		width = max(width, len(s.Source))
	}
	fmt.Fprintln(w, "Event sources:")
	fmt.Fprintf(w, "%-*s %9s %9s %9s  %s\n", width, "Source", "Events", "Dropped", "Errors", "Last event")
	for _, s := range stats {
		last := "never"
		if !s.LastEvent.IsZero() {
			last = s.LastEvent.In(loc).Format(time.DateTime)
		}
		fmt.Fprintf(w, "%-*s %9d %9d %9d  %s\n", width, s.Source, s.Events, s.Dropped, s.Errors, last)
	}
}

// printInputStats prints the syslog inputs' tables of `show event manager
// statistics`: the lines of every input, then the connections of those
// that accepted any (TCP): open now, accepted, rejected at the cap, and
// closed for sending nothing (the idle timeout, or room made at the cap).
func printInputStats(w io.Writer, stats []input.Stats) {
	fmt.Fprintln(w, "Syslog inputs:")
	fmt.Fprintln(w, "Input                          Received  Delivered   Dropped  Oversize  Framing")
	for _, s := range stats {
		fmt.Fprintf(w, "%-30s %9d %10d %9d %9d %8d\n", s.Input, s.Received, s.Delivered, s.Dropped+s.KernelDrops, s.Oversize, s.FramingErrors)
	}
	header := false
	for _, s := range stats {
		if s.Accepted == 0 && s.Rejected == 0 {
			continue
		}
		if !header {
			fmt.Fprintln(w, "Syslog connections:")
			fmt.Fprintln(w, "Input                            Open  Accepted  Rejected  Idle-closed")
			header = true
		}
		fmt.Fprintf(w, "%-30s %6d %9d %9d %12d\n", s.Input, s.Connections, s.Accepted, s.Rejected, s.IdleClosed)
	}
}
