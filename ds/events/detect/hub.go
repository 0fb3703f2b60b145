package detect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/internal/lazyre"
	"github.com/dsengine/dsengine/internal/parallel"

	"github.com/dsengine/dsengine/ds"
	dsconfig "github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/config"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/track"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/events/match"
)

// Options configure a Hub.
type Options struct {
	Clock ds.Clock // the only source of time; ds.RealClock{} when nil
	// Host is the local host name: Fired.Host of events that carry no
	// syslog message.
	Host string
	// Tracks and SLAs are the configuration's tracked objects and IP SLA
	// operations (SetTracking replaces them later).
	Tracks []dsconfig.Track
	SLAs   []dsconfig.IPSLA
	Dialer track.Dialer // IP SLA connections; a *net.Dialer when nil
	Log    *slog.Logger // nil discards
	// OnCap, when set, is called with CapSelfEcho or CapEchoDepth each
	// time one of the engine's own lines is kept from a detector, with
	// CapMatchBudget when an owner goes over its match-time budget, and
	// with CapRateLimit for each fire dropped by its event's ratelimit
	// (the daemon counts them).
	OnCap func(cap string)
	// Limits bound what the registered syslog patterns may cost every
	// line; nil sets none. SetLimits changes them.
	Limits *Limits
	// OnOverBudget, when set, is called once when an owner's patterns go
	// over Limits.MatchBudget, with the owner and the reason; the hub
	// then delivers no more lines to that owner's detectors (its patterns
	// still run until it is deregistered). It is called from the
	// delivering goroutine and must not block: queue the work.
	OnOverBudget func(owner, reason string)
	// SysRoot is where sysfs is mounted for the detectors that poll it
	// (detector.Env.SysRoot); "" is /sys.
	SysRoot string
	// SNMPGet and CDP are the detectors' detector.Env.SNMPGet and
	// detector.Env.CDP: what `event snmp` polls, and whether `event
	// neighbor-discovery ... cdp` may register. Nil when the host has
	// neither.
	SNMPGet func(ctx context.Context, oid string, next bool) (detector.SNMPValue, error)
	CDP     func() bool
}

// The caps OnCap names.
const (
	CapSelfEcho    = "self-echo"    // a line not delivered to the detectors of the DS or applet that logged it
	CapEchoDepth   = "echo-depth"   // a line at events.MaxEchoDepth delivered to no detector
	CapMatchBudget = "match-budget" // an owner over its match-time budget
	CapRateLimit   = "ratelimit"    // a fire dropped within its event's ratelimit
)

// Limits bound what the registered syslog patterns may cost every line,
// for every owner: a pattern with a literal runs only on the lines that
// contain it, one without (match.LiteralFree) on every line.
type Limits struct {
	// LiteralFree is how many patterns without a literal all owners may
	// register together; a registration that would pass it is refused.
	// Negative means no limit.
	LiteralFree int
	// MatchBudget is how long one owner's patterns may take in a
	// MatchWindow, measured on the hub's clock around each pattern run
	// and each delivery of a match to its detector (capture groups, a
	// copy of the line), before the owner is over budget (OnOverBudget).
	// 0 means no budget: nothing is timed.
	MatchBudget time.Duration
	MatchWindow time.Duration
	// MatchSample times one line in MatchSample, drawn at random, and
	// charges its time MatchSample times over: reading the clock around
	// every pattern of every line would cost more than most patterns. 0
	// means DefaultMatchSample; 1 times every line.
	MatchSample int
	// Budgeted says which owners are held to MatchBudget; nil means
	// every owner.
	Budgeted func(owner string) bool
}

// DefaultMatchWindow is the window a match-time budget is measured over.
const DefaultMatchWindow = 10 * time.Second

// DefaultMatchSample is how many lines one timed line stands for.
const DefaultMatchSample = 16

// Registration identifies one registered event.
type Registration struct {
	ID      uint64 // unique for the Hub's life, never reused
	Owner   string
	EventID string
	Type    ds.EventType // the detector type (an eem event's is the type its line names)
}

