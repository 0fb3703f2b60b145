package alertgroup

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// periodicConfig is a profile with one periodic subscription.
func periodicConfig(sub string) string {
	return `service call-home
call-home
 profile "p"
  destination transport-method http
  no destination transport-method email
  destination address http https://p.example.com/ch
  subscribe-to-alert-group ` + sub + `
 alert-group-config snapshot
  add-command "show clock"
`
}

// firings runs a schedule over a span of virtual time and returns when
// each message was enqueued, as offsets from t0.
func firings(t *testing.T, sub string, span time.Duration) []string {
	t.Helper()
	h := newHarness(t, periodicConfig(sub))
	var mu sync.Mutex
	var at []string
	sc := NewScheduler(h.s, nil)
	t.Cleanup(sc.Stop)
	h.out.log = &eventLog{}
	if err := sc.Reschedule(h.cfg); err != nil {
		t.Fatal(err)
	}
	before := 0
	step := time.Minute
	for end := t0.Add(span); h.clock.Now().Before(end); {
		h.clock.Advance(step)
		if n := len(h.out.all()); n > before {
			mu.Lock()
			for range n - before {
				at = append(at, h.clock.Now().Format("Mon 01-02 15:04"))
			}
			mu.Unlock()
			before = n
		}
	}
	return at
}

