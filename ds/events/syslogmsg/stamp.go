package syslogmsg

import (
	"time"
)

// futureSlack is how far past the received time a stamp without a year may
// lie before it is taken to be from last year (clock skew, zones read as
// UTC).
const futureSlack = 3 * 24 * time.Hour

// stamp is a calendar or uptime stamp as read, before it becomes a time.
type stamp struct {
	uptime    bool
	dur       time.Duration // uptime
	year      int           // 0: not written
	yearFirst bool          // NX-OS and CatOS: "2026 Nov 23 …"
	month     time.Month
	day       int
	hour      int
	min       int
	sec       int
	nsec      int
	zone      string // as written
	offset    int    // seconds east of UTC, when hasOff
	hasOff    bool   // "UTC+07:30"
	zoneKnow  bool   // UTC, GMT, UT, Z
}

// time turns a calendar stamp into a time, and reports whether its zone
// was understood. The stamp is read with its written offset, as UTC for
// UTC/GMT, in loc for a zone name that is one of loc's abbreviations at
// that date (PST or PDT for America/Los_Angeles, or the names of `clock
// timezone` and `clock summer-time`), as UTC for another zone name
// (resolved is false), and in loc without a zone (received's location when
// loc is nil). A missing year is the one that puts the stamp nearest
// before received (at most futureSlack after it).
func (st *stamp) time(received time.Time, loc *time.Location) (t time.Time, resolved bool) {
	switch {
	case st.zone == "":
		if loc == nil {
			loc = received.Location()
		}
		return st.date(st.inferYear(received, loc), loc), true
	case st.zoneKnow:
		return st.date(st.inferYear(received, time.UTC), time.UTC), true
	}
	if loc != nil {
		t := st.date(st.inferYear(received, loc), loc)
		if off, ok := zoneOffset(t, st.zone); ok {
			// The written name says which offset: in the hour a
			// fall-back repeats, time.Date alone may pick the other.
			y, mo, d := t.Date()
			return time.Date(y, mo, d, st.hour, st.min, st.sec, st.nsec, time.UTC).
				Add(-time.Duration(off) * time.Second).In(loc), true
		}
	}
	return st.date(st.inferYear(received, time.UTC), time.UTC), false
}

// zoneOffset returns the offset of the abbreviation name in t's location
// at t, or three or six months either side (the other of standard and
// summer time, also at the hour a fall-back repeats).
func zoneOffset(t time.Time, name string) (int, bool) {
	for _, at := range [...]time.Time{t, t.AddDate(0, 3, 0), t.AddDate(0, -3, 0), t.AddDate(0, 6, 0), t.AddDate(0, -6, 0)} {
		if n, off := at.Zone(); equalFold(n, name) {
			return off, true
		}
	}
	return 0, false
}

// equalFold is strings.EqualFold for ASCII names.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x |= 0x20
		}
		if y >= 'A' && y <= 'Z' {
			y |= 0x20
		}
		if x != y {
			return false
		}
	}
	return true
}

// inferYear returns the stamp's year, or for a stamp without one the year
// that puts it nearest before received in loc.
func (st *stamp) inferYear(received time.Time, loc *time.Location) int {
	if st.year != 0 {
		return st.year
	}
	year := received.Year()
	if st.month == time.February && st.day == 29 {
		for !isLeap(year) {
			year--
		}
	}
	if st.date(year, loc).Sub(received) <= futureSlack {
		return year
	}
	year--
	if st.month == time.February && st.day == 29 {
		for !isLeap(year) {
			year--
		}
	}
	return year
}

