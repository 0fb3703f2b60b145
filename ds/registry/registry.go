package registry

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/types"
	"github.com/dsengine/dsengine/ds/vars"
)

// Want is a DS that should run, with its prompt answers.
type Want struct {
	Sig     *ds.Signature
	Prompts map[string]string
	// Ran says the DS already ran since it was stored: its immediate
	// events, which fire once when a DS is installed, are not registered
	// again (a restart must not repeat them).
	Ran bool
	// NoTimers leaves out its clock-driven events (IsTimer): in a fleet,
	// only the worker holding the timers lease registers them.
	NoTimers bool
}

// IsTimer says whether ev fires from the clock alone, without a line or a
// host's state: a periodic event or an EEM timer (an EEM line kept as
// written is read to tell).
func IsTimer(ev ds.Event) bool {
	if ev.Type == ds.EventEEM {
		line, err := types.ParseEEM(ev.EEMLine)
		return err == nil && line.Type == ds.EventPeriodic
	}
	return ev.Type == ds.EventPeriodic
}

// Options configure a Registry.
type Options struct {
	Hub      *detect.Hub
	Engine   *engine.Engine
	Clock    ds.Clock
	Hostname string
	// Known returns the environment at the moment of a (re)registration;
	// patterns with ${ds_x} are rendered with it.
	Known func() vars.Known
	// Report receives registration failures.
	Report func(engine.Record)
}

// Registry holds what is registered for each DS.
type Registry struct {
	opts Options
	ctx  context.Context

	mu  sync.Mutex
	dss map[string]*registered
}

type registered struct {
	sig      *ds.Signature
	prompts  map[string]string
	values   map[string]string // what its patterns were rendered with
	events   []*ds.Event       // the events it registers: in sig.Events, not copies (368 bytes each)
	noTimers bool              // Want.NoTimers: its timer events left out
	corr     *correlate.Correlator
	// keyed holds the per-key occurs of each event with a group-by: its
	// detector fires on every match and this counts them per key.
	keyed map[string]*correlate.Correlator
	// scripts says the DS has a script action, the one reader of the
	// events' event_reqinfo() fields (engine.Event.Info): a DS without
	// one is not given them.
	scripts bool

	mu   sync.Mutex
	regs []detect.Registration
	// attempt numbers the registration attempts: a fire counts only if it
	// comes from the current one. It moves on when an attempt fails and
	// when the DS is removed, which drops the late fires of the detectors
	// that attempt started.
	attempt uint64
	// adopting says Sync has started the current attempt's detectors but
	// not yet added the DS to the engine: their fires (an immediate event
	// fires at once, from the clock's goroutine) wait in held until it
	// has.
	adopting bool
	held     []detect.Fired
}

// New returns a Registry whose engine workers live as long as ctx.
func New(ctx context.Context, opts Options) *Registry {
	if opts.Report == nil {
		opts.Report = func(engine.Record) {}
	}
	if opts.Known == nil {
		opts.Known = func() vars.Known { return vars.Known{} }
	}
	return &Registry{opts: opts, ctx: ctx, dss: map[string]*registered{}}
}

// Sync makes the registered DS exactly want: it removes the others, and
// (re)registers each DS that is new, changed, or whose variable values
// changed. It returns the ids that failed to register, with the reason.
func (r *Registry) Sync(want []Want) map[string]error {
	r.mu.Lock()
	defer r.mu.Unlock()
	failed := map[string]error{}
	keep := map[string]bool{}
	var gone []detect.Registration // of the DS removed or replaced: out in one batch
	var specs []detect.Spec
	var added []*registered
	for _, w := range want {
		id := w.Sig.ID
		keep[id] = true
		values := r.values(w.Sig, w.Prompts)
		if old, ok := r.dss[id]; ok && old.sig == w.Sig && maps.Equal(old.values, values) && maps.Equal(old.prompts, w.Prompts) &&
			old.noTimers == w.NoTimers {
			continue
		}
		gone = append(gone, r.detachLocked(id)...)
		reg := &registered{sig: w.Sig, prompts: maps.Clone(w.Prompts), values: values, noTimers: w.NoTimers,
			scripts: slices.ContainsFunc(w.Sig.Actions, func(a ds.Action) bool { return a.Type == ds.ActionScript })}
		if err := r.correlators(reg); err != nil {
			reg.closeCorrelators()
			failed[id] = err
			continue
		}
		for i := range w.Sig.Events {
			ev := &w.Sig.Events[i]
			if ev.Type == ds.EventImmediate && w.Ran || w.NoTimers && IsTimer(*ev) {
				continue
			}
			reg.events = append(reg.events, ev)
		}
		specs = append(specs, r.specs(reg)...)
		added = append(added, reg)
	}
	for id := range r.dss {
		if !keep[id] {
			gone = append(gone, r.detachLocked(id)...)
		}
	}
	r.registerLocked(gone, specs, added, failed)
	return failed
}

