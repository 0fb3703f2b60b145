// Package clock provides the virtual ds.Clock that `ds test` replays logs
// on and tests drive by hand: time moves only when told, and due timers
// run in time order, so a replay gives the same output every time.
package clock
