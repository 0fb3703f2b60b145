package journal

import (
	"bytes"
	"encoding/binary"
	"os"
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

const journalRemote = "/lib/systemd/systemd-journal-remote"

// field is one field of a record in journal export format.
type field struct{ name, value string }

// writeJournal appends records to dir/name with systemd-journal-remote,
// from export format: a value with a newline or that is not text is
// written as binary (its length, then its bytes).
func writeJournal(t *testing.T, dir, name string, records ...[]field) {
	t.Helper()
	var b bytes.Buffer
	for _, r := range records {
		for _, f := range r {
			if strings.ContainsAny(f.value, "\n\xff") {
				b.WriteString(f.name + "\n")
				binary.Write(&b, binary.LittleEndian, uint64(len(f.value)))
				b.WriteString(f.value + "\n")
				continue
			}
			b.WriteString(f.name + "=" + f.value + "\n")
		}
		b.WriteString("\n")
	}
	cmd := exec.Command(journalRemote, "-o", filepath.Join(dir, name), "-")
	cmd.Stdin = &b
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s (make deps installs systemd-journal-remote): %v\n%s", journalRemote, err, out)
	}
}

// record is a record of the current boot (journalctl --follow reads only
// those) at time at, which is also its monotonic time: a journal's
// records are in time order, and journalctl follows a new file from the
// position (boot, monotonic time) it reached.
func record(t *testing.T, at time.Time, fs ...field) []field {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatal(err)
	}
	return append(fs, field{"_BOOT_ID", strings.ReplaceAll(strings.TrimSpace(string(boot)), "-", "")},
		field{"__REALTIME_TIMESTAMP", strconv.FormatInt(at.UnixMicro(), 10)}, field{"__MONOTONIC_TIMESTAMP", strconv.FormatInt(at.UnixMicro(), 10)})
}

// sink is the shared recorder; crashes picks its crash events.
type sink struct{ *sourcetest.Sink }

func newSink() *sink { return &sink{sourcetest.NewSink()} }

func (k *sink) crashes() []crash.Event {
	var out []crash.Event
	for _, e := range k.Events() {
		if c, ok := e.(crash.Event); ok {
			out = append(out, c)
		}
	}
	return out
}

// TestJournalFollow: records a test writes with systemd-journal-remote
// are read by journalctl from the directory: mapped to %IDENT-SEV-LOG
// lines at their time, a MESSAGE that is not text (a byte array in the
// JSON) is read, a long message is cut, the journal file rotating (renamed,
// a new one written) keeps being followed, a systemd-coredump record and a
// kernel OOM line are crash events; a record older than the start is not
// read.
func TestJournalFollow(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	writeJournal(t, dir, "remote.journal",
		record(t, now.Add(-time.Hour), field{"MESSAGE", "old record"}, field{"SYSLOG_IDENTIFIER", "app"}))
	s, err := New([]string{"directory", dir})
	if err != nil {
		t.Fatal(err)
	}
	k := newSink()
	sourcetest.Run(t, s, k.Env(clock.NewVirtual(now)))

	at := now.Add(time.Second).Truncate(time.Microsecond)
	writeJournal(t, dir, "remote.journal",
		record(t, at, field{"MESSAGE", "disk full"}, field{"PRIORITY", "3"}, field{"SYSLOG_IDENTIFIER", "dse-app"},
			field{"_PID", "77"}))
	line, got := k.Wait(t, "first record", func(l string) bool { return strings.HasPrefix(l, "%DSE_APP-") })
	if line != "%DSE_APP-3-LOG: disk full" || !got.Equal(at) {
		t.Errorf("line %q at %v, want %q at %v", line, got, "%DSE_APP-3-LOG: disk full", at)
	}
	// journalctl may still be starting: the first record shows it reads.
	writeJournal(t, dir, "remote.journal",
		record(t, at.Add(1*time.Millisecond), field{"MESSAGE", "bytes \xff here"}, field{"SYSLOG_IDENTIFIER", "bin"}),
		record(t, at.Add(2*time.Millisecond), field{"MESSAGE", strings.Repeat("y", 9000)}, field{"SYSLOG_IDENTIFIER", "long"}))
	k.Wait(t, "byte-array message", func(l string) bool { return l == "%BIN-6-LOG: bytes \xff here" })
	long, _ := k.Wait(t, "long message", func(l string) bool { return strings.HasPrefix(l, "%LONG-6-LOG: ") })
	if n := len(long) - len("%LONG-6-LOG: "); n != MaxLine {
		t.Errorf("long message of %d bytes, want cut at %d", n, MaxLine)
	}

	// Rotation: the file is renamed, records go to a new one.
	if err := os.Rename(filepath.Join(dir, "remote.journal"), filepath.Join(dir, "remote@0001.journal")); err != nil {
		t.Fatal(err)
	}
	core := "/var/lib/systemd/coredump/core.dsecrash.0.b1.4242.1700000000000000.zst"
	writeJournal(t, dir, "remote.journal",
		record(t, at.Add(3*time.Millisecond), field{"MESSAGE", "after rotation"}, field{"SYSLOG_IDENTIFIER", "app"}),
		record(t, at.Add(4*time.Millisecond), field{"MESSAGE_ID", CoredumpMessageID}, field{"SYSLOG_IDENTIFIER", "systemd-coredump"},
			field{"PRIORITY", "2"}, field{"COREDUMP_PID", "4242"}, field{"COREDUMP_SIGNAL", "11"},
			field{"COREDUMP_EXE", "/usr/local/bin/dsecrash"}, field{"COREDUMP_COMM", "dsecrash"},
			field{"COREDUMP_FILENAME", core},
			field{"MESSAGE", "Process 4242 (dsecrash) of user 0 dumped core.\n\nStack trace of thread 4242:\n#0  0x0000000000401126 main (dsecrash + 0x1126)\n"}),
		record(t, at.Add(5*time.Millisecond), field{"MESSAGE", "Out of memory: Killed process 555 (hog) total-vm:100kB"}, field{"_TRANSPORT", "kernel"},
			field{"SYSLOG_IDENTIFIER", "kernel"}, field{"PRIORITY", "3"}))
	k.Wait(t, "record after rotation", func(l string) bool { return l == "%APP-6-LOG: after rotation" })
	k.Wait(t, "coredump line", func(l string) bool {
		return l == "%SYSTEMD_COREDUMP-2-LOG: Process 4242 (dsecrash) of user 0 dumped core."
	})
	k.Wait(t, "crash line", func(l string) bool {
		return l == "%SYS-2-CRASH: Process dsecrash (pid 4242) crashed: signal 11 (SIGSEGV), core "+core
	})
	k.Wait(t, "OOM line", func(l string) bool {
		return l == "%SYS-2-CRASH: Process hog (pid 555) crashed: signal 9 (SIGKILL), killed by the kernel's out-of-memory killer"
	})
	var evs []crash.Event
	testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool { evs = k.crashes(); return len(evs) >= 2 })
	if len(evs) != 2 {
		t.Fatalf("crash events %+v, want 2", evs)
	}
	c := evs[0]
	if c.Process != "dsecrash" || c.PID != 4242 || c.Signal != 11 || c.CoreFile != core ||
		!strings.HasPrefix(c.Backtrace, "Stack trace of thread 4242:\n#0 ") || !c.Time.Equal(at.Add(4*time.Millisecond)) {
		t.Errorf("coredump event %+v", c)
	}
	a := c.Alert()
	if len(a.Attachments) != 2 || a.Attachments[1].Command != "show stack trace" ||
		!strings.Contains(a.Attachments[0].Output, "Core file: "+core) {
		t.Errorf("crash message attachments %+v", a.Attachments)
	}
	if strings.Contains(strings.Join(k.Lines(), "\n"), "old record") {
		t.Error("a record from before the start was read")
	}
}