// registerLocked deregisters gone and registers the events of the added
// DS, all in one index rebuild when every one is valid, else DS by DS so
// the valid ones still register.
func (r *Registry) registerLocked(gone []detect.Registration, specs []detect.Spec, added []*registered, failed map[string]error) {
	if len(added) == 0 {
		r.opts.Hub.Deregister(gone...)
		return
	}
	regs, err := r.opts.Hub.Replace(gone, specs)
	if err != nil {
		// Replace changed nothing: take out what goes, then try each DS.
		r.opts.Hub.Deregister(gone...)
	}
	if err == nil {
		byOwner := map[string][]detect.Registration{}
		for _, g := range regs {
			byOwner[g.Owner] = append(byOwner[g.Owner], g)
		}
		for _, reg := range added {
			r.adopt(reg, byOwner[reg.sig.ID])
		}
		return
	}
	for _, reg := range added {
		// A new attempt: whatever the failed one's detectors fired
		// before they were stopped is dropped.
		regs, err := r.opts.Hub.RegisterAll(r.specs(reg))
		if err != nil {
			failed[reg.sig.ID] = err
			reg.drop()
			reg.closeCorrelators()
			continue
		}
		r.adopt(reg, regs)
	}
}

// specs starts a registration attempt of reg and returns the specs of its
// events, whose fires count while the attempt is the current one.
func (r *Registry) specs(reg *registered) []detect.Spec {
	reg.mu.Lock()
	reg.attempt++
	attempt := reg.attempt
	reg.adopting, reg.held = true, nil
	reg.mu.Unlock()
	fire := r.fireFunc(reg, attempt)
	specs := make([]detect.Spec, 0, len(reg.events))
	for _, p := range reg.events {
		ev := *p
		if reg.keyed[ev.ID] != nil {
			// The registry counts per key: the detector fires on every match.
			ev.Occurs, ev.Period = 1, 0
		}
		specs = append(specs, detect.Spec{Owner: reg.sig.ID, Event: ev, Vars: reg.values, Fire: fire})
	}
	return specs
}

// adopt records a DS whose detectors are registered, adds it to the
// engine, and then lets through the fires that came in meanwhile, in
// order; r.mu is held.
func (r *Registry) adopt(reg *registered, regs []detect.Registration) {
	reg.mu.Lock()
	reg.regs = regs
	reg.mu.Unlock()
	r.dss[reg.sig.ID] = reg
	r.opts.Engine.Add(r.ctx, reg.sig, reg.prompts)
	for {
		reg.mu.Lock()
		if len(reg.held) == 0 {
			reg.adopting = false
			reg.mu.Unlock()
			return
		}
		f := reg.held[0]
		reg.held = reg.held[1:]
		reg.mu.Unlock()
		r.trigger(reg, f, toEvent(f, reg.scripts))
	}
}

// drop ends the current registration attempt: its fires, held or late,
// are dropped.
func (reg *registered) drop() {
	reg.mu.Lock()
	reg.attempt++
	reg.adopting, reg.held = false, nil
	reg.mu.Unlock()
}

// detachLocked takes DS id out of the registry and the engine and returns
// its hub registrations, for the caller to deregister with the others in
// one batch: each Deregister rebuilds the match index, so removing 10,000
// DS one call each was quadratic. Its fires from now on are dropped.
func (r *Registry) detachLocked(id string) []detect.Registration {
	reg, ok := r.dss[id]
	if !ok {
		return nil
	}
	delete(r.dss, id)
	reg.drop()
	reg.mu.Lock()
	regs := reg.regs
	reg.mu.Unlock()
	reg.closeCorrelators()
	r.opts.Engine.Remove(id)
	return regs
}

