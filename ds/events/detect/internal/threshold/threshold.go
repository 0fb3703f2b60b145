// Package threshold is the entry and exit logic of the EEM events that
// compare a polled number with their line's thresholds (`event snmp`,
// `event interface`): the value, its increment since the last poll, or
// its rate; entry-op/entry-val to fire; exit-op/exit-val, exit-time and
// exit-comb to arm again. One place, so that the two event types cannot
// drift apart.
package threshold

import (
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// Series turns successive readings of a counter or gauge into the three
// values a line can compare: the value, the increment since the last
// reading, and the rate per second averaged over the last averageFactor
// readings (IOS's average-factor).
type Series struct {
	average int
	counter bool
	have    bool
	prev    int64
	prevAt  time.Time
	rates   []float64
}

// NewSeries returns a series averaging rates over averageFactor readings
// (1 when below). For a counter, a reading below the last one is the
// counter starting over (a reset, a wrap): that reading has no increment
// or rate, and the next ones count from it.
func NewSeries(averageFactor int, counter bool) *Series {
	return &Series{average: max(averageFactor, 1), counter: counter}
}

// Reading is one reading's values.
type Reading struct {
	Value, Increment, Rate int64
	// Derived is false on the first reading: there is no increment or
	// rate yet.
	Derived bool
}

// Of returns the value an entry-type or exit-type (value, increment,
// rate) compares, and whether there is one.
func (r Reading) Of(typ string) (int64, bool) {
	switch typ {
	case "increment":
		return r.Increment, r.Derived
	case "rate":
		return r.Rate, r.Derived
	}
	return r.Value, true
}

// Add records the reading n taken at and returns its values.
func (s *Series) Add(at time.Time, n int64) Reading {
	if s.counter && s.have && n < s.prev {
		s.Reset()
	}
	r := Reading{Value: n, Derived: s.have}
	if s.have {
		r.Increment = n - s.prev
		if secs := at.Sub(s.prevAt).Seconds(); secs > 0 {
			s.rates = append(s.rates, float64(r.Increment)/secs)
			if len(s.rates) > s.average {
				s.rates = s.rates[1:]
			}
		}
		var sum float64
		for _, x := range s.rates {
			sum += x
		}
		if len(s.rates) > 0 {
			r.Rate = int64(sum / float64(len(s.rates)))
		}
	}
	s.have, s.prev, s.prevAt = true, n, at
	return r
}

// Reset forgets the readings (the counter went away): the next reading
// has no increment or rate.
func (s *Series) Reset() { s.have, s.rates = false, s.rates[:0] }

// State is armed (the next entry match fires) or waiting for its exit
// condition. It is not safe for concurrent use: the detector calls it
// under its own lock, the exit timer's callback included.
type State struct {
	th       ds.Threshold
	clock    ds.Clock
	onTimeUp func() // the detector's callback, which takes its lock and calls TimeUp
	armed    bool
	timeUp   bool
	exit     ds.Timer
	lastExit int64
	haveExit bool
}

// New returns an armed state. onTimeUp is run by the clock when the exit
// time passes; it must take the detector's lock and call TimeUp.
func New(th ds.Threshold, clock ds.Clock, onTimeUp func()) *State {
	return &State{th: th, clock: clock, onTimeUp: onTimeUp, armed: true}
}

// Outcome is what one reading or the exit time did.
type Outcome struct {
	Fire   bool  // the entry condition held while armed
	Rearm  bool  // the exit condition held: armed again
	Exit   int64 // with Rearm, the exit value it held on (exit-event's value)
	HasVal bool  // Exit is a reading's value (not only the exit time)
}

// Poll applies one reading. Armed, it fires when the entry value meets
// entry-op/entry-val; then, when the line has an exit condition, it waits
// for it (and starts the exit time). Without one, it stays armed and fires
// on every reading that meets the entry condition. Waiting, it re-arms
// when the exit condition holds.
func (s *State) Poll(r Reading, entryType, exitType string) Outcome {
	if !s.armed {
		if v, ok := r.Of(exitType); ok {
			s.lastExit, s.haveExit = v, true
		}
		return s.rearm()
	}
	v, ok := r.Of(entryType)
	if !ok || !eem.Compare(v, s.th.EntryOp, s.th.EntryVal) {
		return Outcome{}
	}
	if s.th.ExitOp != "" || s.th.ExitTime > 0 {
		s.armed, s.timeUp, s.haveExit = false, false, false
		if s.th.ExitTime > 0 {
			s.exit = s.clock.AfterFunc(s.th.ExitTime, s.onTimeUp)
		}
	}
	return Outcome{Fire: true}
}

// TimeUp records that the exit time passed (from the timer's callback,
// under the detector's lock), and re-arms if the exit condition now holds.
func (s *State) TimeUp() Outcome {
	if s.armed {
		return Outcome{}
	}
	s.exit, s.timeUp = nil, true
	return s.rearm()
}

// rearm arms the state when the exit condition holds: the exit comparison
// on the last exit value and the exit time, both with exit-comb and, either
// with or (the default). A condition the line does not have counts as
// met under and, and never under or.
func (s *State) rearm() Outcome {
	hasValue, hasTime := s.th.ExitOp != "", s.th.ExitTime > 0
	value := hasValue && s.haveExit && eem.Compare(s.lastExit, s.th.ExitOp, s.th.ExitVal)
	elapsed := hasTime && s.timeUp
	ok := value || elapsed
	if s.th.ExitComb == "and" {
		ok = (value || !hasValue) && (elapsed || !hasTime)
	}
	if !ok {
		return Outcome{}
	}
	s.armed = true
	s.Stop()
	return Outcome{Rearm: true, Exit: s.lastExit, HasVal: s.haveExit}
}

// Armed reports whether the next entry match fires.
func (s *State) Armed() bool { return s.armed }

// Stop cancels a pending exit time.
func (s *State) Stop() {
	if s.exit != nil {
		s.exit.Stop()
		s.exit = nil
	}
}
