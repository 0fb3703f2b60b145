package testserver

import "time"

// Poll checks cond at once and then at every tick of every until it holds
// or timeout passes, and reports whether it held: for state a test can
// only look at (the process table, a kernel counter, a file), never to
// wait for something a channel or the virtual clock can tell.
func Poll(timeout, every time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case <-tick.C:
			if cond() {
				return true
			}
		case <-deadline.C:
			return cond()
		}
	}
}
