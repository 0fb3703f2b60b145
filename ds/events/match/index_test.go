package match

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

// handPatterns exercise the literal extraction's corners.
var handPatterns = []string{
	`%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down`,
	`%LINK-3-(UPDOWN|CHANGED): Interface \S+, changed state to (up|down)`,
	`%LINK-[35]-UPDOWN`,
	`%LINEPROTO-5-UPDOWN: Line protocol on Interface (Gi|Fa)\S*, changed state to down`,
	`^%SYS-5-CONFIG_I: Configured from console by admin`,
	`^%SYS-5-CONFIG_I: .* by admin on vty0 \(10\.1\.\d+\.\d+\)$`,
	`changed state to (administratively )?down`,
	`abc?def`,
	`(?i)login failed`,
	`(?i)LINK-3-updown: interface`,
	`(?i)DISK`,
	`(?i)stop`,
	`(?i:error) ON LINE`,
	`[Ee]rror`,
	`[Ss]ynthetic event [0-4]`,
	`\bFAC1[0-9]-\d-EVENT_\d\b`,
	`x\x{FFFD}yzw`,
	`(?i)été`,
	`Neighbor Down: (Dead timer expired|Interface down or detached)`,
	`\d+\.\d+\.\d+\.\d+`,
	`^$`,
	`.*`,
	``,
	`up$`,
	`(?m)^Pool: Processor`,
	`a+b`,
	`(foo|ba)`,
	`%FW-6-SESS_AUDIT_TRAIL: .* tcp`,
	`(?s)failed.*memory`,
	`value 9\d{4} from`,
	`%SEC_LOGIN-4-LOGIN_FAILED: Login failed \[user: (admin|root)\]`,
}

// handLines are bodies written to hit those corners.
var handLines = []string{
	"", "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down",
	"%LINK-3-CHANGED: Interface Gi1/0/7, changed state to up",
	"%LINK-5-UPDOWN: x", "%link-3-updown: INTERFACE Gi1", "abdef", "abcdef", "abef",
	"LOGIN FAILED", "Login Failed for \u212Aelvin", "di\u017F\u212A", "DI\u017F\u212A", "\u017Ftop", "STOP",
	"error ON LINE", "ERROR ON LINE", "Error", "eRROR", "SYNTHETIC EVENT 3", "Synthetic event 3",
	"x\xffyzw", "x\uFFFDyzw", "ÉTÉ", "été", "Été", "changed state to administratively down",
	"Neighbor Down: Dead timer expired", "10.0.0.1", "up", "Pool: Processor  Free: 120", "x\nPool: Processor",
	"aaab", "ba", "foo", "failed\nmemory", "value 91234 from 10.1.1.1",
	"%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: root]",
	"%FAC12-4-EVENT_3: Synthetic event 3 on Gi1/0/1", "\x00\xff%LINK-3-UPDOWN: \x00",
}