// Spec is one event to register: for whom, what, the ${ds_x} values
// its attributes refer to, and the function called when it fires.
type Spec struct {
	Owner string
	Event ds.Event
	Vars  map[string]string
	Fire  func(Fired)
}

// Hub owns the detectors' shared inputs: one match index over the syslog
// patterns of every registered event (so the cost of a line does not grow
// with the number of DS), the OIR and configuration-change streams, the
// tracked objects, manual runs and commands. Register and Deregister take
// effect at once, while messages flow.
//
// Deliver, InjectOIR, ConfigChanged, CLI, CounterChanged and Run read an immutable
// snapshot of the registrations without locks and may be called from any
// goroutine, concurrently with each other and with registration changes.
// Owners' fire functions are called from the goroutine that delivered the
// input, or the clock's for timers and probes; they must not block for
// long (queue the work) and may call Register and Deregister.
type Hub struct {
	ctx     context.Context
	cancel  context.CancelFunc
	clock   ds.Clock
	host    string
	sysRoot string // Options.SysRoot
	log     *slog.Logger
	onCap   func(cap string)
	onOver  func(owner, reason string)
	snmpGet func(ctx context.Context, oid string, next bool) (detector.SNMPValue, error)
	cdp     func() bool
	limits  atomic.Pointer[Limits]
	index   *match.Index
	tracker *track.Tracker

	mu      sync.Mutex // serialises writers
	regs    map[uint64]*reg
	budgets map[string]*budget // of the owners with syslog routes
	nextID  uint64
	closed  bool

	routes atomic.Pointer[routes]
}

// reg is a registration and its running detector.
type reg struct {
	Registration
	det         detector.Detector
	cancel      context.CancelFunc
	literalFree bool             // a syslog pattern the index runs on every line
	prefilter   *match.Prefilter // of a syslog pattern, until the index has it
}

// routes is an immutable snapshot of which detector takes which input,
// rebuilt on every registration change. Slices are in registration order.
type routes struct {
	syslog  map[int]syslogRoute // by registration ID, as the index knows it
	meter   *match.Meter        // times the patterns for their owners' budgets
	oir     []detector.OIRInput
	config  []detector.ConfigInput
	track   []detector.TrackInput
	cli     []detector.CLIInput
	counter []detector.CounterInput
	host    map[ds.EventType][]detector.HostInput
	none    map[string][]detector.Runner // by owner
	groups  map[string][]string          // alert group → owners, sorted
}

// syslogRoute is a detector the index feeds, and its owner: the engine's
// own lines are not delivered to the owner that logged them, and the
// time its pattern takes is charged to the owner's budget.
type syslogRoute struct {
	det    detector.SyslogInput
	owner  string
	budget *budget // nil for the hub's own route
}

