package detector

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/internal/lazyre"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/vars"
)

// Detector is one registered event: it watches its input and calls the
// owner's fire function when the event happens. The Hub constructs it
// through the table, feeds it through one of the input interfaces below
// (SyslogInput, OIRInput, ConfigInput, TrackInput, CLIInput, Runner), or
// through the clock alone (periodic, immediate), and stops it when the
// registration ends.
type Detector interface {
	// Start begins detecting. ctx ends when the registration does; Start
	// must not block.
	Start(ctx context.Context) error
	// Stop ends detecting: no fire starts after Stop returns, except one
	// already past its checks in another goroutine. Stop is idempotent.
	Stop()
}

// Env is what a detector's constructor gets besides the event.
type Env struct {
	Owner string   // the owner key given to Register: a DS id, or an applet name
	Clock ds.Clock // the only source of time
	// Vars are the values for ${ds_x} in the event's attributes (the
	// system, environment and prompt variables of the DS).
	Vars map[string]string
	// Host is the local host name, Fired.Host of events that carry no
	// syslog message.
	Host string
	// Fire is called, in the goroutine that delivered the input (or the
	// clock's), each time the event happens. It must not block for long.
	Fire func(Fired)
	Log  *slog.Logger
	// SysRoot is where sysfs is mounted, for the detectors that poll it
	// (event interface); "" is /sys. Tests point it at a fixture.
	SysRoot string
	// SNMPGet asks the configuration's `snmp agent` for oid's value (get),
	// or for the variable after it (next): `event snmp` polls with it. Nil
	// when the host has no SNMP.
	SNMPGet func(ctx context.Context, oid string, next bool) (SNMPValue, error)
	// CDP reports whether a source of the configuration reports CDP
	// neighbours (`source lldp cdp`); nil is false.
	CDP func() bool
}

// SNMPValue is one variable an SNMP agent returned.
type SNMPValue struct {
	OID   string // numeric, without a leading dot
	Type  string // the ASN.1 type ("Integer", "OctetString", "Counter32" …)
	Value string // text: numbers in decimal
}

// Fired is one occurrence of a registered event.
type Fired struct {
	// Registration is the ID of the registration that fired (set by the
	// Hub), so an owner can drop a fire that raced its Deregister.
	Registration uint64
	Owner        string       // the owner key of the registration
	EventID      string       // the event's id attribute or EEM tag
	Type         ds.EventType // the detector type
	Time         time.Time    // when it fired, on the clock (a schedule's planned time for periodic events)
	Host         string       // the syslog message's host, else the local host name

	// Message is a copy (events.Message.Clone) of the syslog message that
	// fired the event, nil when no message did (injected OIR, a file
	// change, timers, track probes).
	Message *events.Message
	// Count is how many occurrences completed the event (the occurs
	// count of syslog and cli events), 1 for other types.
	Count int
	// Payload is what the detector type adds (oir.Fire, track.Fire …):
	// its fields, variables and description. Nil for a type that adds
	// nothing.
	Payload Payload
}

// SlotUnknown is OIR.Slot (and oir.Fire.Slot) when the slot is not a number
// (IOS XE names some slots F0, R0, P0); only slot "any" matches it.
const SlotUnknown = -2

// Track states.
const (
	StateUp      = "up"
	StateDown    = "down"
	StateUnknown = "unknown"
)

// OIR actions.
const (
	ActionInsert = "insert"
	ActionRemove = "remove"
	ActionAny    = "any"
)

// OIR is one online insertion or removal.
type OIR struct {
	Time     time.Time
	Slot     int    // SlotUnknown when SlotName is not a number
	SlotName string // as written
	Action   string // ActionInsert or ActionRemove
	Host     string
	Message  *events.Message // the %OIR message, nil when injected; valid only during the call
}

// ConfigChange is one change of the device configuration.
type ConfigChange struct {
	Time time.Time
	// Line is the change line: the %SYS-5-CONFIG_I text ("Configured from
	// console by admin on vty0 (192.0.2.1)"), or "file PATH changed".
	Line    string
	Path    string // the changed file, "" for a syslog message
	Host    string
	Message *events.Message // the %SYS-5-CONFIG_I message; valid only during the call
}

// TrackChange is a tracked object changing state.
type TrackChange struct {
	Time    time.Time
	Object  int
	State   string          // StateUp or StateDown
	Prev    string          // StateUp, StateDown or StateUnknown
	Message *events.Message // the %LINEPROTO message behind it, if any; valid only during the call
}

