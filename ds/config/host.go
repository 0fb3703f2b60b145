package config

// Host is the "dsengine" block: settings of the program itself, with no IOS
// equivalent. Empty fields mean the command line decides.
type Host struct {
	Line int // of the "dsengine" line; 0 if there is none

	// SyslogListen are the "syslog listen udp|tcp|unix ADDRESS" lines.
	SyslogListen []Listener
	// SyslogFiles are the "syslog file PATH" lines: logs to follow.
	SyslogFiles []FileRef
	// ControlSocket is "control-socket PATH".
	ControlSocket     string
	ControlSocketLine int
	// MetricsListen is "metrics listen HOST:PORT" (Prometheus).
	MetricsListen     string
	MetricsListenLine int
	// WatchFiles are the "watch file PATH" lines: a change of such a file
	// is a configuration event.
	WatchFiles []FileRef
}

// Listener is one "syslog listen NETWORK ADDRESS" line.
type Listener struct {
	Network string // "udp", "tcp" or "unix"
	Address string // host:port, or a socket path for unix
	Line    int
}