// corpus returns generated bodies plus the hand-written ones.
func corpus(n int) []string {
	lines := syslogdata.Lines(n, 7, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	out := slices.Clone(handLines)
	var m events.Message
	recv := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, l := range lines {
		syslogmsg.Parse(l, recv, &m)
		out = append(out, m.Body)
	}
	return out
}

func patterns(n int) []string {
	out := slices.Clone(handPatterns)
	for _, p := range syslogdata.Patterns(n, 11, 0.02) {
		out = append(out, p.Regexp)
	}
	return out
}

// TestMatchesBruteForce checks the prefiltered result against every
// pattern's regexp on every body.
func TestMatchesBruteForce(t *testing.T) {
	pats := patterns(1000)
	bodies := corpus(10000)
	x := New()
	var b Batch
	res := make([]*regexp.Regexp, len(pats))
	for i, p := range pats {
		if err := b.Add(i, p); err != nil {
			t.Fatal(err)
		}
		res[i] = regexp.MustCompile(p)
	}
	x.Apply(&b)
	st := x.Stats()
	t.Logf("stats %+v", st)
	if st.AlwaysRun == 0 || st.Indexed == 0 {
		t.Fatalf("expected both groups: %+v", st)
	}
	var got, want []int
	matched := 0
	for _, body := range bodies {
		got = x.MatchAppend(got[:0], body)
		want = want[:0]
		for i, re := range res {
			if re.MatchString(body) {
				want = append(want, i)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("body %q: got %v, want %v", body, got, want)
		}
		var viaFn []int
		x.Match(body, func(id int) { viaFn = append(viaFn, id) })
		slices.Sort(viaFn)
		if !slices.Equal(viaFn, want) {
			t.Fatalf("body %q: Match gave %v, want %v", body, viaFn, want)
		}
		if len(want) > 0 {
			matched++
		}
	}
	t.Logf("%d of %d bodies matched a pattern", matched, len(bodies))
}

// TestGeneratedNoLiteralPatterns checks that the generator's no-literal
// patterns really have none, and the others do.
func TestGeneratedNoLiteralPatterns(t *testing.T) {
	for _, p := range syslogdata.Patterns(1000, 11, 0.02) {
		pf := Analyze(regexp.MustCompile(p.Regexp))
		if (p.Kind == syslogdata.KindNoLiteral) != (pf.Key == nil) {
			t.Errorf("%s pattern %q: prefilter %+v", p.Kind, p.Regexp, pf)
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	x := New()
	var b Batch
	for i, p := range patterns(1000) {
		b.Add(i, p)
	}
	x.Apply(&b)
	for _, body := range []string{
		"%FAC999-3-NOTHING: no pattern has this",
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down",
		"last message repeated 66 times",
	} {
		n := 0
		if a := testing.AllocsPerRun(200, func() { x.Match(body, func(int) { n++ }) }); a != 0 {
			t.Errorf("Match(%q): %v allocations", body, a)
		}
		dst := make([]int, 0, 64)
		if a := testing.AllocsPerRun(200, func() { dst = x.MatchAppend(dst[:0], body) }); a != 0 {
			t.Errorf("MatchAppend(%q): %v allocations", body, a)
		}
		m := &Meter{Now: time.Now, Spent: func([]int, time.Duration, time.Time) {}}
		if a := testing.AllocsPerRun(200, func() { x.MatchMetered(body, m, func(int) { n++ }) }); a != 0 {
			t.Errorf("MatchMetered(%q): %v allocations", body, a)
		}
	}
}

// TestMatchMetered: every pattern that runs, literal or not, is timed
// once with its ids, whether it matches or not; the matches are those of
// Match.
func TestMatchMetered(t *testing.T) {
	x := New()
	var b Batch
	b.Add(1, `%LINK-3-UPDOWN: Interface (\S+), changed state to down`)
	b.Add(2, `%LINK-3-UPDOWN: Interface (\S+), changed state to up`)
	b.Add(3, `%SYS-5-RESTART`)
	b.Add(4, `\d+`)
	b.Add(5, `\d+`) // the same pattern: one run, both ids
	x.Apply(&b)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	spent := map[string]time.Duration{}
	m := &Meter{
		Now: func() time.Time { now = now.Add(time.Millisecond); return now },
		Spent: func(ids []int, d time.Duration, end time.Time) {
			if !end.Equal(now) {
				t.Errorf("end %v, want the last Now %v", end, now)
			}
			spent[fmt.Sprint(ids)] += d
		},
	}
	var got []int
	x.MatchMetered("%LINK-3-UPDOWN: Interface Gi0/1, changed state to down", m, func(id int) { got = append(got, id) })
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 4, 5}) {
		t.Errorf("matched %v, want [1 4 5]", got)
	}
	want := map[string]time.Duration{"[1]": time.Millisecond, "[2]": time.Millisecond, "[4 5]": time.Millisecond}
	if !maps.Equal(spent, want) {
		t.Errorf("spent %v, want %v", spent, want)
	}
}

func TestAddRemoveReplace(t *testing.T) {
	x := New()
	if err := x.Add(1, `%LINK-3-UPDOWN`); err != nil {
		t.Fatal(err)
	}
	if err := x.Add(2, `%LINK-3-UPDOWN`); err != nil { // same pattern, shared entry
		t.Fatal(err)
	}
	if err := x.Add(3, `(`); err == nil {
		t.Fatal("bad pattern accepted")
	}
	x.AddRegexp(4, regexp.MustCompile(`.*`))
	body := "%LINK-3-UPDOWN: x"
	got := x.MatchAppend(nil, body)
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2, 4}) {
		t.Fatalf("got %v", got)
	}
	if st := x.Stats(); st.IDs != 3 || st.Patterns != 2 || st.AlwaysRun != 1 || st.Indexed != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Replace 1 with a pattern that does not match; remove 4.
	x.Add(1, `%SYS-5-CONFIG_I`)
	if !x.Remove(4) || x.Remove(4) {
		t.Fatal("Remove reported wrongly")
	}
	if got := x.MatchAppend(nil, body); !slices.Equal(got, []int{2}) {
		t.Fatalf("after replace/remove got %v", got)
	}
	var b Batch
	b.Remove(2)
	b.Remove(1)
	b.Add(5, `x$`)
	if b.Len() != 3 {
		t.Fatal("batch length")
	}
	x.Apply(&b)
	if got := x.MatchAppend(nil, body); !slices.Equal(got, []int{5}) {
		t.Fatalf("after batch got %v", got)
	}
	if got := New().MatchAppend(nil, body); got != nil {
		t.Fatalf("empty index matched %v", got)
	}
}

