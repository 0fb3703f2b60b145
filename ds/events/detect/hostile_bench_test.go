package detect

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

// hostilePatterns is what the adversarial run installed: 15,262 distinct
// patterns without a literal in one DS (the per-DS limit of ds/parse
// refuses such a file; the host limit refuses it at registration too).
func hostilePatterns() []string {
	out := make([]string, 15262)
	for i := range out {
		out[i] = fmt.Sprintf(`\d{%d}\W\w{%d}`, 1+i%127, 1+i/127)
	}
	return out
}

// slowPatterns are 8 patterns without a literal, within every limit,
// that run on every line and take microseconds each: what the match-time
// budget is for.
func slowPatterns() []string {
	out := make([]string, 8)
	for i := range out {
		out[i] = fmt.Sprintf(`(\w{1,9}\W{1,%d}){4,}\w*$`, 3+i)
	}
	return out
}

func hostileSpecs(owner string, patterns []string) []Spec {
	specs := make([]Spec, len(patterns))
	for i, p := range patterns {
		specs[i] = Spec{Owner: owner, Event: syslogEvent("e"+strconv.Itoa(i), p), Fire: func(Fired) {}}
	}
	return specs
}

// daemonLimits are the daemon's defaults (hubLimits of ds/daemon).
func daemonLimits() *Limits {
	return &Limits{LiteralFree: 64, MatchBudget: DefaultMatchWindow / 10, MatchWindow: DefaultMatchWindow}
}

// BenchmarkHostileDS delivers generated lines, parsed beforehand, to a hub
// with the 1,000 realistic patterns of BenchmarkHubDeliver and one hostile
// DS, on the real clock, with and without the limits the daemon sets:
//
//   - normal: the 1,000 patterns alone;
//   - hostile/unlimited: plus 15,262 patterns without a literal in one
//     DS, as before the limits;
//   - hostile/limited: the same DS refused at registration by the host
//     limit on patterns without a literal;
//   - slow/unlimited: plus a DS of 8 slow patterns without a literal,
//     within every limit;
//   - slow/budget: the same DS held to the default match-time budget:
//     lines flow until it goes over (its time is reported as
//     s-to-fail), then the daemon's response, deregistering it, is
//     simulated, and the lines after are measured.
func BenchmarkHostileDS(b *testing.B) {
	lines := benchLinesData()
	msgs := make([]events.Message, 20_000)
	for i := range msgs {
		syslogmsg.Parse(lines[i], t0, &msgs[i])
	}
	run := func(b *testing.B, h *Hub) {
		i := 0
		for b.Loop() {
			h.Deliver(&msgs[i])
			if i++; i == len(msgs) {
				i = 0
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	}
	cases := []struct {
		name     string
		limits   *Limits
		patterns []string
	}{
		{"normal", nil, nil},
		{"hostile/unlimited", nil, hostilePatterns()},
		{"hostile/limited", daemonLimits(), hostilePatterns()},
		{"slow/unlimited", nil, slowPatterns()},
		{"slow/budget", daemonLimits(), slowPatterns()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			over := make(chan string, 1)
			h := NewHub(context.Background(), Options{Clock: ds.RealClock{}, Limits: c.limits,
				OnOverBudget: func(owner, _ string) { over <- owner }})
			defer h.Close()
			registerThousand(b, h, func(Fired) {})
			if c.patterns != nil {
				regs, err := h.RegisterAll(hostileSpecs("9999", c.patterns))
				switch {
				case err != nil && c.limits == nil:
					b.Fatal(err)
				case err != nil:
					b.Logf("refused: %.120s…", err)
				}
				if c.limits != nil && c.limits.MatchBudget > 0 && err == nil {
					start, i := time.Now(), 0
					for len(over) == 0 {
						h.Deliver(&msgs[i%len(msgs)])
						i++
					}
					h.Deregister(regs...)
					b.ReportMetric(time.Since(start).Seconds(), "s-to-fail")
					b.Logf("over budget after %d lines, %v", i, time.Since(start).Round(time.Millisecond))
				}
			}
			b.ReportMetric(float64(h.IndexStats().AlwaysRun), "always-run")
			run(b, h)
		})
	}
}
