package stdin

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/input/inputtest"
)

var fixed = time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)

func TestLines(t *testing.T) {
	long := "<13>" + strings.Repeat("w", 70_000)
	text := "<189>343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up\r\n" +
		"\n\r\n" + // empty lines are no messages
		"bad \xff\xfe utf8 \x00 nul\n" +
		long + "\n" +
		"last line without newline"
	for name, r := range map[string]io.Reader{
		"whole":    strings.NewReader(text),
		"one byte": iotest.OneByteReader(strings.NewReader(text)),
	} {
		t.Run(name, func(t *testing.T) {
			in := New(r, input.Options{Now: func() time.Time { return fixed }})
			q := input.NewQueue(16, 0)
			r := inputtest.Start(t, in, q)
			if ok, err := r.Done(inputtest.Timeout); !ok || err != nil {
				t.Fatalf("Run at EOF: %v (returned %v)", err, ok)
			}
			items := inputtest.Collect(t, q, 4)
			m := inputtest.Parse(items[0])
			if m.Tag != "LINK-3-UPDOWN" || m.Host != "sw1" || strings.HasSuffix(m.Raw, "\r") || items[0].Received != fixed {
				t.Errorf("first %+v", m)
			}
			if string(items[1].Line) != "bad \xff\xfe utf8 \x00 nul" {
				t.Errorf("second %q", items[1].Line)
			}
			if string(items[2].Line) != long[:input.MaxLine] || !items[2].Truncated {
				t.Errorf("third: %d bytes", len(items[2].Line))
			}
			if string(items[3].Line) != "last line without newline" || items[3].Input != "stdin" {
				t.Errorf("fourth %+v", items[3])
			}
			if s := in.Stats(); s.Received != 4 || s.Delivered != 4 || s.Oversize != 1 {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

func TestReadError(t *testing.T) {
	in := New(io.MultiReader(strings.NewReader("one\ntwo"), iotest.ErrReader(errors.New("disk on fire"))), input.Options{})
	q := input.NewQueue(4, 0)
	r := inputtest.Start(t, in, q)
	ok, err := r.Done(inputtest.Timeout)
	if !ok || err == nil || !strings.Contains(err.Error(), "stdin: disk on fire") {
		t.Fatalf("Run: %v", err)
	}
	if got := inputtest.Lines(inputtest.Collect(t, q, 2)); got[0] != "one" || got[1] != "two" {
		t.Errorf("got %q", got)
	}
	if s := in.Stats(); s.ReadErrors != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestStopWhileBlocked(t *testing.T) {
	checkGoroutines := inputtest.Goroutines(t)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	in := New(pr, input.Options{})
	q := input.NewQueue(4, 0)
	r := inputtest.Start(t, in, q)
	io.WriteString(pw, "<13>through a pipe\npartial")
	if got := inputtest.Collect(t, q, 1); string(got[0].Line) != "<13>through a pipe" {
		t.Errorf("got %q", got[0].Line)
	}
	// Run is blocked in Read until it is stopped, and the partial line
	// is never delivered: once Run has returned, nothing more can come.
	if ok, _ := r.Done(0); ok {
		t.Fatal("Run returned before EOF")
	}
	r.Stop(t)
	if it, ok := q.TryGet(); ok {
		t.Errorf("unexpected item %q", it.Line)
	}
	checkGoroutines()
}

func TestFullQueue(t *testing.T) {
	in := New(strings.NewReader("a\nb\nc\n"), input.Options{Wait: 10 * time.Millisecond})
	q := input.NewQueue(1, 0)
	r := inputtest.Start(t, in, q)
	if ok, err := r.Done(inputtest.Timeout); !ok || err != nil {
		t.Fatalf("Run: %v", err)
	}
	if s := in.Stats(); s.Received != 3 || s.Delivered != 1 || s.Dropped != 2 {
		t.Errorf("stats %+v", s)
	}
}
