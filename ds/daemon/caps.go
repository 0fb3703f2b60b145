package daemon

import (
	"maps"
	"sync"
)

// capCounts counts how often signed content ran into one of the daemon's
// caps, by cap name (a script's log volume, a log line, the echo depth,
// the match-time budget …), for the metrics.
type capCounts struct {
	mu sync.Mutex
	n  map[string]int64
}

// hit counts one hit of the named cap.
func (c *capCounts) hit(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int64{}
	}
	c.n[name]++
}

// CapStats returns how often each cap on signed content was hit since the
// start, by name; "contexts" counts the context saves refused.
func (d *Daemon) CapStats() map[string]int64 {
	d.caps.mu.Lock()
	out := maps.Clone(d.caps.n)
	d.caps.mu.Unlock()
	if out == nil {
		out = map[string]int64{}
	}
	if n := d.notify; n != nil && n.live != nil {
		out["contexts"] = n.live.ContextStats().Refused
	}
	return out
}