// NewHub returns a hub whose detectors and IP SLA operations run until
// ctx ends or Close is called. The tracked objects start at once.
func NewHub(ctx context.Context, opts Options) *Hub {
	if opts.Clock == nil {
		opts.Clock = ds.RealClock{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.OnCap == nil {
		opts.OnCap = func(string) {}
	}
	if opts.OnOverBudget == nil {
		opts.OnOverBudget = func(string, string) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &Hub{
		ctx: ctx, cancel: cancel, clock: opts.Clock, host: opts.Host, log: opts.Log, onCap: opts.OnCap,
		onOver: opts.OnOverBudget, sysRoot: opts.SysRoot, snmpGet: opts.SNMPGet, cdp: opts.CDP, index: match.New(), regs: map[uint64]*reg{}, budgets: map[string]*budget{},
	}
	h.setLimits(opts.Limits)
	h.routes.Store(&routes{})
	h.tracker = track.NewTracker(opts.Clock, opts.Dialer, opts.Log, h.trackChanged)
	h.tracker.Configure(opts.Tracks, opts.SLAs)
	h.tracker.Start(ctx)
	// The tracked objects follow the line-protocol messages through the
	// same index as every detector, on a route of the Hub's own.
	var b match.Batch
	b.AddPattern(trackRoute, h.tracker.Regexp())
	h.index.Apply(&b)
	h.publish()
	return h
}

// ErrClosed is returned by Register after Close.
var ErrClosed = errors.New("detect: hub closed")

// Register builds, validates and starts the detector of ev for owner
// (a DS id, or an applet name): ${ds_x} in its attributes take their
// values from vars, and fire is called each time the event happens. An
// event of type eem is registered as the detector its line names.
func (h *Hub) Register(owner string, ev ds.Event, vars map[string]string, fire func(Fired)) (Registration, error) {
	regs, err := h.RegisterAll([]Spec{{Owner: owner, Event: ev, Vars: vars, Fire: fire}})
	if err != nil {
		return Registration{}, err
	}
	return regs[0], nil
}

// RegisterAll registers several events at once, with one rebuild of the
// syslog index (a thousand patterns take tens of milliseconds to index,
// so register a DS's events, or every DS at start-up, together). It
// registers all of them or, on the first error, none.
func (h *Hub) RegisterAll(specs []Spec) ([]Registration, error) {
	return h.Replace(nil, specs)
}

// Replace deregisters old and registers specs in one change, with one
// rebuild of the syslog index: what a DS whose variables changed needs.
// On an error nothing changes: old stays registered and none of specs is.
func (h *Hub) Replace(old []Registration, specs []Spec) ([]Registration, error) {
	built, err := h.buildAll(specs)
	if err != nil {
		return nil, err
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if err := h.checkLiteralFree(old, built); err != nil {
		return nil, err
	}
	var batch match.Batch
	var gone []*reg
	for _, o := range old {
		if r := h.regs[o.ID]; r != nil {
			gone = append(gone, r)
			delete(h.regs, r.ID)
			if _, ok := r.det.(detector.SyslogInput); ok {
				batch.Remove(int(r.ID))
			}
		}
	}
	for _, r := range built {
		h.nextID++
		r.ID = h.nextID
		h.regs[r.ID] = r
		if s, ok := r.det.(detector.SyslogInput); ok {
			if r.prefilter != nil {
				batch.AddAnalyzed(int(r.ID), s.Regexp(), *r.prefilter)
				r.prefilter = nil
			} else {
				batch.AddPattern(int(r.ID), s.Regexp())
			}
		}
	}
	// Routes first, then the index: a message the new index matches finds
	// its detector (IDs are never reused, so one the old index matches
	// finds its old detector, stopped below, or nothing).
	h.publish()
	if batch.Len() > 0 {
		h.index.Apply(&batch)
	}
	for i, r := range built {
		ctx, cancel := context.WithCancel(h.ctx)
		r.cancel = cancel
		if err := r.det.Start(ctx); err != nil {
			h.undo(gone, built[:i+1], built[i+1:])
			return nil, fmt.Errorf("register %s event %s: %w", r.Owner, r.EventID, err)
		}
	}
	for _, r := range gone {
		r.stop()
	}
	out := make([]Registration, len(built))
	for i, r := range built {
		out[i] = r.Registration
	}
	return out, nil
}

// undo reverts a Replace whose detector failed to start: the started and
// unstarted new registrations go, the old ones come back; h.mu is held.
func (h *Hub) undo(gone, started, unstarted []*reg) {
	var batch match.Batch
	for _, r := range append(slices.Clip(started), unstarted...) {
		delete(h.regs, r.ID)
		if _, ok := r.det.(detector.SyslogInput); ok {
			batch.Remove(int(r.ID))
		}
	}
	for _, r := range gone {
		h.regs[r.ID] = r
		if s, ok := r.det.(detector.SyslogInput); ok {
			batch.AddPattern(int(r.ID), s.Regexp())
		}
	}
	h.publish()
	h.index.Apply(&batch)
	for _, r := range started {
		r.stop()
	}
}

// parallelBuild is how many specs make buildAll use every core: compiling
// and analysing 10,000 patterns one after the other was a quarter of a
// start.
const parallelBuild = 256

// buildAll builds the detectors of specs, outside the lock, on every core
// when there are many. The error is the first spec's that failed, in the
// order of specs, whatever the order the cores finished in.
func (h *Hub) buildAll(specs []Spec) ([]*reg, error) {
	built := make([]*reg, len(specs))
	errs := make([]error, len(specs))
	workers := 1
	if len(specs) >= parallelBuild {
		workers = 0 // every core
	}
	parallel.Each(len(specs), workers, func(i int) { built[i], errs[i] = h.build(specs[i]) })
	for i, err := range errs {
		if err != nil { // none of them started: nothing to stop
			return nil, fmt.Errorf("register %s event %s: %w", specs[i].Owner, specs[i].Event.ID, err)
		}
	}
	return built, nil
}

// build makes the detector of one spec, outside the lock.
func (h *Hub) build(s Spec) (*reg, error) {
	if s.Fire == nil {
		return nil, errors.New("no fire function")
	}
	ev := s.Event
	if ev.Type == ds.EventEEM {
		line, err := types.ParseEEM(ev.EEMLine)
		if err != nil {
			return nil, fmt.Errorf("EEM event line: %w", err)
		}
		if line.ID == "" {
			line.ID = ev.ID
		}
		line.Pos = ev.Pos
		ev = line
	}
	d, ok := types.Lookup(ev.Type)
	if !ok || d.New == nil {
		return nil, fmt.Errorf("unknown event type %q", ev.Type)
	}
	if ev.RateLimit < 0 {
		return nil, fmt.Errorf("negative ratelimit %v", ev.RateLimit)
	}
	r := &reg{Registration: Registration{Owner: s.Owner, EventID: ev.ID, Type: ev.Type}}
	fire := s.Fire
	var limit *rateLimit // most events have no ratelimit: nothing to hold
	if ev.RateLimit > 0 {
		limit = &rateLimit{every: ev.RateLimit}
	}
	env := detector.Env{Owner: s.Owner, Clock: h.clock, Vars: s.Vars, Host: h.host, Log: h.log, SysRoot: h.sysRoot, SNMPGet: h.snmpGet, CDP: h.cdp, Fire: func(f Fired) {
		f.Registration = r.ID // set under h.mu before the detector is reachable or started
		if !limit.allow(h.clock.Now()) {
			h.onCap(CapRateLimit)
			h.log.Debug("fire dropped by ratelimit", "owner", r.Owner, "event", r.EventID, "ratelimit", limit.every)
			return
		}
		fire(f)
	}}
	det, err := d.New(ev, env)
	if err != nil {
		return nil, err
	}
	r.det = det
	if s, ok := det.(detector.SyslogInput); ok {
		pf := match.AnalyzeExpr(s.Regexp().String())
		r.prefilter, r.literalFree = &pf, pf.Key == nil
	}
	return r, nil
}

// rateLimit is an event's ratelimit: a fire within every of the last one
// let through is dropped. It is the one place ratelimits are enforced, for
// every detector type, on the hub's clock.
type rateLimit struct {
	every time.Duration

	mu   sync.Mutex
	last time.Time // of the last fire let through; zero before the first
}

// allow reports whether a fire at now passes, and if so records it; a nil
// limit (an event without a ratelimit) passes every fire.
func (l *rateLimit) allow(now time.Time) bool {
	if l == nil || l.every <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		return false
	}
	l.last = now
	return true
}

// Deregister stops and removes registrations; IDs no longer registered
// are ignored. After it returns no detector check lets a new fire
// through, but a fire another goroutine had already let through may still
// reach the owner: owners that must not act on it drop a Fired whose
// Registration they no longer hold. (Waiting for such fires inside
// Deregister would deadlock an owner that deregisters from its fire
// function.)
func (h *Hub) Deregister(regs ...Registration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var rs []*reg
	for _, r := range regs {
		if x := h.regs[r.ID]; x != nil {
			rs = append(rs, x)
		}
	}
	h.remove(rs)
}

// DeregisterOwner removes every registration of owner and returns how
// many there were.
func (h *Hub) DeregisterOwner(owner string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var rs []*reg
	for _, r := range h.regs {
		if r.Owner == owner {
			rs = append(rs, r)
		}
	}
	h.remove(rs)
	return len(rs)
}

// remove unregisters rs and stops their detectors; h.mu is held.
func (h *Hub) remove(rs []*reg) {
	if len(rs) == 0 {
		return
	}
	var batch match.Batch
	for _, r := range rs {
		if _, ok := r.det.(detector.SyslogInput); ok {
			batch.Remove(int(r.ID))
		}
		delete(h.regs, r.ID)
	}
	// The index first, then the routes: IDs are never reused, so a
	// message matched on the old index finds either the old detector
	// (stopped below) or nothing.
	if batch.Len() > 0 {
		h.index.Apply(&batch)
	}
	h.publish()
	for _, r := range rs {
		r.stop()
	}
}

// stop stops the detector and ends its context.
func (r *reg) stop() {
	r.det.Stop()
	if r.cancel != nil {
		r.cancel()
	}
}

// publish rebuilds the routes from h.regs; h.mu is held.
func (h *Hub) publish() {
	all := make([]*reg, 0, len(h.regs))
	for _, r := range h.regs {
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b *reg) int { return cmp.Compare(a.ID, b.ID) })
	// Each input takes the detectors that implement its interface: a new
	// detector type needs no change here, only a new kind of input does.
	rt := &routes{
		syslog:  map[int]syslogRoute{},
		oir:     inputs[detector.OIRInput](all),
		config:  inputs[detector.ConfigInput](all),
		track:   inputs[detector.TrackInput](all),
		cli:     inputs[detector.CLIInput](all),
		counter: inputs[detector.CounterInput](all),
		host:    map[ds.EventType][]detector.HostInput{},
		none:    map[string][]detector.Runner{},
		groups:  map[string][]string{},
	}
	rt.syslog[trackRoute] = syslogRoute{det: trackLines{h.tracker}}
	rt.meter = &match.Meter{Now: h.clock.Now, Spent: func(ids []int, d time.Duration, end time.Time) { h.charge(rt, ids, d, end) }}
	budgets := map[string]*budget{}
	for _, r := range all {
		if d, ok := r.det.(detector.SyslogInput); ok {
			var b *budget
			if lim := h.limits.Load(); lim.Budgeted == nil || lim.Budgeted(r.Owner) {
				if b = budgets[r.Owner]; b == nil {
					b = h.budgets[r.Owner]
				}
				if b == nil {
					b = &budget{owner: r.Owner}
				}
				budgets[r.Owner] = b
			}
			rt.syslog[int(r.ID)] = syslogRoute{det: d, owner: r.Owner, budget: b}
		}
		if d, ok := r.det.(detector.HostInput); ok {
			rt.host[r.Type] = append(rt.host[r.Type], d)
		}
		if d, ok := r.det.(detector.Runner); ok {
			rt.none[r.Owner] = append(rt.none[r.Owner], d)
		}
		if d, ok := r.det.(detector.AlertGrouper); ok {
			g := d.AlertGroup()
			if !slices.Contains(rt.groups[g], r.Owner) {
				rt.groups[g] = append(rt.groups[g], r.Owner)
			}
		}
	}
	for _, owners := range rt.groups {
		slices.Sort(owners)
	}
	// An owner that left takes its budget along: registered again, it
	// starts afresh.
	h.budgets = budgets
	h.routes.Store(rt)
}

// inputs returns the detectors of all that implement the input interface
// I, in registration order.
func inputs[I detector.Detector](all []*reg) []I {
	var out []I
	for _, r := range all {
		if d, ok := r.det.(I); ok {
			out = append(out, d)
		}
	}
	return out
}

// Deliver feeds one parsed syslog message to the detectors whose pattern
// matches its body, through the one index: the syslog and cli events'
// own patterns, the OIR and config events' messages (%OIR insert/remove,
// %SYS-5-CONFIG_I), and the tracked objects' %LINEPROTO-5-UPDOWN. m is
// used only during the call (detectors keep m.Clone()). A message that
// matches nothing costs one index scan and allocates nothing.
//
// Occurs/period windows, ratelimits and Fired.Time use the hub's clock,
// not the line's timestamp (device clocks are often unset: "*Mar  1"): a
// replay sets a virtual clock to each line's time before delivering it.
//
// One of the engine's own lines (m.Origin) is never delivered to the
// detectors of the DS or applet that logged it, so a DS whose message
// matches its own pattern does not trigger itself; and a line
// events.MaxEchoDepth deep in a chain of such lines is delivered to none,
// which cuts a cycle through several DS (A's message fires B, B's fires
// A). Both are counted and logged.
func (h *Hub) Deliver(m *events.Message) {
	if m.Origin.Depth >= events.MaxEchoDepth {
		h.onCap(CapEchoDepth)
		h.log.Warn("echo cycle cut", "origin", m.Origin.Owner, "depth", m.Origin.Depth, "line", m.Body,
			"reason", fmt.Sprintf("%d of the engine's own lines in a chain, each triggered by the one before: find the DS or applets whose messages match each other's patterns", m.Origin.Depth))
		return
	}
	rt := h.routes.Load()
	lim := h.limits.Load()
	// Lines are timed at random: a fixed period would time the same
	// lines of a periodic stream, or let a sender keep its costly lines
	// off the period.
	metered := lim.MatchBudget > 0 && (lim.MatchSample == 1 || rand.IntN(lim.MatchSample) == 0)
	self := false
	deliver := func(id int) {
		r, ok := rt.syslog[id]
		switch {
		case !ok:
		case m.Origin.Owner != "" && r.owner == m.Origin.Owner:
			self = true
		case r.budget != nil && r.budget.over.Load():
		case metered && r.budget != nil:
			// What the detector does with a match (its capture groups,
			// a copy of the line) is the owner's cost too.
			start := h.clock.Now()
			r.det.Syslog(m)
			end := h.clock.Now()
			h.chargeBudget(r.budget, end.Sub(start), end, lim)
		default:
			r.det.Syslog(m)
		}
	}
	if metered {
		h.index.MatchMetered(m.Body, rt.meter, deliver)
	} else {
		h.index.Match(m.Body, deliver)
	}
	if self {
		h.onCap(CapSelfEcho)
		h.log.Info("own echo not delivered", "origin", m.Origin.Owner, "line", m.Body)
	}
}

// trackRoute is the index ID of the tracked objects' route; registration
// IDs start at 1.
const trackRoute = 0

// trackLines feeds the tracked objects from the syslog index.
type trackLines struct{ t *track.Tracker }

func (l trackLines) Start(context.Context) error { return nil }
func (l trackLines) Stop()                       {}
func (l trackLines) Regexp() *lazyre.Regexp      { return l.t.Regexp() }
func (l trackLines) Syslog(m *events.Message)    { l.t.Syslog(m) }

// InjectOIR feeds an OIR event that no message reported
// (`dsengine event oir --slot N insert|remove`).
func (h *Hub) InjectOIR(slot int, action string) error {
	if slot < 0 {
		return fmt.Errorf("inject oir: slot %d is not a slot number", slot)
	}
	if action != detector.ActionInsert && action != detector.ActionRemove {
		return fmt.Errorf("inject oir: action %q is not insert or remove", action)
	}
	e := detector.OIR{Time: h.clock.Now(), Slot: slot, SlotName: fmt.Sprint(slot), Action: action, Host: h.host}
	for _, d := range h.routes.Load().oir {
		d.OIR(e)
	}
	return nil
}

// Publish feeds an event of the host's native sources (route, interface,
// neighbor, …) to the detectors of its type. Like Deliver it reads the
// routes without locks and may be called from any goroutine.
func (h *Hub) Publish(e detector.HostEvent) {
	for _, d := range h.routes.Load().host[e.EventType()] {
		d.HostEvent(e)
	}
}

// ConfigChanged feeds the change of a configuration file on disk (the
// change line is "file PATH changed"); the daemon's filewatch.Watcher calls
// it.
func (h *Hub) ConfigChanged(path string) {
	c := detector.ConfigChange{Time: h.clock.Now(), Line: config.FileLine(path), Path: path, Host: h.host}
	for _, d := range h.routes.Load().config {
		d.ConfigChange(c)
	}
}

// CLI feeds a command an operator typed, before it runs, to the EEM cli
// events, and returns the verdicts of those that fired with sync or skip.
func (h *Hub) CLI(command string) []detector.CLIVerdict {
	now := h.clock.Now()
	var out []detector.CLIVerdict
	for _, d := range h.routes.Load().cli {
		if v := d.CLI(now, command); v.Skip || v.Sync != nil {
			out = append(out, v)
		}
	}
	return out
}

// CounterChanged feeds the new value of EEM counter name (set by an
// applet's `action counter`) to the counter events; the daemon, which
// keeps the counters, calls it after each change.
func (h *Hub) CounterChanged(name string, value int64) {
	now := h.clock.Now()
	for _, d := range h.routes.Load().counter {
		d.Counter(now, name, value)
	}
}

// Run fires owner's `event none` events by hand (`event manager run
// APPLET [ARG …]`) with args, and returns how many fired; it is an error
// when owner has none.
func (h *Hub) Run(owner string, args []string) (int, error) {
	rs := h.routes.Load().none[owner]
	if len(rs) == 0 {
		return 0, fmt.Errorf("run %s: no event none registered for it", owner)
	}
	now := h.clock.Now()
	for _, d := range rs {
		d.Run(now, args)
	}
	return len(rs), nil
}

// AlertGroupCommands returns the owners, sorted, whose call-home events
// add their commands to the messages of an alert group.
func (h *Hub) AlertGroupCommands(group string) []string {
	return slices.Clone(h.routes.Load().groups[group])
}

// TrackState returns the state of tracked object n ("up", "down" or
// "unknown" before the first observation) and whether it is configured.
func (h *Hub) TrackState(n int) (string, bool) { return h.tracker.State(n) }

// SetTracking replaces the tracked objects and IP SLA operations after a
// configuration change; unchanged objects keep their state.
func (h *Hub) SetTracking(tracks []dsconfig.Track, slas []dsconfig.IPSLA) {
	h.tracker.Configure(tracks, slas)
}

// trackChanged feeds a tracked object's change to the track events.
func (h *Hub) trackChanged(c detector.TrackChange) {
	for _, d := range h.routes.Load().track {
		d.TrackChange(c)
	}
}

// Registrations returns the current registrations in registration order.
func (h *Hub) Registrations() []Registration {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Registration, 0, len(h.regs))
	for _, r := range h.regs {
		out = append(out, r.Registration)
	}
	slices.SortFunc(out, func(a, b Registration) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// IndexStats describes the syslog match index.
func (h *Hub) IndexStats() match.Stats { return h.index.Stats() }

// Close stops every detector and IP SLA operation; Register fails after
// it.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	rs := make([]*reg, 0, len(h.regs))
	for _, r := range h.regs {
		rs = append(rs, r)
	}
	h.remove(rs)
	h.mu.Unlock()
	h.tracker.Stop()
	h.cancel()
}

// SetLimits replaces the limits (nil: none). A lower LiteralFree refuses
// new registrations and keeps those made; a new budget applies from the
// next line.
func (h *Hub) SetLimits(l *Limits) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.setLimits(l)
	h.publish() // the owners held to a budget may have changed
}

// setLimits stores l with its defaults filled in; h.mu is held.
func (h *Hub) setLimits(l *Limits) {
	if l == nil {
		l = &Limits{LiteralFree: -1}
	}
	c := *l
	if c.MatchBudget > 0 && c.MatchWindow <= 0 {
		c.MatchWindow = DefaultMatchWindow
	}
	if c.MatchSample <= 0 {
		c.MatchSample = DefaultMatchSample
	}
	h.limits.Store(&c)
}

// checkLiteralFree refuses a change that would take the patterns without
// a literal past the limit; a change that adds none passes, even past a
// limit lowered since. h.mu is held.
func (h *Hub) checkLiteralFree(old []Registration, built []*reg) error {
	lim := h.limits.Load()
	added := 0
	for _, r := range built {
		if r.literalFree {
			added++
		}
	}
	if lim.LiteralFree < 0 || added == 0 {
		return nil
	}
	leaving := map[uint64]bool{}
	for _, o := range old {
		leaving[o.ID] = true
	}
	n := added
	for _, r := range h.regs {
		if r.literalFree && !leaving[r.ID] {
			n++
		}
	}
	if n <= lim.LiteralFree {
		return nil
	}
	var owners []string
	for _, r := range built {
		if r.literalFree && !slices.Contains(owners, r.Owner) {
			owners = append(owners, r.Owner)
		}
	}
	return fmt.Errorf("register %s: %d syslog patterns without a literal on the host would be over the limit of %d "+
		"(they run on every line for every DS; `match literal-free-patterns` in the dsengine block sets it): "+
		"start each pattern with its message's %%FACILITY-SEVERITY-MNEMONIC, or raise the limit",
		strings.Join(owners, ", "), n, lim.LiteralFree)
}

// budget is one owner's match time in the current window.
type budget struct {
	owner string
	over  atomic.Bool // went over: its detectors hear no more lines

	mu    sync.Mutex
	start time.Time // of the window
	spent time.Duration
}

// charge adds the time a pattern took to the budgets of the owners
// registered with it, each once.
func (h *Hub) charge(rt *routes, ids []int, d time.Duration, end time.Time) {
	lim := h.limits.Load()
	var last *budget
	for _, id := range ids {
		if b := rt.syslog[id].budget; b != nil && b != last {
			last = b
			h.chargeBudget(b, d, end, lim)
		}
	}
}

// chargeBudget adds d, measured on a timed line that ended at end, to
// b: MatchSample times d, since the line stands for that many. The
// first time it takes b over, the owner is reported.
func (h *Hub) chargeBudget(b *budget, d time.Duration, end time.Time, lim *Limits) {
	if b.over.Load() {
		return
	}
	spent, over := b.add(d*time.Duration(lim.MatchSample), end, lim)
	if !over {
		return
	}
	reason := fmt.Sprintf("its syslog patterns took %v of %v, over the match-time budget of %v (%d%% of a CPU, "+
		"`match time-budget` in the dsengine block): they slow every line for every DS; "+
		"start each pattern with its message's %%FACILITY-SEVERITY-MNEMONIC and install it again",
		spent.Round(time.Millisecond), lim.MatchWindow, lim.MatchBudget, 100*lim.MatchBudget/lim.MatchWindow)
	h.onCap(CapMatchBudget)
	h.log.Warn("over its match-time budget", "owner", b.owner, "reason", reason)
	h.onOver(b.owner, reason)
}

// add charges d, spent by a pattern that ended at end, and reports the
// time spent in the window when this charge took it over the budget
// (once: over stays set).
func (b *budget) add(d time.Duration, end time.Time, lim *Limits) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.over.Load() {
		return 0, false
	}
	if b.start.IsZero() || end.Sub(b.start) >= lim.MatchWindow {
		b.start, b.spent = end.Add(-d), 0
	}
	b.spent += d
	if b.spent <= lim.MatchBudget {
		return b.spent, false
	}
	b.over.Store(true)
	return b.spent, true
}
