package ds

import (
	"fmt"
	"time"
)

// Pos is a position in a source file, 1-based. A zero Pos means unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col, the form editors jump to.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Signature is one parsed and validated DS file.
type Signature struct {
	ID           string // unique number, as text ("6030")
	Revision     Revision
	Name         string // ShortDescription, shown in tables
	Description  string
	Prerequisite Prerequisite
	Variables    []Variable
	Events       []Event
	Correlate    *Correlate // nil unless several events are correlated
	Actions      []Action   // in document order
	Pos          Pos        // of the root element
}

// Prerequisite lists what the host must offer for the DS to register.
type Prerequisite struct {
	Platforms        []string // any one must match; empty means any platform
	MinEngineVersion Revision // empty means any version
	Pos              Pos
}

// Variable declares a ds_ variable and where its value comes from.
type Variable struct {
	Name    string
	Source  VariableSource
	Prompt  string // source prompt: the question asked at install
	Default string // source prompt: the answer offered
	Command string // source regex: the command whose output is searched
	Pattern string // source regex: RE2 with one capture group
	Pos     Pos
}

// VariableSource says where a variable's value comes from (SPEC §3).
type VariableSource string

// The variable sources.
const (
	SourceSystem      VariableSource = "system"
	SourceEnvironment VariableSource = "environment"
	SourcePrompt      VariableSource = "prompt"
	SourceRegex       VariableSource = "regex"
	SourceSyslog      VariableSource = "syslog"
)

// SystemVariables are always declared and resolved by the engine.
var SystemVariables = []string{
	"ds_hostname", "ds_signature_id", "ds_signature_name", "ds_signature_revision", "ds_timestamp",
}

// SyslogVariables are set from the syslog event that fired; ds_syslog_1,
// ds_syslog_2 … (capture groups) are declared too.
var SyslogVariables = []string{
	"ds_syslog_msg", "ds_syslog_facility", "ds_syslog_severity", "ds_syslog_mnemonic", "ds_syslog_host",
}

// Variable returns the declared variable with the given name.
func (s *Signature) Variable(name string) (Variable, bool) {
	for _, v := range s.Variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// Event returns the event with the given id.
func (s *Signature) Event(id string) (Event, bool) {
	for _, e := range s.Events {
		if e.ID == id {
			return e, true
		}
	}
	return Event{}, false
}

// Correlate combines several events into one trigger.
type Correlate struct {
	Expr        string        // expr-lang boolean over event ids: "e1 and (e2 or not e3)", count(e1) >= 3, seq(e1, e2)
	Window      time.Duration // events older than this no longer count; 0 = the default window
	Occurs      int           // the whole correlation must hold this many times (EEM trigger occurs), default 1
	Period      time.Duration // within this period (EEM trigger period); 0 = unbounded
	PeriodStart string        // cron expression that starts the period (EEM period-start)
	Delay       time.Duration // wait before raising the trigger (EEM trigger delay)
	GroupBy     string        // "host" or ds_ variables, space-separated: separate state per key; "" = one state
	MaxKeys     int           // with GroupBy: keys kept; 0 = the default (correlate.DefaultMaxKeys)
	Pos         Pos
}

// DefaultCorrelateWindow is the IOS window for an "and" of syslog events
// when no period is configured.
const DefaultCorrelateWindow = 3 * time.Minute
