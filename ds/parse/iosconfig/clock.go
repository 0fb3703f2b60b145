package iosconfig

import (
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// clock handles `clock timezone NAME HOURS [MINUTES]` and `clock
// summer-time NAME recurring [WEEK DAY MONTH HH:MM WEEK DAY MONTH HH:MM
// [OFFSET]]`, and their no forms: the zone the device's syslog stamps are
// in. The other IOS clock commands are skipped (topModels).
func (p *parser) clock(n *node, args []string, neg bool) result {
	c := &p.cfg.Clock
	what := ""
	if len(args) > 0 {
		what = strings.ToLower(args[0])
	}
	switch {
	case what == "timezone" && neg:
		c.Zone, c.Offset, c.ZoneLine = "", 0, 0
	case what == "summer-time" && neg:
		c.Summer = config.SummerTime{}
	case what == "timezone":
		p.timezone(n, args[1:])
	case what == "summer-time":
		p.summerTime(n, args[1:])
	default:
		p.errorf(n.line, "usage: clock timezone NAME HOURS [MINUTES], or clock summer-time NAME recurring [WEEK DAY MONTH HH:MM WEEK DAY MONTH HH:MM [OFFSET]]")
	}
	return leaf
}

func (p *parser) timezone(n *node, args []string) {
	if len(args) < 2 || len(args) > 3 {
		p.errorf(n.line, "usage: clock timezone NAME HOURS [MINUTES], as in clock timezone PST -8 or clock timezone IST 5 30")
		return
	}
	if !p.zoneName(n, "clock timezone", args[0]) {
		return
	}
	h, ok := p.intArg(n.line, "clock timezone hours", args[1], -23, 23)
	if !ok {
		return
	}
	m := 0
	if len(args) == 3 {
		if m, ok = p.intArg(n.line, "clock timezone minutes", args[2], 0, 59); !ok {
			return
		}
	}
	off := h*3600 + m*60
	if strings.HasPrefix(args[1], "-") {
		off = h*3600 - m*60 // "-3 30" is 3:30 west, as on IOS
	}
	p.cfg.Clock.Zone, p.cfg.Clock.Offset, p.cfg.Clock.ZoneLine = args[0], off, n.line
}

// zoneName checks a zone name: letters only, as the stamps carry it (a
// stamp's zone is read up to 7 letters).
func (p *parser) zoneName(n *node, what, name string) bool {
	ok := len(name) >= 1 && len(name) <= 7
	for i := 0; ok && i < len(name); i++ {
		c := name[i] | 0x20
		ok = c >= 'a' && c <= 'z'
	}
	if !ok {
		p.errorf(n.line, "%s name %q: use 1 to 7 letters, the name the device writes after its timestamps (PST, CEST)", what, name)
	}
	return ok
}

func (p *parser) summerTime(n *node, args []string) {
	const usage = "usage: clock summer-time NAME recurring [WEEK DAY MONTH HH:MM WEEK DAY MONTH HH:MM [OFFSET]], as in clock summer-time CEST recurring last Sun Mar 2:00 last Sun Oct 3:00"
	if len(args) < 2 {
		p.errorf(n.line, "%s", usage)
		return
	}
	if !strings.EqualFold(args[1], "recurring") {
		p.errorf(n.line, "clock summer-time %s %s: dsengine reads only the recurring form; write the rule as clock summer-time %s recurring WEEK DAY MONTH HH:MM WEEK DAY MONTH HH:MM",
			args[0], args[1], args[0])
		return
	}
	if !p.zoneName(n, "clock summer-time", args[0]) {
		return
	}
	s := config.SummerTime{Name: args[0], Line: n.line}
	rest := args[2:]
	switch len(rest) {
	case 0:
	case 8, 9:
		var msg string
		if s.Start, msg = transition(rest[0:4]); msg == "" {
			s.End, msg = transition(rest[4:8])
		}
		if msg == "" && len(rest) == 9 {
			s.Offset, msg = rangeArg("clock summer-time offset", rest[8], 1, 1440)
		}
		if msg != "" {
			p.errorf(n.line, "%s; %s", msg, usage)
			return
		}
	default:
		p.errorf(n.line, "%s", usage)
		return
	}
	p.cfg.Clock.Summer = s
}

// transition reads "WEEK DAY MONTH HH:MM": week 1-4, first or last; a day
// and a month by name (three letters or more).
func transition(w []string) (config.Transition, string) {
	var t config.Transition
	switch wk := strings.ToLower(w[0]); wk {
	case "first":
		t.Week = 1
	case "last":
		t.Week = 5
	default:
		n, msg := rangeArg("clock summer-time week", wk, 1, 4)
		if msg != "" {
			return t, "clock summer-time week " + strconv.Quote(w[0]) + " is not 1-4, first or last"
		}
		t.Week = n
	}
	day, ok := byName(w[1], 7, func(i int) string { return time.Weekday(i).String() })
	if !ok {
		return t, "clock summer-time day " + strconv.Quote(w[1]) + " is not a day of the week (Sun … Sat)"
	}
	t.Weekday = time.Weekday(day)
	mon, ok := byName(w[2], 12, func(i int) string { return time.Month(i + 1).String() })
	if !ok {
		return t, "clock summer-time month " + strconv.Quote(w[2]) + " is not a month (Jan … Dec)"
	}
	t.Month = time.Month(mon + 1)
	hh, mm, ok := strings.Cut(w[3], ":")
	h, msg1 := rangeArg("hour", hh, 0, 23)
	m, msg2 := rangeArg("minute", mm, 0, 59)
	if !ok || msg1 != "" || msg2 != "" || len(mm) != 2 {
		return t, "clock summer-time time " + strconv.Quote(w[3]) + " is not HH:MM"
	}
	t.Minute = h*60 + m
	return t, ""
}

// byName returns the index of the name (of n) that s abbreviates, at
// least three letters, any case.
func byName(s string, n int, name func(int) string) (int, bool) {
	if len(s) < 3 {
		return 0, false
	}
	for i := range n {
		if full := name(i); len(s) <= len(full) && strings.EqualFold(full[:len(s)], s) {
			return i, true
		}
	}
	return 0, false
}

// formatClock writes the clock lines as IOS XE's show running-config does.
func formatClock(f *formatter, c config.Clock) {
	if c.Zone != "" {
		h, m := c.Offset/3600, c.Offset%3600/60
		hs := strconv.Itoa(h)
		if c.Offset < 0 {
			hs, m = "-"+strconv.Itoa(-h), -m
		}
		f.line(0, "clock timezone "+c.Zone+" "+hs+" "+strconv.Itoa(m))
	}
	if s := c.Summer; s.Name != "" {
		line := "clock summer-time " + s.Name + " recurring"
		if s.Start.Month != 0 {
			line += " " + formatTransition(s.Start) + " " + formatTransition(s.End)
			if s.Offset != 0 {
				line += " " + strconv.Itoa(s.Offset)
			}
		}
		f.line(0, line)
	}
}

func formatTransition(t config.Transition) string {
	wk := strconv.Itoa(t.Week)
	if t.Week == 5 {
		wk = "last"
	}
	return wk + " " + t.Weekday.String()[:3] + " " + t.Month.String()[:3] + " " +
		strconv.Itoa(t.Minute/60) + ":" + strconv.Itoa(t.Minute%60/10) + strconv.Itoa(t.Minute%10)
}
