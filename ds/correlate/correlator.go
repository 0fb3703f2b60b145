package correlate

import (
	"errors"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/dsengine/dsengine/ds"
)

// DefaultMaxHosts is how many hosts a "group-by host" correlator keeps
// state for when Options.MaxHosts is 0.
const DefaultMaxHosts = 1024

// Options configure a Correlator.
type Options struct {
	// Clock schedules delayed triggers; required when the program has a
	// Delay, unused otherwise.
	Clock ds.Clock
	// OnDelayed receives the triggers raised at the end of a Delay, from the
	// clock's timer goroutine, with no lock held. Required with a Delay.
	OnDelayed func(Trigger)
	// MaxHosts bounds the hosts a "group-by host" correlator keeps state
	// for; the least recently observed host is forgotten first. 0 means
	// DefaultMaxHosts.
	MaxHosts int
	// Location is where PeriodStart's cron entry is read and Trigger times
	// are given; nil means time.Local.
	Location *time.Location
}

// Trigger is a raised correlation.
type Trigger struct {
	// Host is the group's host with "group-by host"; otherwise the host of
	// the latest event observed.
	Host string
	// At is when the trigger was raised: the time of the event that
	// completed it, or the end of its Delay.
	At time.Time
	// Events are the DS's events that occurred inside the window at that
	// moment, in the order of the ids given to Compile.
	Events []Occurrence
}

// Occurrence summarises one event inside the window of a trigger.
type Occurrence struct {
	ID string
	// Count is how many times it occurred inside the window, saturating at
	// the event's ring size (Program.RingSize).
	Count int
	// First and Last are its oldest kept and newest occurrence times.
	First, Last time.Time
}

// Correlator holds the correlation state of one DS or applet (one per
// host with "group-by host") and decides when its trigger is raised. It is
// safe for use by several goroutines.
//
// Semantics, all measured on the times passed in (never the wall clock):
//
//   - Evaluation points. The expression is evaluated each time Observe
//     records an event of the DS (any id given to Compile, named in the
//     expression or not) and each time SetTrack changes a track the
//     expression names. Nothing is evaluated between them, so "not e1"
//     alone fires only when some other event of the DS arrives.
//   - Times never go backwards: an event older than the latest one seen is
//     taken as happening at that latest time.
//   - Window. An occurrence at time t counts at evaluation time now while
//     now-Window <= t <= now: an event exactly Window old still counts, one
//     nanosecond older does not. "not e3" is true when e3 has no occurrence
//     inside the window. seq(...) holds when its whole chain lies inside it.
//   - Matches. When the expression holds, that is one match, and the event
//     state (occurrences and seq progress) is cleared, so every match needs
//     fresh events: the next one starts counting from zero, as IOS EEM does.
//   - Occurs/Period. The trigger is raised on the Occurs-th match. With a
//     Period and no PeriodStart, the last Occurs matches must lie within
//     Period of each other (inclusive); older matches are forgotten.
//   - PeriodStart. Periods begin at each cron tick and last Period (0: until
//     the next tick). A match counts only inside the period begun by the
//     latest tick at or before it (now <= tick+Period, inclusive); a match
//     outside it is dropped. The match count restarts at every tick.
//   - Delay. On the match that completes Occurs, the trigger is not raised
//     at once: it is scheduled Delay later on the Clock. Meanwhile events are
//     recorded but not evaluated. At the end of the delay the expression is
//     evaluated again (at the delay's end, or the latest event time if that
//     is later, with the events recorded meanwhile): if it still holds the
//     trigger goes to Options.OnDelayed; if not, it is dropped and the
//     occurrence count restarts ("e1 and not e2" with a delay raises only if
//     no e2 arrived during the delay).
//   - After a trigger all state of the group (events, seq progress, matches)
//     is cleared. Track states are kept: they are levels, not events.
//   - GroupBy "host": each host has its own state; at most MaxHosts are
//     kept, the least recently observed one is forgotten (with any delayed
//     trigger it had pending). Tracks are shared by all hosts.
//
// Memory is bounded: per state, one ring per event (Program.RingSize), one
// time per seq position and Occurs match times; at most MaxHosts states.
type Correlator struct {
	p         *Program
	clock     ds.Clock
	onDelayed func(Trigger)
	maxHosts  int
	loc       *time.Location

	mu     sync.Mutex
	vm     vm.VM
	env    map[string]any
	last   int64 // latest time seen
	tracks []bool
	single *state            // without grouping
	hosts  map[string]*state // with grouping
	front  *state            // most recently observed host
	back   *state            // least recently observed host
	closed bool
}

// state is the correlation state of one group.
type state struct {
	host       string // the key with grouping; the latest event's host otherwise
	rings      []ring
	seqs       [][]int64 // per seq call, per position: latest start time of a chain up to there
	hits       ring      // match times, for a sliding Period
	nHits      int       // matches, otherwise
	periodFrom int64     // PeriodStart: the current period's tick
	nextTick   int64
	periodSet  bool
	pending    *pending
	prev, next *state // LRU list, with grouping
}

