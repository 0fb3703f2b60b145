package eem

import (
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// OpsValue describes the value of entry-op and exit-op in messages.
const OpsValue = "gt, ge, eq, ne, lt or le"

// ValueValue describes entry-val and exit-val in messages: IOS's signed
// 32-bit values.
const ValueValue = "a whole number from -2147483648 to 2147483647"

// Compare reports whether v op limit holds for one of the operators
// entry-op and exit-op take; an unknown op never holds.
func Compare(v int64, op string, limit int64) bool {
	switch op {
	case "gt":
		return v > limit
	case "ge":
		return v >= limit
	case "eq":
		return v == limit
	case "ne":
		return v != limit
	case "lt":
		return v < limit
	case "le":
		return v <= limit
	}
	return false
}

// IsOp reports whether s is one of the operators entry-op and exit-op take.
func IsOp(s string) bool {
	switch s {
	case "gt", "ge", "eq", "ne", "lt", "le":
		return true
	}
	return false
}

// ThresholdOptions are entry-op, entry-val, exit-comb, exit-op, exit-val
// and exit-time, into Event.Threshold, as `event counter` (and snmp,
// interface) take them. CheckThreshold checks the combination once
// Options has read the line.
func ThresholdOptions() []Option {
	op := func(name string, set func(t *ds.Threshold, op string)) Option {
		return Option{Name: name, Value: OpsValue, Set: func(l *Line, v Field) error {
			if !v.Quoted && IsOp(v.Text) {
				set(&l.Event.Threshold, v.Text)
				return nil
			}
			return l.Errorf(v.Offset, "%s %q is not %s", name, v.Text, OpsValue)
		}}
	}
	val := func(name string, set func(t *ds.Threshold, n int64)) Option {
		return Option{Name: name, Value: ValueValue, Set: func(l *Line, v Field) error {
			n, err := strconv.ParseInt(v.Text, 10, 32)
			if err != nil || v.Quoted {
				return l.Errorf(v.Offset, "%s %q is not %s", name, v.Text, ValueValue)
			}
			set(&l.Event.Threshold, n)
			return nil
		}}
	}
	return []Option{
		op("entry-op", func(t *ds.Threshold, op string) { t.EntryOp = op }),
		val("entry-val", func(t *ds.Threshold, n int64) { t.EntryVal = n }),
		{Name: "exit-comb", Value: "and or or", Set: func(l *Line, v Field) error {
			if v.Quoted || v.Text != "and" && v.Text != "or" {
				return l.Errorf(v.Offset, "exit-comb %q is not and or or", v.Text)
			}
			l.Event.Threshold.ExitComb = v.Text
			return nil
		}},
		op("exit-op", func(t *ds.Threshold, op string) { t.ExitOp = op }),
		val("exit-val", func(t *ds.Threshold, n int64) { t.ExitVal = n }),
		{Name: "exit-time", Value: SecondsValue, Set: func(l *Line, v Field) error {
			d, err := l.Seconds("exit-time", v)
			if err == nil && d == 0 {
				err = l.Errorf(v.Offset, "exit-time must be greater than 0")
			}
			l.Event.Threshold.ExitTime = d
			return err
		}},
	}
}

// CheckThreshold reports, at the detector's keyword kw, a threshold the
// line left incomplete: entry-op needs entry-val and the other way round
// (both required), exit-op and exit-val go together, the line needs
// exit-op or exit-time (when exitRequired), and exit-comb and needs both.
func (l *Line) CheckThreshold(kw Field, what string, exitRequired bool) error {
	if !l.seen["entry-op"] || !l.seen["entry-val"] {
		return l.Errorf(kw.Offset, "%s needs entry-op <gt|ge|eq|ne|lt|le> entry-val <value>", what)
	}
	if l.seen["exit-op"] && !l.seen["exit-val"] {
		return l.Errorf(kw.Offset, "%s has exit-op without exit-val", what)
	}
	if l.seen["exit-val"] && !l.seen["exit-op"] {
		return l.Errorf(kw.Offset, "%s has exit-val without exit-op", what)
	}
	hasOp, hasTime := l.seen["exit-op"], l.seen["exit-time"]
	if exitRequired && !hasOp && !hasTime {
		return l.Errorf(kw.Offset, "%s needs exit-op <op> exit-val <value>, exit-time <seconds>, or both", what)
	}
	if l.Event.Threshold.ExitComb == "and" && (!hasOp || !hasTime) {
		return l.Errorf(kw.Offset, "%s has exit-comb and, which needs both exit-op/exit-val and exit-time", what)
	}
	return nil
}

// YesNoOption is `name yes|no`, calling set with true for yes.
func YesNoOption(name string, set func(l *Line, yes bool)) Option {
	return Option{Name: name, Value: "yes or no", Set: func(l *Line, v Field) error {
		if v.Quoted || v.Text != "yes" && v.Text != "no" {
			return l.Errorf(v.Offset, "%s %q is not yes or no", name, v.Text)
		}
		set(l, v.Text == "yes")
		return nil
	}}
}

// Seen reports whether Options has read the option name.
func (l *Line) Seen(name string) bool { return l.seen[name] }

// KeywordOption is `name WORD`, WORD one of words (checked, not stored).
func KeywordOption(name string, words ...string) Option {
	list := strings.Join(words, ", ")
	if len(words) > 1 {
		list = strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
	}
	return Option{Name: name, Value: list, Set: func(l *Line, v Field) error {
		for _, w := range words {
			if !v.Quoted && v.Text == w {
				return nil
			}
		}
		return l.Errorf(v.Offset, "%s %q is not %s", name, v.Text, list)
	}}
}

// PollIntervalOption is `poll-interval S`, at least 1 second (checked,
// not stored).
func PollIntervalOption() Option {
	return Option{Name: "poll-interval", Value: SecondsValue, Set: func(l *Line, v Field) error {
		d, err := l.Seconds("poll-interval", v)
		if err == nil && d < time.Second {
			err = l.Errorf(v.Offset, "poll-interval must be at least 1 second")
		}
		return err
	}}
}
