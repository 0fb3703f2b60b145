// Package crash is the crash event the host's native event sources raise
// (kmsg, journal, coredump): a process killed by a signal, an OOM kill, a
// kernel oops or panic. Raise hands it on twice: as an IOS-shaped syslog
// line DS and applets match, and as a typed event the daemon hands to the
// crash alert group, whose message carries what the line cannot (the
// backtrace, the core file).
//
// The lines:
//
//	%SYS-2-CRASH: Process NAME (pid N) crashed: signal 11 (SIGSEGV)
//	%SYS-2-CRASH: Process NAME (pid N) crashed: signal 9 (SIGKILL), killed by the kernel's out-of-memory killer
//	%SYS-1-KERNEL_CRASH: Kernel oops: TEXT
//	%SYS-1-KERNEL_CRASH: Kernel panic on the previous boot (pstore RECORD): TEXT
package crash

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/alertgroup"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/source"
	"github.com/dsengine/dsengine/ds/notify/callhome"
)

// EventType is the type of Event. No detector type has it: the daemon
// hands crash events to the crash alert group; DS and applets match the
// line.
const EventType ds.EventType = "crash"

// Kinds of crash.
const (
	KindProcess = "process" // a process killed by a signal (segfault, core dump)
	KindOOM     = "oom"     // a process killed by the out-of-memory killer
	KindKernel  = "kernel"  // a kernel oops, BUG or panic seen now
	KindPanic   = "panic"   // a kernel panic logged before this boot (pstore)
)

// Event is one crash.
type Event struct {
	Time   time.Time // when it happened, from the source
	Kind   string    // KindProcess, KindOOM, KindKernel, KindPanic
	Source string    // the source that saw it: kmsg, journal, coredump, pstore

	Process string // the process's name ("" for a kernel crash)
	PID     int
	Signal  int // 0 when not known

	// CoreFile is the core dump's path, "" when none is known; Core is its
	// content when it was read (under the source's cap), CoreNote says
	// why it is not attached otherwise.
	CoreFile string
	CoreSize int64
	Core     []byte
	CoreNote string

	Backtrace string // the stack trace (coredumpctl info, the journal's record), "" when none
	Text      string // the record behind the event: the kernel line, the journal's message
}

// EventType is EventType.
func (Event) EventType() ds.EventType { return EventType }

// signalNames are the names of the signals a crash reports.
var signalNames = map[int]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
	7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM",
	15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS"}

// SignalName is "SIGSEGV" for 11, "signal N" for one it does not know.
func SignalName(n int) string {
	if s, ok := signalNames[n]; ok {
		return s
	}
	return "signal " + strconv.Itoa(n)
}

// Line is the event's IOS-shaped line, from its %TAG.
func (e Event) Line() string {
	switch e.Kind {
	case KindKernel:
		return "%SYS-1-KERNEL_CRASH: " + oneLine(e.Text)
	case KindPanic:
		return "%SYS-1-KERNEL_CRASH: Kernel panic on the previous boot (pstore " + e.CoreFile + "): " + oneLine(e.Text)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%%SYS-2-CRASH: Process %s (pid %d) crashed", e.Process, e.PID)
	if e.Signal != 0 {
		fmt.Fprintf(&b, ": signal %d (%s)", e.Signal, SignalName(e.Signal))
	}
	if e.Kind == KindOOM {
		b.WriteString(", killed by the kernel's out-of-memory killer")
	}
	if e.CoreFile != "" && e.Kind == KindProcess {
		b.WriteString(", core " + e.CoreFile)
	}
	return b.String()
}

// oneLine is the first line of s, trimmed.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// Alert is the crash alert group's message of the event: SYSTEM_CRASH,
// severity fatal (catastrophic for a kernel crash), the line as
// description, and before the group's commands the crash's facts
// ("crashinfo": process, pid, signal, core file, record), its backtrace
// and its core file (base64), when it has them.
func (e Event) Alert() alertgroup.Alert {
	a := alertgroup.NewAlert(config.GroupCrash)
	a.Description, a.EventTime = e.Line(), e.Time
	if e.Kind == KindKernel || e.Kind == KindPanic {
		a.Severity = config.SeverityCatastrophic
	}
	var info strings.Builder
	if e.Process != "" {
		fmt.Fprintf(&info, "Process:   %s\nPID:       %d\n", e.Process, e.PID)
	}
	if e.Signal != 0 {
		fmt.Fprintf(&info, "Signal:    %d (%s)\n", e.Signal, SignalName(e.Signal))
	}
	fmt.Fprintf(&info, "Kind:      %s\nSource:    %s\nTime:      %s\n", e.Kind, e.Source, e.Time.UTC().Format(time.RFC3339Nano))
	if e.CoreFile != "" && e.Kind != KindPanic {
		fmt.Fprintf(&info, "Core file: %s", e.CoreFile)
		if e.CoreSize > 0 {
			fmt.Fprintf(&info, " (%d bytes)", e.CoreSize)
		}
		if e.CoreNote != "" {
			info.WriteString(", " + e.CoreNote)
		}
		info.WriteString("\n")
	}
	if e.Text != "" {
		fmt.Fprintf(&info, "Record:\n%s\n", strings.TrimRight(e.Text, "\n"))
	}
	a.Attachments = append(a.Attachments, callhome.Attachment{Command: "crashinfo", Output: info.String()})
	if e.Backtrace != "" {
		a.Attachments = append(a.Attachments, callhome.Attachment{Command: "show stack trace", Output: e.Backtrace})
	}
	if e.Core != nil {
		a.Attachments = append(a.Attachments, callhome.Attachment{Command: "core file " + e.CoreFile + " (base64)",
			Output: wrap(base64.StdEncoding.EncodeToString(e.Core), 76)})
	}
	return a
}

// wrap cuts s into lines of n characters.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}

// Raise hands e on through env: its line to the detectors (counted in c
// as handed on or dropped) and the event to the crash alert group.
func Raise(env source.Env, c *source.Counters, e Event) {
	c.Syslog(env, e.Time, e.Line())
	if env.Publish != nil {
		env.Publish(e)
	}
}
