package correlate

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
)

// t0 is the start of every virtual timeline.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// step is one input of a timeline: an event, or a track change when id is
// empty.
type step struct {
	at    time.Duration
	id    string
	host  string
	track int
	up    bool
}

func ev(at time.Duration, id string) step         { return step{at: at, id: id} }
func evh(at time.Duration, id, host string) step  { return step{at: at, id: id, host: host} }
func trk(at time.Duration, obj int, up bool) step { return step{at: at, track: obj, up: up} }
func ms(n int) time.Duration                      { return time.Duration(n) * time.Millisecond }
func sec(n int) time.Duration                     { return time.Duration(n) * time.Second }
func mark(host string, at time.Duration) string {
	return strings.TrimPrefix(host+"@", "@") + at.String()
}
func corr(expr string, window time.Duration) *ds.Correlate {
	return &ds.Correlate{Expr: expr, Window: window, Occurs: 1}
}

// replay feeds steps to a fresh correlator on a virtual clock and returns
// its triggers as "host@offset" (offset alone without a host), immediate and
// delayed alike, in the order raised. After the last step the clock runs on
// for an hour so pending delays end.
func replay(t tb, c *ds.Correlate, ids []string, steps []step, maxHosts int) []string {
	t.Helper()
	p, err := Compile(c, ids)
	if err != nil {
		t.Fatalf("Compile(%q): %v", c.Expr, err)
	}
	clock := newFakeClock(t0)
	var mu sync.Mutex
	var got []string
	add := func(tr Trigger) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, mark(tr.Host, tr.At.Sub(t0)))
	}
	cor, err := New(p, Options{Clock: clock, OnDelayed: add, MaxKeys: maxHosts, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer cor.Close()
	for _, s := range steps {
		at := t0.Add(s.at)
		clock.advanceTo(at)
		if s.id == "" {
			for _, tr := range cor.SetTrack(s.track, s.up, at) {
				add(tr)
			}
			continue
		}
		if tr, ok := cor.Observe(s.id, at, s.host); ok {
			add(tr)
		}
	}
	clock.advanceTo(clock.Now().Add(time.Hour))
	return got
}

func TestSemantics(t *testing.T) {
	w10 := sec(10)
	ids := []string{"e1", "e2", "e3"}
	withOccurs := func(c *ds.Correlate, occurs int, period time.Duration) *ds.Correlate {
		c.Occurs, c.Period = occurs, period
		return c
	}
	withDelay := func(c *ds.Correlate, d time.Duration) *ds.Correlate { c.Delay = d; return c }
	byHost := func(c *ds.Correlate) *ds.Correlate { c.GroupBy = "host"; return c }
	withStart := func(c *ds.Correlate, cron string, period time.Duration, occurs int) *ds.Correlate {
		c.PeriodStart, c.Period, c.Occurs = cron, period, occurs
		return c
	}
	tests := []struct {
		name     string
		c        *ds.Correlate
		steps    []step
		want     []string
		maxHosts int
	}{
		// and / or / not
		{"and inside window", corr("e1 and e2", w10), []step{ev(0, "e1"), ev(sec(5), "e2")}, []string{"5s"}, 0},
		{"and either order", corr("e1 and e2", w10), []step{ev(0, "e2"), ev(sec(5), "e1")}, []string{"5s"}, 0},
		{"and outside window", corr("e1 and e2", w10), []step{ev(0, "e1"), ev(sec(11), "e2")}, nil, 0},
		{"and at window edge counts", corr("e1 and e2", w10), []step{ev(0, "e1"), ev(w10, "e2")}, []string{"10s"}, 0},
		{"and just past window edge", corr("e1 and e2", w10), []step{ev(0, "e1"), ev(w10+1, "e2")}, nil, 0},
		{"or fires on each", corr("e1 or e2", w10), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(2), "e3")}, []string{"0s", "1s"}, 0},
		{"and not: excluded inside window", corr("e1 and not e3", w10), []step{ev(0, "e3"), ev(sec(5), "e1")}, nil, 0},
		{"and not: excluded at window edge", corr("e1 and not e3", w10), []step{ev(0, "e3"), ev(w10, "e1")}, nil, 0},
		{"and not: exclusion expired", corr("e1 and not e3", w10), []step{ev(0, "e3"), ev(w10+1, "e1")}, []string{"10.000000001s"}, 0},
		{"and not: exclusion after", corr("e1 and not e3", w10), []step{ev(0, "e1"), ev(sec(1), "e3")}, []string{"0s"}, 0},
		{"not alone needs an event", corr("not e1", w10), nil, nil, 0},
		{"not alone on another event", corr("not e1", w10), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(11), "e2")}, []string{"11s"}, 0},
		{"nested", corr("e1 or (e2 and not e3)", w10), []step{ev(0, "e3"), ev(sec(1), "e2"), ev(sec(20), "e2"), ev(sec(21), "e1")}, []string{"20s", "21s"}, 0},
		{"unknown id ignored", corr("e1 or e2", w10), []step{ev(0, "zz"), ev(sec(1), "e1")}, []string{"1s"}, 0},
		{"older time taken as latest", corr("e1 and e2", w10), []step{ev(sec(5), "e1"), ev(sec(3), "e2")}, []string{"5s"}, 0},
		{"default window is 3m", corr("e1 and e2", 0), []step{ev(0, "e1"), ev(3*time.Minute, "e2"), ev(10*time.Minute, "e1"), ev(13*time.Minute+1, "e2")}, []string{"3m0s"}, 0},

		// count
		{"count reaches threshold", corr("count(e1) >= 3", w10), []step{ev(0, "e1"), ev(sec(1), "e1"), ev(sec(2), "e1")}, []string{"2s"}, 0},
		{"count at window edge", corr("count(e1) >= 3", w10), []step{ev(0, "e1"), ev(sec(5), "e1"), ev(w10, "e1")}, []string{"10s"}, 0},
		{"count past window edge", corr("count(e1) >= 3", w10), []step{ev(0, "e1"), ev(sec(5), "e1"), ev(w10+1, "e1")}, nil, 0},
		{"count restarts after trigger", corr("count(e1) >= 2", w10), []step{ev(0, "e1"), ev(sec(1), "e1"), ev(sec(2), "e1"), ev(sec(3), "e1")}, []string{"1s", "3s"}, 0},
		{"count exact", corr("count(e1) == 2 and e2", w10), []step{ev(0, "e1"), ev(sec(1), "e1"), ev(sec(2), "e1"), ev(sec(3), "e2"), ev(sec(11), "e2")}, []string{"11s"}, 0},
		{"count with and", corr("count(e1) >= 2 and e2", w10), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(2), "e1")}, []string{"2s"}, 0},

		// seq
		{"seq in order", corr("seq(e1, e2)", w10), []step{ev(0, "e1"), ev(sec(1), "e2")}, []string{"1s"}, 0},
		{"seq out of order", corr("seq(e1, e2)", w10), []step{ev(0, "e2"), ev(sec(1), "e1")}, nil, 0},
		{"seq later pair", corr("seq(e1, e2)", w10), []step{ev(0, "e2"), ev(sec(1), "e1"), ev(sec(2), "e2")}, []string{"2s"}, 0},
		{"seq same time by arrival", corr("seq(e1, e2)", w10), []step{ev(0, "e1"), ev(0, "e2")}, []string{"0s"}, 0},
		{"seq same time reversed", corr("seq(e1, e2)", w10), []step{ev(0, "e2"), ev(0, "e1")}, nil, 0},
		{"seq outside window", corr("seq(e1, e2)", w10), []step{ev(0, "e1"), ev(w10+1, "e2")}, nil, 0},
		{"seq at window edge", corr("seq(e1, e2)", w10), []step{ev(0, "e1"), ev(w10, "e2")}, []string{"10s"}, 0},
		{"seq uses latest start", corr("seq(e1, e2)", w10), []step{ev(0, "e1"), ev(sec(8), "e1"), ev(sec(12), "e2")}, []string{"12s"}, 0},
		{"seq three", corr("seq(e1, e2, e3)", w10), []step{ev(0, "e2"), ev(sec(1), "e1"), ev(sec(2), "e3"), ev(sec(3), "e2"), ev(sec(4), "e3")}, []string{"4s"}, 0},
		{"seq repeated id needs two", corr("seq(e1, e2, e1)", w10), []step{ev(0, "e2"), ev(sec(1), "e1"), ev(sec(2), "e2")}, nil, 0},
		{"seq repeated id", corr("seq(e1, e2, e1)", w10), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(2), "e1")}, []string{"2s"}, 0},
		{"seq restarts after trigger", corr("seq(e1, e2)", w10), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(2), "e2")}, []string{"1s"}, 0},

		// trigger occurs / period
		{"occurs counts matches", withOccurs(corr("e1 and e2", w10), 2, 0), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(20), "e1"), ev(sec(21), "e2")}, []string{"21s"}, 0},
		{"occurs needs fresh events", withOccurs(corr("e1 and e2", w10), 2, 0), []step{ev(0, "e1"), ev(sec(1), "e2"), ev(sec(2), "e2")}, nil, 0},
		{"occurs period at edge", withOccurs(corr("e1", w10), 2, sec(30)), []step{ev(0, "e1"), ev(sec(30), "e1")}, []string{"30s"}, 0},
		{"occurs period past edge", withOccurs(corr("e1", w10), 2, sec(30)), []step{ev(0, "e1"), ev(sec(30)+1, "e1")}, nil, 0},
		{"occurs period slides", withOccurs(corr("e1", w10), 2, sec(30)), []step{ev(0, "e1"), ev(sec(40), "e1"), ev(sec(50), "e1"), ev(sec(60), "e1"), ev(sec(70), "e1")}, []string{"50s", "1m10s"}, 0},
		{"occurs 3 period", withOccurs(corr("count(e1) >= 2", w10), 3, time.Minute), []step{ev(0, "e1"), ev(sec(1), "e1"), ev(sec(2), "e1"), ev(sec(3), "e1"), ev(sec(4), "e1"), ev(sec(5), "e1")}, []string{"5s"}, 0},

		// period-start
		{"period-start: inside and outside the period", withStart(corr("e1", w10), "* * * * *", sec(10), 1), []step{ev(sec(5), "e1"), ev(sec(15), "e1"), ev(sec(60), "e1"), ev(sec(70), "e1"), ev(sec(71), "e1")}, []string{"5s", "1m0s", "1m10s"}, 0},
		{"period-start: count restarts at tick", withStart(corr("e1", w10), "* * * * *", 0, 2), []step{ev(sec(30), "e1"), ev(sec(70), "e1"), ev(sec(80), "e1")}, []string{"1m20s"}, 0},
		{"period-start: @every", withStart(corr("e1", w10), "@every 1m", sec(1), 1), []step{ev(sec(30), "e1"), ev(sec(60), "e1")}, []string{"1m0s"}, 0},

		// delay
		{"delay raises later", withDelay(corr("e1 and not e2", w10), sec(5)), []step{ev(0, "e1")}, []string{"5s"}, 0},
		{"delay cancelled when no longer holding", withDelay(corr("e1 and not e2", w10), sec(5)), []step{ev(0, "e1"), ev(sec(3), "e2")}, nil, 0},
		{"delay: events meanwhile not evaluated", withDelay(corr("e1", w10), sec(5)), []step{ev(0, "e1"), ev(sec(2), "e1"), ev(sec(7), "e1")}, []string{"5s", "12s"}, 0},
		{"delay longer than window", withDelay(corr("e1", w10), sec(20)), []step{ev(0, "e1")}, nil, 0},
		{"delay after occurs", withDelay(withOccurs(corr("e1", w10), 2, 0), sec(5)), []step{ev(0, "e1"), ev(sec(1), "e1")}, []string{"6s"}, 0},

		// group by host
		{"group-by: separate hosts", byHost(corr("e1 and e2", w10)), []step{evh(0, "e1", "A"), evh(sec(1), "e2", "B"), evh(sec(2), "e2", "A")}, []string{"A@2s"}, 0},
		{"group-by: least recent forgotten", byHost(corr("e1 and e2", w10)), []step{evh(0, "e1", "A"), evh(sec(1), "e1", "B"), evh(sec(2), "e1", "C"), evh(sec(3), "e2", "A"), evh(sec(4), "e2", "C")}, []string{"C@4s"}, 2},
		{"group-by: touch keeps host", byHost(corr("e1 and e2", w10)), []step{evh(0, "e1", "A"), evh(sec(1), "e1", "B"), evh(sec(2), "e3", "A"), evh(sec(3), "e1", "C"), evh(sec(4), "e2", "A"), evh(sec(5), "e2", "B")}, []string{"A@4s"}, 2},
		{"ungrouped host is latest", corr("e1 and e2", w10), []step{evh(0, "e1", "A"), evh(sec(1), "e2", "B")}, []string{"B@1s"}, 0},

		// tracks
		{"track level", corr("e1 and track_10", w10), []step{ev(0, "e1"), trk(sec(1), 10, true), ev(sec(2), "e1"), trk(sec(3), 10, false), ev(sec(4), "e1")}, []string{"1s", "2s"}, 0},
		{"track unchanged is no evaluation", corr("e1 or track_10", w10), []step{trk(0, 10, true), trk(sec(1), 10, true), trk(sec(2), 9, true)}, []string{"0s"}, 0},
		{"andnot track", corr("e1 and not track_7", w10), []step{ev(0, "e1"), trk(sec(1), 7, true), ev(sec(2), "e1")}, []string{"0s"}, 0},
		{"track per host", byHost(corr("e1 and track_1", w10)), []step{evh(0, "e1", "A"), evh(sec(1), "e1", "B"), trk(sec(2), 1, true)}, []string{"B@2s", "A@2s"}, 0}, // most recently observed host first
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := replay(t, tc.c, ids, tc.steps, tc.maxHosts)
			if !slices.Equal(got, tc.want) {
				t.Errorf("triggers %q, want %q", got, tc.want)
			}
		})
	}
}