// SyslogInput is a detector fed by syslog messages whose body its
// regular expression matches. The Hub indexes Regexp with every other
// registered pattern and calls Syslog only for messages it matches.
type SyslogInput interface {
	Detector
	Regexp() *lazyre.Regexp
	// Syslog is called with a message Regexp matches; m is valid only
	// during the call.
	Syslog(m *events.Message)
}

// OIRInput is a detector fed by online insertion and removal events.
type OIRInput interface {
	Detector
	OIR(e OIR)
}

// ConfigInput is a detector fed by configuration changes.
type ConfigInput interface {
	Detector
	ConfigChange(c ConfigChange)
}

// TrackInput is a detector fed by tracked objects' state changes.
type TrackInput interface {
	Detector
	TrackChange(c TrackChange)
}

// CLIInput is a detector fed by the commands operators type. Its verdict
// says whether the command may run (EEM `event cli ... sync yes|no skip
// yes|no`).
type CLIInput interface {
	Detector
	CLI(at time.Time, command string) CLIVerdict
}

// CLIVerdict is what a cli event decides about a command before it runs.
type CLIVerdict struct {
	// Skip blocks the command (skip yes): the applet runs instead.
	Skip bool
	// Sync, set when the event fired with sync yes, is the event the
	// caller runs the owner's actions on before the command, waiting for
	// them: its $_exit_status decides (0 blocks the command). It was not
	// fired through Env.Fire.
	Sync *Fired
}

// CounterInput is a detector fed by the changes of EEM counters (the
// applets' `action counter`).
type CounterInput interface {
	Detector
	Counter(at time.Time, name string, value int64)
}

// HostEvent is an event one of the host's native sources raised
// (ds/events/source): a route added, a neighbor gone. Its Go type says
// what it is; EventType names the detector type it is for.
type HostEvent interface {
	EventType() ds.EventType
}

// HostInput is a detector fed by the host's native event sources; it
// takes the events of its own type and ignores the others.
type HostInput interface {
	Detector
	HostEvent(e HostEvent)
}

// Runner is a detector fired by hand (EEM "event none").
type Runner interface {
	Detector
	Run(at time.Time, args []string)
}

// AlertGrouper is a detector that adds its owner's command outputs to a
// Call Home alert group's messages instead of firing.
type AlertGrouper interface {
	Detector
	AlertGroup() string
}

// Base returns a Fired with the fields every type fills: owner, event id,
// type, time, host, count 1.
func (e Env) Base(ev ds.Event, at time.Time) Fired {
	return Fired{Owner: e.Owner, EventID: ev.ID, Type: ev.Type, Time: at, Host: e.Host, Count: 1}
}

// CompilePattern substitutes ${ds_x} in pattern from values and compiles
// the result (RE2). A reference with no value is an error naming it, so
// the caller can keep the DS pending.
func CompilePattern(pattern string, values map[string]string) (*lazyre.Regexp, error) {
	s, missing := vars.Substitute(pattern, values)
	if len(missing) > 0 {
		return nil, fmt.Errorf("pattern %q: no value for %s", pattern, strings.Join(missing, ", "))
	}
	// Checked now, compiled when a line first gets past its literals.
	re, err := lazyre.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", s, err)
	}
	return re, nil
}

// SyslogVars returns the syslog variables of m (SPEC §3): ds_syslog_msg
// (the body, from the tag's '%'), ds_syslog_facility ("LINK"),
// ds_syslog_severity (the digit), ds_syslog_mnemonic ("UPDOWN"),
// ds_syslog_host, and the capture groups of a match (GroupVars).
func SyslogVars(m *events.Message, groups []string) map[string]string {
	v := make(map[string]string, 5+max(len(groups)-1, 0))
	v["ds_syslog_msg"] = m.Body
	v["ds_syslog_facility"] = m.Facility
	v["ds_syslog_severity"] = strconv.Itoa(int(m.Severity))
	v["ds_syslog_mnemonic"] = m.Mnemonic
	v["ds_syslog_host"] = m.Host
	return GroupVars(v, groups)
}

// GroupVars sets ds_syslog_1 … in v from groups[1:], the capture groups of
// a regexp.FindStringSubmatch ("" for a group that took no part), and
// returns v.
func GroupVars(v map[string]string, groups []string) map[string]string {
	for i := 1; i < len(groups); i++ {
		if i < len(groupNames) {
			v[groupNames[i]] = groups[i]
		} else {
			v["ds_syslog_"+strconv.Itoa(i)] = groups[i]
		}
	}
	return v
}

// groupNames are the first group variables' names, made once.
var groupNames = func() []string {
	names := make([]string, 10)
	for i := range names {
		names[i] = "ds_syslog_" + strconv.Itoa(i)
	}
	return names
}()
