package script

import (
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Script is one <Action type="script" lang="lua">.
type Script struct {
	Name    string        // names the chunk in errors and tracebacks, e.g. "6033#4"; "script" if empty
	Text    string        // the Lua source, ${ds_x} already rendered or not (ds_ variables are globals too)
	Timeout time.Duration // the action's timeout attribute; 0 means Options.Timeout
	// File and Line say where Text starts: Lua's line N is the file's
	// line Line+N-1, and errors and tracebacks read "File:line:" (the
	// name when File is empty; line 1 when Line is 0).
	File string
	Line int
}

// Env is what a run sees of the engine: the ds_ variables and the event(s)
// that triggered the DS.
type Env struct {
	Vars   map[string]string // ds_ variables, set as globals before the script starts
	Event  EventInfo         // event_reqinfo()
	Events []EventInfo       // event_reqinfo_multi(); when empty, Event alone
}

// EventInfo describes one event, as event_reqinfo returns it.
type EventInfo struct {
	ID     int          // event_id: the engine's running event number
	Tag    string       // the DS event id ("e1") or EEM tag; event_tag
	Type   ds.EventType // event_type and event_type_string ("syslog", "oir", ...)
	Time   time.Time    // event_pub_sec, event_pub_msec
	Msg    string       // msg: the syslog message, or a description of the event
	Fields map[string]string
	// Fields are further fields as the detector names them (priority,
	// facility, host, mnemonic, slot, state, ...); they never replace
	// the fields above.
}

// Result is what a run produced. Run returns it also with an error, holding
// what the script did up to the failure.
type Result struct {
	Output    string            // what print and puts wrote, at most Options.OutputLimit bytes plus a note
	Truncated bool              // output beyond Options.OutputLimit was dropped
	Vars      map[string]string // ds_ globals the script created or changed (strings and numbers), nil if none
	Duration  time.Duration     // measured with Options.Clock
	Steps     int64             // Lua instructions executed, including coroutines
	// Stopped is set when the script ended the DS's run: it called
	// ds_stop(reason) or its chunk returned false. The actions after it
	// must not run; StopReason says why ("ds_stop: ...", "returned false").
	Stopped    bool
	StopReason string
}

// Options configures a Runner. The zero value gives the defaults.
type Options struct {
	// Timeout is the longest a script may run when Script.Timeout is 0
	// (default 5s). The caller's context may end it sooner.
	Timeout time.Duration
	// MemoryLimit bounds how much the live Go heap may grow while a script
	// runs (default 64 MiB); see the package documentation for what it
	// guarantees.
	MemoryLimit int64
	// MaxString is the largest string a script may build (default
	// MemoryLimit/4, at least 1 MiB).
	MaxString int
	// OutputLimit is how much print/puts output is kept (default 64 KiB);
	// an error message the script raises is cut to it too.
	OutputLimit int
	// MaxSyslogLines and MaxSyslogBytes bound what one run may log with
	// action_syslog: lines, and bytes of message text (defaults 256 and
	// 256 KiB). A call past either fails with SYSLOG_ERR.
	MaxSyslogLines int
	MaxSyslogBytes int
	// MaxInstructions stops a script after that many Lua instructions;
	// 0 means no limit beyond the timeout.
	MaxInstructions int64
	// MaxCoroutines is how many coroutines one run may create (default 256).
	MaxCoroutines int
	// MaxCLISessions is how many CLI sessions one run may have open at
	// once (default 4).
	MaxCLISessions int
	// MaxScriptSize is the largest script text accepted (default 256 KiB).
	MaxScriptSize int
	// PoolSize is how many prepared Lua states are kept for reuse
	// (default 4); a negative size keeps none, so every run builds a
	// fresh state.
	PoolSize int
	// CacheSize is how many compiled scripts are kept (default 128).
	CacheSize int
	// Clock measures Result.Duration and dates nothing else (default the
	// wall clock). Timeouts always use real time.
	Clock ds.Clock
	// OnCap, when set, is called with CapOutput, CapError or CapSyslog
	// each time a run's output, error message or log volume is cut or
	// refused at its cap (the daemon counts them in its metrics).
	OnCap func(cap string)
}

// The caps OnCap names.
const (
	CapOutput = "script-output" // print output past OutputLimit dropped (once per run)
	CapError  = "script-error"  // an error message cut to OutputLimit
	CapSyslog = "script-syslog" // an action_syslog call past MaxSyslogLines or MaxSyslogBytes refused
)

// The defaults.
const (
	DefaultTimeout        = 5 * time.Second
	DefaultMemoryLimit    = 64 << 20
	DefaultOutputLimit    = 64 << 10
	DefaultMaxSyslogLines = 256
	DefaultMaxSyslogBytes = 256 << 10
	DefaultMaxCoroutines  = 256
	DefaultMaxCLISessions = 4
	DefaultMaxScriptSize  = 256 << 10
	DefaultPoolSize       = 4
	DefaultCacheSize      = 128
)

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	if o.MaxString <= 0 {
		o.MaxString = int(o.MemoryLimit / 4)
		if o.MaxString < 1<<20 {
			o.MaxString = 1 << 20
		}
	}
	if o.OutputLimit <= 0 {
		o.OutputLimit = DefaultOutputLimit
	}
	if o.MaxSyslogLines <= 0 {
		o.MaxSyslogLines = DefaultMaxSyslogLines
	}
	if o.MaxSyslogBytes <= 0 {
		o.MaxSyslogBytes = DefaultMaxSyslogBytes
	}
	if o.OnCap == nil {
		o.OnCap = func(string) {}
	}
	if o.MaxCoroutines <= 0 {
		o.MaxCoroutines = DefaultMaxCoroutines
	}
	if o.MaxCLISessions <= 0 {
		o.MaxCLISessions = DefaultMaxCLISessions
	}
	if o.MaxScriptSize <= 0 {
		o.MaxScriptSize = DefaultMaxScriptSize
	}
	if o.PoolSize == 0 {
		o.PoolSize = DefaultPoolSize
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.Clock == nil {
		o.Clock = ds.RealClock{}
	}
	return o
}
