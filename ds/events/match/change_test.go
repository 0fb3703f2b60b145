package match

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestChangesMatchAsRegexp applies a long random sequence of changes (one
// at a time, and batches large enough to take the bulk path), with merges
// along the way, and after each checks every body against regexp and the
// statistics against the registrations.
func TestChangesMatchAsRegexp(t *testing.T) {
	pool := []string{
		`%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down`,
		`%LINK-3-UPDOWN: Interface GigabitEthernet1/0/2, changed state to down`,
		`%LINK-3-UPDOWN: Interface GigabitEthernet1/0/`,
		`%LINEPROTO-5-UPDOWN: Line protocol on Interface \S+, changed state to (up|down)`,
		`(?i)changed state to`, `%SYS-5-CONFIG_I: Configured from (\S+) by (\w+)`, `^%SYS-`,
		`\d+\.\d+\.\d+\.\d+`, `[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}`, `Neighbor \S+ \(\S+\) is down`,
		`%BGP-5-ADJCHANGE: neighbor`, `(?i)%bgp-5-adjchange`, `login failed`, `LOGIN_FAILED`, `x$`,
	}
	bodies := []string{
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down",
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/2, changed state to down",
		"%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi1/0/3, changed state to up",
		"%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.1)",
		"%DUAL-5-NBRCHANGE: EIGRP-IPv4 100: Neighbor 10.1.1.2 (Gi0/1) is down: holding time expired",
		"%BGP-5-ADJCHANGE: neighbor 10.0.0.9 Down", "%SW_MATM-4-MACFLAP_NOTIF: Host 0011.22aa.bbcc in vlan 7 is flapping",
		"%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: x]", "relayed %SYS-5-CONFIG_I: Configured from x by y", "plain text x",
	}
	compiled := make([]*regexp.Regexp, len(pool))
	for i, p := range pool {
		compiled[i] = regexp.MustCompile(p)
	}
	rng := rand.New(rand.NewPCG(16, 1))
	x := New()
	live := map[int]int{} // id → pool index
	change := func(b *Batch) {
		id := rng.IntN(120)
		if rng.IntN(3) == 0 {
			b.Remove(id)
			delete(live, id)
			return
		}
		p := rng.IntN(len(pool))
		b.AddRegexp(id, compiled[p])
		live[id] = p
	}
	check := func(step int) {
		t.Helper()
		for _, body := range bodies {
			var want []int
			for id, p := range live {
				if compiled[p].MatchString(body) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			got := x.MatchAppend(nil, body)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d, body %q: got %v, want %v", step, body, got, want)
			}
		}
		// Match reports in the layers' order: by pattern source, whatever
		// the order of the changes.
		s := x.snap.Load()
		for _, l := range []*layer{s.base, s.delta} {
			if l != nil && !slices.IsSortedFunc(l.entries, func(a, b entry) int { return strings.Compare(a.re.String(), b.re.String()) }) {
				t.Fatalf("step %d: a layer's entries are not in pattern order", step)
			}
		}
		distinct := map[int]bool{}
		for _, p := range live {
			distinct[p] = true
		}
		if st := x.Stats(); st.IDs != len(live) || st.Patterns != len(distinct) {
			t.Fatalf("step %d: stats %+v, want %d ids of %d patterns", step, st, len(live), len(distinct))
		}
	}
	for step := range 1500 {
		var b Batch
		n := 1
		if rng.IntN(20) == 0 {
			n = 65 + rng.IntN(100) // the bulk path
		}
		for range n {
			change(&b)
		}
		x.Apply(&b)
		check(step)
	}
}

// TestRemovalKeepsTheDelta: removing a pattern of the base layer only
// adds a tombstone; the delta layer is not built again.
func TestRemovalKeepsTheDelta(t *testing.T) {
	x := compacted(t, []string{`%LINK-3-UPDOWN`, `%SYS-5-CONFIG_I`, `%BGP-5-ADJCHANGE`})
	if err := x.Add(10, `%DUAL-5-NBRCHANGE`); err != nil {
		t.Fatal(err)
	}
	delta := x.snap.Load().delta
	if delta == nil {
		t.Fatal("no delta layer after an add")
	}
	x.Remove(1)
	if s := x.snap.Load(); s.delta != delta || s.dead == nil {
		t.Fatalf("removing a base pattern: delta rebuilt %v, tombstones %v", s.delta != delta, s.dead)
	}
	if got := x.MatchAppend(nil, "%SYS-5-CONFIG_I: x %DUAL-5-NBRCHANGE: y"); !slices.Equal(got, []int{10}) {
		t.Fatalf("after the removal: %v", got)
	}
	x.Remove(10)
	if s := x.snap.Load(); s.delta != nil && s.delta == delta {
		t.Fatal("removing the delta's pattern kept its layer")
	}
	if got := x.MatchAppend(nil, "%DUAL-5-NBRCHANGE: y"); got != nil {
		t.Fatalf("removed pattern matched: %v", got)
	}
}
