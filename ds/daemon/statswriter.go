package daemon

import (
	"errors"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
)

// statsFlushInterval is how often the run statistics and `running` status
// kept in memory reach state.json: a crash loses at most this much of the
// counters (issue 16).
const statsFlushInterval = time.Second

// statsWriter keeps the run statistics and the `running` status in memory
// and persists them in batches, with one state.json write per flush, so
// that no fsync sits between an event and its actions.
type statsWriter struct {
	store *bootflash.Store
	clock ds.Clock
	log   *slog.Logger

	flushMu sync.Mutex // one flush at a time, so later changes land last

	mu      sync.Mutex
	pending map[string]*statsDelta
	timer   ds.Timer
	stopped bool
}

// statsDelta is what changed for one DS since the last flush.
type statsDelta struct {
	runs    bootflash.Stats // the runs, added up as addRunStats adds them
	keys    []bootflash.KeyGroup
	hasKeys bool
	status  int // 0 unchanged, statusRunning, statusRegistered
}

// The status a delta moves a DS to, when it is in the other one.
const (
	statusRunning = iota + 1
	statusRegistered
)

// newStatsWriter returns a writer that keeps changes until a flush; start
// flushes them every statsFlushInterval on clock until stop.
func newStatsWriter(store *bootflash.Store, clock ds.Clock, log *slog.Logger) *statsWriter {
	return &statsWriter{store: store, clock: clock, log: log, pending: map[string]*statsDelta{}}
}

// start starts the periodic flush.
func (w *statsWriter) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = w.clock.AfterFunc(statsFlushInterval, w.tick)
}

func (w *statsWriter) tick() {
	w.flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.timer = w.clock.AfterFunc(statsFlushInterval, w.tick)
	}
}

// delta returns DS id's pending change; w.mu is held.
func (w *statsWriter) delta(id string) *statsDelta {
	d := w.pending[id]
	if d == nil {
		d = &statsDelta{}
		w.pending[id] = d
	}
	return d
}

// setStatus records that DS id starts (running) or ends a run.
func (w *statsWriter) setStatus(id string, running bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.delta(id)
	d.status = statusRegistered
	if running {
		d.status = statusRunning
	}
}

// runDone records one finished run of DS id and its key states.
func (w *statsWriter) runDone(id string, st engine.RunStats, keys []bootflash.KeyGroup) {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.delta(id)
	addRunStats(&d.runs, st)
	d.keys, d.hasKeys = keys, true
	d.status = statusRegistered
}

// flush writes what accumulated with one UpdateBatch. A DS removed since
// its runs loses them. A nil writer (no daemon running) has nothing.
func (w *statsWriter) flush() {
	if w == nil {
		return
	}
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	pending := w.pending
	w.pending = map[string]*statsDelta{}
	w.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	fns := make(map[string]func(*bootflash.Entry), len(pending))
	for id, d := range pending {
		fns[id] = d.apply
	}
	// A command may remove a DS between the filter and the write: the
	// store then refuses the whole batch, and a second filter keeps the rest.
	for range 2 {
		maps.DeleteFunc(fns, func(id string, _ func(*bootflash.Entry)) bool {
			_, ok := w.store.Get(id)
			return !ok
		})
		err := w.store.UpdateBatch(fns)
		if err == nil || !errors.Is(err, bootflash.ErrNotFound) {
			if err != nil {
				w.log.Error("statistics not saved", "ds", len(fns), "err", err)
			}
			return
		}
	}
}

// stop stops the periodic flush and writes what is left: call it after
// the engine's last run.
func (w *statsWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
	w.flush()
}

// apply merges the delta into a stored entry: counters add up, the
// latest values replace the stored ones (bootflash.Stats.Add).
func (d *statsDelta) apply(en *bootflash.Entry) {
	if d.runs.Triggers > 0 {
		en.Stats.Add(d.runs)
	}
	if d.hasKeys {
		en.Stats.Keys = d.keys
	}
	switch {
	case d.status == statusRunning && en.Status == ds.StatusRegistered:
		en.Status = ds.StatusRunning
	case d.status == statusRegistered && en.Status == ds.StatusRunning:
		en.Status = ds.StatusRegistered
	}
}
