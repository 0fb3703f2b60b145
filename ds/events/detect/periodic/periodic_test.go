package periodic

import (
	"context"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // a Monday

func start(t *testing.T, c ds.Clock, ev ds.Event) (*Detector, *[]detector.Fired) {
	t.Helper()
	var fired []detector.Fired
	d, err := New(ev, detector.Env{Owner: "6030", Clock: c, Fire: func(f detector.Fired) { fired = append(fired, f) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, &fired
}

func minutes(fs []detector.Fired) []int {
	var ms []int
	for _, f := range fs {
		ms = append(ms, f.Time.Minute())
	}
	return ms
}

func TestCronEveryFiveMinutesOverAnHour(t *testing.T) {
	v := clock.NewVirtual(t0.Add(30 * time.Second)) // 10:00:30
	_, fired := start(t, v, ds.Event{ID: "e1", Type: ds.EventPeriodic, Timer: ds.TimerCron, Cron: "*/5 * * * *"})
	v.Advance(time.Hour) // to 11:00:30
	want := []int{5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 0}
	got := minutes(*fired)
	if len(got) != 12 {
		t.Fatalf("fired %d times at minutes %v, want 12", len(got), got)
	}
	for i, f := range *fired {
		if f.Time.Minute() != want[i] || f.Time.Second() != 0 || f.Time.Nanosecond() != 0 {
			t.Errorf("fire %d at %v, want minute %d second 0", i, f.Time, want[i])
		}
		if f.Payload != (Fire{Timer: ds.TimerCron, Time: f.Time, Remain: 5 * time.Minute}) || f.Type != ds.EventPeriodic {
			t.Errorf("fire %d: %+v", i, f)
		}
	}
}

func TestCronHourFieldIsNotMinutes(t *testing.T) {
	// "0 */5 * * *" is every fifth hour, not every five minutes.
	v := clock.NewVirtual(t0)
	_, fired := start(t, v, ds.Event{ID: "e1", Cron: "0 */5 * * *"})
	v.Advance(24 * time.Hour)
	var hours []int
	for _, f := range *fired {
		hours = append(hours, f.Time.Hour())
	}
	if len(hours) != 5 || hours[0] != 15 || hours[1] != 20 || hours[2] != 0 {
		t.Errorf("fired at hours %v, want 15 20 0 5 10", hours)
	}
}

func TestCronWithSeconds(t *testing.T) {
	v := clock.NewVirtual(t0)
	_, fired := start(t, v, ds.Event{ID: "e1", Timer: ds.TimerCron, Cron: "*/15 * * * * *"})
	v.Advance(time.Minute)
	if len(*fired) != 4 {
		t.Fatalf("fired %d times in a minute, want 4", len(*fired))
	}
	for i, f := range *fired {
		if want := t0.Add(time.Duration(15*(i+1)) * time.Second); !f.Time.Equal(want) {
			t.Errorf("fire %d at %v, want %v", i, f.Time, want)
		}
	}
}

func TestCronDescriptorAndDayRule(t *testing.T) {
	v := clock.NewVirtual(t0)
	_, daily := start(t, v, ds.Event{ID: "d", Cron: "@daily"})
	// Day of month 1 or Friday: either matches when both are restricted.
	_, either := start(t, v, ds.Event{ID: "e", Cron: "0 12 1 * fri"})
	v.Advance(14 * 24 * time.Hour) // Mon 23 Nov → Mon 7 Dec
	if len(*daily) != 14 {
		t.Errorf("@daily fired %d times in 14 days", len(*daily))
	}
	var days []int
	for _, f := range *either {
		days = append(days, f.Time.Day())
	}
	// Fri 27 Nov, Tue 1 Dec, Fri 4 Dec.
	if len(days) != 3 || days[0] != 27 || days[1] != 1 || days[2] != 4 {
		t.Errorf("fired on days %v, want 27 1 4", days)
	}
}

// lateClock runs every timer late by lag, as a loaded host would.
type lateClock struct {
	*clock.Virtual
	lag time.Duration
}

func (c lateClock) AfterFunc(d time.Duration, f func()) ds.Timer {
	return c.Virtual.AfterFunc(d+c.lag, f)
}

func TestIntervalDoesNotDrift(t *testing.T) {
	v := clock.NewVirtual(t0)
	c := lateClock{v, 7 * time.Millisecond}
	var ran []time.Time
	var planned []time.Time
	d, err := New(ds.Event{ID: "e1", Timer: ds.TimerInterval, Interval: 30 * time.Second}, detector.Env{Clock: c, Fire: func(f detector.Fired) {
		planned = append(planned, f.Time)
		ran = append(ran, v.Now())
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.Advance(100*30*time.Second + time.Second)
	if len(ran) != 100 {
		t.Fatalf("fired %d times, want 100", len(ran))
	}
	for i := range ran {
		want := t0.Add(time.Duration(i+1) * 30 * time.Second)
		if !planned[i].Equal(want) {
			t.Fatalf("fire %d planned for %v, want %v", i, planned[i], want)
		}
		// Each run is late by the lag once, not by the lags summed.
		if late := ran[i].Sub(want); late != 7*time.Millisecond {
			t.Fatalf("fire %d ran %v late, want 7ms", i, late)
		}
	}
}

func TestIntervalSkipsMissedRuns(t *testing.T) {
	v := clock.NewVirtual(t0)
	c := lateClock{v, 95 * time.Second} // the host slept through three runs
	var planned []time.Time
	d, _ := New(ds.Event{ID: "e1", Timer: ds.TimerWatchdog, Interval: 30 * time.Second}, detector.Env{Clock: c, Fire: func(f detector.Fired) {
		planned = append(planned, f.Time)
	}})
	_ = d.Start(context.Background())
	v.Advance(30*time.Second + 95*time.Second) // the first run, at 2:05
	if len(planned) != 1 {
		t.Fatalf("fired %d times", len(planned))
	}
	if next, ok := d.Next(); !ok || !next.Equal(t0.Add(150*time.Second)) {
		t.Errorf("next run planned for %v, want %v (the next slot after now)", next, t0.Add(150*time.Second))
	}
}

func TestCountdownOnceAndStop(t *testing.T) {
	v := clock.NewVirtual(t0)
	_, fired := start(t, v, ds.Event{ID: "e1", Timer: ds.TimerCountdown, Interval: 90 * time.Second})
	v.Advance(89 * time.Second)
	if len(*fired) != 0 {
		t.Fatal("fired early")
	}
	v.Advance(time.Hour)
	if len(*fired) != 1 || !(*fired)[0].Time.Equal(t0.Add(90*time.Second)) {
		t.Fatalf("countdown fired %v", *fired)
	}
	if v.Pending() != 0 {
		t.Errorf("%d timers left after a countdown", v.Pending())
	}

	d, fired := start(t, v, ds.Event{ID: "e2", Timer: ds.TimerWatchdog, Interval: time.Minute})
	v.Advance(2 * time.Minute)
	d.Stop()
	v.Advance(time.Hour)
	if len(*fired) != 2 || v.Pending() != 0 {
		t.Errorf("watchdog fired %d times, %d timers pending after Stop", len(*fired), v.Pending())
	}
}

func TestAbsolute(t *testing.T) {
	v := clock.NewVirtual(t0)
	at := t0.Add(10 * time.Minute)
	_, fired := start(t, v, ds.Event{ID: "e1", Timer: ds.TimerAbsolute, Interval: time.Duration(at.Unix()) * time.Second})
	_, past := start(t, v, ds.Event{ID: "e2", Timer: ds.TimerAbsolute, Interval: time.Duration(t0.Unix()-1) * time.Second})
	v.Advance(time.Hour)
	if len(*fired) != 1 || !(*fired)[0].Time.Equal(at) {
		t.Errorf("absolute fired %v, want once at %v", *fired, at)
	}
	if len(*past) != 0 {
		t.Errorf("an absolute time in the past fired")
	}
}

func TestBadSchedules(t *testing.T) {
	for _, ev := range []ds.Event{
		{ID: "a", Timer: ds.TimerCron, Cron: "*/5 * * *"},
		{ID: "b", Timer: ds.TimerCron, Cron: "61 * * * *"},
		{ID: "c", Timer: ds.TimerCron, Cron: "TZ=UTC * * * * *"},
		{ID: "d", Timer: ds.TimerInterval},
		{ID: "e", Timer: ds.TimerCountdown, Interval: -time.Second},
		{ID: "f", Timer: ds.TimerCron, Cron: "0 0 * * ${ds_day}"},
	} {
		if _, err := New(ev, detector.Env{}); err == nil {
			t.Errorf("%s: no error for %+v", ev.ID, ev)
		}
	}
	// A cron entry may use a variable.
	if _, err := New(ds.Event{ID: "g", Cron: "0 0 * * ${ds_day}"}, detector.Env{Vars: map[string]string{"ds_day": "sun"}}); err != nil {
		t.Error(err)
	}
}

// The built-ins of EEM timers: the planned time, the time to the next
// expiry (none for a countdown), the name and the type string.
func TestTimerBuiltins(t *testing.T) {
	v := clock.NewVirtual(t0)
	_, fired := start(t, v, ds.Event{ID: "w", Type: ds.EventPeriodic, Timer: ds.TimerWatchdog, Interval: 90 * time.Second, Name: "wd"})
	_, once := start(t, v, ds.Event{ID: "c", Type: ds.EventPeriodic, Timer: ds.TimerCountdown, Interval: 1500 * time.Millisecond})
	v.Advance(3 * time.Minute)
	if len(*fired) != 2 || len(*once) != 1 {
		t.Fatalf("watchdog fired %d times, countdown %d; want 2 and 1", len(*fired), len(*once))
	}
	got := detector.Builtins((*fired)[1])
	want := map[string]string{"_timer_type": "watchdog", "_timer_name": "wd", "_event_type_string": "timer watchdog",
		"_timer_time": "1795428180.000", "_timer_remain": "90.000"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("watchdog %s = %q, want %q", k, got[k], w)
		}
	}
	got = detector.Builtins((*once)[0])
	want = map[string]string{"_timer_type": "countdown", "_event_type_string": "timer countdown",
		"_timer_time": "1795428001.500", "_timer_remain": "0.000", "_event_pub_msec": "500"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("countdown %s = %q, want %q", k, got[k], w)
		}
	}
	if _, ok := got["_timer_name"]; ok {
		t.Error("_timer_name set for a timer without a name")
	}
}