// TestConcurrentMatchAndUpdate runs Match on several goroutines while
// patterns come and go; the stable pattern must always be found (run with
// -race).
func TestConcurrentMatchAndUpdate(t *testing.T) {
	x := New()
	x.Add(0, `%LINK-3-UPDOWN: Interface`)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []int
			for !stop.Load() {
				dst = x.MatchAppend(dst[:0], "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
				if !slices.Contains(dst, 0) {
					t.Error("stable pattern missed")
					return
				}
			}
		}()
	}
	for i := 1; i < 200; i++ {
		x.Add(i, fmt.Sprintf(`Interface Gi1/0/%d,`, i%3))
		if i%2 == 0 {
			x.Remove(i - 1)
		}
	}
	stop.Store(true)
	wg.Wait()
}

// FuzzIndex checks the whole index (keys, confirmation at the hit, class
// sequences, anchored prefixes) against the regexp package for one fuzzed
// pattern registered beside some fixed ones.
func FuzzIndex(f *testing.F) {
	for _, s := range [][2]string{
		{`%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down`, "%link-3-updown: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to down"},
		{`(?i)%link-3-updown: interface gigabitethernet1/0/7, changed`, "x %LINK-3-UPDOWN: INTERFACE GigabitEthernet1/0/7, CHANGED"},
		{`%LINK-3-UPDOWN: Interface Gi`, "%LINK-3-UPDOWN: Interface Te %LINK-3-UPDOWN: Interface Gi"},
		{`\s\d{6,}\s`, "a 1234567 b"}, {`(?i)^%s\w{1,3}-\d-`, "%\u017fys-1-"}, {`abc?def`, "ABDEF abdef"},
		// Literal patterns, which run no regexp: multi-byte runes next to
		// invalid UTF-8.
		{`é€x`, "\xe9\xe2\x82\xac x \xc3é€x"}, {`(€)`, "\xe2\x82\xe2\x82\xac"}, {`a\x{FFFD}b`, "a\xffb"},
	} {
		f.Add(s[0], s[1])
	}
	fixed := []string{`%LINK-3-UPDOWN: Interface Gigabit`, `(?i)changed state to`, `\d+\.\d+:\d{4}`, `^%SYS-`}
	f.Fuzz(func(t *testing.T, pattern, body string) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		want := func() []int {
			var want []int
			if re.MatchString(body) {
				want = append(want, 0)
			}
			for i, p := range fixed {
				if regexp.MustCompile(p).MatchString(body) {
					want = append(want, i+1)
				}
			}
			return want
		}()
		check := func(x *Index, how string) {
			t.Helper()
			got := x.MatchAppend(nil, body)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: pattern %q body %q: got %v, want %v", how, pattern, body, got, want)
			}
		}
		// All in the base layer.
		x := New()
		var b Batch
		for i, p := range fixed {
			b.Add(i+1, p)
		}
		b.AddRegexp(0, re)
		x.Apply(&b)
		check(x, "base")
		// The fuzzed pattern in the delta, the fixed ones partly
		// tombstoned in the base and registered again in the delta.
		x = New()
		b = Batch{}
		for i, p := range fixed {
			b.Add(i+1, p)
		}
		b.Add(100, fixed[0])
		x.Apply(&b)
		x.compact()
		x.AddRegexp(0, re)
		x.Remove(1)
		x.Remove(100)
		x.Add(1, fixed[0])
		x.Add(3, fixed[1]) // 3 moves to pattern 2's source, then back
		x.Add(3, fixed[2])
		x.AddRegexp(101, re)
		x.Remove(101)
		check(x, "delta")
	})
}