func (st *stamp) date(year int, loc *time.Location) time.Time {
	t := time.Date(year, st.month, st.day, st.hour, st.min, st.sec, st.nsec, loc)
	if st.hasOff {
		t = t.Add(-time.Duration(st.offset) * time.Second)
	}
	return t
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// month returns the month named by the three letters at the start of s
// (any case), or 0.
func month(s string) time.Month {
	if len(s) < 3 {
		return 0
	}
	a, b, c := s[0]|0x20, s[1]|0x20, s[2]|0x20
	switch a {
	case 'j':
		switch {
		case b == 'a' && c == 'n':
			return time.January
		case b == 'u' && c == 'n':
			return time.June
		case b == 'u' && c == 'l':
			return time.July
		}
	case 'f':
		if b == 'e' && c == 'b' {
			return time.February
		}
	case 'm':
		switch {
		case b == 'a' && c == 'r':
			return time.March
		case b == 'a' && c == 'y':
			return time.May
		}
	case 'a':
		switch {
		case b == 'p' && c == 'r':
			return time.April
		case b == 'u' && c == 'g':
			return time.August
		}
	case 's':
		if b == 'e' && c == 'p' {
			return time.September
		}
	case 'o':
		if b == 'c' && c == 't' {
			return time.October
		}
	case 'n':
		if b == 'o' && c == 'v' {
			return time.November
		}
	case 'd':
		if b == 'e' && c == 'c' {
			return time.December
		}
	}
	return 0
}

// parseMonthDay reads "Mmm dd", "Mmm  d" or "Mmm d" into st and returns
// the length read, or 0.
func parseMonthDay(s string, st *stamp) int {
	mo := month(s)
	if mo == 0 || len(s) < 5 || s[3] != ' ' {
		return 0
	}
	i := 4
	if s[i] == ' ' {
		i++
	}
	n := digits(s[i:])
	if n == 0 || n > 2 {
		return 0
	}
	day := atoi(s[i : i+n])
	if day < 1 || day > 31 {
		return 0
	}
	st.month, st.day = mo, day
	return i + n
}

// parseClock reads "hh:mm:ss" into st and returns the length read, or 0.
func parseClock(s string, st *stamp) int {
	if len(s) < 8 || !isDigit(s[0]) || !isDigit(s[1]) || s[2] != ':' || !isDigit(s[3]) || !isDigit(s[4]) ||
		s[5] != ':' || !isDigit(s[6]) || !isDigit(s[7]) {
		return 0
	}
	h, m, sec := atoi(s[0:2]), atoi(s[3:5]), atoi(s[6:8])
	if h > 23 || m > 59 || sec > 60 {
		return 0
	}
	st.hour, st.min, st.sec = h, m, sec
	return 8
}

// parseFraction reads ".f…" (1 to 9 digits) and returns nanoseconds and
// the length read, or n = 0.
func parseFraction(s string) (nsec, n int) {
	if len(s) < 2 || s[0] != '.' {
		return 0, 0
	}
	d := digits(s[1:])
	if d == 0 {
		return 0, 0
	}
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < d {
			nsec += int(s[1+i] - '0')
		}
	}
	return nsec, 1 + d
}

// parseBSDStamp reads the RFC 3164 stamp "Mmm dd hh:mm:ss" into st and
// returns the length read, or 0.
func parseBSDStamp(s string, st *stamp) int {
	i := parseMonthDay(s, st)
	if i == 0 || i >= len(s) || s[i] != ' ' {
		return 0
	}
	i++
	n := parseClock(s[i:], st)
	if n == 0 {
		return 0
	}
	return i + n
}

// parseCiscoStamp reads an IOS stamp (without its clock flag): a calendar
// stamp "Mmm dd [yyyy ]hh:mm:ss[.fff][ ZONE]", an NX-OS or CatOS one with
// the year first ("yyyy Mmm dd hh:mm:ss[.fff][ ZONE]"), or an uptime stamp
// ("00:01:23[.fff]", "1d02h", "3w4d", "2y10w"). It returns the length
// read, or 0.
func parseCiscoStamp(s string, st *stamp) int {
	if len(s) == 0 {
		return 0
	}
	off := 0
	if isDigit(s[0]) {
		if len(s) < 6 || digits(s) != 4 || s[4] != ' ' || month(s[5:]) == 0 {
			return parseUptime(s, st)
		}
		st.year, st.yearFirst = atoi(s[:4]), true
		off = 5
	}
	i := parseMonthDay(s[off:], st)
	if i == 0 || off+i >= len(s) || s[off+i] != ' ' {
		return 0
	}
	i += off + 1
	if n := digits(s[i:]); off == 0 && n == 4 && i+4 < len(s) && s[i+4] == ' ' {
		st.year = atoi(s[i : i+4])
		i += 5
	}
	n := parseClock(s[i:], st)
	if n == 0 {
		return 0
	}
	i += n
	if ns, n := parseFraction(s[i:]); n > 0 {
		st.nsec = ns
		i += n
	}
	if i+1 < len(s) && s[i] == ' ' && isAlpha(s[i+1]) {
		if n := parseZone(s[i+1:], st); n > 0 {
			i += 1 + n
		}
	}
	return i
}