// Close deregisters everything, in one batch.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	var gone []detect.Registration
	for id := range r.dss {
		gone = append(gone, r.detachLocked(id)...)
	}
	r.opts.Hub.Deregister(gone...)
}

// IDs lists the registered DS, sorted numerically.
func (r *Registry) IDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.dss))
	for id := range r.dss {
		ids = append(ids, id)
	}
	ds.SortIDs(ids)
	return ids
}

// values returns the variable values sig's detectors are built with: the
// detectors read them only to fill ${ds_x} in a pattern, a cron entry or
// an EEM line, so a DS whose events name no variable (most) has none, and
// a change of a value does not register it again. A map a DS held 6 MB
// with 10,000 DS.
func (r *Registry) values(sig *ds.Signature, prompts map[string]string) map[string]string {
	if !slices.ContainsFunc(sig.Events, namesVariable) {
		return nil
	}
	k := r.opts.Known()
	k.Hostname = r.opts.Hostname
	k.Prompts = prompts
	k.Now = r.opts.Clock.Now()
	v := vars.Values(sig, k)
	delete(v, "ds_timestamp") // changes every time: not a reason to re-register
	return v
}

// namesVariable reports whether ev has a ${ds_x} a detector fills in.
func namesVariable(ev ds.Event) bool {
	return strings.Contains(ev.Pattern, "${") || strings.Contains(ev.Cron, "${") || strings.Contains(ev.EEMLine, "${")
}

// fireFunc turns the fires of one registration attempt of reg into engine
// triggers, through the DS's correlation when it has one. Fires of an
// attempt that is no longer current (it failed, or the DS was removed) are
// dropped; fires that come while Sync is adopting the DS wait for adopt.
func (r *Registry) fireFunc(reg *registered, attempt uint64) func(detect.Fired) {
	return func(f detect.Fired) {
		ev := toEvent(f, reg.scripts)
		reg.mu.Lock()
		switch {
		case reg.attempt != attempt:
			reg.mu.Unlock()
			return // a late fire of a registration already removed
		case reg.adopting:
			reg.held = append(reg.held, f)
			reg.mu.Unlock()
			return
		}
		reg.mu.Unlock()
		r.trigger(reg, f, ev)
	}
}

// trigger fires the engine for ev, an occurrence of one of reg's events,
// or observes it in the correlation. An event with a group-by first counts
// toward its key's occurs.
func (r *Registry) trigger(reg *registered, f detect.Fired, ev engine.Event) {
	if k := reg.keyed[f.EventID]; k != nil {
		t, ok := k.ObserveEvent(correlate.Event{ID: f.EventID, At: f.Time, Host: f.Host, Vars: ev.Vars, Data: ev})
		if !ok {
			return
		}
		ev.Vars = maps.Clone(ev.Vars)
		ev.Vars[correlate.KeyVar] = t.Key
	}
	if reg.corr == nil {
		r.opts.Engine.Fire(r.ctx, reg.sig.ID, engine.Trigger{Time: f.Time, Events: []engine.Event{ev}})
		return
	}
	if t, ok := reg.corr.ObserveEvent(correlate.Event{ID: f.EventID, At: f.Time, Host: f.Host, Vars: ev.Vars, Data: ev}); ok {
		r.fireCorrelated(reg, t)
	}
}

// fireCorrelated runs the DS for a raised correlation with the events that
// took part (those the match consumed), each also setting its variables
// under its own id (ds_<id>_1, ds_<id>_time…).
func (r *Registry) fireCorrelated(reg *registered, t correlate.Trigger) {
	events := make([]engine.Event, 0, len(t.Events))
	for _, all := range []bool{false, true} {
		for _, o := range t.Events {
			ev, ok := o.Data.(engine.Event)
			if !ok || !o.Consumed && !all {
				continue
			}
			ev.Vars = correlate.EventVars(o.ID, ev.Vars, ev.Time)
			events = append(events, ev)
		}
		if len(events) > 0 {
			break // else nothing was consumed ("not e1"): every event in the window
		}
	}
	if len(events) == 0 {
		return
	}
	// The event that completed the correlation goes last: its variables win.
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	if len(reg.sig.Correlate.GroupBy) > 0 {
		last := &events[len(events)-1]
		last.Vars[correlate.KeyVar] = t.Key
	}
	r.opts.Engine.Fire(r.ctx, reg.sig.ID, engine.Trigger{Time: t.At, Events: events})
}

