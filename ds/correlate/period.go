package correlate

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// parseCron parses a period-start entry: 5 fields, 6 with seconds, or a
// descriptor. Time-zone prefixes are refused: periods start in the
// correlator's location.
func parseCron(spec string) (s cron.Schedule, err error) {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, errors.New("time-zone prefixes are not supported")
	}
	// Third-party code on untrusted input: a panic becomes an error.
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, errors.New("invalid cron entry")
		}
	}()
	p := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	return p.Parse(spec)
}

// maxTickWalk bounds the ticks latestTick steps through.
const maxTickWalk = 4096

// latestTick returns the latest tick of s at or before now (none if it
// finds none within about eight years) and the first tick after now
// (math.MaxInt64 if there is none), in Unix nanoseconds.
func latestTick(s cron.Schedule, now int64, loc *time.Location) (from, next int64) {
	if every, ok := s.(cron.ConstantDelaySchedule); ok {
		d := int64(every.Delay)
		from = now - now%d
		if now%d < 0 {
			from -= d
		}
		return from, from + d
	}
	t := time.Unix(0, now).In(loc)
	next = math.MaxInt64
	if n := s.Next(t); !n.IsZero() {
		next = n.UnixNano()
	}
	// A tick in (t-d, t] for a growing d, then forward to the last one.
	for d := time.Second; d <= 8*366*24*time.Hour; d *= 2 {
		tk := s.Next(t.Add(-d))
		if tk.IsZero() || tk.After(t) {
			continue
		}
		for range maxTickWalk {
			n := s.Next(tk)
			if n.IsZero() || n.After(t) {
				break
			}
			tk = n
		}
		return tk.UnixNano(), next
	}
	return none, next
}