// TestPeriodicSchedules: each kind fires at its virtual times.
func TestPeriodicSchedules(t *testing.T) {
	tests := []struct {
		sub  string
		span time.Duration
		want []string
	}{
		{"inventory periodic daily 14:00", 3 * 24 * time.Hour,
			[]string{"Mon 11-23 14:00", "Tue 11-24 14:00", "Wed 11-25 14:00"}},
		{"configuration periodic weekly wednesday 09:15", 17 * 24 * time.Hour,
			[]string{"Wed 11-25 09:15", "Wed 12-02 09:15", "Wed 12-09 09:15"}},
		{"inventory periodic monthly 1 12:00", 70 * 24 * time.Hour,
			[]string{"Tue 12-01 12:00", "Fri 01-01 12:00"}},
		{"snapshot periodic hourly 30", 3 * time.Hour,
			[]string{"Mon 11-23 00:30", "Mon 11-23 01:30", "Mon 11-23 02:30"}},
		{"snapshot periodic interval 45", 3 * time.Hour,
			[]string{"Mon 11-23 00:45", "Mon 11-23 01:30", "Mon 11-23 02:15", "Mon 11-23 03:00"}},
		{"snapshot periodic daily 23:59", 2 * 24 * time.Hour,
			[]string{"Mon 11-23 23:59", "Tue 11-24 23:59"}},
	}
	for _, tc := range tests {
		t.Run(tc.sub, func(t *testing.T) {
			if got := firings(t, tc.sub, tc.span); !slices.Equal(got, tc.want) {
				t.Errorf("fired at %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPeriodicMessage: a periodic message is the group's full message to
// the one profile, described as periodic.
func TestPeriodicMessage(t *testing.T) {
	h := newHarness(t, testConfig)
	sc := NewScheduler(h.s, nil)
	defer sc.Stop()
	if err := sc.Reschedule(h.cfg); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(t0.Add(14 * time.Hour))
	var inv []string
	for _, m := range h.out.all() {
		if m.Type == "Inventory" {
			inv = append(inv, to(m))
			x := parseAML(t, m.Body)
			if x.CallHome.Event.SubType != "full" || x.CallHome.Description != "Periodic inventory info message" {
				t.Errorf("periodic inventory %+v %q", x.CallHome.Event, x.CallHome.Description)
			}
			if !slices.Equal(x.names(), fullInventoryCommands) {
				t.Errorf("commands %q", x.names())
			}
		}
	}
	// "mail" subscribes to inventory without periodic: not here.
	if !slices.Equal(inv, []string{"https://collector.example.com/callhome"}) {
		t.Errorf("inventory to %q", inv)
	}
	// "mail" has a snapshot every hour at :30: 14 of them by 14:00.
	snaps := 0
	for _, m := range h.out.all() {
		if m.Type == "Snapshot" {
			snaps++
			if !strings.Contains(string(m.Body), "Command output name: show ip route") {
				t.Errorf("snapshot lacks its commands:\n%s", m.Body)
			}
		}
	}
	if snaps != 14 {
		t.Errorf("%d snapshots, want 14", snaps)
	}
	got := sc.Planned()
	want := []Planned{
		{Profile: "user1", Group: config.GroupInventory, Periodic: config.Periodic{Kind: config.PeriodicDaily, Hour: 14}, Next: t0.Add(38 * time.Hour)},
		{Profile: "mail", Group: config.GroupSnapshot, Periodic: config.Periodic{Kind: config.PeriodicHourly, Minute: 30}, Next: t0.Add(14*time.Hour + 30*time.Minute)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Planned\n got %+v\nwant %+v", got, want)
	}
}

// TestOnInventoryHook: the hook runs right after each periodic inventory
// message is enqueued, with the profile's name, and not after others.
func TestOnInventoryHook(t *testing.T) {
	h := newHarness(t, testConfig)
	sc := NewScheduler(h.s, func(p string) { h.log.add("hook " + p) })
	defer sc.Stop()
	if err := sc.Reschedule(h.cfg); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(t0.Add(13*time.Hour + 59*time.Minute))
	h.log.mu.Lock()
	h.log.ev = nil
	h.log.mu.Unlock()
	h.clock.Set(t0.Add(48 * time.Hour))
	var got []string
	for _, e := range h.log.events() {
		if strings.HasPrefix(e, "enqueue Inventory") || strings.HasPrefix(e, "hook") {
			got = append(got, e)
		}
	}
	want := []string{
		"enqueue Inventory https://collector.example.com/callhome", "hook user1",
		"enqueue Inventory https://collector.example.com/callhome", "hook user1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	// The hook follows the enqueue directly: no command or other message
	// in between.
	ev := h.log.events()
	for i, e := range ev {
		if e == "hook user1" && (i == 0 || !strings.HasPrefix(ev[i-1], "enqueue Inventory")) {
			t.Errorf("hook after %q", ev[i-1])
		}
	}
}

// TestOnInventoryAfterFailure: the hook runs even when the message could
// not be sent, so the DS download keeps its schedule.
func TestOnInventoryAfterFailure(t *testing.T) {
	h := newHarness(t, strings.Replace(testConfig, "service call-home\n", "no service call-home\n", 1))
	calls := 0
	sc := NewScheduler(h.s, func(string) { calls++ })
	defer sc.Stop()
	if err := sc.Reschedule(h.cfg); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(t0.Add(15 * time.Hour))
	if calls != 1 || len(h.out.all()) != 0 {
		t.Errorf("%d hook calls, %d messages; want 1, 0", calls, len(h.out.all()))
	}
}

// TestReschedule: a reload replaces the plan; old timers do nothing.
func TestReschedule(t *testing.T) {
	h := newHarness(t, periodicConfig("inventory periodic daily 14:00"))
	sc := NewScheduler(h.s, nil)
	defer sc.Stop()
	if err := sc.Reschedule(h.cfg); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(t0.Add(10 * time.Hour))
	next, err := iosconfig.Parse("t.conf", []byte(periodicConfig("inventory periodic daily 16:30")))
	if err != nil {
		t.Fatal(err)
	}
	h.cfg = next
	if err := sc.Reschedule(next); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(t0.Add(24 * time.Hour))
	msgs := h.out.all()
	if len(msgs) != 1 || !msgs[0].Time.Equal(t0.Add(16*time.Hour+30*time.Minute)) {
		t.Fatalf("sent %v, want one at 16:30", summary(msgs))
	}
	if h.clock.Pending() != 1 {
		t.Errorf("%d timers pending, want 1 (the next 16:30)", h.clock.Pending())
	}

	// An inactive profile has no schedule.
	inactive, err := iosconfig.Parse("t.conf", []byte(periodicConfig("inventory periodic daily 16:30\n  no active")))
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Reschedule(inactive); err != nil {
		t.Fatal(err)
	}
	if len(sc.Planned()) != 0 || h.clock.Pending() != 0 {
		t.Errorf("inactive profile planned: %+v, %d timers", sc.Planned(), h.clock.Pending())
	}

	sc.Stop()
	if err := sc.Reschedule(next); err == nil {
		t.Error("Reschedule after Stop planned again")
	}
	h.clock.Set(t0.Add(72 * time.Hour))
	if len(h.out.all()) != 1 {
		t.Errorf("sent after Stop: %v", summary(h.out.all()))
	}
}

// TestRescheduleDuringFire: a reload while a message is being sent stops
// that entry from re-arming.
func TestRescheduleDuringFire(t *testing.T) {
	h := newHarness(t, periodicConfig("inventory periodic daily 14:00"))
	var sc *Scheduler
	sc = NewScheduler(h.s, func(string) {
		next, _ := iosconfig.Parse("t.conf", []byte(periodicConfig("inventory periodic daily 18:00")))
		h.cfg = next
		if err := sc.Reschedule(next); err != nil {
			t.Error(err)
		}
	})
	defer sc.Stop()
	if err := sc.Reschedule(h.cfg); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(t0.Add(15 * time.Hour))
	if p := sc.Planned(); len(p) != 1 || p[0].Next != t0.Add(18*time.Hour) || h.clock.Pending() != 1 {
		t.Errorf("plan %+v, %d timers; want one at 18:00", p, h.clock.Pending())
	}
}
