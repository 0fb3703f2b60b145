package crash

import (
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// TestFromKernel: the kernel's crash lines, captured from real kernels,
// and lines that are none.
func TestFromKernel(t *testing.T) {
	at := time.Unix(1700000000, 0)
	for _, tc := range []struct{ text, line string }{
		{"segv[7129]: segfault at 0 ip 000055c6ab05d139 sp 00007fff07558ea0 error 6 in segv[1139,55c6ab05d000+1000] likely on CPU 1 (core 1, socket 0)",
			"%SYS-2-CRASH: Process segv (pid 7129) crashed: signal 11 (SIGSEGV)"},
		{"traps: a.out[42] general protection fault ip:401126 sp:7ffd error:0 in a.out[401000+1000]",
			"%SYS-2-CRASH: Process a.out (pid 42) crashed: signal 11 (SIGSEGV)"},
		{"a.out[42] general protection fault ip:401126 sp:7ffd error:0 in a.out[401000+1000]",
			"%SYS-2-CRASH: Process a.out (pid 42) crashed: signal 11 (SIGSEGV)"},
		{"div[77] trap divide error ip:401136 sp:7ffc error:0 in div[401000+1000]",
			"%SYS-2-CRASH: Process div (pid 77) crashed: signal 8 (SIGFPE)"},
		{"Out of memory: Killed process 2051 (stress-ng-vm) total-vm:2171352kB, anon-rss:1956264kB, file-rss:0kB",
			"%SYS-2-CRASH: Process stress-ng-vm (pid 2051) crashed: signal 9 (SIGKILL), killed by the kernel's out-of-memory killer"},
		{"Memory cgroup out of memory: Killed process 900 (java) total-vm:1kB",
			"%SYS-2-CRASH: Process java (pid 900) crashed: signal 9 (SIGKILL), killed by the kernel's out-of-memory killer"},
		{"Oops: 0002 [#1] PREEMPT SMP NOPTI", "%SYS-1-KERNEL_CRASH: Kernel oops: Oops: 0002 [#1] PREEMPT SMP NOPTI"},
		{"BUG: kernel NULL pointer dereference, address: 0000000000000000",
			"%SYS-1-KERNEL_CRASH: Kernel bug: BUG: kernel NULL pointer dereference, address: 0000000000000000"},
		{"Kernel panic - not syncing: Fatal exception", "%SYS-1-KERNEL_CRASH: Kernel panic - not syncing: Fatal exception"},
		{"e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex", ""},
		{"oom_reaper: reaped process 2051 (stress-ng-vm)", ""},
	} {
		e, ok := FromKernel(tc.text, at, "kmsg")
		if got := map[bool]string{true: e.Line(), false: ""}[ok]; got != tc.line {
			t.Errorf("%q:\n got %q\nwant %q", tc.text, got, tc.line)
		}
	}
}

// TestAlert: the crash group's message of an event.
func TestAlert(t *testing.T) {
	e := Event{Time: time.Unix(1700000000, 0), Kind: KindProcess, Source: "coredump", Process: "app", PID: 3, Signal: 6,
		CoreFile: "/c/core.app", CoreSize: 4, Core: []byte("core"), Backtrace: "#0 raise\n"}
	a := e.Alert()
	if a.Group != config.GroupCrash || a.Name != "SYSTEM_CRASH" || a.Severity != config.SeverityFatal ||
		a.Description != "%SYS-2-CRASH: Process app (pid 3) crashed: signal 6 (SIGABRT), core /c/core.app" {
		t.Errorf("alert %+v", a)
	}
	want := []string{"crashinfo", "show stack trace", "core file /c/core.app (base64)"}
	if len(a.Attachments) != len(want) {
		t.Fatalf("attachments %+v", a.Attachments)
	}
	for i, w := range want {
		if a.Attachments[i].Command != w {
			t.Errorf("attachment %d %q, want %q", i, a.Attachments[i].Command, w)
		}
	}
	if a.Attachments[2].Output != "Y29yZQ==\n" {
		t.Errorf("core %q", a.Attachments[2].Output)
	}
	if k := (Event{Kind: KindKernel, Text: "Oops: 1"}).Alert(); k.Severity != config.SeverityCatastrophic {
		t.Errorf("kernel crash severity %v", k.Severity)
	}
}
