package filewatch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
)

var t0 = time.Date(2022, 1, 6, 20, 52, 12, 0, time.UTC)

func TestWatcherOnDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dsengine.conf")
	if err := os.WriteFile(path, []byte("hostname edge-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 16)
	w, err := NewWatcher(ds.RealClock{}, 20*time.Millisecond, nil, func(p string) { ch <- p })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	// An append.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("ip sla 20\n")
	f.Close()
	waitPath(t, ch, path)

	// An editor's save: a new file renamed over the old.
	tmp := filepath.Join(dir, ".dsengine.conf.swp")
	if err := os.WriteFile(tmp, []byte("hostname edge-2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	waitPath(t, ch, path)

	// Another file in the directory is not reported; the next change of
	// ours is, and comes first.
	os.WriteFile(filepath.Join(dir, "other.conf"), []byte("x"), 0o644)
	os.WriteFile(path, []byte("hostname edge-3\n"), 0o644)
	waitPath(t, ch, path)

	// After Remove, changes are not reported: a change of another watched
	// file made after ours is the next report, as ours would have come
	// first (it settles first).
	sentinel := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(sentinel, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(sentinel); err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(path); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("hostname edge-4\n"), 0o644)
	os.WriteFile(sentinel, []byte("y\n"), 0o644)
	if p := <-ch; p != sentinel {
		t.Fatalf("reported %s after Remove", p)
	}
}

func TestWatcherSettles(t *testing.T) {
	v := clock.NewVirtual(t0)
	var got []string
	w, err := NewWatcher(v, time.Second, nil, func(p string) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.conf")
	if err := w.Add(path); err != nil {
		t.Fatal(err)
	}
	// A copy makes a create and several writes: one report, a second
	// after the last.
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Create})
	v.Advance(500 * time.Millisecond)
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Write})
	v.Advance(900 * time.Millisecond)
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Write})
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Chmod})
	w.event(fsnotify.Event{Name: filepath.Join(dir, "b.conf"), Op: fsnotify.Write})
	v.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("reported before settling: %v", got)
	}
	v.Advance(time.Millisecond)
	if len(got) != 1 || got[0] != path {
		t.Fatalf("reported %v, want [%s]", got, path)
	}
	// A chmod alone is no change.
	w.event(fsnotify.Event{Name: path, Op: fsnotify.Chmod})
	v.Advance(time.Hour)
	if len(got) != 1 {
		t.Fatalf("a chmod was reported")
	}
}

// waitPath waits a bounded time for a path on ch.
func waitPath(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("changed %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no change reported for %s within 5s", want)
	}
}