// TestSharedKeyPrefixesAllIndexed: 12,000 patterns whose keys share their
// first 31 bytes fit in one automaton (its trie has a few states a key),
// so none of them runs on every line; a line matching none runs none.
func TestSharedKeyPrefixesAllIndexed(t *testing.T) {
	x := New()
	var b Batch
	for i := range 12000 {
		b.Add(i, fmt.Sprintf(`%%LINK-3-UPDOWN: Interface GigabitEthernet%d/0/%d, changed state to down`, i/48, i%48))
	}
	x.Apply(&b)
	x.compact()
	if st := x.Stats(); st.AlwaysRun != 0 || st.Indexed != 12000 {
		t.Fatalf("stats %+v: every pattern has a key and should be indexed", st)
	}
	ran := 0
	m := &Meter{Now: func() time.Time { return time.Time{} }, Spent: func([]int, time.Duration, time.Time) { ran++ }}
	x.MatchMetered("%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.1)", m, func(int) {})
	if ran != 0 {
		t.Errorf("a line with no key ran %d patterns", ran)
	}
	var got []int
	x.MatchMetered("%LINK-3-UPDOWN: Interface GigabitEthernet208/0/16, changed state to down", m, func(id int) { got = append(got, id) })
	if !slices.Equal(got, []int{208*48 + 16}) || ran != 1 {
		t.Errorf("matched %v running %d patterns, want [%d] running 1", got, ran, 208*48+16)
	}
	// The shared key twice in a line: 12,000 candidates, each once.
	got, ran = nil, 0
	x.MatchMetered("%LINK-3-UPDOWN: Interface GigabitEthernet9/9/9 %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down", m, func(id int) { got = append(got, id) })
	if !slices.Equal(got, []int{49}) || ran != 1 {
		t.Errorf("key twice: matched %v running %d patterns, want [49] running 1", got, ran)
	}
	// The same with one pattern: its candidate is found among a few.
	one := New()
	if err := one.Add(7, `%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down`); err != nil {
		t.Fatal(err)
	}
	for _, layer := range []string{"delta", "base"} {
		if layer == "base" {
			one.compact()
		}
		got = nil
		one.Match("%LINK-3-UPDOWN: Interface GigabitEthernet9/9/9 and %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down", func(id int) { got = append(got, id) })
		if !slices.Equal(got, []int{7}) {
			t.Errorf("key twice, one pattern in the %s layer: matched %v, want [7]", layer, got)
		}
	}
}

// TestKeyGroups: patterns that share a cut key in groups of minGroup and
// more match what their regexps match, for lines with the literal at the
// key's hit, elsewhere, twice, in another case, cut short, with other
// patterns alongside and some of them removed; a group's hit runs only
// the members whose literal is there.
func TestKeyGroups(t *testing.T) {
	var patterns []string
	for i := range 3 * minGroup {
		patterns = append(patterns, fmt.Sprintf(`%%LINK-3-UPDOWN: Interface GigabitEthernet%d/0/%d, changed state to down`, i%4, i))
	}
	for i := range minGroup { // literals of other lengths, and one regexp each
		patterns = append(patterns, fmt.Sprintf(`%%LINK-3-UPDOWN: Interface GigabitEthernet9/%d, changed state to \w+`, i))
	}
	patterns = append(patterns, `%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down`) // a second id, same text
	// The same bytes past the members' common prefix, another literal.
	patterns = append(patterns, `%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to administratively down`)
	patterns = append(patterns, `(?i)%link-3-updown: interface gigabitethernet`, `changed state to \w+`)
	x := compacted(t, patterns)
	groups := x.snap.Load().base.groups
	members := 0
	for _, g := range groups {
		members += len(g.short)
		for _, m := range g.byWin {
			members += len(m)
		}
	}
	if len(groups) != 1 || members != 4*minGroup+1 { // the same text twice is one entry
		t.Fatalf("%d key groups of %d entries, want 1 of %d (all but the last two)", len(groups), members, 4*minGroup+1)
	}
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	bodies := []string{
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/5, changed state to down",
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down",
		"%LINK-3-UPDOWN: Interface GigabitEthernet9/3, changed state to up",
		"%LINK-3-UPDOWN: Interface GigabitEthernet7/0/7 %LINK-3-UPDOWN: Interface GigabitEthernet2/0/6, changed state to down",
		"x %LINK-3-UPDOWN: Interface GigabitEthernet3/0/47, changed state to down %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down",
		"%link-3-updown: interface gigabitethernet1/0/5, changed state to down",
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to up %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to administratively down",
		"%LINK-3-UPDOWN: Interface GigabitEthernet1/0/5, changed state",
		"%LINK-3-UPDOWN: Interface Gigab",
		"",
	}
	check := func(removed map[int]bool) {
		t.Helper()
		for _, body := range bodies {
			var want []int
			for i, re := range res {
				if !removed[i] && re.MatchString(body) {
					want = append(want, i)
				}
			}
			got := x.MatchAppend(nil, body)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("body %q (removed %v): got %v, want %v", body, removed, got, want)
			}
			var called []int
			x.Match(body, func(id int) { called = append(called, id) })
			slices.Sort(called)
			if !slices.Equal(called, want) {
				t.Errorf("body %q: Match called %v, want %v", body, called, want)
			}
		}
	}
	check(nil)
	// The group's hit runs its members with that literal only.
	ran := 0
	m := &Meter{Now: func() time.Time { return time.Time{} }, Spent: func([]int, time.Duration, time.Time) { ran++ }}
	x.MatchMetered(bodies[0], m, func(int) {})
	if ran != 3 { // its literal's, and the two patterns outside the group
		t.Errorf("a line of one member's literal ran %d patterns, want 3", ran)
	}
	// Removed members (tombstones in the base layer) match no more.
	removed := map[int]bool{5: true, 49: true, len(patterns) - 3: true}
	for id := range removed {
		x.Remove(id)
	}
	check(removed)
}