// parseZone reads a zone after a stamp: 1 to 7 letters ("UTC", "CEST",
// "mdt"), optionally followed by an offset ("UTC+07:30", "GMT-5"). It only
// accepts a zone that the header's ':' follows, and returns the length read
// or 0.
func parseZone(s string, st *stamp) int {
	i := 0
	for i < len(s) && i < 8 && isAlpha(s[i]) {
		i++
	}
	if i == 0 || i > 7 {
		return 0
	}
	name := s[:i]
	off, hasOff := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		sign := 1
		if s[i] == '-' {
			sign = -1
		}
		j := i + 1
		h := digits(s[j:])
		if h == 0 || h > 2 {
			return 0
		}
		off = atoi(s[j:j+h]) * 3600
		j += h
		if j+2 < len(s) && s[j] == ':' && isDigit(s[j+1]) && isDigit(s[j+2]) {
			off += atoi(s[j+1:j+3]) * 60
			j += 3
		}
		if off > 14*3600 {
			return 0
		}
		off *= sign
		hasOff = true
		i = j
	}
	if i >= len(s) || s[i] != ':' {
		return 0
	}
	st.zone = s[:i]
	st.offset, st.hasOff = off, hasOff
	st.zoneKnow = hasOff || isUTCName(name)
	return i
}

// isUTCName reports whether a zone name means UTC.
func isUTCName(s string) bool {
	switch len(s) {
	case 1:
		return s[0]|0x20 == 'z'
	case 2:
		return s[0]|0x20 == 'u' && s[1]|0x20 == 't'
	case 3:
		a, b, c := s[0]|0x20, s[1]|0x20, s[2]|0x20
		return (a == 'u' && b == 't' && c == 'c') || (a == 'g' && b == 'm' && c == 't')
	}
	return false
}

// parseUptime reads an uptime stamp: "hh:mm:ss[.fff]" or two number+unit
// pairs of units y/w, w/d or d/h ("2y10w", "3w4d", "1d02h").
func parseUptime(s string, st *stamp) int {
	if n := parseClock(s, st); n > 0 {
		i := n
		ns, fn := parseFraction(s[i:])
		i += fn
		st.uptime = true
		st.dur = time.Duration(st.hour)*time.Hour + time.Duration(st.min)*time.Minute +
			time.Duration(st.sec)*time.Second + time.Duration(ns)
		st.hour, st.min, st.sec = 0, 0, 0
		return i
	}
	a := digits(s)
	if a == 0 || a > 4 || a >= len(s) {
		return 0
	}
	u1 := s[a]
	i := a + 1
	b := digits(s[i:])
	if b == 0 || b > 4 || i+b >= len(s) {
		return 0
	}
	u2 := s[i+b]
	unit := func(c byte) time.Duration {
		switch c {
		case 'y':
			return 365 * 24 * time.Hour
		case 'w':
			return 7 * 24 * time.Hour
		case 'd':
			return 24 * time.Hour
		case 'h':
			return time.Hour
		}
		return 0
	}
	switch {
	case u1 == 'y' && u2 == 'w', u1 == 'w' && u2 == 'd', u1 == 'd' && u2 == 'h':
	default:
		return 0
	}
	st.uptime = true
	st.dur = time.Duration(atoi(s[:a]))*unit(u1) + time.Duration(atoi(s[i:i+b]))*unit(u2)
	return i + b + 1
}

// parseRFC3339 reads "YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)" and returns
// the time (UTC for "Z", else a UTC time adjusted by the offset), the zone as
// written, and the length read, or n = 0.
func parseRFC3339(s string) (t time.Time, zone string, n int) {
	if len(s) < 20 {
		return time.Time{}, "", 0
	}
	for _, p := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(s[p]) {
			return time.Time{}, "", 0
		}
	}
	if s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, "", 0
	}
	year, mon, day := atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
	hour, min, sec := atoi(s[11:13]), atoi(s[14:16]), atoi(s[17:19])
	if mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, "", 0
	}
	i := 19
	nsec, fn := parseFraction(s[i:])
	i += fn
	if i >= len(s) {
		return time.Time{}, "", 0
	}
	zs := i
	off := 0
	switch s[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if i+6 > len(s) || !isDigit(s[i+1]) || !isDigit(s[i+2]) || s[i+3] != ':' || !isDigit(s[i+4]) || !isDigit(s[i+5]) {
			return time.Time{}, "", 0
		}
		off = atoi(s[i+1:i+3])*3600 + atoi(s[i+4:i+6])*60
		if off > 14*3600 {
			return time.Time{}, "", 0
		}
		if s[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return time.Time{}, "", 0
	}
	t = time.Date(year, time.Month(mon), day, hour, min, sec, nsec, time.UTC).Add(-time.Duration(off) * time.Second)
	return t, s[zs:i], i
}
