package iosconfig

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// parsePeriodic reads the words after "periodic": daily hh:mm, weekly DAY
// hh:mm, monthly DATE hh:mm, and for snapshot also hourly mm and interval
// MINUTES. It returns the schedule, how many words it used, or a message.
func parsePeriodic(args []string, snapshot bool) (*config.Periodic, int, string) {
	const usage = "periodic needs daily hh:mm, weekly DAY hh:mm or monthly 1-31 hh:mm"
	const snapUsage = "periodic needs daily hh:mm, weekly DAY hh:mm, monthly 1-31 hh:mm, hourly 0-59 or interval 1-60"
	u := usage
	if snapshot {
		u = snapUsage
	}
	if len(args) == 0 {
		return nil, 0, u
	}
	per := &config.Periodic{Kind: config.PeriodicKind(strings.ToLower(args[0]))}
	need := map[config.PeriodicKind]int{
		config.PeriodicDaily: 2, config.PeriodicWeekly: 3, config.PeriodicMonthly: 3,
		config.PeriodicHourly: 2, config.PeriodicInterval: 2,
	}[per.Kind]
	if need == 0 {
		return nil, 0, fmt.Sprintf("unknown periodic schedule %q; %s", args[0], u)
	}
	if !snapshot && (per.Kind == config.PeriodicHourly || per.Kind == config.PeriodicInterval) {
		return nil, 0, fmt.Sprintf("periodic %s is for the snapshot alert group only; %s", per.Kind, usage)
	}
	if len(args) < need {
		return nil, 0, fmt.Sprintf("incomplete periodic %s; %s", per.Kind, u)
	}
	var msg string
	switch per.Kind {
	case config.PeriodicDaily:
		per.Hour, per.Minute, msg = parseHHMM(args[1], "daily")
	case config.PeriodicWeekly:
		wd, ok := parseWeekday(args[1])
		if !ok {
			return nil, 0, fmt.Sprintf("periodic weekly day %q is not one of monday, tuesday, wednesday, thursday, friday, saturday, sunday", args[1])
		}
		per.Weekday = wd
		per.Hour, per.Minute, msg = parseHHMM(args[2], "weekly")
	case config.PeriodicMonthly:
		d, err := strconv.Atoi(args[1])
		if err != nil || d < 1 || d > 31 {
			return nil, 0, fmt.Sprintf("periodic monthly date %q out of range 1-31", args[1])
		}
		per.Day = d
		per.Hour, per.Minute, msg = parseHHMM(args[2], "monthly")
	case config.PeriodicHourly:
		m, err := strconv.Atoi(args[1])
		if err != nil || m < 0 || m > 59 {
			return nil, 0, fmt.Sprintf("periodic hourly minute %q out of range 0-59", args[1])
		}
		per.Minute = m
	case config.PeriodicInterval:
		m, err := strconv.Atoi(args[1])
		if err != nil || m < 1 || m > 60 {
			return nil, 0, fmt.Sprintf("periodic interval %q out of range 1-60 minutes", args[1])
		}
		per.Interval = m
	}
	if msg != "" {
		return nil, 0, msg
	}
	return per, need, ""
}

// parseHHMM reads a 24-hour hh:mm time.
func parseHHMM(s, kind string) (h, m int, msg string) {
	hs, ms, ok := strings.Cut(s, ":")
	if ok && isDigits(hs, 1, 2) && isDigits(ms, 2, 2) {
		h, _ = strconv.Atoi(hs)
		m, _ = strconv.Atoi(ms)
		if h <= 23 && m <= 59 {
			return h, m, ""
		}
	}
	return 0, 0, fmt.Sprintf("periodic %s time %q is not hh:mm with hh 00-23 and mm 00-59", kind, s)
}

func isDigits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseWeekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, true
		}
	}
	return 0, false
}

// parseSeconds reads an IOS time in seconds, with an optional fraction of
// up to three digits ("60", "0.5"), between lo and hi seconds.
func parseSeconds(s string, lo, hi float64) (time.Duration, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !isDigits(whole, 1, 10) || hasFrac && !isDigits(frac, 1, 3) {
		return 0, false
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	d := time.Duration(w) * time.Second
	if hasFrac {
		f, _ := strconv.Atoi((frac + "00")[:3])
		d += time.Duration(f) * time.Millisecond
	}
	if d < time.Duration(lo*float64(time.Second)) || d > time.Duration(hi*float64(time.Second)) {
		return 0, false
	}
	return d, true
}
