package actions

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dsengine/dsengine/ds/events"
)

// The caps on what one owner (a DS, or an applet "applet:NAME") keeps
// saved with context_save: EEM keeps contexts in memory until someone
// retrieves them, so without a cap a DS that saves under new names grows
// the daemon run after run.
const (
	DefaultMaxContexts     = 64      // saved contexts per owner
	DefaultMaxContextBytes = 1 << 20 // bytes of names, keys and values per owner
)

// Contexts keeps the variables runs save for other runs (EEM
// context_save/context_retrieve). Any run may retrieve any context, as EEM
// shares them between policies and applets; each is charged to the owner
// that saved it (events.OriginFrom of the saving run's context) until it
// is retrieved or replaced, and an owner over its cap is refused. The
// zero value is ready to use, with the default caps; it is safe for
// concurrent use.
type Contexts struct {
	MaxCount int // contexts per owner; 0 means DefaultMaxContexts
	MaxBytes int // bytes per owner; 0 means DefaultMaxContextBytes

	mu     sync.Mutex
	saved  map[string]savedContext // by name
	owners map[string]*contextUse  // by owner

	savedN, refused atomic.Int64
}

type savedContext struct {
	owner string
	vars  map[string]string
	size  int
}

type contextUse struct{ count, bytes int }

// ContextStats count what Save did since the start.
type ContextStats struct {
	Saved   int64 // contexts saved
	Refused int64 // saves refused at a cap
}

// contextSize is what a context costs its owner: its name, and each
// variable's name and value.
func contextSize(name string, v map[string]string) int {
	n := len(name)
	for k, val := range v {
		n += len(k) + len(val)
	}
	return n
}

// Save keeps v under name, replacing what was there, charged to the owner
// of ctx's run. It refuses, and keeps what was there, when the owner would
// be over a cap.
func (c *Contexts) Save(ctx context.Context, name string, v map[string]string) error {
	owner := events.OriginFrom(ctx).Owner
	size := contextSize(name, v)
	maxCount, maxBytes := c.MaxCount, c.MaxBytes
	if maxCount <= 0 {
		maxCount = DefaultMaxContexts
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxContextBytes
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.saved == nil {
		c.saved, c.owners = map[string]savedContext{}, map[string]*contextUse{}
	}
	use := c.owners[owner]
	if use == nil {
		use = &contextUse{}
		c.owners[owner] = use
	}
	count, bytes := use.count+1, use.bytes+size
	old, replacing := c.saved[name]
	if replacing && old.owner == owner {
		count, bytes = count-1, bytes-old.size
	}
	if count > maxCount || bytes > maxBytes {
		c.refused.Add(1)
	}
	switch {
	case count > maxCount:
		return fmt.Errorf("%s has %d saved contexts, the limit: retrieve one (context_retrieve) before saving under a new name",
			ownerName(owner), use.count)
	case bytes > maxBytes:
		return fmt.Errorf("%s would keep %d bytes of saved contexts, over the limit of %d: save less, or retrieve some first",
			ownerName(owner), bytes, maxBytes)
	}
	if replacing {
		c.release(name)
	}
	c.saved[name] = savedContext{owner: owner, vars: maps.Clone(v), size: size}
	use.count, use.bytes = use.count+1, use.bytes+size
	c.savedN.Add(1)
	return nil
}

// Retrieve returns the variables saved under name and forgets them.
func (c *Contexts) Retrieve(name string) (map[string]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.saved[name]
	if !ok {
		return nil, false
	}
	c.release(name)
	return s.vars, true
}

// release forgets the context saved under name and uncharges its owner;
// c.mu is held.
func (c *Contexts) release(name string) {
	s := c.saved[name]
	delete(c.saved, name)
	use := c.owners[s.owner]
	use.count, use.bytes = use.count-1, use.bytes-s.size
	if use.count == 0 {
		delete(c.owners, s.owner)
	}
}

// Stats returns the counters.
func (c *Contexts) Stats() ContextStats {
	return ContextStats{Saved: c.savedN.Load(), Refused: c.refused.Load()}
}

// ownerName names an owner in errors: "DS 6030", "applet:NAME".
func ownerName(owner string) string {
	switch {
	case owner == "":
		return "this run"
	case strings.Contains(owner, ":"):
		return owner
	}
	return "DS " + owner
}
