package filewatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/dsengine/dsengine/ds"
)

// Watcher reports configuration files modified on disk: written,
// truncated, replaced (an editor's write-and-rename), created or removed.
// It watches each file's directory, so a file replaced by rename or
// created later is still seen. Events for one file closer together than
// the settle time are reported once, settle after the last of them (a copy
// or an editor's save makes several).
//
// The daemon runs one and wires changed to Hub.ConfigChanged.
type Watcher struct {
	fs      *fsnotify.Watcher
	clock   ds.Clock
	settle  time.Duration
	changed func(path string)
	log     *slog.Logger

	mu      sync.Mutex
	files   map[string]bool     // watched files, cleaned absolute paths
	dirs    map[string]int      // watched directories: how many files in each
	pending map[string]ds.Timer // settle timers by file
	closed  bool
}

// NewWatcher returns a watcher that calls changed with the path (as given
// to Add, cleaned and absolute) of each modified file, on the clock's
// goroutine after settle, or on Run's goroutine when settle is 0. A nil
// log discards.
func NewWatcher(clock ds.Clock, settle time.Duration, log *slog.Logger, changed func(path string)) (*Watcher, error) {
	fs, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("config watcher: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Watcher{
		fs: fs, clock: clock, settle: settle, changed: changed, log: log,
		files: map[string]bool{}, dirs: map[string]int{}, pending: map[string]ds.Timer{},
	}, nil
}

// Add starts watching path. Its directory must exist; the file need not.
func (w *Watcher) Add(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config watcher: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("config watcher: closed")
	}
	if w.files[abs] {
		return nil
	}
	dir := filepath.Dir(abs)
	if w.dirs[dir] == 0 {
		if err := w.fs.Add(dir); err != nil {
			return fmt.Errorf("config watcher: watch %s: %w", dir, err)
		}
	}
	w.dirs[dir]++
	w.files[abs] = true
	return nil
}

// Remove stops watching path.
func (w *Watcher) Remove(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config watcher: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.files[abs] {
		return nil
	}
	delete(w.files, abs)
	if t := w.pending[abs]; t != nil {
		t.Stop()
		delete(w.pending, abs)
	}
	dir := filepath.Dir(abs)
	if w.dirs[dir]--; w.dirs[dir] == 0 {
		delete(w.dirs, dir)
		if err := w.fs.Remove(dir); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
			return fmt.Errorf("config watcher: unwatch %s: %w", dir, err)
		}
	}
	return nil
}

// Run reads file-system events until ctx ends or Close is called.
func (w *Watcher) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-w.fs.Events:
			if !ok {
				return nil
			}
			w.event(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return nil
			}
			w.log.Warn("config watcher", "err", err)
		}
	}
}

// event handles one file-system event: a change of a watched file starts
// (or restarts) its settle timer. Attribute changes alone are not
// changes.
func (w *Watcher) event(ev fsnotify.Event) {
	if !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
		return
	}
	path := filepath.Clean(ev.Name)
	w.mu.Lock()
	if w.closed || !w.files[path] {
		w.mu.Unlock()
		return
	}
	if w.settle <= 0 {
		w.mu.Unlock()
		w.changed(path)
		return
	}
	if t := w.pending[path]; t != nil {
		t.Stop()
	}
	var t ds.Timer
	t = w.clock.AfterFunc(w.settle, func() {
		w.mu.Lock()
		current := w.pending[path] == t
		if current {
			delete(w.pending, path)
		}
		w.mu.Unlock()
		if current {
			w.changed(path)
		}
	})
	w.pending[path] = t
	w.mu.Unlock()
}

// Close stops watching; Run returns.
func (w *Watcher) Close() error {
	w.mu.Lock()
	w.closed = true
	for p, t := range w.pending {
		t.Stop()
		delete(w.pending, p)
	}
	w.mu.Unlock()
	return w.fs.Close()
}
