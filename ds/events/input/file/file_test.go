package file

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
)

var fixed = time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)

// modes runs a test with inotify and with polling only.
func modes(t *testing.T, test func(t *testing.T, o Options)) {
	t.Run("inotify", func(t *testing.T) { test(t, Options{}) })
	t.Run("poll", func(t *testing.T) { test(t, Options{NoNotify: true, Poll: 20 * time.Millisecond}) })
}

// start tails path and waits until the tailer has opened it.
func start(t *testing.T, path string, o Options) (*Tailer, *input.Queue, *inputtest.Running) {
	t.Helper()
	o.Now = func() time.Time { return fixed }
	tl, err := New(path, o)
	if err != nil {
		t.Fatal(err)
	}
	q := input.NewQueue(64, 0)
	r := inputtest.Start(t, tl, q)
	select {
	case <-tl.Started():
	case <-time.After(inputtest.Timeout):
		t.Fatal("tailer did not start")
	}
	return tl, q, r
}

// appendTo appends s to the file at path, creating it.
func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// expect takes the next lines from q and checks they are want. A line
// too many shows as a mismatch at the next expect, or in the counts each
// test checks at its end.
func expect(t *testing.T, q *input.Queue, want ...string) {
	t.Helper()
	got := inputtest.Lines(inputtest.Collect(t, q, len(want)))
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStartAtEnd(t *testing.T) {
	modes(t, func(t *testing.T, o Options) {
		path := filepath.Join(t.TempDir(), "net.log")
		appendTo(t, path, "old 1\nold 2\nthe start of a part")
		tl, q, _ := start(t, path, o)
		appendTo(t, path, "ial line\n<189>%LINK-3-UPDOWN: new\r\n")
		items := inputtest.Collect(t, q, 1)
		if m := inputtest.Parse(items[0]); m.Tag != "LINK-3-UPDOWN" || m.Priority != 189 || items[0].Received != fixed || items[0].Input != "file:"+path {
			t.Errorf("got %+v", items[0])
		}
		// A partial line waits for its newline: were "waits" delivered on
		// its own, it would be the next line expect takes.
		appendTo(t, path, "waits")
		appendTo(t, path, " for its newline\n")
		expect(t, q, "waits for its newline")
		if s := settled(t, tl); s.Received != 2 || s.Delivered != 2 || s.Rotations != 0 || s.Truncations != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestFromStart(t *testing.T) {
	modes(t, func(t *testing.T, o Options) {
		path := filepath.Join(t.TempDir(), "net.log")
		appendTo(t, path, "one\ntwo\n\nthree")
		o.FromStart = true
		_, q, _ := start(t, path, o)
		expect(t, q, "one", "two")
		appendTo(t, path, "\n")
		expect(t, q, "three")
	})
}

func TestAppearsLater(t *testing.T) {
	modes(t, func(t *testing.T, o Options) {
		path := filepath.Join(t.TempDir(), "net.log")
		_, q, _ := start(t, path, o)
		appendTo(t, path, "first\nsecond\n")
		expect(t, q, "first", "second")
	})
}

func TestTruncated(t *testing.T) {
	modes(t, func(t *testing.T, o Options) {
		path := filepath.Join(t.TempDir(), "net.log")
		appendTo(t, path, "")
		tl, q, _ := start(t, path, o)
		appendTo(t, path, "a1 "+strings.Repeat("-", 100)+"\na2\npartial a")
		expect(t, q, "a1 "+strings.Repeat("-", 100), "a2")

		// Truncated, then nothing: the partial line is delivered.
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		inputtest.WaitStats(t, tl, func(s input.Stats) bool { return s.Truncations == 1 })
		expect(t, q, "partial a")
		appendTo(t, path, "b1\nb2\n")
		expect(t, q, "b1", "b2")

		// Truncated and written again at once (copytruncate), shorter.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("c1\n")
		f.Close()
		expect(t, q, "c1")
		appendTo(t, path, "c2\n")
		expect(t, q, "c2")
		if s := settled(t, tl); s.Truncations != 2 || s.Received != 7 || s.Delivered != 7 || s.Rotations != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestRotated(t *testing.T) {
	modes(t, func(t *testing.T, o Options) {
		dir := t.TempDir()
		path := filepath.Join(dir, "net.log")
		appendTo(t, path, "")
		tl, q, _ := start(t, path, o)
		// The writer keeps its descriptor, as syslog daemons do until
		// they are told to reopen.
		w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		w.WriteString("a1\n")
		expect(t, q, "a1")

		// Renamed: the old file is followed while the path names none.
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		w.WriteString("a2\n")
		expect(t, q, "a2")
		w.WriteString("a3\npartial a")
		// Re-created: the old file is finished (its partial line
		// delivered), then the new one is read from its start.
		appendTo(t, path, "b1\nb2\n")
		expect(t, q, "a3", "partial a", "b1", "b2")
		if s := tl.Stats(); s.Rotations != 1 {
			t.Errorf("stats %+v", s)
		}
		appendTo(t, path, "b3\n")
		expect(t, q, "b3")

		// Removed and re-created.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		appendTo(t, path, "c1\n")
		expect(t, q, "c1")
		appendTo(t, path, "c2\n")
		expect(t, q, "c2")
		s := settled(t, tl)
		if s.Rotations != 2 || s.Received != 9 || s.Delivered != 9 || s.Truncations != 0 || s.ReadErrors != 0 {
			t.Errorf("stats %+v", s)
		}
	})
}

func TestOversize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "net.log")
	appendTo(t, path, "")
	tl, q, _ := start(t, path, Options{})
	long := strings.Repeat("L", 70_000)
	appendTo(t, path, long+"\nafter\n")
	items := inputtest.Collect(t, q, 2)
	if string(items[0].Line) != long[:input.MaxLine] || !items[0].Truncated || string(items[1].Line) != "after" {
		t.Errorf("got %d bytes, then %q", len(items[0].Line), items[1].Line)
	}
	if s := tl.Stats(); s.Oversize != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestNewAndStop(t *testing.T) {
	if _, err := New("", Options{}); err == nil {
		t.Error("empty path accepted")
	}
	if _, err := New(t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	checkGoroutines := inputtest.Goroutines(t)
	path := filepath.Join(t.TempDir(), "net.log")
	appendTo(t, path, "x\n")
	_, _, r := start(t, path, Options{})
	r.Stop(t)
	checkGoroutines()
}

// settled returns the input's counts once every line it read is counted
// delivered or dropped (it counts a line just after the queue takes it).
func settled(t *testing.T, in input.Input) input.Stats {
	t.Helper()
	return inputtest.WaitStats(t, in, func(s input.Stats) bool { return s.Delivered+s.Dropped == s.Received })
}
