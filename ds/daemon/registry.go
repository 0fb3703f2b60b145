package daemon

import (
	"context"
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/internal/english"
)

// resync makes the registered DS those the store says are registered or
// running: after start, a command, a reload or a download. A DS whose
// detectors cannot register is marked failed with the reason.
func (d *Daemon) resync() {
	s := d.detect
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	d.stats.flush() // whether a DS ran comes from its statistics
	store := d.opts.Store
	var want, partitions []registry.Want
	for _, en := range store.List() {
		if en.Runnable() && (en.Status == ds.StatusRegistered || en.Status == ds.StatusRunning) {
			w := registry.Want{Sig: en.Signature, Prompts: en.PromptAnswers,
				Ran: en.Stats.Runs > 0 && !en.Stats.LastTrigger.Before(en.LastUpdate)}
			// The fleet's partitions never run timers: the holder of
			// the timers lease does, once for the fleet.
			p := w
			p.NoTimers = true
			partitions = append(partitions, p)
			w.NoTimers = d.noTimers.Load()
			want = append(want, w)
		}
	}
	d.wants.Store(&partitions)
	for id, err := range s.registry.Sync(want) {
		d.log.Error("register", "ds", id, "err", err)
		if uerr := store.Update(id, func(en *bootflash.Entry) {
			en.Status, en.FailureReason = ds.StatusFailed, "cannot register: "+err.Error()
		}); uerr != nil {
			d.log.Error("status", "ds", id, "err", uerr)
		}
	}
	if ids := strings.Join(s.registry.IDs(), " "); ids != s.lastIDs {
		d.log.Info("registered", "ds", ids)
		s.lastIDs = ids
	}
}

// setRunning marks a registered DS running while its actions run (SPEC §4):
// in memory, persisted by the statistics writer's next flush.
func (d *Daemon) setRunning(id string, running bool) {
	d.stats.setStatus(id, running)
}

// runDone records one run in the DS's statistics and sets it back to
// registered, in memory: the statistics writer persists it.
func (d *Daemon) runDone(id string, st engine.RunStats, reg *registry.Registry) {
	if m := d.mx.Load(); m != nil && !st.Received.IsZero() {
		m.ObserveRun(d.clock.Now().Sub(st.Received))
	}
	d.stats.runDone(id, st, keyStats(reg, id))
}

// topKeys is how many keys per group the statistics keep.
const topKeys = 10

// keyStats returns the key states of DS id's grouped events and
// correlation, for its statistics.
func keyStats(reg *registry.Registry, id string) []bootflash.KeyGroup {
	if reg == nil {
		return nil
	}
	var out []bootflash.KeyGroup
	for _, g := range reg.Keys(id, topKeys) {
		kg := bootflash.KeyGroup{What: g.What, GroupBy: g.GroupBy, Held: g.Held, Max: g.Max, Evicted: g.Evicted}
		for _, k := range g.Top {
			kg.Top = append(kg.Top, bootflash.KeyCount{Key: k.Key, Triggers: k.Triggers, Last: k.Last})
		}
		out = append(out, kg)
	}
	return out
}

// addRunStats adds one run to a DS's statistics.
func addRunStats(s *bootflash.Stats, st engine.RunStats) {
	s.Triggers++
	s.LastTrigger = st.Trigger
	switch st.Outcome {
	case engine.Suppressed:
		s.Suppressed++
		s.LastSuppressed = st.Reason
	case engine.Failed:
		s.FailedRuns++
	default:
		s.Runs++
		s.TotalRunTime += st.Duration
	}
	if s.ByAction == nil {
		s.ByAction = map[ds.ActionType]int64{}
	}
	for _, c := range st.ByType {
		s.ByAction[c.Type] += int64(c.N)
		s.ActionsRun += int64(c.N)
	}
	s.ActionsFailed += int64(st.Failed)
	s.LastAction = st.Trigger.Add(st.Duration)
	s.LastActionResult, s.LastActionFailed = st.Last, st.LastFail
}

// callHomeEventCommands lists the command actions of the registered DS
// whose call-home event adds them to group g's messages. The alert group
// asks once per message: each such DS counts a trigger, since its outputs
// join the message.
func (d *Daemon) callHomeEventCommands(g config.AlertGroup) []string {
	var cmds []string
	now := d.clock.Now()
	for _, owner := range d.detect.hub.AlertGroupCommands(string(g)) {
		en, ok := d.opts.Store.Get(owner)
		if !ok || en.Signature == nil {
			continue
		}
		n := 0
		for _, a := range en.Signature.Actions {
			if a.Type == ds.ActionCommand {
				cmds = append(cmds, a.Text)
				n++
			}
		}
		d.report(engine.Record{Time: now, DS: owner, Kind: "trigger", Type: string(ds.EventCallHome),
			Detail: fmt.Sprintf("%s alert-group message: %s added", g, english.Plural(n, "command"))})
		if err := d.opts.Store.Update(owner, func(en *bootflash.Entry) {
			en.Stats.Triggers++
			en.Stats.LastTrigger = now
		}); err != nil {
			d.log.Error("statistics", "ds", owner, "err", err)
		}
	}
	return cmds
}

// overBudget is an owner the hub found over its match-time budget.
type overBudget struct{ owner, reason string }

// failOverBudget moves a DS over its match-time budget to failed, with
// the reason, and deregisters it, so that the other DS keep their share
// of every line; an applet is deregistered until the next reload.
func (d *Daemon) failOverBudget(ctx context.Context, o overBudget) {
	ctx, release, err := d.acquire(ctx)
	if err != nil {
		return
	}
	defer release()
	if strings.HasPrefix(o.owner, AppletOwnerPrefix) {
		d.log.Error("applet deregistered until the next reload", "applet", strings.TrimPrefix(o.owner, AppletOwnerPrefix),
			"reason", o.reason)
		d.detect.applets.deregister(strings.TrimPrefix(o.owner, AppletOwnerPrefix))
		return
	}
	err = d.opts.Store.Update(o.owner, func(en *bootflash.Entry) {
		en.Status, en.FailureReason = ds.StatusFailed, "over its match-time budget: "+o.reason
	})
	if err != nil {
		d.log.Error("status", "ds", o.owner, "err", err)
	}
	d.log.Error("failed", "ds", o.owner, "reason", o.reason)
	d.resync()
}

// Wants is the DS the last resync registered (a new slice after each): a
// fleet worker evaluates them in its partitions, without their timer
// events.
func (d *Daemon) Wants() []registry.Want {
	if w := d.wants.Load(); w != nil {
		return *w
	}
	return nil
}

// Fire runs a trigger of DS id with the daemon's engine (an action intent
// from the fleet); false when the DS is not registered here.
func (d *Daemon) Fire(ctx context.Context, id string, t engine.Trigger) bool {
	if !d.detect.engine.Has(id) {
		return false
	}
	d.detect.engine.Fire(ctx, id, t)
	return true
}

// SetTimers registers (on) or deregisters the timer events of the DS and
// applets: periodic events and EEM timers. A fleet worker's daemon starts
// without them and runs them while it holds the fleet's timers lease, so
// that they run once for the fleet rather than once per worker.
func (d *Daemon) SetTimers(ctx context.Context, on bool) error {
	ctx, release, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	if d.noTimers.Load() == !on {
		return nil
	}
	d.noTimers.Store(!on)
	d.log.Info("timer events", "registered", on)
	d.detect.applets.load(d.Config())
	d.resync()
	return nil
}
