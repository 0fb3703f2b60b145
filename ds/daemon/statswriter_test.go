package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/control"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/lifecycle"
)

// statsStore opens a store in a temp dir holding DS ids, registered,
// with a check that takes any file as the DS its name says.
func statsStore(t testing.TB, now func() time.Time, ids ...string) (*bootflash.Store, bootflash.CheckFunc) {
	t.Helper()
	check := func(id string, xml, asc []byte) (*ds.Signature, error) {
		return &ds.Signature{ID: id, Revision: "1.0", Name: "ds " + id}, nil
	}
	store, err := bootflash.Open(filepath.Join(t.TempDir(), "bootflash"), bootflash.Options{Check: check, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, id := range ids {
		if err := store.Put(id, []byte("<ds "+id+"/>"), []byte("sig"), func(en *bootflash.Entry) {
			en.Status = ds.StatusRegistered
		}); err != nil {
			t.Fatal(err)
		}
	}
	return store, check
}

func stateFile(t testing.TB, store *bootflash.Store) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(store.Root(), bootflash.Dir, bootflash.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustGet(t testing.TB, store *bootflash.Store, id string) bootflash.Entry {
	t.Helper()
	en, ok := store.Get(id)
	if !ok {
		t.Fatalf("DS %s not stored", id)
	}
	return en
}

// TestStatsWriterBatches: runs and status changes stay in memory, without
// a write, until the flush interval passes on the clock; then one write
// holds every run, two runs of one DS within the interval both counting,
// and a DS removed meanwhile does not refuse the others.
func TestStatsWriterBatches(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store, _ := statsStore(t, clk.Now, "1", "2", "3")
	w := newStatsWriter(store, clk, slog.New(slog.DiscardHandler))
	w.start()
	defer w.stop()
	w.setStatus("1", true)
	w.runDone("1", engine.RunStats{Trigger: t0, Duration: 10 * time.Millisecond, Outcome: engine.Completed,
		ByType: engine.ActionCounts{{Type: ds.ActionCommand, N: 2}}, Last: "ok"}, nil)
	w.setStatus("1", true)
	w.runDone("1", engine.RunStats{Trigger: t0.Add(time.Millisecond), Duration: 30 * time.Millisecond,
		Outcome: engine.Completed, ByType: engine.ActionCounts{{Type: ds.ActionCommand, N: 1}}, Last: "fine"}, nil)
	w.runDone("1", engine.RunStats{Trigger: t0.Add(2 * time.Millisecond), Outcome: engine.Suppressed, Reason: "ds_stop: lab"},
		[]bootflash.KeyGroup{{What: "correlation", GroupBy: "intf", Held: 1, Max: 10}})
	w.runDone("2", engine.RunStats{Trigger: t0, Outcome: engine.Failed, Failed: 1, LastFail: true}, nil)
	w.runDone("3", engine.RunStats{Trigger: t0, Outcome: engine.Completed}, nil)
	if err := store.Remove("3"); err != nil {
		t.Fatal(err)
	}
	before := stateFile(t, store)
	if en := mustGet(t, store, "1"); en.Stats.Triggers != 0 || en.Status != ds.StatusRegistered {
		t.Fatalf("before the flush, the store has %+v", en)
	}

	clk.Advance(statsFlushInterval - time.Nanosecond)
	if !bytes.Equal(stateFile(t, store), before) {
		t.Fatal("state.json written before the flush interval")
	}
	clk.Advance(time.Nanosecond)
	s := mustGet(t, store, "1").Stats
	if s.Triggers != 3 || s.Runs != 2 || s.Suppressed != 1 || s.AvgRunTime() != 20*time.Millisecond ||
		s.ActionsRun != 3 || s.ByAction[ds.ActionCommand] != 3 || s.LastSuppressed != "ds_stop: lab" ||
		s.LastActionResult != "" || !s.LastTrigger.Equal(t0.Add(2*time.Millisecond)) || len(s.Keys) != 1 {
		t.Errorf("DS 1 after the flush: %+v", s)
	}
	if s := mustGet(t, store, "2").Stats; s.Triggers != 1 || s.FailedRuns != 1 || s.ActionsFailed != 1 || !s.LastActionFailed {
		t.Errorf("DS 2 after the flush: %+v", s)
	}

	// The next interval adds to what is stored; the keys are as of the
	// last run.
	w.runDone("1", engine.RunStats{Trigger: t0.Add(time.Second), Duration: 60 * time.Millisecond, Outcome: engine.Completed,
		ByType: engine.ActionCounts{{Type: ds.ActionCommand, N: 1}}, Last: "again"}, nil)
	clk.Advance(statsFlushInterval)
	if s := mustGet(t, store, "1").Stats; s.Triggers != 4 || s.Runs != 3 || s.TotalRunTime != 100*time.Millisecond ||
		s.ActionsRun != 4 || s.LastActionResult != "again" || s.Keys != nil {
		t.Errorf("DS 1 after the second flush: %+v", s)
	}
}

// TestStatsWriterStatus: a run in progress shows running after a flush,
// and stop writes what is left.
func TestStatsWriterStatus(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store, _ := statsStore(t, clk.Now, "1")
	w := newStatsWriter(store, clk, slog.New(slog.DiscardHandler))
	w.start()
	w.setStatus("1", true)
	clk.Advance(statsFlushInterval)
	if en := mustGet(t, store, "1"); en.Status != ds.StatusRunning {
		t.Fatalf("status %s during a run, want running", en.Status)
	}
	w.runDone("1", engine.RunStats{Trigger: t0, Outcome: engine.Completed}, nil)
	w.stop()
	if en := mustGet(t, store, "1"); en.Status != ds.StatusRegistered || en.Stats.Runs != 1 {
		t.Fatalf("after stop: status %s, %d runs; want registered, 1", en.Status, en.Stats.Runs)
	}
	if clk.Pending() != 0 {
		t.Errorf("%d timers left after stop", clk.Pending())
	}
}

// TestDaemonStatsFlush: a run's OnRunDone leaves state.json alone; a
// command right after it sees it; the daemon's stop writes the runs left.
func TestDaemonStatsFlush(t *testing.T) {
	clk := clock.NewVirtual(t0)
	store, check := statsStore(t, clk.Now, "1")
	// Not runnable: resync leaves it alone, the statistics still count.
	if err := store.Update("1", func(en *bootflash.Entry) { en.Status = ds.StatusDeinstalled }); err != nil {
		t.Fatal(err)
	}
	cfg := mustConfig(t, "hostname edge-1\n")
	log := &logBuffer{}
	d, err := New(Options{
		Config: cfg, LoadConfig: func(string) (*config.Config, error) { return cfg, nil },
		Store: store, Manager: lifecycle.New(store, check, lifecycle.Host{Hostname: "edge-1"}, nil, clk.Now),
		Bootflash: store.Root(), Clock: clk, Log: slog.New(slog.NewTextHandler(log, nil)),
		Commands: func(ctx context.Context, d *Daemon, req control.Request) control.Response {
			en, _ := d.opts.Store.Get("1")
			return control.Response{Stdout: fmt.Sprintf("triggers %d", en.Stats.Triggers)}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the daemon", func() bool { return strings.Contains(log.String(), "dsengine running") })

	before := stateFile(t, store)
	d.runDone("1", engine.RunStats{Trigger: t0, Outcome: engine.Completed}, nil)
	if !bytes.Equal(stateFile(t, store), before) {
		t.Fatal("a run's OnRunDone wrote state.json")
	}
	if out := d.Do(ctx, []string{"show"}).Stdout; out != "triggers 1" {
		t.Errorf("a command right after a run says %q, want triggers 1", out)
	}
	d.runDone("1", engine.RunStats{Trigger: t0, Outcome: engine.Completed}, nil)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	done <- nil
	if en := mustGet(t, store, "1"); en.Stats.Triggers != 2 {
		t.Errorf("after stop, %d triggers stored, want 2", en.Stats.Triggers)
	}
}
