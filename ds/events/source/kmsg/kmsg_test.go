package kmsg

import (
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/source/crash"
	"github.com/dsengine/dsengine/ds/events/source/sourcetest"
	"github.com/dsengine/dsengine/internal/testserver"
)

// sink is the shared recorder; crashes picks its crash events.
type sink struct{ *sourcetest.Sink }

func newSink() *sink { return &sink{sourcetest.NewSink()} }

func (k *sink) crashes(cond func(crash.Event) bool) []crash.Event {
	var out []crash.Event
	for _, e := range k.Events() {
		if c, ok := e.(crash.Event); ok && cond(c) {
			out = append(out, c)
		}
	}
	return out
}

func tag(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "dsetest" + hex.EncodeToString(b)
}

func newKmsg(t *testing.T, args ...string) *Source {
	t.Helper()
	s, err := New(append([]string{"pstore", filepath.Join(t.TempDir(), "none")}, args...))
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Source)
}

// TestKmsgRealRecord: a line written to the real /dev/kmsg comes out as
// %USER-3-MSG (a program's line has facility user), stamped from the
// record's time since boot; a record older than the start is not replayed.
func TestKmsgRealRecord(t *testing.T) {
	old := tag(t)
	sourcetest.WriteKmsg(t, "<3>"+old+": before the start")
	s := newKmsg(t)
	k := newSink()
	start := time.Now()
	clk := clock.NewVirtual(start)
	sourcetest.Run(t, s, k.Env(clk))
	id := tag(t)
	// The source may open the device after a write: write until one
	// shows (each write is a new record).
	if !testserver.Poll(20*time.Second, 100*time.Millisecond, func() bool {
		sourcetest.WriteKmsg(t, "<3>"+id+": hello from the test")
		return k.Has(id)
	}) {
		t.Fatal("the record written to /dev/kmsg never came out")
	}
	line, at := k.Wait(t, "test record", func(l string) bool { return strings.Contains(l, id) })
	if want := "%USER-3-MSG: " + id + ": hello from the test"; line != want {
		t.Errorf("line %q, want %q", line, want)
	}
	// The record's time is boot + its stamp: within the test's run.
	if at.Before(start.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("record time %v, not between the start %v and now", at, start)
	}
	if k.Has(old) {
		t.Errorf("a record from before the start was replayed")
	}
}

// TestKmsgSegfault: a program that dies of SIGSEGV makes the kernel log
// its segfault line (debug.exception-trace = 1), which the source raises
// as a crash event.
func TestKmsgSegfault(t *testing.T) {
	sourcetest.RequireSegfaultLines(t)
	name := "dsesegv" + tag(t)[7:13]
	bin := sourcetest.Segfaulter(t, name)
	s := newKmsg(t)
	k := newSink()
	sourcetest.Run(t, s, k.Env(clock.NewVirtual(time.Now())))
	// Wait for the source to read: a marker record shows it.
	marker := tag(t)
	if !testserver.Poll(20*time.Second, 100*time.Millisecond, func() bool {
		sourcetest.WriteKmsg(t, "<6>"+marker+": ready")
		return k.Has(marker)
	}) {
		t.Fatal("the marker written to /dev/kmsg never came out")
	}
	cmd := exec.Command(bin)
	sourcetest.Crash(t, cmd)
	pid := cmd.ProcessState.Pid()
	want := "%SYS-2-CRASH: Process " + name + " (pid " + itoa(pid) + ") crashed: signal 11 (SIGSEGV)"
	k.Wait(t, "crash line", func(l string) bool { return l == want })
	k.Wait(t, "segfault line", func(l string) bool {
		return strings.HasPrefix(l, "%KERN-") && strings.Contains(l, name+"["+itoa(pid)+"]: segfault at 0 ")
	})
	var evs []crash.Event
	testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		evs = k.crashes(func(e crash.Event) bool { return e.PID == pid })
		return len(evs) > 0
	})
	if len(evs) != 1 || evs[0].Process != name || evs[0].Signal != 11 || evs[0].Kind != crash.KindProcess {
		t.Fatalf("crash events %+v, want one of %s pid %d, signal 11", evs, name, pid)
	}
	if a := evs[0].Alert(); a.Description != want || len(a.Attachments) == 0 ||
		!strings.Contains(a.Attachments[0].Output, "Signal:    11 (SIGSEGV)") {
		t.Errorf("alert %+v", a)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
