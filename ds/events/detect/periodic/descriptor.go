package periodic

import (
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

//go:embed README.md
var readme string

// Descriptor describes the periodic event type to the detector table.
var Descriptor = detector.Descriptor{
	Type:    ds.EventPeriodic,
	Summary: "a schedule falls due: a cron entry, an interval, or an EEM timer",
	README:  readme,
	Attrs: []detector.Attr{
		{Name: "cron", Doc: "a cron entry: 5 fields (minute hour day month weekday), 6 with seconds first, or @daily, @hourly, @every 90s …"},
		{Name: "interval", Doc: "a Go duration of at least 1s between fires; exactly one of cron and interval"},
	},
	ParseAttrs: parseAttrs,
	EEM:        &eem.Form{Keyword: "timer", Parse: parseEEM},
	New:        detector.Constructor(New),
	Show:       show,
	Builtins:   []string{"_timer_type", "_timer_time", "_timer_remain", "_timer_name"},
}

func parseAttrs(a detector.Attrs, ev *ds.Event) {
	cron, hasCron := a.Get("cron")
	_, hasInterval := a.Get("interval")
	switch {
	case hasCron && hasInterval:
		a.Errorf("interval", "%s takes cron or interval, not both", a.What())
	case hasCron:
		ev.Timer, ev.Cron = ds.TimerCron, strings.TrimSpace(cron)
		if err := eem.CheckCron(cron, true); err != nil {
			a.Errorf("cron", "cron %q: %s", a.Clip(cron), a.ClipErr(err))
		}
	case hasInterval:
		ev.Timer = ds.TimerInterval
		ev.Interval, _ = a.Duration("interval", time.Second, true)
	default:
		a.ElemErrorf(`%s needs cron="<minute hour day month weekday>" or interval="<duration>"`, a.What())
	}
}

// timerKinds maps the word after `event timer` to the kind of schedule,
// in the order error messages list them.
var timerKinds = [...]struct {
	word string
	kind ds.TimerKind
}{
	{"absolute", ds.TimerAbsolute},
	{"countdown", ds.TimerCountdown},
	{"watchdog", ds.TimerWatchdog},
	{"cron", ds.TimerCron},
}

// parseEEM reads `event timer cron cron-entry "M H DOM MON DOW" [name X]`
// and `event timer watchdog|countdown|absolute time S [name X]` (with
// every line's ratelimit and maxrun).
func parseEEM(l *eem.Line, det eem.Field) error {
	l.Event.Type = ds.EventPeriodic
	kinds := make([]string, len(timerKinds))
	for i, k := range timerKinds {
		kinds[i] = k.word
	}
	kw, ok := l.Next()
	if !ok {
		return l.Errorf(det.Offset, "missing timer type after timer; expected %s", strings.Join(kinds, ", "))
	}
	for _, k := range timerKinds {
		if !kw.Quoted && kw.Text == k.word {
			l.Event.Timer = k.kind
		}
	}
	if l.Event.Timer == "" {
		return l.Errorf(kw.Offset, "unknown timer type %q; expected %s", kw.Text, strings.Join(kinds, ", "))
	}
	what := "event timer " + kw.Text
	name := eem.Option{Name: "name", Value: "a timer name", Set: func(l *eem.Line, v eem.Field) error {
		l.Event.Name = v.Text
		return nil
	}}
	if l.Event.Timer == ds.TimerCron {
		entry := eem.Option{Name: "cron-entry", Value: `a quoted cron entry such as "0 * * * *"`, Set: func(l *eem.Line, v eem.Field) error {
			if err := eem.CheckCron(v.Text, false); err != nil {
				return l.Errorf(v.Offset, "cron-entry %q: %v", v.Text, err)
			}
			l.Event.Cron = strings.TrimSpace(v.Text)
			return nil
		}}
		if err := l.Options(what, []eem.Option{entry, name}); err != nil {
			return err
		}
		return l.Require(kw, what, "cron-entry", `cron-entry "<minute hour day month weekday>"`)
	}
	tm := eem.Option{Name: "time", Value: eem.SecondsValue, Set: func(l *eem.Line, v eem.Field) error {
		d, err := l.Seconds("time", v)
		if err == nil && d == 0 && l.Event.Timer != ds.TimerAbsolute {
			err = l.Errorf(v.Offset, "time must be greater than 0")
		}
		l.Event.Interval = d
		return err
	}}
	if err := l.Options(what, []eem.Option{tm, name}); err != nil {
		return err
	}
	return l.Require(kw, what, "time", "time <seconds>")
}

func show(e ds.Event) string {
	if e.Timer == ds.TimerCron {
		return fmt.Sprintf("cron %q", e.Cron)
	}
	return fmt.Sprintf("%s %s", e.Timer, e.Interval)
}
