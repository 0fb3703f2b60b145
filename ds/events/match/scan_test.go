package match

import (
	"testing"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

// BenchmarkScan measures the candidate scans alone over 100,000 parsed
// bodies: the key automaton, the class filter, both fused, and the loop's
// own cost with a one-literal automaton.
func BenchmarkScan(b *testing.B) {
	lines := syslogdata.Lines(100000, 1, benchRecv)
	bodies := make([]string, len(lines))
	var m events.Message
	total := 0
	for i, l := range lines {
		syslogmsg.Parse(l, benchRecv, &m)
		bodies[i] = m.Body
		total += len(m.Body)
	}
	x := New()
	var bt Batch
	for _, p := range syslogdata.Patterns(1000, 2, 0.02) {
		bt.Add(p.ID, p.Regexp)
	}
	x.Apply(&bt)
	s := x.snap.Load().base
	b.Logf("avg body %d, states %d, classes %d", total/len(bodies), s.keys.states(), s.keys.nclass)
	var buf [64]cand
	b.Run("keys", func(b *testing.B) {
		i := 0
		for b.Loop() {
			s.keys.scan(bodies[i], buf[:0])
			if i++; i == len(bodies) {
				i = 0
			}
		}
	})
	b.Run("classes", func(b *testing.B) {
		i := 0
		for b.Loop() {
			s.classes.scan(bodies[i], buf[:0])
			if i++; i == len(bodies) {
				i = 0
			}
		}
	})
	b.Run("fused", func(b *testing.B) {
		i := 0
		for b.Loop() {
			scanFused(s.keys, s.classes, bodies[i], buf[:0])
			if i++; i == len(bodies) {
				i = 0
			}
		}
	})
	b.Run("rootonly", func(b *testing.B) {
		// A one-literal automaton: the cost of the loop itself.
		a := buildAutomaton([]lit{{"zzzzqqq", 0, 0}}, true, 1)
		i := 0
		for b.Loop() {
			a.scan(bodies[i], buf[:0])
			if i++; i == len(bodies) {
				i = 0
			}
		}
	})
}
