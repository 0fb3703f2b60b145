package detect

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/internal/syslogdata"
)

const benchLines = 200_000

// benchLinesData is generated once per test binary: realistic IOS lines
// as devices, relays and collectors write them.
var benchLinesData = sync.OnceValue(func() [][]byte {
	return syslogdata.Lines(benchLines, 1, t0.Add(-24*time.Hour))
})

// BenchmarkHubDeliver delivers generated lines to a hub with 1,000
// registered syslog detectors (the generator's realistic pattern mix,
// occurs 1, so every match fires and clones its message), one line per
// iteration on one goroutine. "deliver" has the lines parsed beforehand;
// "parse+deliver" parses each too, as an input does.
func BenchmarkHubDeliver(b *testing.B) {
	lines := benchLinesData()
	// 20,000 parsed messages: a larger array makes the benchmark measure
	// the collector scanning it.
	msgs := make([]events.Message, 20_000)
	for i := range msgs {
		syslogmsg.Parse(lines[i], t0, &msgs[i])
	}
	for _, parse := range []bool{false, true} {
		name := "deliver"
		if parse {
			name = "parse+deliver"
		}
		b.Run(name, func(b *testing.B) {
			v := clock.NewVirtual(t0)
			h := NewHub(context.Background(), Options{Clock: v})
			defer h.Close()
			fires := 0
			registerThousand(b, h, func(Fired) { fires++ })
			var m events.Message
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			i := 0
			for b.Loop() {
				if parse {
					syslogmsg.Parse(lines[i], t0, &m)
					h.Deliver(&m)
					if i++; i == len(lines) {
						i = 0
					}
				} else {
					h.Deliver(&msgs[i])
					if i++; i == len(msgs) {
						i = 0
					}
				}
			}
			runtime.ReadMemStats(&ms1)
			n := float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/line")
			b.ReportMetric(float64(fires)/n, "fires/line")
		})
	}
}

// BenchmarkHubDeliverNoMatch delivers only lines no pattern matches: the
// cost of a line that fires nothing.
func BenchmarkHubDeliverNoMatch(b *testing.B) {
	lines := benchLinesData()
	v := clock.NewVirtual(t0)
	h := NewHub(context.Background(), Options{Clock: v})
	defer h.Close()
	fires := 0
	registerThousand(b, h, func(Fired) { fires++ })
	var quiet []events.Message
	for _, l := range lines[:20_000] {
		var m events.Message
		syslogmsg.Parse(l, t0, &m)
		before := fires
		h.Deliver(&m)
		if fires == before {
			quiet = append(quiet, m)
		}
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	i := 0
	for b.Loop() {
		h.Deliver(&quiet[i])
		if i++; i == len(quiet) {
			i = 0
		}
	}
	runtime.ReadMemStats(&ms1)
	n := float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/line")
}

// BenchmarkHubRegister measures changing the registrations of a hub that
// holds 1,000 syslog detectors: registering and deregistering one more
// (each rebuilds the index), and registering all 1,000 at once.
func BenchmarkHubRegister(b *testing.B) {
	b.Run("one-more", func(b *testing.B) {
		h := NewHub(context.Background(), Options{Clock: clock.NewVirtual(t0)})
		defer h.Close()
		registerThousand(b, h, func(Fired) {})
		i := 0
		for b.Loop() {
			r, err := h.Register("extra", syslogEvent("e1", fmt.Sprintf(`%%LINK-3-UPDOWN: Interface GigabitEthernet9/0/%d,`, i)), nil, func(Fired) {})
			if err != nil {
				b.Fatal(err)
			}
			h.Deregister(r)
			i++
		}
	})
	b.Run("all-1000", func(b *testing.B) {
		for b.Loop() {
			h := NewHub(context.Background(), Options{Clock: clock.NewVirtual(t0)})
			registerThousand(b, h, func(Fired) {})
			h.Close()
		}
	})
}
