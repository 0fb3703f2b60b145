package correlate

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"github.com/dsengine/dsengine/ds"
)

// benchExprs are the programs of the 1,000-DS benchmark, in turn.
var benchExprs = []string{"a and b", "count(a) >= 3", "seq(a, b)", "a and not c"}

// target is one DS listening to a stream event, under its local id.
type target struct {
	c  *Correlator
	id string
}

// benchFleet builds nDS correlators over a stream of nIDs event kinds: DS i
// listens to kinds 3i, 3i+1 and 3i+2 (mod nIDs) as a, b and c, so each kind
// feeds about 3·nDS/nIDs DS. It returns, per stream event, its targets, for
// a random stream of n events.
func benchFleet(b *testing.B, nDS, nIDs, n int, window time.Duration) [][]target {
	byKind := make([][]target, nIDs)
	for i := range nDS {
		p, err := Compile(&ds.Correlate{Expr: benchExprs[i%len(benchExprs)], Window: window}, []string{"a", "b", "c"})
		if err != nil {
			b.Fatal(err)
		}
		c, err := New(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for j, local := range []string{"a", "b", "c"} {
			k := (3*i + j) % nIDs
			byKind[k] = append(byKind[k], target{c, local})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	stream := make([][]target, n)
	for i := range stream {
		stream[i] = byKind[rng.IntN(nIDs)]
	}
	return stream
}

// eventGap is the virtual time between stream events: 100,000 events/s.
const eventGap = 10 * time.Microsecond

// BenchmarkFleet1000 feeds 1,000 correlated DS one event stream at
// 100,000 events/s of virtual time; an op is one stream event (about two
// Observe calls).
func BenchmarkFleet1000(b *testing.B) {
	stream := benchFleet(b, 1000, 1500, 1<<16, time.Second)
	at := t0
	observes, fired := 0, 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		at = at.Add(eventGap)
		for _, tg := range stream[i&(len(stream)-1)] {
			if _, ok := tg.c.Observe(tg.id, at, ""); ok {
				fired++
			}
		}
		observes += len(stream[i&(len(stream)-1)])
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(observes), "ns/observe")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(observes), "allocs/observe")
	b.ReportMetric(float64(fired)/float64(b.N), "triggers/event")
}

// BenchmarkFleet1000Latency measures, for every Observe that raises a
// trigger, the wall time from the stream event's arrival (before the first
// of its Observe calls) to that call's return.
func BenchmarkFleet1000Latency(b *testing.B) {
	stream := benchFleet(b, 1000, 1500, 1<<16, time.Second)
	lat := make([]time.Duration, 0, 1<<20)
	at := t0
	b.ResetTimer()
	for i := range b.N {
		at = at.Add(eventGap)
		start := time.Now()
		for _, tg := range stream[i&(len(stream)-1)] {
			if _, ok := tg.c.Observe(tg.id, at, ""); ok && len(lat) < cap(lat) {
				lat = append(lat, time.Since(start))
			}
		}
	}
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds()), "max-ns")
}

// BenchmarkObserve is one correlator per program, events a, b, c in turn.
func BenchmarkObserve(b *testing.B) {
	for _, e := range append(benchExprs, "e1 or (count(a) >= 2 and not track_1) or seq(a, b, c)") {
		b.Run(e, func(b *testing.B) {
			p, err := Compile(&ds.Correlate{Expr: e, Window: time.Second}, []string{"a", "b", "c", "e1"})
			if err != nil {
				b.Fatal(err)
			}
			c, _ := New(p, Options{})
			ids := []string{"a", "b", "c", "a", "b", "a", "c"}
			at := t0
			b.ReportAllocs()
			for i := range b.N {
				at = at.Add(eventGap)
				c.Observe(ids[i%len(ids)], at, "")
			}
		})
	}
}

// BenchmarkObserveGroupBy spreads events over 100 hosts.
func BenchmarkObserveGroupBy(b *testing.B) {
	p, err := Compile(&ds.Correlate{Expr: "a and b", Window: time.Second, GroupBy: "host"}, []string{"a", "b"})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := New(p, Options{})
	hosts := make([]string, 100)
	for i := range hosts {
		hosts[i] = fmt.Sprint("10.0.0.", i)
	}
	at := t0
	b.ReportAllocs()
	for i := range b.N {
		at = at.Add(eventGap)
		c.Observe([]string{"a", "b"}[i&1], at, hosts[(i>>1)%len(hosts)])
	}
}

func BenchmarkCompile(b *testing.B) {
	ids := []string{"e1", "e2", "e3"}
	c := &ds.Correlate{Expr: "(count(e1) >= 3) and not (e2 or track_10) or seq(e1, e3)"}
	b.ReportAllocs()
	for range b.N {
		if _, err := Compile(c, ids); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnvChoice compares the two ways to give expr-lang the
// correlation state for "a and not c and count(a) >= 3": the map
// environment this package uses (count rewritten to a variable), and a
// struct environment with count as an expr.Function closure over the state.
func BenchmarkEnvChoice(b *testing.B) {
	const src = "a and not c and count(a) >= 3"
	counts := []int{5, 0, 0}
	b.Run("map", func(b *testing.B) {
		p, err := Compile(&ds.Correlate{Expr: src}, []string{"a", "b", "c"})
		if err != nil {
			b.Fatal(err)
		}
		env := map[string]any{}
		var m vm.VM
		b.ReportAllocs()
		for range b.N {
			for _, v := range p.vars {
				switch v.kind {
				case varPresent:
					env[v.key] = counts[v.idx] > 0
				case varCount:
					env[v.key] = p.boxed[min(counts[v.idx], len(p.boxed)-1)]
				}
			}
			if out, _ := m.Run(p.prog, env); out != true {
				b.Fatal(out)
			}
		}
	})
	b.Run("struct+func", func(b *testing.B) {
		type env struct {
			A bool `expr:"a"`
			B bool `expr:"b"`
			C bool `expr:"c"`
		}
		boxed := make([]any, 65)
		for i := range boxed {
			boxed[i] = i
		}
		count := func(args ...any) (any, error) { return boxed[counts[args[0].(int)]], nil }
		prog, err := expr.Compile(src, expr.Env(env{}), expr.AsBool(), expr.DisableAllBuiltins(),
			expr.Function("count", count, new(func(int) int)), expr.Patch(indexArgs{}))
		if err != nil {
			b.Fatal(err)
		}
		var m vm.VM
		var e env
		b.ReportAllocs()
		for range b.N {
			e.A, e.B, e.C = counts[0] > 0, counts[1] > 0, counts[2] > 0
			if out, _ := m.Run(prog, &e); out != true {
				b.Fatal(out)
			}
		}
	})
}

// indexArgs turns count(a) into count(0), count(b) into count(1)…
type indexArgs struct{}

func (indexArgs) Visit(node *ast.Node) {
	if n, ok := (*node).(*ast.CallNode); ok {
		if id, ok := n.Arguments[0].(*ast.IdentifierNode); ok {
			ast.Patch(&n.Arguments[0], &ast.IntegerNode{Value: int(id.Value[0] - 'a')})
		}
	}
}
