package detect

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
)

// TestHostLiteralFreeLimit: the patterns without a literal that every
// owner registers count against one host limit; the registration that
// would pass it is refused with the count and the limit, and what leaves
// makes room.
func TestHostLiteralFreeLimit(t *testing.T) {
	h, _ := newHub(t, Options{Limits: &Limits{LiteralFree: 3}})
	var s sink
	specs := func(owner string, patterns ...string) []Spec {
		var out []Spec
		for i, p := range patterns {
			out = append(out, Spec{Owner: owner, Event: syslogEvent("e"+string(rune('1'+i)), p), Fire: s.fire})
		}
		return out
	}
	a, err := h.RegisterAll(specs("7001", `\d+`, `(a|b)c`, `%SYS-5-RESTART`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.RegisterAll(specs("7002", `x\d`, `y\d`))
	if err == nil || !strings.Contains(err.Error(), "4 syslog patterns without a literal") || !strings.Contains(err.Error(), "limit of 3") ||
		!strings.Contains(err.Error(), "7002") {
		t.Errorf("over the host limit: %v", err)
	}
	if _, err := h.RegisterAll(specs("7003", `z\d`, `%LINK-3-UPDOWN`)); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	h.Deregister(a...)
	if _, err := h.RegisterAll(specs("7002", `x\d`, `y\d`)); err != nil {
		t.Errorf("after 7001 left: %v", err)
	}
	// A lower limit refuses new patterns, not those registered.
	h.SetLimits(&Limits{LiteralFree: 1})
	if got := h.IndexStats().AlwaysRun; got != 3 {
		t.Errorf("%d patterns without a literal after lowering the limit, want the 3 registered", got)
	}
	if _, err := h.RegisterAll(specs("7004", `w\d`)); err == nil {
		t.Error("registered past the lowered limit")
	}
}

// tickingClock is a virtual clock that moves step each time it is read:
// a pattern takes step to run.
type tickingClock struct {
	*clock.Virtual
	step time.Duration
}

func (c tickingClock) Now() time.Time {
	c.Virtual.Advance(c.step)
	return c.Virtual.Now()
}

// overBudget records what the hub reported over its budget.
type overBudget struct {
	mu      sync.Mutex
	owners  []string
	reasons []string
}

func (o *overBudget) report(owner, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.owners = append(o.owners, owner)
	o.reasons = append(o.reasons, reason)
}

// TestMatchBudget: an owner whose patterns take more than its budget of a
// window, on the hub's clock, is reported once with the reason and hears
// no more lines; the others go on; an owner under the budget window after
// window is never reported.
func TestMatchBudget(t *testing.T) {
	clk := tickingClock{clock.NewVirtual(t0), time.Millisecond}
	var over overBudget
	var capsHit []string
	h := NewHub(context.Background(), Options{Clock: clk, Host: "edge-1",
		Limits:       &Limits{LiteralFree: -1, MatchBudget: 200 * time.Millisecond, MatchWindow: time.Second, MatchSample: 1},
		OnOverBudget: over.report, OnCap: func(c string) { capsHit = append(capsHit, c) }})
	t.Cleanup(h.Close)
	var hog, calm, slow sink
	// Ten patterns of 7010 run on every line: 10 ms a line, against 1 ms
	// for 7011's one. Each of them alone stays under the budget in 15
	// lines; together they go over it.
	mustRegister(t, h, "7011", syslogEvent("e1", `%SYS-5-RESTART`), nil, &calm)
	mustRegister(t, h, "7012", syslogEvent("e1", `%LINK-3-UPDOWN`), nil, &slow)
	var specs []Spec
	for i := range 10 {
		specs = append(specs, Spec{Owner: "7010", Event: syslogEvent("e"+strconv.Itoa(i), `\d+`+strings.Repeat(" ?", i)), Fire: hog.fire})
	}
	if _, err := h.RegisterAll(specs); err != nil { // at once, and last, as the registry adds a DS
		t.Fatal(err)
	}
	for range 15 {
		deliver(h, clk.Virtual, "%SYS-5-RESTART: System restarted 42 times")
	}
	if !slices.Equal(over.owners, []string{"7010"}) {
		t.Fatalf("reported over budget: %v, want 7010 once", over.owners)
	}
	if r := over.reasons[0]; !strings.Contains(r, "200ms") || !strings.Contains(r, "match time-budget") {
		t.Errorf("reason %q", r)
	}
	if n := len(hog.take()); n >= 10*15 || n == 0 {
		t.Errorf("7010 fired %d times, want it to stop once over its budget", n)
	}
	if n := len(calm.take()); n != 15 {
		t.Errorf("7011 fired %d times, want 15", n)
	}
	// Over budget, none of the owner's patterns hears a line.
	for range 5 {
		deliver(h, clk.Virtual, "%SYS-5-RESTART: System restarted 43 times")
	}
	if got := hog.take(); len(got) != 0 || len(calm.take()) != 5 {
		t.Errorf("over its budget, 7010 still fired %v", ids(got))
	}
	// 7012's pattern runs on one line a second: 2 ms of every 1 s.
	for range 50 {
		clk.Virtual.Advance(100 * time.Millisecond)
		deliver(h, clk.Virtual, "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down")
	}
	if len(over.owners) != 1 || len(slow.take()) != 50 {
		t.Errorf("a pattern well under its budget: reported %v", over.owners)
	}
	if !slices.Equal(capsHit, []string{CapMatchBudget}) {
		t.Errorf("caps hit %v", capsHit)
	}
}

// TestMatchBudgetSampled: timing one line in 16, drawn at random, and
// charging it 16 times over still finds an owner over its budget.
func TestMatchBudgetSampled(t *testing.T) {
	clk := tickingClock{clock.NewVirtual(t0), time.Millisecond}
	var over overBudget
	h := NewHub(context.Background(), Options{Clock: clk, Host: "edge-1",
		Limits:       &Limits{LiteralFree: -1, MatchBudget: 400 * time.Millisecond, MatchWindow: time.Second, MatchSample: 16},
		OnOverBudget: over.report})
	t.Cleanup(h.Close)
	var hog sink
	var specs []Spec
	for i := range 10 {
		specs = append(specs, Spec{Owner: "7010", Event: syslogEvent("e"+strconv.Itoa(i), `\d+`+strings.Repeat(" ?", i)), Fire: hog.fire})
	}
	if _, err := h.RegisterAll(specs); err != nil {
		t.Fatal(err)
	}
	// One timed line charges at least 10 × 1 ms × 16: over at once. The
	// chance that none of 400 lines is timed is (15/16)^400, 6e-12.
	for range 400 {
		deliver(h, clk.Virtual, "%SYS-5-RESTART: System restarted 42 times")
	}
	if !slices.Equal(over.owners, []string{"7010"}) {
		t.Errorf("reported over budget: %v, want 7010 once", over.owners)
	}
}

// TestMatchBudgetExempt: an owner Limits.Budgeted leaves out (the alert
// groups, in the daemon) is never muted; SetLimits applies a new choice
// to the owners already registered.
func TestMatchBudgetExempt(t *testing.T) {
	clk := tickingClock{clock.NewVirtual(t0), time.Millisecond}
	var over overBudget
	limits := func(budgeted func(string) bool) *Limits {
		return &Limits{LiteralFree: -1, MatchBudget: 200 * time.Millisecond, MatchWindow: time.Second, MatchSample: 1,
			Budgeted: budgeted}
	}
	h := NewHub(context.Background(), Options{Clock: clk, Host: "edge-1", OnOverBudget: over.report,
		Limits: limits(func(owner string) bool { return owner != "alertgroup:syslog" })})
	t.Cleanup(h.Close)
	var hog sink
	var specs []Spec
	for i := range 10 {
		specs = append(specs, Spec{Owner: "alertgroup:syslog", Event: syslogEvent("e"+strconv.Itoa(i), `\d+`+strings.Repeat(" ?", i)), Fire: hog.fire})
	}
	if _, err := h.RegisterAll(specs); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		deliver(h, clk.Virtual, "%SYS-5-RESTART: System restarted 42 times")
	}
	if len(over.owners) != 0 || len(hog.take()) != 300 {
		t.Fatalf("an exempt owner was reported over budget: %v", over.owners)
	}
	h.SetLimits(limits(nil))
	for range 30 {
		deliver(h, clk.Virtual, "%SYS-5-RESTART: System restarted 42 times")
	}
	if !slices.Equal(over.owners, []string{"alertgroup:syslog"}) {
		t.Errorf("held to the budget after SetLimits: reported %v", over.owners)
	}
}
