package eem

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds"
)

// ParseEvent parses one IOS EEM event line, such as
//
//	event syslog pattern "OSPF-5-ADJCHG" occurs 2 period 30
//	event tag e1 oir
//
// into the shared event model. The forms understood are:
//
//	event [tag T] syslog [occurs N] [period S] [priority P] [severity-L] pattern "RE" [ratelimit S]
//	event [tag T] timer cron cron-entry "M H DOM MON DOW" [name X]
//	event [tag T] timer watchdog|countdown|absolute time S [name X]
//	event [tag T] oir
//	event [tag T] config [pattern "RE"]
//	event [tag T] none
//	event [tag T] track N [state up|down|any]
//	event [tag T] cli pattern "RE" [sync yes|no] [skip yes|no] [occurs N] [period S]
//
// Options come in any order and at most once; maxrun S is accepted on every
// line. S is seconds, possibly with a fraction (30.5). Patterns must be RE2
// once ${ds_x} placeholders are filled in. The event's ID is the tag, EEMLine
// the trimmed line; Pos is left to the caller. Errors are *SyntaxError,
// pointing at the offending word.
func ParseEvent(line string) (ds.Event, error) {
	f, err := Fields(line)
	if err != nil {
		return ds.Event{}, err
	}
	p := &lineParser{line: line, f: f, seen: map[string]bool{}}
	ev, err := p.parse()
	if err != nil {
		return ds.Event{}, err
	}
	ev.EEMLine = trimBlanks(line)
	return ev, nil
}

// Detectors lists the EEM event detectors ParseEvent understands, in the
// order error messages name them.
var Detectors = []string{"syslog", "timer", "oir", "config", "none", "track", "cli"}

// timerKinds maps the word after "timer" to the kind of schedule.
var timerKinds = []struct {
	word string
	kind ds.TimerKind
}{
	{"absolute", ds.TimerAbsolute},
	{"countdown", ds.TimerCountdown},
	{"watchdog", ds.TimerWatchdog},
	{"cron", ds.TimerCron},
}

// eventSeverities are the EEM severity-<level> options of event syslog:
// the severity of the published event, which the engine accepts and ignores.
var eventSeverities = map[string]bool{
	"severity-catastrophic": true, "severity-critical": true, "severity-major": true, "severity-minor": true,
	"severity-warning": true, "severity-normal": true, "severity-debugging": true,
}

// Value descriptions used in error messages.
const (
	countValue   = "a whole number from 1 to 4294967295"
	secondsValue = "a number of seconds such as 30 or 30.5"
	patternValue = `a quoted regular expression such as "LINK-3-UPDOWN"`
	yesNoValue   = "yes or no"
)

// maxSeconds bounds every time value: IOS takes 32-bit seconds.
const maxSeconds = 4294967295

// lineParser walks the words of one event line.
type lineParser struct {
	line string
	f    []Field
	i    int
	ev   ds.Event
	seen map[string]bool
}

// option is one keyword an event detector accepts after its name. value
// describes the value it takes ("" for a bare keyword); set stores it.
type option struct {
	name  string
	value string
	set   func(p *lineParser, val Field) error
}

// errorf builds a SyntaxError. A word can be as long as the line, so the
// strings and errors quoted in the message are shortened.
func (p *lineParser) errorf(off int, format string, args ...any) error {
	for i, a := range args {
		switch a := a.(type) {
		case string:
			args[i] = clip(a, 100)
		case error:
			args[i] = clip(a.Error(), 200)
		}
	}
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// clip cuts s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func (p *lineParser) parse() (ds.Event, error) {
	if len(p.f) == 0 {
		return ds.Event{}, p.errorf(0, "empty event line; expected event <detector> ...")
	}
	if w := p.f[0]; w.Quoted || w.Text != "event" {
		return ds.Event{}, p.errorf(w.Offset, "line starts with %q; an EEM event line starts with event", w.Text)
	}
	p.i = 1
	if p.i < len(p.f) && !p.f[p.i].Quoted && p.f[p.i].Text == "tag" {
		if p.i+1 >= len(p.f) {
			return ds.Event{}, p.errorf(p.f[p.i].Offset, "missing name after tag")
		}
		p.ev.ID = p.f[p.i+1].Text
		if p.ev.ID == "" {
			return ds.Event{}, p.errorf(p.f[p.i+1].Offset, "empty tag name")
		}
		p.i += 2
	}
	if p.i >= len(p.f) {
		return ds.Event{}, p.errorf(len(p.line), "missing event detector; expected %s", strings.Join(Detectors, ", "))
	}
	det := p.f[p.i]
	p.i++
	p.ev.Severity = ds.SeverityAny
	var err error
	switch {
	case det.Quoted:
		err = p.errorf(det.Offset, "unknown event detector %q; expected %s", det.Text, strings.Join(Detectors, ", "))
	case det.Text == "syslog":
		err = p.syslog(det)
	case det.Text == "timer":
		err = p.timer(det)
	case det.Text == "oir":
		p.ev.Type, p.ev.Slot, p.ev.OIRAction = ds.EventOIR, ds.SlotAny, "any"
		err = p.options("event oir", nil)
	case det.Text == "config":
		p.ev.Type = ds.EventConfig
		err = p.options("event config", []option{{"pattern", patternValue, setPattern}})
	case det.Text == "none":
		p.ev.Type = ds.EventNone
		err = p.options("event none", nil)
	case det.Text == "track":
		err = p.track(det)
	case det.Text == "cli":
		err = p.cli(det)
	default:
		err = p.errorf(det.Offset, "unknown event detector %q; expected %s", det.Text, strings.Join(Detectors, ", "))
	}
	return p.ev, err
}