// TestJournalRestart: journalctl exiting (a stand-in that prints a
// record and dies) is started again after the backoff, from the cursor
// of the last record read.
func TestJournalRestart(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "journalctl")
	script := `#!/bin/sh
n=$(cat "$0.n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0.n"
echo "{\"MESSAGE\":\"run $n args $*\",\"SYSLOG_IDENTIFIER\":\"fake\",\"__CURSOR\":\"c$n\",\"__REALTIME_TIMESTAMP\":\"1700000000000000\"}"
echo '{not json'
echo "dying" >&2
exit 3
`
	if err := os.WriteFile(prog, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	src, _ := New(nil)
	s := src.(*Source)
	s.journalctl = prog
	clk := clock.NewVirtual(time.Unix(1700000000, 0))
	k := newSink()
	sourcetest.Run(t, s, k.Env(clk))
	first, _ := k.Wait(t, "first run", func(l string) bool { return strings.HasPrefix(l, "%FAKE-6-LOG: run 1 ") })
	if !strings.Contains(first, "--since=@1700000000") {
		t.Errorf("first run %q: not from the start", first)
	}
	// It waits MinBackoff on the clock before the second run.
	if !testserver.Poll(10*time.Second, time.Millisecond, func() bool { return clk.Pending() > 0 }) {
		t.Fatal("no backoff timer after journalctl exited")
	}
	clk.Advance(MinBackoff)
	second, _ := k.Wait(t, "second run", func(l string) bool { return strings.HasPrefix(l, "%FAKE-6-LOG: run 2 ") })
	if !strings.Contains(second, "--after-cursor=c1") {
		t.Errorf("second run %q: not after the cursor of the first's record", second)
	}
	if s.Restarts() != 1 {
		t.Errorf("restarts %d, want 1", s.Restarts())
	}
	// Two lines that are not JSON, one exit.
	testserver.Poll(10*time.Second, time.Millisecond, func() bool { return s.Stats().Errors >= 3 })
	if st := s.Stats(); st.Errors < 3 {
		t.Errorf("stats %+v, want the bad records and the exit counted", st)
	}
}

// TestJournalMissing: without journalctl Run fails at once and says what
// to do; bad arguments are refused.
func TestJournalMissing(t *testing.T) {
	src, _ := New(nil)
	s := src.(*Source)
	s.journalctl = filepath.Join(t.TempDir(), "journalctl")
	err := s.Run(t.Context(), newSink().Env(clock.NewVirtual(time.Now())))
	if err == nil || !strings.Contains(err.Error(), "install systemd's journalctl") {
		t.Errorf("Run without journalctl: %v", err)
	}
	for _, args := range [][]string{{"unit"}, {"directory"}, {"bogus"}, {"directory", "a", "directory", "b"}} {
		if _, err := New(args); err == nil {
			t.Errorf("New(%q): no error", args)
		}
	}
	s2, err := New([]string{"unit", "a.service", "b.service", "directory", "/d"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s2.(*Source).args(time.Unix(5, 0), ""), " "); !strings.HasSuffix(got, "--since=@5 --directory=/d --unit=a.service --unit=b.service") {
		t.Errorf("args %q", got)
	}
}
