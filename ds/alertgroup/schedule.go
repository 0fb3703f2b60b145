package alertgroup

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/robfig/cron/v3"
)

// cronParser reads config.Periodic.Cron(): five fields or "@every Nm".
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Scheduler sends the periodic alert-group messages: for each active
// profile's periodic subscription (configuration, inventory, snapshot), the
// group's message to that profile at each time of its schedule, on the
// Sender's clock, in the clock's time zone. Its methods may be called from
// several goroutines.
type Scheduler struct {
	s           *Sender
	onInventory func(profile string)

	mu      sync.Mutex
	gen     uint64 // the plan's generation; a timer of an older one does nothing
	entries []*entry
	stopped bool
}

// entry is one periodic subscription and its timer.
type entry struct {
	cfg      *config.Config
	profile  string
	group    config.AlertGroup
	periodic config.Periodic
	sched    cron.Schedule
	gen      uint64
	next     time.Time
	timer    ds.Timer
}

// Planned is one scheduled periodic message, for "show call-home".
type Planned struct {
	Profile  string
	Group    config.AlertGroup
	Periodic config.Periodic
	Next     time.Time
}

// NewScheduler returns a scheduler with nothing planned; Reschedule plans.
// onInventory, if not nil, is called right after each periodic inventory
// message of a profile was handed to the outbox (or failed to be), with the
// profile's name: the DS periodic download follows the DS profile's
// periodic inventory message.
func NewScheduler(s *Sender, onInventory func(profile string)) *Scheduler {
	return &Scheduler{s: s, onInventory: onInventory}
}

// Reschedule replaces the plan with the periodic subscriptions of cfg's
// active profiles, each next due after now; call it at start and after
// each reload. A schedule that cannot be read is left out and returned in
// the error; a nil cfg plans nothing.
func (sc *Scheduler) Reschedule(cfg *config.Config) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.stopped {
		return errors.New("alertgroup: scheduler stopped")
	}
	sc.stopLocked()
	sc.gen++
	if cfg == nil {
		return nil
	}
	var errs []error
	for _, p := range cfg.CallHome.Profiles {
		if !p.Active {
			continue
		}
		for _, sub := range p.Subscriptions {
			if sub.Periodic == nil || !sub.Group.Periodic() {
				continue
			}
			sched, err := cronParser.Parse(sub.Periodic.Cron())
			if err != nil {
				errs = append(errs, fmt.Errorf("profile %s: subscribe-to-alert-group %s periodic %s: %w", p.Name, sub.Group, sub.Periodic, err))
				continue
			}
			e := &entry{cfg: cfg, profile: p.Name, group: sub.Group, periodic: *sub.Periodic, sched: sched, gen: sc.gen}
			sc.entries = append(sc.entries, e)
			sc.armLocked(e, sc.s.clock.Now())
		}
	}
	return errors.Join(errs...)
}

// Stop cancels every timer; the scheduler plans nothing afterwards.
func (sc *Scheduler) Stop() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.stopLocked()
	sc.gen++
	sc.stopped = true
}

// Planned returns the plan: each periodic subscription and when it is due
// next, in configuration order.
func (sc *Scheduler) Planned() []Planned {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	out := make([]Planned, 0, len(sc.entries))
	for _, e := range sc.entries {
		out = append(out, Planned{Profile: e.profile, Group: e.group, Periodic: e.periodic, Next: e.next})
	}
	return out
}

// stopLocked stops the timers and forgets the entries.
func (sc *Scheduler) stopLocked() {
	for _, e := range sc.entries {
		if e.timer != nil {
			e.timer.Stop()
		}
	}
	sc.entries = nil
}

// armLocked starts e's timer for its next time after from. A timer that
// fires a little early (a wall clock stepped back) never makes the same
// time due twice: from is at least the time that just fell due.
func (sc *Scheduler) armLocked(e *entry, from time.Time) {
	if from.Before(e.next) {
		from = e.next
	}
	next := e.sched.Next(from)
	if next.IsZero() {
		return // no time matches within cron's search horizon
	}
	e.next = next
	now := sc.s.clock.Now()
	e.timer = sc.s.clock.AfterFunc(next.Sub(now), func() { sc.fire(e) })
}

// fire sends e's periodic message, calls the inventory hook, and arms the
// next time.
func (sc *Scheduler) fire(e *entry) {
	sc.mu.Lock()
	if e.gen != sc.gen {
		sc.mu.Unlock()
		return
	}
	sc.mu.Unlock()

	s := sc.s
	res := s.periodic(e.cfg, e.profile, e.group)
	if err := res.Error(); err != nil {
		s.log.Warn("call-home periodic", "profile", e.profile, "group", e.group, "result", res.String())
	} else {
		s.log.Info("call-home periodic", "profile", e.profile, "group", e.group, "result", res.String())
	}
	if e.group == config.GroupInventory && sc.onInventory != nil {
		sc.onInventory(e.profile)
	}

	sc.mu.Lock()
	defer sc.mu.Unlock()
	if e.gen == sc.gen {
		sc.armLocked(e, s.clock.Now())
	}
}

// periodic sends a group's periodic message to one profile: a full
// configuration or inventory message, or the snapshot commands' outputs.
func (s *Sender) periodic(cfg *config.Config, profile string, g config.AlertGroup) Result {
	a := NewAlert(g)
	a.Description = "Periodic " + string(g) + " info message"
	p := cfg.Profile(profile)
	if p == nil {
		return Result{Type: string(g), SubType: a.SubType, Err: fmt.Errorf("profile %q does not exist", profile)}
	}
	if !groupEnabled(cfg, g) {
		return Result{Type: string(g), SubType: a.SubType,
			Err: fmt.Errorf("the %s alert group is disabled; enable it with `alert-group %s`", g, g)}
	}
	return s.deliver(s.ctx, cfg, a.spec(), []*config.Profile{p})
}