func (p *lineParser) syslog(det Field) error {
	p.ev.Type, p.ev.Occurs = ds.EventSyslog, 1
	opts := []option{
		{"occurs", countValue, setOccurs},
		{"period", secondsValue, setPeriod},
		{"priority", "all, emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7", setPriority},
		{"pattern", patternValue, setPattern},
		{"ratelimit", secondsValue, func(p *lineParser, v Field) error {
			d, err := p.seconds("ratelimit", v)
			p.ev.RateLimit = d
			return err
		}},
	}
	if err := p.options("event syslog", opts); err != nil {
		return err
	}
	return p.require(det, "event syslog", "pattern", `pattern "<regex>"`)
}

func (p *lineParser) timer(det Field) error {
	p.ev.Type = ds.EventPeriodic
	kinds := make([]string, len(timerKinds))
	for i, k := range timerKinds {
		kinds[i] = k.word
	}
	if p.i >= len(p.f) {
		return p.errorf(det.Offset, "missing timer type after timer; expected %s", strings.Join(kinds, ", "))
	}
	kw := p.f[p.i]
	p.i++
	for _, k := range timerKinds {
		if !kw.Quoted && kw.Text == k.word {
			p.ev.Timer = k.kind
		}
	}
	if p.ev.Timer == "" {
		return p.errorf(kw.Offset, "unknown timer type %q; expected %s", kw.Text, strings.Join(kinds, ", "))
	}
	what := "event timer " + kw.Text
	name := option{"name", "a timer name", func(p *lineParser, v Field) error {
		p.ev.Name = v.Text
		return nil
	}}
	if p.ev.Timer == ds.TimerCron {
		entry := option{"cron-entry", `a quoted cron entry such as "0 * * * *"`, func(p *lineParser, v Field) error {
			if err := CheckCron(v.Text, false); err != nil {
				return p.errorf(v.Offset, "cron-entry %q: %v", v.Text, err)
			}
			p.ev.Cron = strings.TrimSpace(v.Text)
			return nil
		}}
		if err := p.options(what, []option{entry, name}); err != nil {
			return err
		}
		return p.require(kw, what, "cron-entry", `cron-entry "<minute hour day month weekday>"`)
	}
	tm := option{"time", secondsValue, func(p *lineParser, v Field) error {
		d, err := p.seconds("time", v)
		if err == nil && d == 0 && p.ev.Timer != ds.TimerAbsolute {
			err = p.errorf(v.Offset, "time must be greater than 0")
		}
		p.ev.Interval = d
		return err
	}}
	if err := p.options(what, []option{tm, name}); err != nil {
		return err
	}
	return p.require(kw, what, "time", "time <seconds>")
}

func (p *lineParser) track(det Field) error {
	p.ev.Type, p.ev.TrackState = ds.EventTrack, "any"
	if p.i >= len(p.f) {
		return p.errorf(det.Offset, "missing object number after track; expected 1-1000")
	}
	v := p.f[p.i]
	p.i++
	n, err := strconv.Atoi(v.Text)
	if err != nil || v.Quoted {
		return p.errorf(v.Offset, "track object %q is not a number; expected 1-1000", v.Text)
	}
	if n < 1 || n > 1000 {
		return p.errorf(v.Offset, "track object %d is out of range; expected 1-1000", n)
	}
	p.ev.TrackObject = n
	state := option{"state", "up, down or any", func(p *lineParser, v Field) error {
		switch v.Text {
		case "up", "down", "any":
			p.ev.TrackState = v.Text
			return nil
		}
		return p.errorf(v.Offset, "state %q is not up, down or any", v.Text)
	}}
	return p.options("event track", []option{state})
}