// tb is what replay needs of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// TestSharedStream runs several DS on one event stream: each behaves as if
// it saw the stream alone.
func TestSharedStream(t *testing.T) {
	ids := []string{"a", "b", "c"}
	exprs := []string{"a and b", "count(a) >= 3", "seq(a, b)", "a and not c", "a or c"}
	var steps []step
	for i := range 200 {
		steps = append(steps, ev(ms(700*i), ids[(i*7+i/3)%3]))
	}
	var progs []*Program
	var cors []*Correlator
	for _, e := range exprs {
		p, err := Compile(corr(e, sec(5)), ids)
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		progs, cors = append(progs, p), append(cors, c)
	}
	shared := make([][]string, len(exprs))
	for _, s := range steps {
		for i, c := range cors {
			if tr, ok := c.Observe(s.id, t0.Add(s.at), ""); ok {
				shared[i] = append(shared[i], tr.At.Sub(t0).String())
			}
		}
	}
	for i, e := range exprs {
		alone := replay(t, corr(e, sec(5)), ids, steps, 0)
		if !slices.Equal(shared[i], alone) {
			t.Errorf("%s: shared %q, alone %q", e, shared[i], alone)
		}
		if len(alone) == 0 {
			t.Errorf("%s: never fired; the test stream is too weak", e)
		}
	}
}

