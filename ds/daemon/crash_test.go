package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events/source/sourcetest"
	"github.com/dsengine/dsengine/internal/testserver"
)

// TestCrashEvents: with `source kmsg`, a real program dying of SIGSEGV
// (the kernel's segfault line on /dev/kmsg) runs an applet matching the
// crash line and sends the crash alert group's message to a profile
// subscribed to crash; a panic log of the previous boot in pstore (a
// fixture directory) sends one at start.
func TestCrashEvents(t *testing.T) {
	sourcetest.RequireSegfaultLines(t)
	tagBytes := make([]byte, 3)
	rand.Read(tagBytes)
	name := "dsesegv" + hex.EncodeToString(tagBytes)
	dir := t.TempDir()
	bin := sourcetest.Segfaulter(t, name)
	pstore := filepath.Join(dir, "pstore")
	os.Mkdir(pstore, 0o755)
	if err := os.WriteFile(filepath.Join(pstore, "dmesg-efi-1"), []byte("Panic#1 Part1\n<0>[ 99.0] Kernel panic - not syncing: "+name+" test panic\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	col, url := newCollector(t)
	d, _ := startVTYDaemon(t, profileHead(url, "crash", "xml")+`event manager applet CRASHWATCH
 event syslog pattern "%SYS-2-CRASH: Process `+name+` "
 action 1.0 syslog msg "seen $_syslog_msg"
dsengine
 source kmsg pstore `+pstore+`
`)
	// The panic log of the previous boot: a crash message at start.
	col.find(t, "pstore crash message", "<ch:Type>crash</ch:Type>", "Kernel panic on the previous boot (pstore dmesg-efi-1): Kernel panic - not syncing: "+name+" test panic")

	// Wait for the source to read /dev/kmsg: a record written shows it.
	marker := name + "-ready"
	if !testserver.Poll(30*time.Second, 100*time.Millisecond, func() bool {
		sourcetest.WriteKmsg(t, "<6>"+marker+"\n")
		return kmsgEvents(d) > 1 // the pstore crash and a record
	}) {
		t.Fatal("source kmsg never read a record")
	}
	cmd := exec.Command(bin)
	sourcetest.Crash(t, cmd)
	line := "%SYS-2-CRASH: Process " + name + " (pid " + strconv.Itoa(cmd.ProcessState.Pid()) + ") crashed: signal 11 (SIGSEGV)"
	msg := col.find(t, "crash message", "<ch:Type>crash</ch:Type>", line, "crashinfo", "Signal:    11 (SIGSEGV)", "show version")
	if !strings.Contains(msg, "segfault at 0 ip") {
		t.Errorf("the crash message has no kernel record:\n%s", msg)
	}
	if !testserver.Poll(30*time.Second, 10*time.Millisecond, func() bool {
		for _, r := range d.AppletHistory() {
			if r.Applet == "CRASHWATCH" && r.Status == "success" {
				return true
			}
		}
		return false
	}) {
		t.Errorf("applet CRASHWATCH did not run on the crash line; history %+v", d.AppletHistory())
	}
}

// kmsgEvents is the events source kmsg handed on.
func kmsgEvents(d *Daemon) uint64 {
	for _, s := range d.SourceStats() {
		if s.Source == "kmsg" {
			return s.Events
		}
	}
	return 0
}

// TestCrashFromJournalAndCoredump: a systemd-coredump record in a journal
// written with systemd-journal-remote (read by journalctl) sends a crash
// message with its stack trace; a core file renamed into the core dump
// directory sends one with the core attached.
func TestCrashFromJournalAndCoredump(t *testing.T) {
	dir := t.TempDir()
	jdir, cdir := filepath.Join(dir, "journal"), filepath.Join(dir, "coredump")
	os.Mkdir(jdir, 0o755)
	os.Mkdir(cdir, 0o755)
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		t.Fatal(err)
	}
	bootID := strings.ReplaceAll(strings.TrimSpace(string(boot)), "-", "")
	writeJournal := func(at time.Time, fields map[string]string) {
		t.Helper()
		var b strings.Builder
		fields["_BOOT_ID"], fields["__REALTIME_TIMESTAMP"] = bootID, strconv.FormatInt(at.UnixMicro(), 10)
		fields["__MONOTONIC_TIMESTAMP"] = strconv.FormatInt(at.UnixMicro(), 10)
		for k, v := range fields {
			if strings.Contains(v, "\n") { // binary export field: name, 64-bit LE length, data
				n := uint64(len(v))
				b.WriteString(k + "\n")
				for i := 0; i < 8; i++ {
					b.WriteByte(byte(n >> (8 * i)))
				}
				b.WriteString(v + "\n")
				continue
			}
			b.WriteString(k + "=" + v + "\n")
		}
		b.WriteString("\n")
		cmd := exec.Command("/lib/systemd/systemd-journal-remote", "-o", filepath.Join(jdir, "remote.journal"), "-")
		cmd.Stdin = strings.NewReader(b.String())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("systemd-journal-remote (make deps installs it): %v\n%s", err, out)
		}
	}
	start := time.Now()
	writeJournal(start.Add(-time.Minute), map[string]string{"MESSAGE": "before the start", "SYSLOG_IDENTIFIER": "x"})
	col, url := newCollector(t)
	startVTYDaemon(t, profileHead(url, "crash", "xml")+`dsengine
 source journal directory `+jdir+`
 source coredump directory `+cdir+` max-size 64
`)
	writeJournal(start.Add(time.Second), map[string]string{"MESSAGE_ID": "fc2e22bc6ee647b6b90729ab34a250b1",
		"SYSLOG_IDENTIFIER": "systemd-coredump", "PRIORITY": "2", "COREDUMP_PID": "4242", "COREDUMP_SIGNAL": "6",
		"COREDUMP_EXE": "/usr/sbin/dseapp", "COREDUMP_COMM": "dseapp",
		"COREDUMP_FILENAME": "/var/lib/systemd/coredump/core.dseapp.0.b.4242.1.zst",
		"MESSAGE":           "Process 4242 (dseapp) of user 0 dumped core.\n\nStack trace of thread 4242:\n#0  0x00007f0000001000 raise (libc.so.6 + 0x1000)\n"})
	col.find(t, "journal crash message", "<ch:Type>crash</ch:Type>",
		"%SYS-2-CRASH: Process dseapp (pid 4242) crashed: signal 6 (SIGABRT), core /var/lib/systemd/coredump/core.dseapp.0.b.4242.1.zst",
		"show stack trace", "#0  0x00007f0000001000 raise (libc.so.6 + 0x1000)")

	// The watch may not be set yet: rename cores in until one is reported.
	n := 0
	if !testserver.Poll(30*time.Second, 500*time.Millisecond, func() bool {
		n++
		tmp := filepath.Join(cdir, ".#core")
		os.WriteFile(tmp, []byte("tiny core"), 0o600)
		os.Rename(tmp, filepath.Join(cdir, "core.dsetiny.0.b."+strconv.Itoa(5000+n)+".1700000000000000.zst"))
		col.mu.Lock()
		defer col.mu.Unlock()
		for _, m := range col.msgs {
			if strings.Contains(m, "Process dsetiny (pid ") {
				return true
			}
		}
		return false
	}) {
		t.Fatal("no crash message for a core file")
	}
	col.find(t, "coredump crash message", "Process dsetiny (pid ", "core file "+cdir+"/core.dsetiny", "dGlueSBjb3Jl")
}