func (p *lineParser) cli(det Field) error {
	p.ev.Type, p.ev.Occurs = ds.EventCLI, 1
	yesNo := func(name string) option {
		return option{name, yesNoValue, func(p *lineParser, v Field) error {
			if v.Text != "yes" && v.Text != "no" {
				return p.errorf(v.Offset, "%s %q is not yes or no", name, v.Text)
			}
			return nil
		}}
	}
	opts := []option{
		{"pattern", patternValue, setPattern},
		yesNo("sync"),
		yesNo("skip"),
		{"occurs", countValue, setOccurs},
		{"period", secondsValue, setPeriod},
	}
	if err := p.options("event cli", opts); err != nil {
		return err
	}
	return p.require(det, "event cli", "pattern", `pattern "<regex>"`)
}

// options reads the remaining words as options from opts (plus maxrun,
// which every detector takes), each at most once.
func (p *lineParser) options(what string, opts []option) error {
	opts = append(opts, option{"maxrun", secondsValue, func(p *lineParser, v Field) error {
		d, err := p.seconds("maxrun", v)
		p.ev.MaxRun = d
		return err
	}})
	for p.i < len(p.f) {
		w := p.f[p.i]
		p.i++
		var opt *option
		for k := range opts {
			if !w.Quoted && w.Text == opts[k].name {
				opt = &opts[k]
			}
		}
		if opt == nil && what == "event syslog" && !w.Quoted && eventSeverities[w.Text] {
			opt = &option{name: "severity-<level>", set: func(*lineParser, Field) error { return nil }}
		}
		if opt == nil {
			names := make([]string, len(opts))
			for k, o := range opts {
				names[k] = o.name
			}
			return p.errorf(w.Offset, "unknown option %q for %s; expected %s", w.Text, what, strings.Join(names, ", "))
		}
		if p.seen[opt.name] {
			return p.errorf(w.Offset, "duplicate option %q for %s", w.Text, what)
		}
		p.seen[opt.name] = true
		var val Field
		if opt.value != "" {
			if p.i >= len(p.f) {
				return p.errorf(w.Offset, "missing value after %s; expected %s", w.Text, opt.value)
			}
			val = p.f[p.i]
			p.i++
		}
		if err := opt.set(p, val); err != nil {
			return err
		}
	}
	return nil
}

// require reports a missing mandatory option at the word naming the detector.
func (p *lineParser) require(at Field, what, name, form string) error {
	if !p.seen[name] {
		return p.errorf(at.Offset, "%s needs %s", what, form)
	}
	return nil
}

func setPattern(p *lineParser, v Field) error {
	if v.Text == "" {
		return p.errorf(v.Offset, "empty pattern")
	}
	if _, err := CheckPattern(v.Text); err != nil {
		return p.errorf(v.Offset, "pattern is not a valid RE2 regular expression: %v", err)
	}
	p.ev.Pattern = v.Text
	return nil
}

func setOccurs(p *lineParser, v Field) error {
	n, err := strconv.ParseUint(v.Text, 10, 32)
	if err != nil || n < 1 || v.Quoted {
		return p.errorf(v.Offset, "occurs %q is not %s", v.Text, countValue)
	}
	p.ev.Occurs = int(n)
	return nil
}

func setPeriod(p *lineParser, v Field) error {
	d, err := p.seconds("period", v)
	p.ev.Period = d
	return err
}

func setPriority(p *lineParser, v Field) error {
	sev, ok := ds.ParseSeverity(v.Text)
	if !ok || v.Quoted {
		return p.errorf(v.Offset, "priority %q is not all, emergencies, alerts, critical, errors, warnings, notifications, informational, debugging or 0-7", v.Text)
	}
	p.ev.Severity = sev
	return nil
}

// seconds reads an EEM time value: whole seconds with an optional fraction
// of up to nine digits, at most 4294967295.
func (p *lineParser) seconds(name string, v Field) (time.Duration, error) {
	d, ok := ParseSeconds(v.Text)
	if !ok || v.Quoted {
		return 0, p.errorf(v.Offset, "%s %q is not %s, up to %d", name, v.Text, secondsValue, maxSeconds)
	}
	return d, nil
}

// ParseSeconds reads an EEM time value such as "30" or "30.5": whole
// seconds up to 4294967295 with an optional fraction of up to nine digits.
func ParseSeconds(s string) (time.Duration, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 10 || hasFrac && (frac == "" || len(frac) > 9) {
		return 0, false
	}
	var sec, ns int64
	for _, c := range []byte(whole) {
		if c < '0' || c > '9' {
			return 0, false
		}
		sec = sec*10 + int64(c-'0')
	}
	if sec > maxSeconds {
		return 0, false
	}
	scale := int64(time.Second)
	for _, c := range []byte(frac) {
		if c < '0' || c > '9' {
			return 0, false
		}
		scale /= 10
		ns += int64(c-'0') * scale
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), true
}
