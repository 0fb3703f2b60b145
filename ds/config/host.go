package config

import "strings"

// Host is the "dsengine" block: settings of the program itself, with no IOS
// equivalent. Empty fields mean the command line decides.
type Host struct {
	Line int // of the "dsengine" line; 0 if there is none

	// SyslogListen are the "syslog listen udp|tcp|unix ADDRESS" lines.
	SyslogListen []Listener
	// SyslogFiles are the "syslog file PATH" lines: logs to follow.
	SyslogFiles []FileRef
	// SyslogQueueSize is "syslog queue-size N": how many received lines
	// may wait for the detectors. Read it with QueueSize.
	SyslogQueueSize     int
	SyslogQueueSizeLine int
	// SyslogReceiveBuffer is "syslog receive-buffer BYTES": the socket
	// receive buffer of the udp and unix inputs. Read it with
	// ReceiveBuffer.
	SyslogReceiveBuffer     int
	SyslogReceiveBufferLine int
	// ControlSocket is "control-socket PATH".
	ControlSocket     string
	ControlSocketLine int
	// MetricsListen is "metrics listen HOST:PORT" (Prometheus).
	MetricsListen     string
	MetricsListenLine int
	// MetricsPprof is "metrics pprof": the Go runtime's profiles served at
	// /debug/pprof/ on the metrics address (off by default: they show the
	// daemon's internals and a CPU profile costs CPU).
	MetricsPprof     bool
	MetricsPprofLine int
	// WatchFiles are the "watch file PATH" lines: a change of such a file
	// is a configuration event.
	WatchFiles []FileRef
	// LiteralFreePatterns is "match literal-free-patterns N": how many
	// syslog patterns without a literal (which the match index runs on
	// every line) the registered DS and applets may have in all. Read it
	// with LiteralFreeLimit.
	LiteralFreePatterns     int
	LiteralFreePatternsLine int
	// MatchBudget is "match time-budget PERCENT": the share of one CPU a
	// DS or applet may spend in its syslog patterns, measured over
	// MatchWindow, before it is moved to failed. Read it with
	// MatchBudgetPercent.
	MatchBudget     int
	MatchBudgetLine int
	// SNMP are the "snmp agent" and "snmp trap-host" lines.
	SNMP SNMP
	// Sources are the "source NAME [ARGUMENT ...]" lines: the host's
	// native event sources (netlink, kmsg, journal, …) the daemon runs.
	Sources []SourceRef
}

// SourceRef is one "source NAME [ARGUMENT ...]" line. The daemon's source
// table (ds/events/source/types) knows the names and checks the
// arguments.
type SourceRef struct {
	Name string
	Args []string
	Line int
}

// Key identifies the source the line runs: its name and arguments. A
// reload keeps a source whose line is unchanged running.
func (s SourceRef) Key() string { return strings.Join(append([]string{s.Name}, s.Args...), " ") }

// The defaults and bounds of the match lines of the dsengine block.
const (
	DefaultLiteralFreePatterns = 64
	MaxLiteralFreePatterns     = 100000
	DefaultMatchBudget         = 10 // percent of one CPU
)

// The defaults and bounds of the syslog lines of the dsengine block. The
// default queue holds 100 ms of lines at 300,000 lines/s.
const (
	DefaultSyslogQueueSize     = 32768
	MaxSyslogQueueSize         = 4 << 20
	DefaultSyslogReceiveBuffer = 8 << 20
	MinSyslogReceiveBuffer     = 4096
	MaxSyslogReceiveBuffer     = 1 << 30
)

// QueueSize is "syslog queue-size", or its default.
func (h Host) QueueSize() int {
	if h.SyslogQueueSizeLine == 0 {
		return DefaultSyslogQueueSize
	}
	return h.SyslogQueueSize
}

// ReceiveBuffer is "syslog receive-buffer", or its default.
func (h Host) ReceiveBuffer() int {
	if h.SyslogReceiveBufferLine == 0 {
		return DefaultSyslogReceiveBuffer
	}
	return h.SyslogReceiveBuffer
}

// LiteralFreeLimit is "match literal-free-patterns", or its default.
func (h Host) LiteralFreeLimit() int {
	if h.LiteralFreePatternsLine == 0 {
		return DefaultLiteralFreePatterns
	}
	return h.LiteralFreePatterns
}

// MatchBudgetPercent is "match time-budget", or its default.
func (h Host) MatchBudgetPercent() int {
	if h.MatchBudgetLine == 0 {
		return DefaultMatchBudget
	}
	return h.MatchBudget
}

// Listener is one "syslog listen NETWORK ADDRESS" line.
type Listener struct {
	Network string // "udp", "tcp" or "unix"
	Address string // host:port, or a socket path for unix
	Line    int
}
