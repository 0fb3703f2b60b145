package correlate

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/dsengine/dsengine/ds"
)

// DefaultMaxKeys is how many keys a grouped correlator keeps state for
// when Options.MaxKeys is 0.
const DefaultMaxKeys = 1000

// MaxKeysLimit is the largest key cap a DS may ask for (max-keys).
const MaxKeysLimit = 100000

// Consumption says what a match takes away from the correlation state.
type Consumption int

const (
	// ConsumeAll clears the state of every event on a match, as IOS EEM
	// does with a trigger block: applets keep it.
	ConsumeAll Consumption = iota
	// ConsumeMatched clears only the occurrences that made the expression
	// true (see Correlator): the DS format's rule.
	ConsumeMatched
)

// Options configure a Correlator.
type Options struct {
	// Clock schedules delayed triggers; required when the program has a
	// Delay, unused otherwise.
	Clock ds.Clock
	// OnDelayed receives the triggers raised at the end of a Delay, from the
	// clock's timer goroutine, with no lock held. Required with a Delay.
	OnDelayed func(Trigger)
	// MaxKeys bounds the keys a grouped correlator keeps state for; the
	// least recently observed key is forgotten first, and counted
	// (Evicted). 0 means DefaultMaxKeys.
	MaxKeys int
	// Consume is what a match consumes; the zero value is EEM's rule.
	Consume Consumption
	// Location is where PeriodStart's cron entry is read and Trigger times
	// are given; nil means time.Local.
	Location *time.Location
}

// Event is one occurrence given to ObserveEvent.
type Event struct {
	ID   string
	At   time.Time
	Host string
	// Vars are the occurrence's variables; the group-by names other than
	// host are looked up here (a name it does not set groups as "").
	Vars map[string]string
	// Data is kept with the occurrence and handed back in the Trigger.
	Data any
}

// Trigger is a raised correlation.
type Trigger struct {
	// Host is the host of the latest event observed in the group.
	Host string
	// Key is the group's key: the group-by values joined by spaces; ""
	// without grouping.
	Key string
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
	// Data is the Event.Data of the newest occurrence.
	Data any
	// Consumed says the match consumed it: it took part in making the
	// expression true. With ConsumeAll every occurrence is consumed.
	Consumed bool
}

// KeyStat is one key of a grouped correlator.
type KeyStat struct {
	Key      string
	Triggers uint64
	Last     time.Time // the latest trigger, zero if none
}

// Correlator holds the correlation state of one DS or applet (one per
// key with a group-by) and decides when its trigger is raised. It is safe
// for use by several goroutines.
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
//   - Matches. When the expression holds, that is one match, and the match
//     consumes occurrences, so the next match needs fresh ones. With
//     ConsumeAll (EEM) it consumes every event's occurrences and seq
//     progress. With ConsumeMatched it consumes only what made the
//     expression true, read from its and/or/not structure: both sides of a
//     true "and"; one true side of an "or" (the one naming the event just
//     observed, else the left one), the other side keeping its state;
//     nothing under a "not"; and at a leaf, every occurrence of the events
//     it names (an event id, count(e) — whose ring keeps exactly the
//     occurrences a "count(e) >= N" needs — or seq(...)) with the progress
//     of every seq naming them. Tracks are levels and are never consumed.
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
//     trigger goes to Options.OnDelayed and consumes as a match does; if
//     not, it is dropped and the occurrence count restarts ("e1 and not e2"
//     with a delay raises only if no e2 arrived during the delay).
//   - After a trigger the matches are cleared, and the events as a match
//     consumes them. Track states are kept: they are levels, not events.
//   - GroupBy. Each key (the values of the group-by names in the event:
//     host is the originating host, any other name a variable of the
//     event, "" when it does not set it) has its own state; at most
//     MaxKeys are kept, the least recently observed one is forgotten (with
//     any delayed trigger it had pending) and counted. Tracks are shared by
//     all keys.
//
// Memory is bounded: per state, one ring per event (Program.RingSize), one
// time per seq position and Occurs match times; at most MaxKeys states.
type Correlator struct {
	p         *Program
	clock     ds.Clock
	onDelayed func(Trigger)
	maxKeys   int
	consume   Consumption
	loc       *time.Location

	mu      sync.Mutex
	vm      vm.VM
	env     map[string]any
	used    []bool // per event: consumed by the current match
	last    int64  // latest time seen
	tracks  []bool
	single  *state            // without grouping
	keys    map[string]*state // with grouping
	front   *state            // most recently observed key
	back    *state            // least recently observed key
	evicted uint64
	closed  bool
}

