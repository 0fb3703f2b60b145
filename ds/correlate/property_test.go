package correlate

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsengine/dsengine/ds"
)

var propIDs = []string{"a", "b", "c"}

// genSteps draws a timeline of events on a, b and c from up to three hosts,
// with gaps from 0 to 4 s (ties included) and, now and then, a time that
// goes backwards.
func genSteps(t *rapid.T) []step {
	n := rapid.IntRange(0, 120).Draw(t, "n")
	var steps []step
	var at time.Duration
	for range n {
		gap := time.Duration(rapid.IntRange(-200, 4000).Draw(t, "gapMs")) * time.Millisecond
		at += max(gap, 0)
		s := step{at: at, id: rapid.SampledFrom(propIDs).Draw(t, "id"), host: rapid.SampledFrom([]string{"h1", "h2", "h3"}).Draw(t, "host")}
		if gap < 0 {
			s.at = at + gap // out of order: taken as the latest time
		}
		steps = append(steps, s)
	}
	return steps
}

var propExprs = []string{
	"a and b", "a or b", "a and not c", "not a", "count(a) >= 3", "count(a) == 2 or c",
	"seq(a, b)", "seq(a, b, a)", "seq(a, b, c)", "a or (b and not c)", "count(b) > count(a)",
}

// genCorrelate draws a Correlate over a, b and c with any of the trigger
// options.
func genCorrelate(t *rapid.T) *ds.Correlate {
	c := &ds.Correlate{
		Expr:   rapid.SampledFrom(propExprs).Draw(t, "expr"),
		Window: time.Duration(rapid.IntRange(1, 20).Draw(t, "windowS")) * time.Second,
		Occurs: rapid.IntRange(1, 3).Draw(t, "occurs"),
		Period: time.Duration(rapid.IntRange(0, 60).Draw(t, "periodS")) * time.Second,
		Delay:  time.Duration(rapid.IntRange(0, 1).Draw(t, "delay")*rapid.IntRange(1, 10).Draw(t, "delayS")) * time.Second,
	}
	if rapid.Bool().Draw(t, "groupBy") {
		c.GroupBy = "host"
	}
	if rapid.IntRange(0, 3).Draw(t, "periodStart") == 0 {
		c.PeriodStart = "*/2 * * * *"
	}
	return c
}

// TestPropReplayDeterministic: the same timeline gives the same triggers.
func TestPropReplayDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCorrelate(t)
		steps := genSteps(t)
		maxHosts := rapid.IntRange(0, 3).Draw(t, "maxHosts")
		first := replay(t, c, propIDs, steps, maxHosts)
		second := replay(t, c, propIDs, steps, maxHosts)
		if !slices.Equal(first, second) {
			t.Fatalf("first run %q, second run %q", first, second)
		}
	})
}

// TestPropBounded: rings keep their size and the host states their cap,
// however many events arrive.
func TestPropBounded(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCorrelate(t)
		c.Delay = 0
		c.Expr = rapid.SampledFrom(append(propExprs, "count(a) >= 5", "count(c) < 7 and b")).Draw(t, "expr2")
		p, err := Compile(c, propIDs)
		if err != nil {
			t.Fatal(err)
		}
		maxHosts := rapid.IntRange(1, 3).Draw(t, "maxHosts")
		cor, err := New(p, Options{MaxKeys: maxHosts})
		if err != nil {
			t.Fatal(err)
		}
		n := rapid.IntRange(0, 2000).Draw(t, "n")
		at := t0
		for i := range n {
			at = at.Add(time.Duration(rapid.IntRange(0, 50).Draw(t, "gapMs")) * time.Millisecond)
			host := string(rune('A' + rapid.IntRange(0, 5).Draw(t, "host")))
			cor.Observe(propIDs[rapid.IntRange(0, 2).Draw(t, "id")], at, host)
			if i%97 == 0 || i == n-1 {
				checkBounds(t, cor, maxHosts)
			}
		}
	})
}

func checkBounds(t *rapid.T, c *Correlator, maxHosts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	states := []*state{}
	if c.single != nil {
		states = append(states, c.single)
	}
	for st := c.front; st != nil; st = st.next {
		states = append(states, st)
	}
	if len(c.p.groupBy) > 0 && (len(states) > maxHosts || len(c.keys) != len(states)) {
		t.Fatalf("%d host states, %d in the map, cap %d", len(states), len(c.keys), maxHosts)
	}
	for _, st := range states {
		for i, r := range st.rings {
			if len(r.buf) != c.p.ringCap[i] || cap(r.buf) != c.p.ringCap[i] || r.n > len(r.buf) {
				t.Fatalf("ring %s: len %d cap %d n %d, size %d", c.p.ids[i], len(r.buf), cap(r.buf), r.n, c.p.ringCap[i])
			}
		}
		if st.hits.n > len(st.hits.buf) || len(st.hits.buf) > c.p.occurs {
			t.Fatalf("hits: n %d len %d, occurs %d", st.hits.n, len(st.hits.buf), c.p.occurs)
		}
	}
}

