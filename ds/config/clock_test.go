package config

import (
	"testing"
	"time"
)

// TestClockLocation: the configured names and rule give each instant its
// offset and abbreviation, as a stamp carries them.
func TestClockLocation(t *testing.T) {
	if (Clock{}).Location() != nil {
		t.Error("no clock lines: want a nil location")
	}
	cet := Clock{Zone: "CET", Offset: 3600, Summer: SummerTime{Name: "CEST",
		Start: Transition{Week: 5, Weekday: time.Sunday, Month: time.March, Minute: 120},
		End:   Transition{Week: 5, Weekday: time.Sunday, Month: time.October, Minute: 180}}}.Location()
	pacific := Clock{Zone: "PST", Offset: -8 * 3600, Summer: SummerTime{Name: "PDT"}}.Location()
	ist := Clock{Zone: "IST", Offset: 5*3600 + 1800}.Location()
	for _, c := range []struct {
		loc  *time.Location
		at   time.Time
		name string
		off  int
	}{
		{cet, time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC), "CET", 3600},
		{cet, time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC), "CET", 3600},
		{cet, time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), "CEST", 7200},
		{cet, time.Date(2026, 10, 25, 0, 59, 59, 0, time.UTC), "CEST", 7200},
		{cet, time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), "CET", 3600},
		{pacific, time.Date(2026, 3, 8, 9, 59, 59, 0, time.UTC), "PST", -8 * 3600},
		{pacific, time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC), "PDT", -7 * 3600},
		{pacific, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), "PST", -8 * 3600},
		{ist, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), "IST", 5*3600 + 1800},
	} {
		if name, off := c.at.In(c.loc).Zone(); name != c.name || off != c.off {
			t.Errorf("%v in %v: %s %d, want %s %d", c.at, c.loc, name, off, c.name, c.off)
		}
	}
}