// Patterns whose literals begin with a message tag are found by looking
// the tag up at each '%' of a body, not by the automaton: at the body's
// start, after another tag, more than once, and never where the text up
// to the next ':' is another tag. The others stay in the automaton.
func TestTagRoute(t *testing.T) {
	patterns := []string{
		`%SYS-5-CONFIG_I: Configured from console by \w+`,                        // 0 tagged
		`%LINK-3-UPDOWN: Interface (\S+), changed state to down`,                 // 1 tagged
		`(%BGP-5-ADJCHANGE: neighbor \S+ Down|%OSPF-5-ADJCHG: Process \d+, Nbr)`, // 2 two tags, whose '%' Analyze factors out: the automaton
		`(%BGP-5-ADJCHANGE: neighbor|Neighbor Down: Dead timer)`,                 // 3 one literal without a tag: the automaton
		`(?i)%sys-5-config_i: configured`,                                        // 4 folded: the automaton
		`x %SYS-5-CONFIG_I: Configured`,                                          // 5 the tag not first: the automaton
		`%FAC1-[0-7]-EVENT_1: Synthetic`,                                         // 6 no ':' in the literal: the automaton
		`%50: cpu`,                                                               // 7 tagged, a short "tag"
		`%SYS-5-CONFIG_I: Configured from console by admin on vty0`,              // 8 tagged, the same tag as 0
		`%CPU%LOAD: high`,                                                        // 9 a '%' inside the "tag": the automaton
	}
	x := compacted(t, patterns)
	base := x.snap.Load().base
	var tagged []int
	for _, e := range base.entries {
		if e.tagged {
			tagged = append(tagged, e.ids...)
		}
	}
	slices.Sort(tagged)
	if want := []int{0, 1, 7, 8}; !slices.Equal(tagged, want) {
		t.Errorf("tagged patterns %v, want %v", tagged, want)
	}
	bodies := []string{
		"%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.1)",
		"%LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down",
		"%SYS-5-LOG: relayed %LINK-3-UPDOWN: Interface Gi1/0/6, changed state to down",
		"%LINK-3-UPDOWN: Interface Gi1/0/7, changed state to up %LINK-3-UPDOWN: Interface Gi1/0/8, changed state to down",
		"%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.2 on Gi1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired",
		"%BGP-5-ADJCHANGE: neighbor 10.0.0.3 Down BGP Notification sent",
		"%BGP-5-ADJCHANGE neighbor 10.0.0.3 Down", // the tag without its ':'
		"%BGP-5-ADJCHANGE:: neighbor 10.0.0.3 Down",
		"%sys-5-config_i: configured from console by admin",
		"x %SYS-5-CONFIG_I: Configured from console by admin",
		"%FAC1-3-EVENT_1: Synthetic event 1",
		"CPU at 95%, then %50: cpu high, %% %:",
		"%" + strings.Repeat("A", maxTag) + ": long %SYS-5-CONFIG_I: Configured from console by root",
		"%SYS-5-CONFIG_I: Configured from console by",
		"%%SYS-5-CONFIG_I: Configured from console by admin %: %LINK-3-UPDOWN: Interface Gi1/0/9, changed state to down",
		"load %CPU%LOAD: high",
		"%:%::%%:",
		"%",
		"",
	}
	matchesAsRegexp(t, x, patterns, bodies)
}

