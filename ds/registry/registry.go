package registry

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"sync"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events/detect"
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
	sig     *ds.Signature
	prompts map[string]string
	values  map[string]string // what its patterns were rendered with
	events  []ds.Event        // the events it registers
	corr    *correlate.Correlator

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
	last     map[string]engine.Event // the latest occurrence of each event, for a correlated trigger
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
	var specs []detect.Spec
	var added []*registered
	for _, w := range want {
		id := w.Sig.ID
		keep[id] = true
		values := r.values(w.Sig, w.Prompts)
		if old, ok := r.dss[id]; ok && old.sig == w.Sig && maps.Equal(old.values, values) && maps.Equal(old.prompts, w.Prompts) {
			continue
		}
		r.removeLocked(id)
		reg := &registered{sig: w.Sig, prompts: maps.Clone(w.Prompts), values: values, last: map[string]engine.Event{}}
		if w.Sig.Correlate != nil {
			ids := make([]string, 0, len(w.Sig.Events))
			for _, e := range w.Sig.Events {
				ids = append(ids, e.ID)
			}
			prog, err := correlate.Compile(w.Sig.Correlate, ids)
			if err == nil {
				reg.corr, err = correlate.New(prog, correlate.Options{Clock: r.opts.Clock,
					OnDelayed: func(t correlate.Trigger) { r.fireCorrelated(reg, t) }})
			}
			if err != nil {
				failed[id] = fmt.Errorf("correlation: %w", err)
				continue
			}
		}
		for _, ev := range w.Sig.Events {
			if ev.Type == ds.EventImmediate && w.Ran {
				continue
			}
			reg.events = append(reg.events, ev)
		}
		specs = append(specs, r.specs(reg)...)
		added = append(added, reg)
	}
	for id := range r.dss {
		if !keep[id] {
			r.removeLocked(id)
		}
	}
	r.registerLocked(specs, added, failed)
	return failed
}

// registerLocked registers the events of the added DS, all in one index
// rebuild when every one is valid, else DS by DS so the valid ones still
// register.
func (r *Registry) registerLocked(specs []detect.Spec, added []*registered, failed map[string]error) {
	if len(added) == 0 {
		return
	}
	regs, err := r.opts.Hub.RegisterAll(specs)
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
			if reg.corr != nil {
				reg.corr.Close()
			}
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
	for _, ev := range reg.events {
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
		ev := toEvent(f)
		reg.last[f.EventID] = ev
		reg.mu.Unlock()
		r.trigger(reg, f, ev)
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

func (r *Registry) removeLocked(id string) {
	reg, ok := r.dss[id]
	if !ok {
		return
	}
	delete(r.dss, id)
	reg.drop()
	reg.mu.Lock()
	regs := reg.regs
	reg.mu.Unlock()
	r.opts.Hub.Deregister(regs...)
	if reg.corr != nil {
		reg.corr.Close()
	}
	r.opts.Engine.Remove(id)
}

// Close deregisters everything.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.dss {
		r.removeLocked(id)
	}
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

func (r *Registry) values(sig *ds.Signature, prompts map[string]string) map[string]string {
	k := r.opts.Known()
	k.Hostname = r.opts.Hostname
	k.Prompts = prompts
	k.Now = r.opts.Clock.Now()
	v := vars.Values(sig, k)
	delete(v, "ds_timestamp") // changes every time: not a reason to re-register
	return v
}

// fireFunc turns the fires of one registration attempt of reg into engine
// triggers, through the DS's correlation when it has one. Fires of an
// attempt that is no longer current (it failed, or the DS was removed) are
// dropped; fires that come while Sync is adopting the DS wait for adopt.
func (r *Registry) fireFunc(reg *registered, attempt uint64) func(detect.Fired) {
	return func(f detect.Fired) {
		ev := toEvent(f)
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
		reg.last[f.EventID] = ev
		reg.mu.Unlock()
		r.trigger(reg, f, ev)
	}
}

// trigger fires the engine for ev, an occurrence of one of reg's events
// already recorded in reg.last, or observes it in the correlation.
func (r *Registry) trigger(reg *registered, f detect.Fired, ev engine.Event) {
	if reg.corr == nil {
		r.opts.Engine.Fire(r.ctx, reg.sig.ID, engine.Trigger{Time: f.Time, Events: []engine.Event{ev}})
		return
	}
	if t, ok := reg.corr.Observe(f.EventID, f.Time, f.Host); ok {
		r.fireCorrelated(reg, t)
	}
}

func (r *Registry) fireCorrelated(reg *registered, t correlate.Trigger) {
	events := make([]engine.Event, 0, len(t.Events))
	reg.mu.Lock()
	for _, o := range t.Events {
		if ev, ok := reg.last[o.ID]; ok {
			events = append(events, ev)
		}
	}
	reg.mu.Unlock()
	if len(events) == 0 {
		return
	}
	// The event that completed the correlation goes last: its variables win.
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	r.opts.Engine.Fire(r.ctx, reg.sig.ID, engine.Trigger{Time: t.At, Events: events})
}

// toEvent keeps what the actions need of a fire: its variables, a line
// describing it, and the fields EEM scripts read with event_reqinfo().
func toEvent(f detect.Fired) engine.Event {
	ev := engine.Event{ID: f.EventID, Type: f.Type, Time: f.Time, Vars: f.Vars(), Text: f.Text(), Info: f.Info()}
	if f.Message != nil {
		// The run echoes one deeper than the engine's own line that
		// triggered it: a cycle through several DS ends at the hub.
		ev.Depth = f.Message.Origin.Depth
	}
	return ev
}