// state is the correlation state of one group.
type state struct {
	key        string // the key with grouping
	host       string // the latest event's host
	rings      []ring
	seqs       [][]int64 // per seq call, per position: latest start time of a chain up to there
	hits       ring      // match times, for a sliding Period
	nHits      int       // matches, otherwise
	periodFrom int64     // PeriodStart: the current period's tick
	nextTick   int64
	periodSet  bool
	pending    *pending
	triggers   uint64
	lastTrig   int64
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
		maxKeys:   opts.MaxKeys,
		consume:   opts.Consume,
		loc:       opts.Location,
		env:       make(map[string]any, len(p.vars)),
		used:      make([]bool, len(p.ids)),
		last:      none,
		tracks:    make([]bool, len(p.tracks)),
	}
	if c.maxKeys <= 0 {
		c.maxKeys = DefaultMaxKeys
	}
	if c.loc == nil {
		c.loc = time.Local
	}
	if len(p.groupBy) > 0 {
		c.keys = make(map[string]*state)
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
	return c.ObserveEvent(Event{ID: eventID, At: at, Host: host})
}

// ObserveEvent is Observe with the occurrence's variables (for group-by
// names) and data (handed back in the Trigger).
func (c *Correlator) ObserveEvent(e Event) (Trigger, bool) {
	idx, ok := c.p.index[e.ID]
	if !ok {
		return Trigger{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return Trigger{}, false
	}
	now := c.advance(e.At.UnixNano())
	st := c.stateFor(c.key(e))
	st.host = e.Host
	c.record(st, idx, now, e.Data)
	if st.pending != nil {
		return Trigger{}, false
	}
	return c.evaluate(st, now, idx)
}

// key returns e's group key.
func (c *Correlator) key(e Event) string {
	switch len(c.p.groupBy) {
	case 0:
		return ""
	case 1:
		return c.value(c.p.groupBy[0], e)
	}
	parts := make([]string, len(c.p.groupBy))
	for i, name := range c.p.groupBy {
		parts[i] = c.value(name, e)
	}
	return strings.Join(parts, " ")
}

func (c *Correlator) value(name string, e Event) string {
	if name == "host" {
		return e.Host
	}
	return e.Vars[name]
}

// SetTrack reports the state of tracked object obj at time at. When the
// state changes and the expression names track_obj, the correlation is
// evaluated (for every key with grouping) and the triggers raised are
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
			if t, ok := c.evaluate(st, now, -1); ok {
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

// Keys returns at most n keys (all when n <= 0) of a grouped correlator,
// most triggers first (then most recent trigger, then key), and how many
// keys it holds. Without grouping it returns nothing.
func (c *Correlator) Keys(n int) ([]KeyStat, int) {
	c.mu.Lock()
	out := make([]KeyStat, 0, len(c.keys))
	for st := c.front; st != nil; st = st.next {
		k := KeyStat{Key: st.key, Triggers: st.triggers}
		if st.lastTrig != 0 {
			k.Last = c.time(st.lastTrig)
		}
		out = append(out, k)
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Triggers != b.Triggers {
			return a.Triggers > b.Triggers
		}
		if !a.Last.Equal(b.Last) {
			return a.Last.After(b.Last)
		}
		return a.Key < b.Key
	})
	total := len(out)
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out, total
}

// Evicted returns how many keys were forgotten to stay within MaxKeys.
func (c *Correlator) Evicted() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.evicted
}

// MaxKeys returns the key cap in force.
func (c *Correlator) MaxKeys() int { return c.maxKeys }

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
func (c *Correlator) record(st *state, idx int, now int64, data any) {
	st.rings[idx].push(now, data)
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

// holds evaluates the expression on st at time now, leaving the
// environment set for the leaves.
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
	return c.run(p.prog)
}

// run runs a program over the environment as set by holds.
func (c *Correlator) run(prog *vm.Program) bool {
	out, err := c.vm.Run(prog, c.env)
	if err != nil {
		return false // a checked boolean over bools and ints does not fail
	}
	b, _ := out.(bool)
	return b
}

// mark sets c.used to the events the match consumes; obs is the event
// just observed (-1 for a track change or the end of a delay). The
// environment is as holds left it.
func (c *Correlator) mark(obs int) {
	all := c.consume == ConsumeAll
	for i := range c.used {
		c.used[i] = all
	}
	if !all {
		c.markShape(c.p.shape, obs)
	}
}