// compacted is an index of patterns, each under its index, all in the
// base layer.
func compacted(t *testing.T, patterns []string) *Index {
	t.Helper()
	x := New()
	var b Batch
	for i, p := range patterns {
		if err := b.Add(i, p); err != nil {
			t.Fatal(err)
		}
	}
	x.Apply(&b)
	x.compact()
	return x
}

// matchesAsRegexp checks that x finds, in each body, the patterns regexp
// matches (patterns[i] registered under i).
func matchesAsRegexp(t *testing.T, x *Index, patterns, bodies []string) {
	t.Helper()
	for _, body := range bodies {
		var want []int
		for i, p := range patterns {
			if regexp.MustCompile(p).MatchString(body) {
				want = append(want, i)
			}
		}
		got := x.MatchAppend(nil, body)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("body %q: got %v, want %v", body, got, want)
		}
	}
}

// TestKeyGroupWindow: a group's window goes where its members differ, not
// where their bytes vary together: after "Interface " the members of
// three interface types share their first eight bytes by the sixteen, and
// a hit would compare a third of the group. Literals that end before the
// window are compared one by one, and match as the others do.
func TestKeyGroupWindow(t *testing.T) {
	var patterns []string
	for _, typ := range []string{"GigabitEthernet1/0/", "TenGigabitEthernet1/1/", "FastEthernet0/"} {
		for port := range minGroup {
			patterns = append(patterns, fmt.Sprintf(`%%LINK-3-UPDOWN: Interface %s%d, changed state to down`, typ, port))
		}
	}
	patterns = append(patterns, `%LINK-3-UPDOWN: Interface \S+, changed state to down`) // a short literal
	x := compacted(t, patterns)
	groups := x.snap.Load().base.groups
	if len(groups) != 1 {
		t.Fatalf("%d key groups, want 1", len(groups))
	}
	g := groups[0]
	// A hit compares the members of its bucket: on average over the
	// members, the sum of the buckets' squares over their number.
	n, squares := 0, 0
	for _, m := range g.byWin {
		n, squares = n+len(m), squares+len(m)*len(m)
	}
	if avg := float64(squares) / float64(n); avg > 4 || len(g.short) != 1 {
		t.Errorf("window at %d: a hit compares %.1f members on average (want at most 4; 16 right after the prefix), %d short (want 1)",
			g.at, avg, len(g.short))
	}
	matchesAsRegexp(t, x, patterns, []string{
		"%LINK-3-UPDOWN: Interface TenGigabitEthernet1/1/7, changed state to down",
		"%LINK-3-UPDOWN: Interface FastEthernet0/15, changed state to down",
		"%LINK-3-UPDOWN: Interface FastEthernet0/15, changed state to up",
		"%LINK-3-UPDOWN: Interface Gi9/9, changed state to down",
	})
}

// TestManyDeltaCandidates: patterns added one by one to a big index wait
// in the delta layer's gram table; past 64 candidates for one line it
// indexes them by entry, as the automaton does, and finds each once.
func TestManyDeltaCandidates(t *testing.T) {
	x := New()
	var b Batch
	for i := range 2000 {
		b.Add(i, fmt.Sprintf(`%%SYS-5-CONFIG_I: Configured from console by user%d`, i))
	}
	x.Apply(&b)
	x.compact()
	for i := range 100 {
		if err := x.Add(10000+i, fmt.Sprintf(`%%LINK-3-UPDOWN: Interface \S+, changed state to (down|x%d)`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if d := x.snap.Load().delta; d == nil || d.grams == nil || len(d.entries) != 100 {
		t.Fatalf("the 100 new patterns are not in the delta's gram table")
	}
	got := x.MatchAppend(nil, "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	slices.Sort(got)
	if len(got) != 100 || len(slices.Compact(slices.Clone(got))) != 100 || got[0] != 10000 || got[99] != 10099 {
		t.Errorf("matched %d patterns %v, want the 100 new ones once each", len(got), got)
	}
}
