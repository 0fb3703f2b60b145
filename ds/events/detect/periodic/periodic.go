package periodic

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/vars"
)

// cronParser reads 5 fields, 6 with seconds first, and descriptors.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron parses a cron entry: five fields (minute hour day-of-month
// month day-of-week), six with seconds first, or a descriptor (@hourly,
// @daily, @every 5m …). When both day fields are restricted either
// matches, as in cron.
func ParseCron(spec string) (s cron.Schedule, err error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, fmt.Errorf("cron %q: time-zone prefixes are not supported", spec)
	}
	// robfig/cron panics on some malformed input: report it instead.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cron %q: invalid entry", spec)
		}
	}()
	s, err = cronParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", spec, err)
	}
	return s, nil
}

// The clock alone drives the detector; it takes no input from the Hub.
var _ detector.Detector = (*Detector)(nil)

// Detector is a registered periodic event.
type Detector struct {
	ev    ds.Event
	env   detector.Env
	sched cron.Schedule // TimerCron
	every time.Duration // TimerInterval, TimerWatchdog
	once  bool          // TimerCountdown, TimerAbsolute

	mu      sync.Mutex
	timer   ds.Timer
	next    time.Time // when the pending timer is planned for
	stopped bool
}

// New validates ev and builds its detector. A cron entry may hold ${ds_x}
// references; intervals and times must be positive (an absolute time may
// be 0, the epoch).
func New(ev ds.Event, env detector.Env) (*Detector, error) {
	d := &Detector{ev: ev, env: env}
	kind := ev.Timer
	if kind == "" && ev.Cron != "" {
		kind = ds.TimerCron
	} else if kind == "" {
		kind = ds.TimerInterval
	}
	d.ev.Timer = kind
	switch kind {
	case ds.TimerCron:
		spec, missing := vars.Substitute(ev.Cron, env.Vars)
		if len(missing) > 0 {
			return nil, fmt.Errorf("periodic event %s: cron %q: no value for %s", ev.ID, ev.Cron, strings.Join(missing, ", "))
		}
		s, err := ParseCron(spec)
		if err != nil {
			return nil, fmt.Errorf("periodic event %s: %w", ev.ID, err)
		}
		d.sched = s
	case ds.TimerInterval, ds.TimerWatchdog:
		if ev.Interval <= 0 {
			return nil, fmt.Errorf("periodic event %s: %s time must be greater than 0", ev.ID, kind)
		}
		d.every = ev.Interval
	case ds.TimerCountdown:
		if ev.Interval <= 0 {
			return nil, fmt.Errorf("periodic event %s: countdown time must be greater than 0", ev.ID)
		}
		d.once = true
	case ds.TimerAbsolute:
		if ev.Interval < 0 {
			return nil, fmt.Errorf("periodic event %s: negative absolute time", ev.ID)
		}
		d.once = true
	default:
		return nil, fmt.Errorf("periodic event %s: unknown timer kind %q", ev.ID, kind)
	}
	return d, nil
}

// Start arms the first timer: the next cron time after now; now plus the
// interval (interval, watchdog, countdown); or the absolute time, Interval
// after the Unix epoch. An absolute time already past never fires, so a
// restart does not repeat it.
func (d *Detector) Start(context.Context) error {
	now := d.env.Clock.Now()
	var first time.Time
	switch d.ev.Timer {
	case ds.TimerCron:
		first = d.sched.Next(now)
	case ds.TimerAbsolute:
		first = time.Unix(0, 0).Add(d.ev.Interval).In(now.Location())
		if first.Before(now) {
			return nil
		}
	default:
		first = now.Add(d.ev.Interval)
	}
	if first.IsZero() {
		return fmt.Errorf("periodic event %s: cron %q never fires", d.ev.ID, d.ev.Cron)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		d.arm(now, first)
	}
	return nil
}

// Next returns when the event fires next, and false if it never will.
func (d *Detector) Next() (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.next, d.timer != nil
}

// Stop cancels the pending timer.
func (d *Detector) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// arm sets the timer for at; d.mu is held.
func (d *Detector) arm(now, at time.Time) {
	d.next = at
	d.timer = d.env.Clock.AfterFunc(at.Sub(now), func() { d.expire(at) })
}

// expire fires for the planned time at and re-arms from at, not from when
// the callback ran, so the schedule does not drift. When the clock has
// moved past later planned times (the process slept), those are skipped.
func (d *Detector) expire(at time.Time) {
	d.mu.Lock()
	if d.stopped || !d.next.Equal(at) {
		d.mu.Unlock()
		return
	}
	d.timer = nil
	now := d.env.Clock.Now()
	var remain time.Duration
	if !d.once {
		var next time.Time
		if d.sched != nil {
			next = d.sched.Next(at)
			if !next.After(now) {
				next = d.sched.Next(now)
			}
		} else {
			next = at.Add(d.every)
			if !next.After(now) {
				next = next.Add(d.every * (now.Sub(next)/d.every + 1))
			}
		}
		if !next.IsZero() {
			d.arm(now, next)
			remain = next.Sub(at)
		}
	}
	d.mu.Unlock()

	f := d.env.Base(d.ev, at)
	f.Payload = Fire{Timer: d.ev.Timer, Name: d.ev.Name, Time: at, Remain: remain}
	d.env.Fire(f)
}
