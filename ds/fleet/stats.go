package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/internal/english"
	"github.com/nats-io/nats.go/jetstream"
)

// DSStats are one worker's counters of one DS, as its daemon counts the
// runs it executed: what the fleet view sums.
type DSStats struct {
	DS            string        `json:"ds"`
	Triggers      int64         `json:"triggers"`
	Runs          int64         `json:"runs"` // completed
	Suppressed    int64         `json:"suppressed,omitempty"`
	FailedRuns    int64         `json:"failed_runs,omitempty"`
	ActionsRun    int64         `json:"actions_run"`
	ActionsFailed int64         `json:"actions_failed,omitempty"`
	RunTime       time.Duration `json:"run_time_ns"` // of the completed runs
}

// Stats intervals: a worker writes what changed every StatsInterval and
// everything every StatsRefresh (the bucket's TTL drops the keys of a
// worker gone for good); it is live while its heartbeat is younger than
// StatsStale.
const (
	StatsInterval = 3 * time.Second
	StatsRefresh  = 30 * time.Second
	StatsStale    = 3 * StatsInterval
)

// statsKey is worker's key of DS id in DS_STATS; liveKey its heartbeat.
func statsKey(worker, id string) string { return "ds." + worker + "." + token(id) }
func liveKey(worker string) string      { return "live." + worker }

// token makes s one KV key token.
func token(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '=':
			return r
		}
		return '_'
	}, s)
}

// StatsWriter writes a worker's DS statistics to DS_STATS in batches.
type StatsWriter struct {
	kv     jetstream.KeyValue
	worker string
	last   map[string]DSStats
	full   time.Time // the last write of every key
}

// NewStatsWriter writes worker's statistics to kv, the DS_STATS bucket.
func NewStatsWriter(kv jetstream.KeyValue, worker string) *StatsWriter {
	return &StatsWriter{kv: kv, worker: worker, last: map[string]DSStats{}}
}

// Write puts the heartbeat and the statistics that changed since the last
// Write, or all of them when the last full write is StatsRefresh old.
func (s *StatsWriter) Write(ctx context.Context, now time.Time, cur []DSStats) error {
	full := now.Sub(s.full) >= StatsRefresh
	for _, st := range cur {
		if !full && s.last[st.DS] == st {
			continue
		}
		b, _ := json.Marshal(st)
		if _, err := s.kv.Put(ctx, statsKey(s.worker, st.DS), b); err != nil {
			return fmt.Errorf("bucket %s: %w", BucketStats, err)
		}
		s.last[st.DS] = st
	}
	if full {
		s.full = now
	}
	if _, err := s.kv.Put(ctx, liveKey(s.worker), []byte(s.worker)); err != nil {
		return fmt.Errorf("bucket %s: %w", BucketStats, err)
	}
	return nil
}

// View is the fleet's statistics: each DS's counters summed over the live
// workers.
type View struct {
	Workers []string // live, sorted
	Stats   []DSStats
}

// ReadView sums DS_STATS over the workers whose heartbeat is younger than
// StatsStale at now.
func ReadView(ctx context.Context, kv jetstream.KeyValue, now time.Time) (View, error) {
	var v View
	// A watch on a bucket that lost its leader waits for its first values
	// with no end of its own.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// One watch reads every key's last value: a Get per key would be a
	// round trip per worker and DS.
	wa, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return v, fmt.Errorf("bucket %s: %w", BucketStats, err)
	}
	defer wa.Stop()
	var entries []jetstream.KeyValueEntry
	for e := range wa.Updates() {
		if e == nil {
			break // the values there were when the watch started
		}
		entries = append(entries, e)
	}
	live := map[string]bool{}
	for _, e := range entries {
		if w, ok := strings.CutPrefix(e.Key(), "live."); ok && now.Sub(e.Created()) < StatsStale {
			live[w] = true
			v.Workers = append(v.Workers, w)
		}
	}
	slices.Sort(v.Workers)
	sum := map[string]*DSStats{}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Key(), "ds.")
		w, _, _ := strings.Cut(rest, ".")
		if !ok || !live[w] {
			continue
		}
		var st DSStats
		if json.Unmarshal(e.Value(), &st) != nil || st.DS == "" {
			continue
		}
		t := sum[st.DS]
		if t == nil {
			t = &DSStats{DS: st.DS}
			sum[st.DS] = t
		}
		t.Triggers += st.Triggers
		t.Runs += st.Runs
		t.Suppressed += st.Suppressed
		t.FailedRuns += st.FailedRuns
		t.ActionsRun += st.ActionsRun
		t.ActionsFailed += st.ActionsFailed
		t.RunTime += st.RunTime
	}
	ids := make([]string, 0, len(sum))
	for id := range sum {
		ids = append(ids, id)
	}
	ds.SortIDs(ids)
	for _, id := range ids {
		v.Stats = append(v.Stats, *sum[id])
	}
	return v, nil
}

// heading prints the view's first line; false when no worker is live.
func (v View) heading(w io.Writer) bool {
	if len(v.Workers) == 0 {
		fmt.Fprintln(w, "Fleet statistics: no live worker has written its statistics yet")
		return false
	}
	fmt.Fprintf(w, "Fleet statistics (%s: %s):\n", english.Plural(len(v.Workers), "live worker"), strings.Join(v.Workers, ", "))
	return true
}

// WriteDS prints DS id's line of the view under `show call-home
// diagnostic-signature ID statistics`, in the form of the local
// statistics above it.
func (v View) WriteDS(w io.Writer, id string) {
	if !v.heading(w) {
		return
	}
	i := slices.IndexFunc(v.Stats, func(s DSStats) bool { return s.DS == id })
	if i < 0 {
		fmt.Fprintf(w, " DS %s has not triggered on a live worker\n", id)
		return
	}
	s := v.Stats[i]
	fmt.Fprintf(w, " Triggered:      %d\n", s.Triggers)
	fmt.Fprintf(w, " Completed runs: %d", s.Runs)
	if s.Runs > 0 {
		fmt.Fprintf(w, ", average run time %s", (s.RunTime / time.Duration(s.Runs)).Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, " Suppressed:     %s\n", english.Plural(int(s.Suppressed), "run"))
	fmt.Fprintf(w, " Failed runs:    %d\n", s.FailedRuns)
	fmt.Fprintf(w, " Actions run:    %d\n", s.ActionsRun)
	fmt.Fprintf(w, " Actions failed: %d\n", s.ActionsFailed)
}

// Write prints the view under `show call-home diagnostic-signature`.
func (v View) Write(w io.Writer) {
	if !v.heading(w) {
		return
	}
	if len(v.Stats) == 0 {
		fmt.Fprintln(w, " No DS has triggered on a live worker")
		return
	}
	fmt.Fprintln(w, "DS ID      Triggered  Completed  Suppressed Failed     Actions    Failed act Avg run")
	fmt.Fprintln(w, "---------- ---------- ---------- ---------- ---------- ---------- ---------- ----------")
	for _, s := range v.Stats {
		avg := "-"
		if s.Runs > 0 {
			avg = (s.RunTime / time.Duration(s.Runs)).Round(time.Millisecond).String()
		}
		id := s.DS
		if len([]rune(id)) > 10 {
			id = string([]rune(id)[:9]) + "~"
		}
		fmt.Fprintf(w, "%-10s %-10d %-10d %-10d %-10d %-10d %-10d %s\n", id, s.Triggers, s.Runs, s.Suppressed, s.FailedRuns,
			s.ActionsRun, s.ActionsFailed, avg)
	}
}