// markShape marks what the true sub-expression sh consumes.
func (c *Correlator) markShape(sh *shape, obs int) {
	switch sh.op {
	case 'a':
		c.markShape(sh.kids[0], obs)
		c.markShape(sh.kids[1], obs)
	case 'o':
		l, r := c.truth(sh.kids[0]), c.truth(sh.kids[1])
		switch {
		case l && r && obs >= 0 && !sh.kids[0].names(obs) && sh.kids[1].names(obs):
			c.markShape(sh.kids[1], obs)
		case l:
			c.markShape(sh.kids[0], obs)
		case r:
			c.markShape(sh.kids[1], obs)
		}
	case 'l':
		for _, i := range sh.events {
			c.used[i] = true
		}
	}
}

// truth evaluates a sub-expression over the environment.
func (c *Correlator) truth(sh *shape) bool {
	switch sh.op {
	case 'a':
		return c.truth(sh.kids[0]) && c.truth(sh.kids[1])
	case 'o':
		return c.truth(sh.kids[0]) || c.truth(sh.kids[1])
	case 'n':
		return !c.truth(sh.kids[0])
	}
	return c.run(sh.prog)
}

// names reports whether the sub-expression names event idx.
func (sh *shape) names(idx int) bool {
	if sh.op == 'l' {
		return slices.Contains(sh.events, idx)
	}
	for _, k := range sh.kids {
		if k.names(idx) {
			return true
		}
	}
	return false
}

// consumeUsed clears the occurrences of the events marked in c.used and
// the progress of every seq naming one of them.
func (c *Correlator) consumeUsed(st *state) {
	for i, u := range c.used {
		if u {
			st.rings[i].reset()
		}
	}
	for s, evs := range c.p.seqs {
		for _, i := range evs {
			if c.used[i] {
				for j := range st.seqs[s] {
					st.seqs[s][j] = none
				}
				break
			}
		}
	}
}

// evaluate runs the correlation on st at time now, counts a match, and
// raises or schedules the trigger; obs is the event just observed, or -1.
func (c *Correlator) evaluate(st *state, now int64, obs int) (Trigger, bool) {
	if !c.holds(st, now) {
		return Trigger{}, false
	}
	c.mark(obs)
	if !c.match(st, now) {
		c.consumeUsed(st)
		return Trigger{}, false
	}
	if c.p.delay > 0 {
		c.schedule(st, now)
		return Trigger{}, false
	}
	t := c.trigger(st, now)
	c.consumeUsed(st)
	st.clearMatches()
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
		st.hits.push(now, nil)
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
		c.mark(-1)
		t = c.trigger(st, now)
		c.consumeUsed(st)
		st.clearMatches()
	} else {
		st.clearMatches()
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

// trigger builds the Trigger of st at now, with c.used marked; rings are
// already expired.
func (c *Correlator) trigger(st *state, now int64) Trigger {
	st.triggers++
	st.lastTrig = now
	t := Trigger{Host: st.host, Key: st.key, At: c.time(now)}
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
			t.Events = append(t.Events, Occurrence{ID: c.p.ids[i], Count: r.n, First: c.time(r.oldest()),
				Last: c.time(r.last()), Data: r.lastData(), Consumed: c.used[i]})
		}
	}
	return t
}

func (c *Correlator) time(n int64) time.Time { return time.Unix(0, n).In(c.loc) }

// newState allocates the state of one group, with every ring in one block.
func (c *Correlator) newState(key string) *state {
	p := c.p
	total := 0
	for _, n := range p.ringCap {
		total += n
	}
	rings := total
	for _, s := range p.seqs {
		total += len(s)
	}
	hitCap := 0
	if p.occurs > 1 && p.sched == nil && p.period > 0 {
		hitCap = p.occurs
	}
	block := make([]int64, total+hitCap)
	data := make([]any, rings)
	st := &state{key: key, rings: make([]ring, len(p.ringCap)), seqs: make([][]int64, len(p.seqs))}
	for i, n := range p.ringCap {
		st.rings[i].buf, block = block[:n:n], block[n:]
		st.rings[i].data, data = data[:n:n], data[n:]
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

// clearMatches forgets the matches; the period and tracks stay.
func (st *state) clearMatches() {
	st.hits.reset()
	st.nHits = 0
}

// stateFor returns the state of key's group, creating it (and forgetting
// the least recently observed key when full) if needed.
func (c *Correlator) stateFor(key string) *state {
	if c.single != nil {
		return c.single
	}
	if st, ok := c.keys[key]; ok {
		c.unlink(st)
		c.pushFront(st)
		return st
	}
	if len(c.keys) >= c.maxKeys {
		old := c.back
		c.cancel(old)
		c.unlink(old)
		delete(c.keys, old.key)
		c.evicted++
	}
	st := c.newState(key)
	c.keys[key] = st
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
