package config

import (
	"encoding/binary"
	"strconv"
	"time"
)

// Clock is the device clock's zone, from `clock timezone NAME HOURS
// [MINUTES]` and `clock summer-time NAME recurring …`: what a stamp such
// as "*Mar 1 10:00:00.123 PST" or one without a zone means. The zero Clock
// is IOS's default, UTC, and configures nothing.
type Clock struct {
	Zone     string // "PST"; "" without a clock timezone line
	Offset   int    // seconds east of UTC: -8 h is -28800
	ZoneLine int

	Summer SummerTime // Name "" without a clock summer-time line
}

// SummerTime is `clock summer-time NAME recurring [START END [OFFSET]]`.
type SummerTime struct {
	Name string
	// Start and End are the rule; both zero means IOS's default, the
	// United States' (second Sunday of March 2:00 to first Sunday of
	// November 2:00).
	Start, End Transition
	// Offset is the minutes added to the standard offset; 0 means 60.
	Offset int
	Line   int
}

// Transition is one end of a summer-time rule: "last Sun Mar 2:00".
type Transition struct {
	Week    int // 1-4, or 5 for "last"
	Weekday time.Weekday
	Month   time.Month // 0: not written (the default rule)
	Minute  int        // of the local day: 2:00 is 120
}

// DefaultSummerStart and DefaultSummerEnd are the rule of a
// `clock summer-time NAME recurring` without dates.
var (
	DefaultSummerStart = Transition{Week: 2, Weekday: time.Sunday, Month: time.March, Minute: 120}
	DefaultSummerEnd   = Transition{Week: 1, Weekday: time.Sunday, Month: time.November, Minute: 120}
)

// IsZero reports whether no clock line is configured.
func (c Clock) IsZero() bool { return c.Zone == "" && c.Summer.Name == "" }

// SummerOffset is the minutes summer time adds (60 by default).
func (s *SummerTime) SummerOffset() int {
	if s.Offset == 0 {
		return 60
	}
	return s.Offset
}

// Rule returns the start and end, the defaults when none was written.
func (s *SummerTime) Rule() (start, end Transition) {
	if s.Start.Month == 0 {
		return DefaultSummerStart, DefaultSummerEnd
	}
	return s.Start, s.End
}

// Location returns the zone as a time.Location whose abbreviations are
// the configured names, so a stamp's "PDT" or "CET" reads with the right
// offset; nil when no clock line is configured.
func (c Clock) Location() *time.Location {
	if c.IsZero() {
		return nil
	}
	std := c.Zone
	if std == "" {
		std = "UTC"
	}
	if c.Summer.Name == "" {
		return time.FixedZone(std, c.Offset)
	}
	start, end := c.Summer.Rule()
	dst := c.Offset + c.Summer.SummerOffset()*60
	// A POSIX TZ rule in the footer of a TZif file with no transitions:
	// the time package applies it to every instant.
	rule := "<" + std + ">" + posixOffset(-c.Offset) + "<" + c.Summer.Name + ">" + posixOffset(-dst) +
		"," + posixDate(start) + "," + posixDate(end)
	loc, err := time.LoadLocationFromTZData(std+"/"+c.Summer.Name, tzif(std, c.Offset, rule))
	if err != nil {
		// The parser checked every part; a rule the time package
		// refuses still has its standard offset.
		return time.FixedZone(std, c.Offset)
	}
	return loc
}

// posixOffset writes seconds as POSIX TZ hh[:mm].
func posixOffset(sec int) string {
	s := ""
	if sec < 0 {
		s, sec = "-", -sec
	}
	s += strconv.Itoa(sec / 3600)
	if m := sec % 3600 / 60; m != 0 {
		s += ":" + strconv.Itoa(m/10) + strconv.Itoa(m%10)
	}
	return s
}

// posixDate writes a transition as POSIX TZ Mm.w.d/hh:mm.
func posixDate(t Transition) string {
	return "M" + strconv.Itoa(int(t.Month)) + "." + strconv.Itoa(t.Week) + "." + strconv.Itoa(int(t.Weekday)) +
		"/" + strconv.Itoa(t.Minute/60) + ":" + strconv.Itoa(t.Minute%60/10) + strconv.Itoa(t.Minute%10)
}

// tzif returns a version 2 TZif file with one zone type and no
// transitions, and rule as its footer.
func tzif(name string, offset int, rule string) []byte {
	var b []byte
	for range 2 { // the version 1 block, then the version 2 one
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, n := range [6]uint32{0, 0, 0, 0, 1, uint32(len(name) + 1)} {
			b = binary.BigEndian.AppendUint32(b, n)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(int32(offset)))
		b = append(b, 0, 0) // not DST, the name at 0
		b = append(b, name...)
		b = append(b, 0)
	}
	return append(append(append(b, '\n'), rule...), '\n')
}
