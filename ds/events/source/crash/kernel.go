package crash

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The kernel's crash lines (arch/x86/mm/fault.c, arch/x86/kernel/traps.c,
// mm/oom_kill.c, kernel/panic.c, lib/bug.c).
var (
	// "segv[7129]: segfault at 0 ip 000055c6ab05d139 sp 00007fff07558ea0 error 6 in segv[1139,55c6ab05d000+1000]"
	segfaultRe = regexp.MustCompile(`^(.+)\[(\d+)\]: segfault at `)
	// "traps: a.out[42] general protection fault ip:… sp:… error:0 in …",
	// "a.out[42] trap divide error ip:…", "a.out[42] trap invalid opcode ip:…"
	trapRe = regexp.MustCompile(`^(.+)\[(\d+)\]:? (general protection fault|trap divide error|trap invalid opcode|trap int3|trap stack segment|trap bounds) `)
	// "Out of memory: Killed process 1234 (stress) total-vm:…",
	// "Memory cgroup out of memory: Killed process 1234 (stress) …"
	oomRe = regexp.MustCompile(`(?i)out of memory: Kill(?:ed)? process (\d+) \((.*?)\)`)
	// "Oops: 0002 [#1] SMP", "BUG: unable to handle page fault …",
	// "Kernel panic - not syncing: …", "general protection fault, probably …: 0000 [#1]"
	kernelRe = regexp.MustCompile(`^(?:Oops[: ]|BUG: |Kernel panic - |kernel BUG at |general protection fault[:,] .*\[#\d+\])`)
)

// trapSignals are the signals of the traps' lines.
var trapSignals = map[string]int{"general protection fault": 11, "trap divide error": 8, "trap invalid opcode": 4,
	"trap int3": 5, "trap stack segment": 7, "trap bounds": 11}

// FromKernel returns the crash a kernel log line reports, if it reports
// one: a process's segfault or trap, an OOM kill, an oops, a BUG or a
// panic. at is the line's time, src the source's name.
func FromKernel(text string, at time.Time, src string) (Event, bool) {
	text = strings.TrimSpace(text)
	// x86 prints its traps with the prefix "traps: ".
	proc := strings.TrimPrefix(text, "traps: ")
	if m := segfaultRe.FindStringSubmatch(text); m != nil {
		pid, _ := strconv.Atoi(m[2])
		return Event{Time: at, Kind: KindProcess, Source: src, Process: m[1], PID: pid, Signal: 11, Text: text}, true
	}
	if m := trapRe.FindStringSubmatch(proc); m != nil {
		pid, _ := strconv.Atoi(m[2])
		return Event{Time: at, Kind: KindProcess, Source: src, Process: m[1], PID: pid, Signal: trapSignals[m[3]],
			Text: text}, true
	}
	if m := oomRe.FindStringSubmatch(text); m != nil {
		pid, _ := strconv.Atoi(m[1])
		return Event{Time: at, Kind: KindOOM, Source: src, Process: m[2], PID: pid, Signal: 9, Text: text}, true
	}
	if kernelRe.MatchString(text) {
		return Event{Time: at, Kind: KindKernel, Source: src, Text: kernelText(text)}, true
	}
	return Event{}, false
}

// kernelText names the kernel crash of a line: "Kernel oops: Oops: 0002 [#1] SMP".
func kernelText(text string) string {
	switch {
	case strings.HasPrefix(text, "Kernel panic"):
		return text
	case strings.HasPrefix(text, "Oops"):
		return "Kernel oops: " + text
	}
	return "Kernel bug: " + text
}
