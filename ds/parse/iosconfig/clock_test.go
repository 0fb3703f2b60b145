package iosconfig

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

func TestClock(t *testing.T) {
	for _, c := range []struct {
		src  string
		want config.Clock
	}{
		{"clock timezone PST -8\n", config.Clock{Zone: "PST", Offset: -8 * 3600, ZoneLine: 1}},
		{"clock timezone IST 5 30\n", config.Clock{Zone: "IST", Offset: 5*3600 + 30*60, ZoneLine: 1}},
		{"clock timezone NST -3 30\n", config.Clock{Zone: "NST", Offset: -3*3600 - 30*60, ZoneLine: 1}},
		{"clock timezone CET 1 0\nno clock timezone\n", config.Clock{}},
		{"clock summer-time PDT recurring\n", config.Clock{Summer: config.SummerTime{Name: "PDT", Line: 1}}},
		{"clock summer-time CEST recurring last Sunday March 2:00 last sun oct 3:00 30\n", config.Clock{Summer: config.SummerTime{Name: "CEST", Line: 1,
			Start: config.Transition{Week: 5, Weekday: time.Sunday, Month: time.March, Minute: 120},
			End:   config.Transition{Week: 5, Weekday: time.Sunday, Month: time.October, Minute: 180}, Offset: 30}}},
		{"clock summer-time X recurring\nno clock summer-time\n", config.Clock{}},
	} {
		cfg, err := Parse("c.conf", []byte(c.src))
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if fmt.Sprint(cfg.Clock) != fmt.Sprint(c.want) {
			t.Errorf("%q: clock %+v, want %+v", c.src, cfg.Clock, c.want)
		}
		if len(cfg.Warnings) != 0 {
			t.Errorf("%q: warnings %v", c.src, cfg.Warnings)
		}
		roundTrip(t, "c.conf", []byte(c.src))
	}
	// The other IOS clock commands are skipped with a warning.
	cfg, err := Parse("c.conf", []byte("clock calendar-valid\n"))
	if err != nil || len(cfg.Warnings) != 1 {
		t.Errorf("clock calendar-valid: %v, warnings %v", err, cfg.Warnings)
	}
}

func TestClockErrors(t *testing.T) {
	for src, want := range map[string]string{
		"clock timezone PST\n":                                                  "c.conf:1: usage: clock timezone NAME HOURS [MINUTES]",
		"clock timezone PST -24\n":                                              "c.conf:1: clock timezone hours",
		"clock timezone PST -8 60\n":                                            "c.conf:1: clock timezone minutes",
		"clock timezone UTC+1 1\n":                                              `c.conf:1: clock timezone name "UTC+1": use 1 to 7 letters`,
		"clock summer-time PDT date Mar 8 2026 2:00 Nov 1 2026 2:00\n":          "c.conf:1: clock summer-time PDT date: dsengine reads only the recurring form",
		"clock summer-time CEST recurring last Sun Mar 2:00\n":                  "c.conf:1: usage: clock summer-time NAME recurring",
		"clock summer-time CEST recurring 5 Sun Mar 2:00 last Sun Oct 3:00\n":   `c.conf:1: clock summer-time week "5" is not 1-4, first or last`,
		"clock summer-time CEST recurring last Xy Mar 2:00 last Sun Oct 3:00\n": `c.conf:1: clock summer-time day "Xy" is not a day of the week`,
		"clock summer-time CEST recurring last Sun Mar 2 last Sun Oct 3:00\n":   `c.conf:1: clock summer-time time "2" is not HH:MM`,
	} {
		_, err := Parse("c.conf", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}