func TestTriggerEvents(t *testing.T) {
	p, err := Compile(corr("count(e1) >= 2 and e2", sec(10)), []string{"e1", "e2", "e3"})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Consumption{ConsumeAll, ConsumeMatched} {
		c, _ := New(p, Options{Location: time.UTC, Consume: mode})
		c.ObserveEvent(Event{ID: "e3", At: t0, Host: "h", Data: "a"})
		c.ObserveEvent(Event{ID: "e1", At: t0.Add(sec(1)), Host: "h", Data: "b"})
		c.ObserveEvent(Event{ID: "e1", At: t0.Add(sec(2)), Host: "h", Data: "c"})
		tr, ok := c.ObserveEvent(Event{ID: "e2", At: t0.Add(sec(3)), Host: "h", Data: "d"})
		if !ok {
			t.Fatal("no trigger")
		}
		got := fmt.Sprint(tr.Host, tr.At.Sub(t0), tr.Events)
		want := fmt.Sprint("h", sec(3), []Occurrence{
			{ID: "e1", Count: 2, First: t0.Add(sec(1)), Last: t0.Add(sec(2)), Data: "c", Consumed: true},
			{ID: "e2", Count: 1, First: t0.Add(sec(3)), Last: t0.Add(sec(3)), Data: "d", Consumed: true},
			// e3 took no part: only EEM's rule consumes it.
			{ID: "e3", Count: 1, First: t0, Last: t0, Data: "a", Consumed: mode == ConsumeAll},
		})
		if got != want {
			t.Errorf("mode %d: trigger\n%s\nwant\n%s", mode, got, want)
		}
	}
}

