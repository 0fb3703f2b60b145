package config

import (
	"time"

	"github.com/dsengine/dsengine/ds"
)

// DefaultMaxRun is how long an applet's actions may run when no event line
// says "maxrun" (EEM default).
const DefaultMaxRun = 20 * time.Second

// EventManager holds the "event manager" lines.
type EventManager struct {
	Environment Environment // event manager environment NAME VALUE
	Applets     []*Applet   // in configuration order
}

// Applet is an "event manager applet NAME" block.
type Applet struct {
	Name        string
	Description string
	// Events are the event lines, in order. A lone untagged event has ID
	// "e1"; tagged events have their tag as ID, or "tag_<tag>" when the tag
	// is not an expr identifier (IOS allows "event tag 1 ...").
	Events []ds.Event
	// Trigger correlates the events: nil for a single event without a
	// "trigger" block. Its Expr is an expr-lang boolean over event IDs and
	// track_N terms, e.g. "e1 and not e2" or "count(e1) >= 3 or track_10".
	Trigger *ds.Correlate
	// TriggerBlock is the "trigger" block as written, nil when there is
	// none; the parser builds Trigger from it and the events.
	TriggerBlock *AppletTrigger
	// MaxRun is the longest "maxrun" of the event lines, DefaultMaxRun if
	// none gives one.
	MaxRun time.Duration
	// Actions are sorted as IOS runs them: by label compared as strings,
	// so "10.0" runs after "1.0" and before "2.0".
	Actions []AppletAction
	Line    int
	// The options of the applet line: `authorization bypass`, `class
	// A-Z|default` ("" when not given) and `trap` (send an SNMP trap when
	// the applet runs).
	AuthorizationBypass bool
	Class               string
	Trap                bool
}

// AppletAction is one "action LABEL VERB ARGS..." line.
type AppletAction struct {
	Label string
	Verb  string   // cli, syslog, set, if, …
	Args  []string // the words after the verb, quotes removed
	Line  int
}

// AppletTrigger is an applet's "trigger [occurs N] [period S] [period-start
// CRON] [delay S]" line and the correlate and attribute lines under it.
type AppletTrigger struct {
	Occurs      int           // 1 when not given
	Period      time.Duration // 0 when not given
	PeriodStart string
	Delay       time.Duration
	// Correlate is the words after "correlate" ("event", "a", "and",
	// "track", "10"), nil when there is no correlate line.
	Correlate     []string
	CorrelateLine int
	Attributes    []TriggerAttribute // in configuration order
	Line, Col     int
}

// TriggerAttribute is an "attribute tag TAG occurs N" line.
type TriggerAttribute struct {
	Tag    string
	Occurs int
	Line   int
}
