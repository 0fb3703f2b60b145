package daemon

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/engine"
)

// BenchmarkRunBookkeeping is what a run's OnRunStart and OnRunDone cost
// the engine with 1,000 DS stored: before issue 16 two Store.Update (two
// state.json rewrites with fsyncs), now two in-memory records. It reports
// the p50 and p99 of one run's bookkeeping.
func BenchmarkRunBookkeeping(b *testing.B) {
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	st := engine.RunStats{Trigger: t0, Outcome: engine.Completed, ByType: engine.ActionCounts{{Type: ds.ActionCommand, N: 1}}}
	for _, mode := range []string{"store-update", "stats-writer"} {
		b.Run(mode, func(b *testing.B) {
			clk := clock.NewVirtual(t0)
			store, _ := statsStore(b, clk.Now, ids...)
			w := newStatsWriter(store, clk, slog.New(slog.DiscardHandler))
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := ids[i%len(ids)]
				start := time.Now()
				if mode == "stats-writer" {
					w.setStatus(id, true)
					w.runDone(id, st, nil)
				} else {
					_ = store.Update(id, func(en *bootflash.Entry) { en.Status = ds.StatusRunning })
					_ = store.Update(id, func(en *bootflash.Entry) { addRunStats(&en.Stats, st); en.Status = ds.StatusRegistered })
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			w.flush()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