// correlators builds reg's correlation and the per-key counts of its
// grouped events.
func (r *Registry) correlators(reg *registered) error {
	sig := reg.sig
	for _, ev := range sig.Events {
		if ev.GroupBy == "" {
			continue
		}
		prog, err := correlate.CompileOccurs(ev)
		if err == nil {
			if reg.keyed == nil {
				reg.keyed = map[string]*correlate.Correlator{}
			}
			reg.keyed[ev.ID], err = correlate.New(prog, correlate.Options{MaxKeys: ev.MaxKeys, Consume: correlate.ConsumeMatched})
		}
		if err != nil {
			return fmt.Errorf("%s: event %s: group-by: %w", ev.Pos, ev.ID, err)
		}
	}
	if sig.Correlate == nil {
		return nil
	}
	ids := make([]string, 0, len(sig.Events))
	for _, e := range sig.Events {
		ids = append(ids, e.ID)
	}
	prog, err := correlate.Compile(sig.Correlate, ids)
	if err == nil {
		reg.corr, err = correlate.New(prog, correlate.Options{Clock: r.opts.Clock, MaxKeys: sig.Correlate.MaxKeys,
			Consume: correlate.ConsumeMatched, OnDelayed: func(t correlate.Trigger) { r.fireCorrelated(reg, t) }})
	}
	if err != nil {
		return fmt.Errorf("correlation: %w", err)
	}
	return nil
}

// closeCorrelators stops reg's correlators.
func (reg *registered) closeCorrelators() {
	if reg.corr != nil {
		reg.corr.Close()
	}
	for _, k := range reg.keyed {
		k.Close()
	}
}

// KeyGroup is the key state of one grouped event or correlation of a DS.
type KeyGroup struct {
	What    string // "event flap" or "correlation"
	GroupBy string
	Held    int // keys held now
	Max     int // the cap
	Evicted uint64
	Top     []correlate.KeyStat // most triggers first
}

// Keys returns the key state of DS id's grouped events and correlation,
// with at most top keys each; nil when it has none or is not registered.
func (r *Registry) Keys(id string, top int) []KeyGroup {
	r.mu.Lock()
	reg, ok := r.dss[id]
	r.mu.Unlock()
	if !ok {
		return nil
	}
	var out []KeyGroup
	add := func(what, groupBy string, c *correlate.Correlator) {
		keys, held := c.Keys(top)
		out = append(out, KeyGroup{What: what, GroupBy: groupBy, Held: held, Max: c.MaxKeys(), Evicted: c.Evicted(), Top: keys})
	}
	for _, ev := range reg.sig.Events {
		if c := reg.keyed[ev.ID]; c != nil {
			add("event "+ev.ID, ev.GroupBy, c)
		}
	}
	if reg.corr != nil && reg.sig.Correlate.GroupBy != "" {
		add("correlation", reg.sig.Correlate.GroupBy, reg.corr)
	}
	return out
}

// toEvent keeps what the actions need of a fire: its variables, a line
// describing it, and, for a DS with scripts, the fields EEM scripts read
// with event_reqinfo() (a map and two formatted times a fire).
func toEvent(f detect.Fired, scripts bool) engine.Event {
	ev := engine.Event{ID: f.EventID, Type: f.Type, Time: f.Time, Vars: f.Vars(), Text: f.Text(), Received: f.Time}
	if scripts {
		ev.Info = f.Info()
	}
	if f.Message != nil {
		ev.Received = f.Message.Received
		// The run echoes one deeper than the engine's own line that
		// triggered it: a cycle through several DS ends at the hub.
		ev.Depth = f.Message.Origin.Depth
	}
	return ev
}