// TestPropOrIsUnion: "a or b" fires exactly when a program for a alone or
// one for b alone fires, all three fed the whole stream.
func TestPropOrIsUnion(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := time.Duration(rapid.IntRange(1, 20).Draw(t, "windowS")) * time.Second
		mk := func(e string) *Correlator {
			p, err := Compile(corr(e, w), propIDs)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := New(p, Options{})
			return c
		}
		or, a, b := mk("a or b"), mk("a"), mk("b")
		for i, s := range genSteps(t) {
			at := t0.Add(s.at)
			_, got := or.Observe(s.id, at, s.host)
			_, fa := a.Observe(s.id, at, s.host)
			_, fb := b.Observe(s.id, at, s.host)
			if got != (fa || fb) {
				t.Fatalf("step %d (%s): a or b fired %v, a %v, b %v", i, s.id, got, fa, fb)
			}
		}
	})
}

// TestPropMatchesModel compares the correlator with a brute-force model
// that keeps every event since the last trigger.
func TestPropMatchesModel(t *testing.T) {
	present := func(h []occ, id string) bool { return count(h, id) > 0 }
	model := map[string]func([]occ) bool{
		"a and b":            func(h []occ) bool { return present(h, "a") && present(h, "b") },
		"a and not c":        func(h []occ) bool { return present(h, "a") && !present(h, "c") },
		"not a":              func(h []occ) bool { return !present(h, "a") },
		"count(a) >= 3":      func(h []occ) bool { return count(h, "a") >= 3 },
		"count(a) == 2 or c": func(h []occ) bool { return count(h, "a") == 2 || present(h, "c") },
		"seq(a, b)":          func(h []occ) bool { return inOrder(h, "a", "b") },
		"seq(a, b, a)":       func(h []occ) bool { return inOrder(h, "a", "b", "a") },
		"seq(a, b, c)":       func(h []occ) bool { return inOrder(h, "a", "b", "c") },
		"seq(a, a)":          func(h []occ) bool { return inOrder(h, "a", "a") },
		"seq(b, a, a, c)":    func(h []occ) bool { return inOrder(h, "b", "a", "a", "c") },
		"a or (b and not c)": func(h []occ) bool { return present(h, "a") || present(h, "b") && !present(h, "c") },
		"seq(a, b) and not seq(b, a)": func(h []occ) bool {
			return inOrder(h, "a", "b") && !inOrder(h, "b", "a")
		},
	}
	exprs := make([]string, 0, len(model))
	for e := range model {
		exprs = append(exprs, e)
	}
	slices.Sort(exprs)
	rapid.Check(t, func(t *rapid.T) {
		e := rapid.SampledFrom(exprs).Draw(t, "expr")
		w := time.Duration(rapid.IntRange(1, 20).Draw(t, "windowS")) * time.Second
		p, err := Compile(corr(e, w), propIDs)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := New(p, Options{})
		var hist []occ
		last := time.Duration(-1 << 62)
		for i, s := range genSteps(t) {
			at := max(s.at, last)
			last = at
			hist = append(hist, occ{s.id, at})
			var inWindow []occ
			for _, o := range hist {
				if o.at >= at-w {
					inWindow = append(inWindow, o)
				}
			}
			want := model[e](inWindow)
			if want {
				hist = nil
			}
			_, got := c.Observe(s.id, t0.Add(s.at), "")
			if got != want {
				t.Fatalf("step %d (%s at %v): fired %v, model %v", i, s.id, at, got, want)
			}
		}
	})
}

// occ is one event of the model's history.
type occ struct {
	id string
	at time.Duration
}

func count(h []occ, id string) int {
	n := 0
	for _, o := range h {
		if o.id == id {
			n++
		}
	}
	return n
}

// inOrder reports whether ids occur in h in that order, each occurrence
// used once: the greedy earliest match is a match if any is.
func inOrder(h []occ, ids ...string) bool {
	k := 0
	for _, o := range h {
		if k < len(ids) && o.id == ids[k] {
			k++
		}
	}
	return k == len(ids)
}
