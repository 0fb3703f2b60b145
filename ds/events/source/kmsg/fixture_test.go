package kmsg

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/source/crash"
	"github.com/dsengine/dsengine/ds/events/source/sourcetest"
	"github.com/dsengine/dsengine/internal/testserver"
)

// fifo makes a named pipe the test writes records to, and returns it with
// its write end (opened once the source has opened the read end).
func fifo(t *testing.T) (string, func() *os.File) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kmsg")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, func() *os.File {
		f, err := os.OpenFile(p, os.O_WRONLY, 0) // blocks until the source reads
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
}

// TestKmsgRecords: through a pipe of records (fixture): the time is boot
// + the record's stamp, a line over 8 KiB is cut and counted,
// continuation lines are skipped, a gap in the sequence is counted lost,
// the OOM killer's and an oops's lines are crash events, a line that is
// no record is an error.
func TestKmsgRecords(t *testing.T) {
	p, open := fifo(t)
	s := newKmsg(t, "path", p)
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	s.uptime = func() (time.Duration, error) { return time.Hour, nil }
	k := newSink()
	sourcetest.Run(t, s, k.Env(clock.NewVirtual(now)))
	w := open()
	long := strings.Repeat("x", 9000)
	records := "6,100,1500000,-;first line\n SUBSYSTEM=net\n DEVICE=n2\n" +
		"3,101,1600000,-;" + long + "\n" +
		"not a record\n" +
		"3,105,1700000,-;Out of memory: Killed process 4242 (stress-ng) total-vm:1234kB, anon-rss:99kB\n" +
		"0,106,1800000,-;Oops: 0002 [#1] PREEMPT SMP NOPTI\n" +
		"6,107,1900000,-;last\n"
	if _, err := w.Write([]byte(records)); err != nil {
		t.Fatal(err)
	}
	_, at := k.Wait(t, "first line", func(l string) bool { return l == "%KERN-6-MSG: first line" })
	if want := now.Add(-time.Hour + 1500*time.Millisecond); !at.Equal(want) {
		t.Errorf("first line at %v, want boot + 1.5 s = %v", at, want)
	}
	cut, _ := k.Wait(t, "long line", func(l string) bool { return strings.HasPrefix(l, "%KERN-3-MSG: xxx") })
	if len(cut) != len("%KERN-3-MSG: ")+MaxLine {
		t.Errorf("long line of %d bytes, want cut at %d", len(cut)-len("%KERN-3-MSG: "), MaxLine)
	}
	k.Wait(t, "OOM crash", func(l string) bool {
		return l == "%SYS-2-CRASH: Process stress-ng (pid 4242) crashed: signal 9 (SIGKILL), killed by the kernel's out-of-memory killer"
	})
	k.Wait(t, "oops crash", func(l string) bool { return l == "%SYS-1-KERNEL_CRASH: Kernel oops: Oops: 0002 [#1] PREEMPT SMP NOPTI" })
	k.Wait(t, "last", func(l string) bool { return l == "%KERN-6-MSG: last" })
	if s.Cut() != 1 {
		t.Errorf("cut %d, want 1", s.Cut())
	}
	if s.Lost() != 3 {
		t.Errorf("lost %d, want 3 (102 to 104)", s.Lost())
	}
	testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool { return s.Stats().Events >= 7 })
	st := s.Stats()
	if st.Errors != 2 || st.Dropped != 3 || st.Events != 7 {
		t.Errorf("stats %+v, want 2 errors (a cut line, not a record), 3 dropped, 7 events (5 lines, 2 crashes)", st)
	}
	if k.Has("SUBSYSTEM") {
		t.Errorf("a continuation line was handed on")
	}
	testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		return len(k.crashes(func(crash.Event) bool { return true })) >= 2
	})
	oom := k.crashes(func(e crash.Event) bool { return e.Kind == crash.KindOOM })
	if len(oom) != 1 || oom[0].PID != 4242 || oom[0].Process != "stress-ng" {
		t.Errorf("OOM events %+v", oom)
	}
}

// TestKmsgPstore: the panic logs a previous boot left in pstore (a
// fixture directory, as a VM has none) are one crash event each, at the
// records' time; other files are ignored.
func TestKmsgPstore(t *testing.T) {
	dir := t.TempDir()
	panicLog := "Panic#1 Part1\n<4>[  120.1] CPU: 0 PID: 1 Comm: sh\n<0>[  120.2] Kernel panic - not syncing: sysrq triggered crash\n<4>[  120.3] Call Trace:\n"
	oopsLog := "Oops#1 Part1\n<1>[   12.0] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
	files := map[string]string{"dmesg-efi-170000000101001": panicLog, "console-ramoops-0": oopsLog, "pmsg-ramoops-0": "x"}
	stamp := time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC)
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(filepath.Join(dir, n), stamp, stamp)
	}
	p, open := fifo(t)
	s, err := New([]string{"path", p, "pstore", dir})
	if err != nil {
		t.Fatal(err)
	}
	k := newSink()
	sourcetest.Run(t, s, k.Env(clock.NewVirtual(stamp.Add(time.Hour))))
	open()
	_, at := k.Wait(t, "panic", func(l string) bool {
		return l == "%SYS-1-KERNEL_CRASH: Kernel panic on the previous boot (pstore dmesg-efi-170000000101001): Kernel panic - not syncing: sysrq triggered crash"
	})
	if !at.Equal(stamp) {
		t.Errorf("panic at %v, want the record's %v", at, stamp)
	}
	k.Wait(t, "oops", func(l string) bool {
		return l == "%SYS-1-KERNEL_CRASH: Kernel panic on the previous boot (pstore console-ramoops-0): BUG: kernel NULL pointer dereference, address: 0000000000000000"
	})
	var evs []crash.Event
	testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		evs = k.crashes(func(e crash.Event) bool { return e.Kind == crash.KindPanic })
		return len(evs) >= 2
	})
	if len(evs) != 2 {
		t.Fatalf("%d pstore events, want 2 (pmsg is no panic log)", len(evs))
	}
	a := evs[1].Alert()
	if !strings.Contains(a.Attachments[len(a.Attachments)-1].Output, "Call Trace:") {
		t.Errorf("the panic log is not in the message: %+v", a.Attachments)
	}
}

// TestKmsgArgs: the arguments are checked when the line is read.
func TestKmsgArgs(t *testing.T) {
	for _, args := range [][]string{{"path"}, {"bogus", "x"}, {"path", "a", "path", "b"}} {
		if _, err := New(args); err == nil {
			t.Errorf("New(%q): no error", args)
		}
	}
	s := newKmsg(t, "path", filepath.Join(t.TempDir(), "missing"))
	err := s.Run(t.Context(), newSink().Env(clock.NewVirtual(time.Now())))
	if err == nil || !strings.Contains(err.Error(), "source kmsg path FILE") {
		t.Errorf("a missing path: %v", err)
	}
}
