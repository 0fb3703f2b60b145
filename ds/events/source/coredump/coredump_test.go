package coredump

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/events/source/crash"
	"github.com/dsengine/dsengine/ds/events/source/sourcetest"
	"github.com/dsengine/dsengine/internal/testserver"
)

// sink is the shared recorder, with next for this source's settle timer.
type sink struct{ *sourcetest.Sink }

func newSink() *sink { return &sink{sourcetest.NewSink()} }

// next waits for the settle timer of a new core file, lets it pass, and
// returns the crash event it raised.
func (k *sink) next(t *testing.T, clk *clock.Virtual, n int) crash.Event {
	t.Helper()
	if !testserver.Poll(20*time.Second, time.Millisecond, func() bool { return clk.Pending() > 0 }) {
		t.Fatal("no settle timer: the core file was not seen")
	}
	clk.Advance(Settle)
	return k.WaitEvents(t, "crash event", n)[n-1].(crash.Event)
}

// TestCoredump: a core file systemd-coredump renames into the directory
// (a fixture) is attached; a real core the kernel writes in place (a
// program killed by SIGSEGV with RLIMIT_CORE raised, core_pattern
// "core") over the cap is named, not attached, and counted; its process,
// pid and signal come from the core's notes.
func TestCoredump(t *testing.T) {
	dir := t.TempDir()
	src, err := New([]string{"directory", dir, "max-size", "100000"})
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*Source)
	clk := clock.NewVirtual(time.Now())
	k := newSink()
	watching := make(chan struct{})
	s.watching = func() { close(watching) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, k.Env(clk)) }()
	t.Cleanup(func() { cancel(); <-done })
	<-watching
	name := "core.dse\\x2dapp.0.6b1e.4242.1700000000000000.zst"
	tmp := filepath.Join(dir, ".#"+name)
	if err := os.WriteFile(tmp, []byte("small core"), 0o600); err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(dir, name)
	if err := os.Rename(tmp, final); err != nil {
		t.Fatal(err)
	}
	e := k.next(t, clk, 1)
	if e.Process != "dse-app" || e.PID != 4242 || string(e.Core) != "small core" || e.CoreFile != final ||
		!e.Time.Equal(time.UnixMicro(1700000000000000)) {
		t.Errorf("fixture core event %+v", e)
	}
	a := e.Alert()
	if last := a.Attachments[len(a.Attachments)-1]; last.Command != "core file "+final+" (base64)" ||
		strings.TrimSpace(last.Output) != "c21hbGwgY29yZQ==" {
		t.Errorf("core attachment %+v", last)
	}

	// A real core, written in place by the kernel.
	if b, _ := os.ReadFile("/proc/sys/kernel/core_pattern"); strings.TrimSpace(string(b)) != "core" {
		t.Fatalf("core_pattern is %q; this test needs the kernel's default, core", b)
	}
	bin := sourcetest.Segfaulter(t, "dsesegv")
	cmd := exec.Command("sh", "-c", "ulimit -c unlimited && exec "+bin)
	cmd.Dir = dir
	if ws := sourcetest.Crash(t, cmd); !ws.CoreDump() {
		t.Fatal("the program did not dump core on SIGSEGV")
	}
	e = k.next(t, clk, 2)
	if e.Process != "dsesegv" || e.PID != cmd.ProcessState.Pid() || e.Signal != 11 || e.Core != nil ||
		e.CoreSize <= 100000 || !strings.Contains(e.CoreNote, "over the max-size of 100000 bytes") {
		t.Errorf("real core event: process %q pid %d signal %d, %d bytes attached, size %d, note %q",
			e.Process, e.PID, e.Signal, len(e.Core), e.CoreSize, e.CoreNote)
	}
	if s.Oversize() != 1 {
		t.Errorf("oversize %d, want 1", s.Oversize())
	}
	if a := e.Alert(); !strings.Contains(a.Attachments[0].Output, "over the max-size") || len(a.Attachments) != 1 {
		t.Errorf("the over-cap core's message: %+v", a.Attachments)
	}
	lines := k.Lines()
	if want := "%SYS-2-CRASH: Process dsesegv (pid "; len(lines) < 2 || !strings.HasPrefix(lines[1], want) ||
		!strings.Contains(lines[1], "crashed: signal 11 (SIGSEGV), core "+filepath.Join(dir, "core")) {
		t.Errorf("lines %q", lines)
	}
}

// TestCoredumpArgs: bad arguments are refused, a missing directory says
// what to do.
func TestCoredumpArgs(t *testing.T) {
	for _, args := range [][]string{{"max-size", "-1"}, {"max-size", "x"}, {"directory"}, {"bogus", "1"}} {
		if _, err := New(args); err == nil {
			t.Errorf("New(%q): no error", args)
		}
	}
	s, _ := New([]string{"directory", filepath.Join(t.TempDir(), "none")})
	err := s.Run(t.Context(), newSink().Env(clock.NewVirtual(time.Now())))
	if err == nil || !strings.Contains(err.Error(), "source coredump directory DIR") {
		t.Errorf("missing directory: %v", err)
	}
}