func TestRingSize(t *testing.T) {
	ids := []string{"e1", "e2"}
	tests := []struct {
		expr string
		e1   int
	}{
		{"e1 and e2", 1},
		{"count(e1) >= 3", 3},
		{"count(e1) < 3", 3},
		{"count(e1) > 3", 4},
		{"count(e1) <= 3", 4},
		{"count(e1) == 3", 4},
		{"3 <= count(e1)", 3},
		{"3 < count(e1)", 4},
		{"count(e1) >= 2.5", 3},
		{"count(e1) >= 0", 1},
		{"count(e1) > count(e2)", DefaultCountRing},
		{"count(e1) + 1 >= 3", DefaultCountRing},
		{"count(e1) >= 2 or count(e1) >= 5", 5},
		{"count(e1) >= 4096", 4096},
	}
	for _, tc := range tests {
		p, err := Compile(corr(tc.expr, 0), ids)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := p.RingSize("e1"); got != tc.e1 {
			t.Errorf("%s: RingSize(e1) = %d, want %d", tc.expr, got, tc.e1)
		}
	}
}

// TestCountSaturationIsExact checks that a count compared with a number
// decides as if nothing were dropped, however many events arrive.
func TestCountSaturationIsExact(t *testing.T) {
	for _, e := range []string{"count(e1) == 3", "count(e1) <= 3", "count(e1) > 3", "count(e1) != 3"} {
		p, err := Compile(corr(e+" and e2", time.Hour), []string{"e1", "e2"})
		if err != nil {
			t.Fatal(err)
		}
		for n := range 8 {
			c, _ := New(p, Options{})
			for i := range n {
				c.Observe("e1", t0.Add(ms(i)), "")
			}
			_, got := c.Observe("e2", t0.Add(sec(1)), "")
			var want bool
			switch e {
			case "count(e1) == 3":
				want = n == 3
			case "count(e1) <= 3":
				want = n <= 3
			case "count(e1) > 3":
				want = n > 3
			case "count(e1) != 3":
				want = n != 3
			}
			if got != want {
				t.Errorf("%s with %d e1: fired %v, want %v", e, n, got, want)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	ids := []string{"e1", "e2"}
	tests := []struct {
		c    *ds.Correlate
		want string
	}{
		{corr("", 0), "empty expression"},
		{corr("e1 and e9", 0), `unknown event "e9"`},
		{corr("e1 and foo(e2)", 0), "unknown function"},
		{corr("len(e1)", 0), "unknown function"},
		{corr("count(e1 and e2) > 1", 0), "count takes event ids"},
		{corr("count(e1, e2) > 1", 0), "count takes one event id"},
		{corr("count(e9) > 1", 0), `count names unknown event "e9"`},
		{corr("seq(e1)", 0), "seq takes two or more"},
		{corr("seq(e1, track_1)", 0), `seq names unknown event "track_1"`},
		{corr("count(e1)", 0), "bool"},
		{corr("count(e1) >= 5000", 0), "above the supported 4096"},
		{corr("e1 and", 0), "unexpected"},
		{&ds.Correlate{Expr: "e1", GroupBy: "slot"}, `group-by "slot"`},
		{&ds.Correlate{Expr: "e1", PeriodStart: "61 * * * *"}, "period-start"},
		{&ds.Correlate{Expr: "e1", PeriodStart: "TZ=UTC * * * * *"}, "time-zone"},
		{&ds.Correlate{Expr: "e1", Window: -1}, "negative"},
		{&ds.Correlate{Expr: "e1", Occurs: 5000, Period: time.Second}, "occurs 5000"},
		{nil, "no Correlate"},
	}
	for _, tc := range tests {
		_, err := Compile(tc.c, ids)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compile(%+v) = %v, want an error containing %q", tc.c, err, tc.want)
		}
	}
	if _, err := Compile(corr("e1", 0), []string{"e1", "e1"}); err == nil {
		t.Error("duplicate ids accepted")
	}
	p, err := Compile(&ds.Correlate{Expr: "e1", Delay: time.Second}, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(p, Options{}); err == nil {
		t.Error("New accepted a delay without a clock")
	}
}

// TestAppletExpressions compiles what the IOS config parser writes for
// EEM trigger blocks.
func TestAppletExpressions(t *testing.T) {
	ids := []string{"e1", "e2", "e3", "tag_1"}
	for _, e := range []string{
		"e1 and e2",
		"e1 and not e2",
		"e1 or (e2 and e3)",
		"(count(e1) >= 3) and not (e2 or track_10)",
		"count(e1) >= 3 or track_10",
		"tag_1 and track_20 and track_10",
		"let x = e1 and e2; x or e3",
	} {
		p, err := Compile(corr(e, 0), ids)
		if err != nil {
			t.Errorf("%s: %v", e, err)
			continue
		}
		if p.Window() != ds.DefaultCorrelateWindow {
			t.Errorf("%s: window %v", e, p.Window())
		}
	}
	p, _ := Compile(corr("tag_1 and track_20 and track_10 or track_20", 0), ids)
	if got := p.Tracks(); !slices.Equal(got, []int{20, 10}) {
		t.Errorf("Tracks() = %v", got)
	}
}

// TestConcurrent observes from several goroutines (run with -race) while
// delayed triggers end: each goroutine gives a host eight events in a row
// (enough to start a delay) and moves a virtual clock now and then, so
// the delays' timers run on one goroutine while the others observe, and
// hosts are evicted with delays pending.
func TestConcurrent(t *testing.T) {
	p, err := Compile(&ds.Correlate{Expr: "count(a) >= 3 and b", Window: sec(1), GroupBy: "host", Delay: ms(5)}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewVirtual(t0)
	var mu sync.Mutex
	var hosts []string
	c, err := New(p, Options{Clock: clk, OnDelayed: func(tr Trigger) { mu.Lock(); hosts = append(hosts, tr.Host); mu.Unlock() }, MaxKeys: 4})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				id := "a"
				if i%4 == 3 {
					id = "b"
				}
				c.Observe(id, t0.Add(ms(i)), fmt.Sprint("h", (g+i/8)%6))
				if i%500 == 0 {
					c.SetTrack(1, i%1000 == 0, t0.Add(ms(i)))
				}
				if i%40 == 39 {
					clk.Advance(ms(1))
				}
			}
		})
	}
	wg.Wait()
	// A last correlation on one goroutine: its delay, and every one still
	// pending, ends in this Advance.
	for _, id := range []string{"a", "a", "a", "b"} {
		if _, ok := c.Observe(id, t0.Add(sec(10)), "last"); ok {
			t.Fatal("raised before its delay")
		}
	}
	clk.Advance(sec(1))
	mu.Lock()
	if len(hosts) == 0 || hosts[len(hosts)-1] != "last" || clk.Pending() != 0 {
		t.Errorf("delayed triggers for %v, %d timers pending", hosts, clk.Pending())
	}
	mu.Unlock()
	c.Close()
}

// TestObserveNoAlloc: an Observe that raises nothing allocates nothing.
func TestObserveNoAlloc(t *testing.T) {
	for _, e := range []string{"a and not c", "count(a) >= 3 and b and not c", "seq(a, b) and not c", "a and not c or track_3"} {
		p, err := Compile(&ds.Correlate{Expr: e, Window: time.Minute, GroupBy: "host"}, []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		c, _ := New(p, Options{})
		c.Observe("c", t0, "h")
		at := t0
		ids := []string{"a", "b"}
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			at = at.Add(time.Millisecond)
			if _, ok := c.Observe(ids[i%2], at, "h"); ok {
				t.Fatal("fired")
			}
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocs per Observe", e, allocs)
		}
	}
}