// pending is a trigger waiting for the end of its Delay.
type pending struct {
	deadline int64
	timer    ds.Timer
}

// New returns a Correlator running p.
func New(p *Program, opts Options) (*Correlator, error) {
	if p == nil {
		return nil, errors.New("correlate: no program")
	}
	if p.delay > 0 && (opts.Clock == nil || opts.OnDelayed == nil) {
		return nil, errors.New("correlate: a trigger delay needs Options.Clock and Options.OnDelayed")
	}
	c := &Correlator{
		p:         p,
		clock:     opts.Clock,
		onDelayed: opts.OnDelayed,
		maxHosts:  opts.MaxHosts,
		loc:       opts.Location,
		env:       make(map[string]any, len(p.vars)),
		last:      none,
		tracks:    make([]bool, len(p.tracks)),
	}
	if c.maxHosts <= 0 {
		c.maxHosts = DefaultMaxHosts
	}
	if c.loc == nil {
		c.loc = time.Local
	}
	if p.byHost {
		c.hosts = make(map[string]*state)
	} else {
		c.single = c.newState("")
	}
	return c, nil
}

// Observe records that event eventID occurred at time at on host, then
// evaluates the correlation. It returns the trigger when this event raises
// it. Ids that are not the DS's events are ignored. Times must lie between
// the years 1678 and 2262 (time.Time.UnixNano).
func (c *Correlator) Observe(eventID string, at time.Time, host string) (Trigger, bool) {
	idx, ok := c.p.index[eventID]
	if !ok {
		return Trigger{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return Trigger{}, false
	}
	now := c.advance(at.UnixNano())
	st := c.stateFor(host)
	st.host = host
	c.record(st, idx, now)
	if st.pending != nil {
		return Trigger{}, false
	}
	return c.evaluate(st, now)
}

// SetTrack reports the state of tracked object obj at time at. When the
// state changes and the expression names track_obj, the correlation is
// evaluated (for every host with grouping) and the triggers raised are
// returned. Objects the expression does not name are ignored.
func (c *Correlator) SetTrack(obj int, up bool, at time.Time) []Trigger {
	ti, ok := c.p.trackAt[obj]
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.tracks[ti] == up {
		return nil
	}
	c.tracks[ti] = up
	now := c.advance(at.UnixNano())
	var out []Trigger
	eval := func(st *state) {
		if st.pending == nil {
			if t, ok := c.evaluate(st, now); ok {
				out = append(out, t)
			}
		}
	}
	if c.single != nil {
		eval(c.single)
	}
	for st := c.front; st != nil; st = st.next {
		eval(st)
	}
	return out
}

// Close stops pending delayed triggers; the Correlator ignores everything
// afterwards.
func (c *Correlator) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.single != nil {
		c.cancel(c.single)
	}
	for st := c.front; st != nil; st = st.next {
		c.cancel(st)
	}
}

// advance moves the correlator's time to t, or keeps it where it is when
// t is older, and returns it.
func (c *Correlator) advance(t int64) int64 {
	if t < c.last {
		return c.last
	}
	c.last = t
	return t
}

// record adds one occurrence of event idx and advances the seq calls it
// appears in.
func (c *Correlator) record(st *state, idx int, now int64) {
	st.rings[idx].push(now)
	for _, step := range c.p.seqOf[idx] {
		s := st.seqs[step.seq]
		switch {
		case step.pos == 0:
			s[0] = now
		case s[step.pos-1] != none:
			s[step.pos] = max(s[step.pos], s[step.pos-1])
		}
	}
}

// holds evaluates the expression on st at time now.
func (c *Correlator) holds(st *state, now int64) bool {
	p := c.p
	from := now - p.window
	for i := range st.rings {
		st.rings[i].expire(from)
	}
	for _, v := range p.vars {
		switch v.kind {
		case varPresent:
			c.env[v.key] = st.rings[v.idx].n > 0
		case varCount:
			c.env[v.key] = p.boxed[st.rings[v.idx].n]
		case varSeq:
			s := st.seqs[v.idx]
			start := s[len(s)-1]
			c.env[v.key] = start != none && start >= from
		case varTrack:
			c.env[v.key] = c.tracks[v.idx]
		}
	}
	out, err := c.vm.Run(p.prog, c.env)
	if err != nil {
		return false // a checked boolean over bools and ints does not fail
	}
	b, _ := out.(bool)
	return b
}

// evaluate runs the correlation on st at time now, counts a match, and
// raises or schedules the trigger.
func (c *Correlator) evaluate(st *state, now int64) (Trigger, bool) {
	if !c.holds(st, now) {
		return Trigger{}, false
	}
	if !c.match(st, now) {
		st.clearEvents()
		return Trigger{}, false
	}
	if c.p.delay > 0 {
		c.schedule(st, now)
		return Trigger{}, false
	}
	t := c.trigger(st, now)
	st.clearAll()
	return t, true
}

