package periodic

import (
	"fmt"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of a periodic event's Fired.
type Fire struct {
	Timer  ds.TimerKind  // the kind of schedule that fell due
	Name   string        // the EEM timer's name, "" when it has none
	Time   time.Time     // when the timer was due (Fired.Time)
	Remain time.Duration // until it is due next; 0 when it does not repeat
}

var (
	_ detector.Payload      = Fire{}
	_ detector.TypeStringer = Fire{}
)

// Text is "timer KIND".
func (p Fire) Text() string { return fmt.Sprintf("timer %s", p.Timer) }

// EventTypeString is EEM's name of the timer: "timer watchdog", "timer
// cron" … (a DS interval is a watchdog: it re-arms the same way).
func (p Fire) EventTypeString() string {
	if p.Timer == ds.TimerInterval {
		return "timer " + string(ds.TimerWatchdog)
	}
	return "timer " + string(p.Timer)
}

// Info adds timer_type, timer_time_sec, timer_time_msec, timer_remain_sec,
// timer_remain_msec, and name for a named timer.
func (p Fire) Info(info map[string]string) {
	info["timer_type"] = string(p.Timer)
	info["timer_time_sec"] = fmt.Sprint(p.Time.Unix())
	info["timer_time_msec"] = fmt.Sprint(p.Time.Nanosecond() / 1e6)
	info["timer_remain_sec"] = fmt.Sprint(int64(p.Remain / time.Second))
	info["timer_remain_msec"] = fmt.Sprint(int64(p.Remain % time.Second / time.Millisecond))
	if p.Name != "" {
		info["name"] = p.Name
	}
}

// Builtins adds _timer_type, _timer_time (when it was due, Unix seconds
// with milliseconds: 1795445177.000), _timer_remain (seconds until it is
// due next, 0.000 when it does not repeat), and _timer_name for a named
// timer.
func (p Fire) Builtins(v map[string]string) {
	v["_timer_type"] = string(p.Timer)
	v["_timer_time"] = fmt.Sprintf("%d.%03d", p.Time.Unix(), p.Time.Nanosecond()/1e6)
	v["_timer_remain"] = fmt.Sprintf("%d.%03d", int64(p.Remain/time.Second), int64(p.Remain%time.Second/time.Millisecond))
	if p.Name != "" {
		v["_timer_name"] = p.Name
	}
}

// Vars returns nil: a schedule has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
