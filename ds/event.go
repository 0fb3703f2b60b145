package ds

import "time"

// EventType names a detector (SPEC §2). The detector table
// (ds/events/detect/types) lists the types, each described by its own
// package; the constants below name the built-in ones.
type EventType string

// The event types. EventNone and EventCLI come only from EEM lines.
const (
	EventSyslog    EventType = "syslog"
	EventPeriodic  EventType = "periodic"
	EventOIR       EventType = "oir"
	EventConfig    EventType = "config"
	EventImmediate EventType = "immediate"
	EventCallHome  EventType = "call-home"
	EventEEM       EventType = "eem"
	EventTrack     EventType = "track"
	EventNone      EventType = "none" // EEM "event none": run by hand
	EventCLI       EventType = "cli"  // EEM "event cli pattern"
	EventCounter   EventType = "counter"
	// EEM detectors that need the Linux event sources: parsed and checked
	// only, until those exist.
	EventSNMP      EventType = "snmp"
	EventRouting   EventType = "routing"
	EventInterface EventType = "interface"
	EventNeighbor  EventType = "neighbor-discovery"
)

// TimerKind distinguishes periodic schedules.
type TimerKind string

// The timer kinds: cron and interval come from DS attributes; watchdog,
// countdown and absolute from EEM "event timer" lines.
const (
	TimerCron      TimerKind = "cron"
	TimerInterval  TimerKind = "interval"  // repeats every Interval (same as EEM watchdog)
	TimerWatchdog  TimerKind = "watchdog"  // EEM: re-arms after each expiry
	TimerCountdown TimerKind = "countdown" // EEM: fires once after Interval
	TimerAbsolute  TimerKind = "absolute"  // EEM: fires once at Interval after the epoch
)

// Event is one detector specification. Which fields matter depends on
// Type; an EEM line is parsed into the same fields, with Type set to what
// the line detects and EEMLine keeping the original text.
type Event struct {
	ID   string // the id attribute or the EEM tag; "e1" when a DS has one untagged event
	Type EventType
	Pos  Pos

	// syslog, config (optional), cli: RE2 pattern, may contain ${ds_x} until rendered.
	Pattern   string
	Occurs    int           // syslog, cli: matches needed; default 1
	Period    time.Duration // syslog, cli: within this period; 0 = no limit
	Severity  Severity      // syslog: at or above (numerically at most); SeverityAny = all
	GroupBy   string        // syslog: "host" or ds_ variables, space-separated: Occurs/Period per key
	MaxKeys   int           // with GroupBy: keys kept; 0 = the default (correlate.DefaultMaxKeys)
	RateLimit time.Duration // EEM ratelimit, any type: fires within this time of the last one are dropped

	// periodic
	Timer    TimerKind
	Cron     string        // 5 fields, or 6 with seconds; @daily etc.
	Interval time.Duration // interval, watchdog, countdown, absolute
	Name     string        // EEM timer name; the counter of an EEM counter event

	// oir
	Slot      int    // SlotAny or a slot number
	OIRAction string // "insert", "remove" or "any"

	// call-home
	AlertGroup string

	// track
	TrackObject int
	TrackState  string // "up", "down" or "any"

	// EEM counter (and later snmp, interface): when to fire and re-arm
	Threshold Threshold

	// EEM none: sync yes runs the applet before the command returns;
	// SyncDefault is how long to wait for it (0: until maxrun).
	Sync        bool
	SyncDefault time.Duration

	// eem: the event line as written in the DS, e.g. `event syslog pattern "X" occurs 2`
	EEMLine string
	MaxRun  time.Duration // EEM maxrun: longest run of the actions; 0 = default (20s)
}

// Threshold is an EEM entry and exit condition on a value: the event
// fires when Value EntryOp EntryVal holds, then waits to re-arm until the
// exit condition (ExitOp ExitVal, ExitTime after the fire, or both as
// ExitComb says) holds.
type Threshold struct {
	EntryOp  string // gt, ge, eq, ne, lt or le
	EntryVal int64
	ExitComb string // "and" or "or"; "" is or
	ExitOp   string // "" when the line has no exit-op
	ExitVal  int64
	ExitTime time.Duration // 0 when the line has no exit-time
}

// SlotAny matches every slot of an OIR event.
const SlotAny = -1

// Severity is a syslog severity, 0 (emergency) to 7 (debugging).
type Severity int

// SeverityAny matches every severity.
const SeverityAny Severity = 8

// SeverityNames are the IOS keywords for severities 0..7, in order.
var SeverityNames = []string{
	"emergencies", "alerts", "critical", "errors", "warnings", "notifications", "informational", "debugging",
}

// severityAliases accepts the RFC 5424 and short spellings too.
var severityAliases = map[string]Severity{
	"emerg": 0, "emergency": 0, "emergencies": 0,
	"alert": 1, "alerts": 1,
	"crit": 2, "critical": 2,
	"err": 3, "error": 3, "errors": 3,
	"warn": 4, "warning": 4, "warnings": 4,
	"notice": 5, "notification": 5, "notifications": 5,
	"info": 6, "informational": 6,
	"debug": 7, "debugging": 7,
	"all": SeverityAny, "any": SeverityAny,
}

// ParseSeverity reads a severity keyword ("error", "notifications", "all")
// or a digit 0-7.
func ParseSeverity(s string) (Severity, bool) {
	if len(s) == 1 && s[0] >= '0' && s[0] <= '7' {
		return Severity(s[0] - '0'), true
	}
	sev, ok := severityAliases[s]
	return sev, ok
}

// String returns the IOS keyword of the severity.
func (s Severity) String() string {
	if s >= 0 && int(s) < len(SeverityNames) {
		return SeverityNames[s]
	}
	return "all"
}

// Admits reports whether a message of severity msg passes a threshold of s.
func (s Severity) Admits(msg Severity) bool { return s == SeverityAny || msg <= s }
