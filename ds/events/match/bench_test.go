package match

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

const (
	benchLines    = 1_000_000
	benchPatterns = 1000
)

var benchRecv = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// benchData is generated once per test binary: a million lines and a
// thousand patterns.
var benchData = sync.OnceValues(func() ([][]byte, []syslogdata.Pattern) {
	return syslogdata.Lines(benchLines, 1, benchRecv.Add(-24*time.Hour)),
		syslogdata.Patterns(benchPatterns, 2, 0.02)
})

// batchOf stages every pattern of pats under its id.
func batchOf(tb testing.TB, pats []syslogdata.Pattern) *Batch {
	var b Batch
	for _, p := range pats {
		if err := b.Add(p.ID, p.Regexp); err != nil {
			tb.Fatal(err)
		}
	}
	return &b
}

// indexOf is an index of pats.
func indexOf(tb testing.TB, pats []syslogdata.Pattern) *Index {
	x := New()
	x.Apply(batchOf(tb, pats))
	return x
}

// BenchmarkParseAndMatch parses each generated line and matches its body
// against the patterns, one line per iteration, on one goroutine. Sub-
// benchmarks: all patterns; only those with a literal; only the always-run
// group (patterns without a literal); parsing alone.
func BenchmarkParseAndMatch(b *testing.B) {
	lines, pats := benchData()
	groups := []struct {
		name string
		keep func(syslogdata.Pattern) bool
	}{
		{"all", func(syslogdata.Pattern) bool { return true }},
		{"indexed", func(p syslogdata.Pattern) bool { return p.Kind != syslogdata.KindNoLiteral }},
		{"always-run", func(p syslogdata.Pattern) bool { return p.Kind == syslogdata.KindNoLiteral }},
		{"parse-only", func(syslogdata.Pattern) bool { return false }},
	}
	for _, g := range groups {
		b.Run(g.name, func(b *testing.B) {
			var kept []syslogdata.Pattern
			for _, p := range pats {
				if g.keep(p) {
					kept = append(kept, p)
				}
			}
			x := indexOf(b, kept)
			st := x.Stats()
			var m events.Message
			hits, matchedLines, i := 0, 0, 0
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu0 := cpuTime()
			for b.Loop() {
				syslogmsg.Parse(lines[i], benchRecv, &m)
				before := hits
				x.Match(m.Body, func(int) { hits++ })
				if hits != before {
					matchedLines++
				}
				if i++; i == len(lines) {
					i = 0
				}
			}
			cpu := cpuTime() - cpu0
			runtime.ReadMemStats(&ms1)
			n := float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "lines/s")
			if cpu > 0 {
				b.ReportMetric(n/cpu.Seconds(), "lines/cpu-s")
			}
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/line")
			b.ReportMetric(float64(matchedLines)/n, "matched/line")
			b.ReportMetric(float64(st.Indexed), "indexed")
			b.ReportMetric(float64(st.AlwaysRun), "always-run")
		})
	}
}

// BenchmarkBruteForce runs every pattern on every body: the baseline the
// index is measured against.
func BenchmarkBruteForce(b *testing.B) {
	lines, pats := benchData()
	s := indexOf(b, pats).snap.Load().base
	var m events.Message
	i := 0
	cpu0 := cpuTime()
	for b.Loop() {
		syslogmsg.Parse(lines[i], benchRecv, &m)
		for k := range s.entries {
			s.entries[k].re.MatchString(m.Body)
		}
		if i++; i == len(lines) {
			i = 0
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "lines/cpu-s")
	}
}

// BenchmarkApply measures building the index from a thousand patterns.
func BenchmarkApply(b *testing.B) {
	_, pats := benchData()
	batch := batchOf(b, pats)
	for b.Loop() {
		New().Apply(batch)
	}
}

// BenchmarkAddOne measures one Add to an index of a thousand patterns (a
// full rebuild; use a Batch for many).
func BenchmarkAddOne(b *testing.B) {
	_, pats := benchData()
	x := indexOf(b, pats)
	i := 0
	for b.Loop() {
		i++
		if err := x.Add(5000+i%10, fmt.Sprintf(`%%NEW-3-PATTERN_%d: x`, i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChangeOne10000 measures, with 10,000 patterns registered, one
// pattern added and one removed per op (a DS installed, another
// deinstalled), each applied alone: amortised over the merges of the
// small delta into the big snapshot. ns/change is half an op (issue 16:
// ≤ 100 µs a DS taken in or out with 10,000 registered).
func BenchmarkChangeOne10000(b *testing.B) {
	pats := syslogdata.Patterns(10000, 2, 0.02)
	x := indexOf(b, pats)
	// Each op removes the oldest id and registers its pattern again under
	// a new id (a DS replaced by a new revision), with regexps compiled
	// beforehand: the op measures the index alone.
	res := make([]*regexp.Regexp, len(pats))
	live := make([]int, len(pats))
	for i, p := range pats {
		res[i], live[i] = regexp.MustCompile(p.Regexp), p.ID
	}
	i := 0
	for b.Loop() {
		k := i % len(live)
		x.Remove(live[k])
		live[k] = 1_000_000 + i
		x.AddRegexp(live[k], res[k])
		i++
	}
	if st := x.Stats(); st.IDs != len(pats) {
		b.Fatalf("%d ids registered, want %d", st.IDs, len(pats))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/change")
}

// BenchmarkHostileBody matches 64 KiB bodies made to cost the most per
// byte against the 1,000 generated patterns: every byte a '%' (each the
// start of a possible tag), tags without and with their colon, one tag of
// a pattern repeated, and plain text for comparison. Each should cost
// about what plain text does (MB/s), not a search per '%'.
func BenchmarkHostileBody(b *testing.B) {
	_, pats := benchData()
	x := indexOf(b, pats)
	const size = 64 << 10
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	for _, c := range []struct{ name, body string }{
		{"percent", fill("%")},
		{"percent-then-colon", fill("%")[:size/2] + fill(":")[:size/2]},
		{"tags-no-colon", fill("%LINK-3-UPDOWN ")},
		{"tags-with-colon", fill("%X:")},
		{"one-pattern-tag", fill("%LINK-3-UPDOWN: ")},
		{"plain", fill("Interface GigabitEthernet1/0/5 ")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				x.Match(c.body, func(int) {})
			}
		})
	}
}