// match counts one match at now and reports whether it completes Occurs.
func (c *Correlator) match(st *state, now int64) bool {
	p := c.p
	if p.sched != nil {
		if !st.periodSet || now >= st.nextTick {
			st.periodFrom, st.nextTick = latestTick(p.sched, now, c.loc)
			st.periodSet = true
			st.hits.reset()
			st.nHits = 0
		}
		if st.periodFrom == none || p.period > 0 && now > st.periodFrom+p.period {
			return false
		}
	}
	switch {
	case p.occurs <= 1:
		return true
	case p.sched == nil && p.period > 0:
		st.hits.expire(now - p.period)
		st.hits.push(now)
		return st.hits.n >= p.occurs
	default:
		st.nHits++
		return st.nHits >= p.occurs
	}
}

// schedule arranges for the trigger of st to be raised after the delay,
// if the correlation still holds then.
func (c *Correlator) schedule(st *state, now int64) {
	pd := &pending{deadline: now + c.p.delay}
	st.pending = pd
	pd.timer = c.clock.AfterFunc(c.p.delayDur, func() { c.delayed(st, pd) })
}

// delayed runs at the end of a delay.
func (c *Correlator) delayed(st *state, pd *pending) {
	c.mu.Lock()
	if c.closed || st.pending != pd {
		c.mu.Unlock()
		return
	}
	st.pending = nil
	now := c.advance(pd.deadline)
	var t Trigger
	fired := c.holds(st, now)
	if fired {
		t = c.trigger(st, now)
		st.clearAll()
	} else {
		st.hits.reset()
		st.nHits = 0
	}
	c.mu.Unlock()
	if fired {
		c.onDelayed(t)
	}
}

// cancel stops st's delayed trigger, if any.
func (c *Correlator) cancel(st *state) {
	if st.pending != nil {
		st.pending.timer.Stop()
		st.pending = nil
	}
}

// trigger builds the Trigger of st at now; rings are already expired.
func (c *Correlator) trigger(st *state, now int64) Trigger {
	t := Trigger{Host: st.host, At: c.time(now)}
	n := 0
	for i := range st.rings {
		if st.rings[i].n > 0 {
			n++
		}
	}
	t.Events = make([]Occurrence, 0, n)
	for i := range st.rings {
		r := &st.rings[i]
		if r.n > 0 {
			t.Events = append(t.Events, Occurrence{ID: c.p.ids[i], Count: r.n, First: c.time(r.oldest()), Last: c.time(r.last())})
		}
	}
	return t
}

func (c *Correlator) time(n int64) time.Time { return time.Unix(0, n).In(c.loc) }

// newState allocates the state of one group, with every ring in one block.
func (c *Correlator) newState(host string) *state {
	p := c.p
	total := 0
	for _, n := range p.ringCap {
		total += n
	}
	for _, s := range p.seqs {
		total += len(s)
	}
	hitCap := 0
	if p.occurs > 1 && p.sched == nil && p.period > 0 {
		hitCap = p.occurs
	}
	block := make([]int64, total+hitCap)
	st := &state{host: host, rings: make([]ring, len(p.ringCap)), seqs: make([][]int64, len(p.seqs))}
	for i, n := range p.ringCap {
		st.rings[i].buf, block = block[:n:n], block[n:]
	}
	for i, s := range p.seqs {
		st.seqs[i], block = block[:len(s):len(s)], block[len(s):]
	}
	st.hits.buf = block
	st.clearEvents()
	return st
}

// clearEvents forgets the occurrences and seq progress.
func (st *state) clearEvents() {
	for i := range st.rings {
		st.rings[i].reset()
	}
	for _, s := range st.seqs {
		for j := range s {
			s[j] = none
		}
	}
}

// clearAll forgets events and matches; the period and tracks stay.
func (st *state) clearAll() {
	st.clearEvents()
	st.hits.reset()
	st.nHits = 0
}

// stateFor returns the state of host's group, creating it (and forgetting
// the least recently observed host when full) if needed.
func (c *Correlator) stateFor(host string) *state {
	if c.single != nil {
		return c.single
	}
	if st, ok := c.hosts[host]; ok {
		c.unlink(st)
		c.pushFront(st)
		return st
	}
	if len(c.hosts) >= c.maxHosts {
		old := c.back
		c.cancel(old)
		c.unlink(old)
		delete(c.hosts, old.host)
	}
	st := c.newState(host)
	c.hosts[host] = st
	c.pushFront(st)
	return st
}

func (c *Correlator) unlink(st *state) {
	if st.prev != nil {
		st.prev.next = st.next
	} else {
		c.front = st.next
	}
	if st.next != nil {
		st.next.prev = st.prev
	} else {
		c.back = st.prev
	}
	st.prev, st.next = nil, nil
}

func (c *Correlator) pushFront(st *state) {
	st.next = c.front
	if c.front != nil {
		c.front.prev = st
	}
	c.front = st
	if c.back == nil {
		c.back = st
	}
}
