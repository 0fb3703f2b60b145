package correlate

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsengine/dsengine/ds"
)

// TestPropKeyCap compares a grouped "count(a) >= N" with a model: an LRU
// list of at most MaxKeys keys, each with its own count, the least
// recently observed forgotten (and counted) when a new key comes.
func TestPropKeyCap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxKeys := rapid.IntRange(1, 8).Draw(t, "maxKeys")
		n := rapid.IntRange(1, 3).Draw(t, "occurs")
		pool := rapid.IntRange(1, 20).Draw(t, "keys")
		mode := Consumption(rapid.IntRange(0, 1).Draw(t, "mode"))
		p, err := Compile(&ds.Correlate{Expr: fmt.Sprintf("count(a) >= %d", n), Window: time.Hour, GroupBy: "ds_k"}, []string{"a"})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := New(p, Options{MaxKeys: maxKeys, Consume: mode})
		var lru []string // most recent first
		counts, triggers := map[string]int{}, map[string]uint64{}
		var evicted uint64
		steps := rapid.IntRange(0, 200).Draw(t, "steps")
		for i := range steps {
			k := fmt.Sprint("k", rapid.IntRange(0, pool-1).Draw(t, "key"))
			if j := slices.Index(lru, k); j >= 0 {
				lru = slices.Delete(lru, j, j+1)
			} else if len(lru) == maxKeys {
				old := lru[len(lru)-1]
				lru = lru[:len(lru)-1]
				delete(counts, old)
				delete(triggers, old)
				evicted++
			}
			lru = slices.Insert(lru, 0, k)
			counts[k]++
			want := counts[k] >= n
			if want {
				counts[k] = 0
				triggers[k]++
			}
			tr, got := c.ObserveEvent(Event{ID: "a", At: t0.Add(time.Duration(i) * time.Second), Vars: map[string]string{"ds_k": k}})
			if got != want || got && tr.Key != k {
				t.Fatalf("step %d, key %s: fired %v (key %q), the model %v", i, k, got, tr.Key, want)
			}
			if _, held := c.Keys(1); held > maxKeys {
				t.Fatalf("step %d: %d keys held, above the cap %d", i, held, maxKeys)
			}
		}
		keys, held := c.Keys(0)
		if held != len(lru) || c.Evicted() != evicted {
			t.Fatalf("%d keys held, %d evicted; the model %d and %d", held, c.Evicted(), len(lru), evicted)
		}
		for i, k := range keys {
			if triggers[k.Key] != k.Triggers || !slices.Contains(lru, k.Key) {
				t.Fatalf("key %s: %d triggers; the model holds %v with %v", k.Key, k.Triggers, lru, triggers)
			}
			if i > 0 && keys[i-1].Triggers < k.Triggers {
				t.Fatalf("keys not listed by triggers: %+v", keys)
			}
		}
	})
}

// TestPropOrBranchesIndependent: with the DS rule, "X or Y" over disjoint
// events, without not, fires exactly when X alone or Y alone would: a
// branch firing consumes nothing of the other.
func TestPropOrBranchesIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.SampledFrom([]string{"a", "a and b", "count(a) >= 2", "seq(a, b)", "count(b) >= 3 and a"}).Draw(t, "x")
		y := rapid.SampledFrom([]string{"c", "c and d", "count(c) >= 2", "seq(d, c)", "d and (c or count(d) >= 2)"}).Draw(t, "y")
		ids := []string{"a", "b", "c", "d"}
		w := time.Duration(rapid.IntRange(1, 20).Draw(t, "windowS")) * time.Second
		mk := func(e string) *Correlator {
			p, err := Compile(corr(e, w), ids)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := New(p, Options{Consume: ConsumeMatched})
			return c
		}
		or, cx, cy := mk("("+x+") or ("+y+")"), mk(x), mk(y)
		at := t0
		for i := range rapid.IntRange(0, 150).Draw(t, "n") {
			at = at.Add(time.Duration(rapid.IntRange(0, 4000).Draw(t, "gapMs")) * time.Millisecond)
			id := rapid.SampledFrom(ids).Draw(t, "id")
			_, got := or.Observe(id, at, "")
			_, fx := cx.Observe(id, at, "")
			_, fy := cy.Observe(id, at, "")
			if got != (fx || fy) {
				t.Fatalf("step %d (%s): (%s) or (%s) fired %v; alone %v and %v", i, id, x, y, got, fx, fy)
			}
		}
	})
}

// BenchmarkObserveKeyed10000 is a grouped "occurs 3 period 10m" over
// 10,000 keys (neighbors), every key kept, then with the default cap of
// 1,000 so that keys are evicted all the time.
func BenchmarkObserveKeyed10000(b *testing.B) {
	const nKeys = 10000
	vars := make([]map[string]string, nKeys)
	for i := range vars {
		vars[i] = map[string]string{"ds_syslog_nbr": fmt.Sprintf("10.%d.%d.1", i/256, i%256)}
	}
	for _, maxKeys := range []int{nKeys, 0} {
		b.Run(fmt.Sprintf("maxKeys=%d", maxKeys), func(b *testing.B) {
			p, err := CompileOccurs(ds.Event{ID: "flap", Occurs: 3, Period: 10 * time.Minute, GroupBy: "ds_syslog_nbr"})
			if err != nil {
				b.Fatal(err)
			}
			c, _ := New(p, Options{MaxKeys: maxKeys, Consume: ConsumeMatched})
			at := t0
			fired := 0
			b.ReportAllocs()
			for i := range b.N {
				at = at.Add(eventGap)
				if _, ok := c.ObserveEvent(Event{ID: "flap", At: at, Vars: vars[i%nKeys]}); ok {
					fired++
				}
			}
			_, held := c.Keys(1)
			b.ReportMetric(float64(held), "keys")
			b.ReportMetric(float64(c.Evicted())/float64(b.N), "evictions/op")
		})
	}
}
