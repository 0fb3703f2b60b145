package detector

import (
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// Descriptor is everything the rest of dsengine knows about one event
// type, declared by the type's own package as its exported Descriptor
// value (detect/syslog.Descriptor, detect/oir.Descriptor …) and listed in
// the one table, detect/types. ds/parse reads a DS's <Event> attributes
// and EEM lines through it, the Hub builds detectors with it, and the show
// views describe events with it.
type Descriptor struct {
	// Type is the name <Event type="..."> and Fired.Type use.
	Type ds.EventType
	// Summary says in one line what fires the event.
	Summary string
	// README is the type's README.md (what it watches, its attributes
	// and EEM form, its variables, an example), embedded from its folder.
	README string

	// EEMOnly says that only an EEM event line can name the type:
	// <Event type="Type"> is an unknown type.
	EEMOnly bool
	// Attrs are the attributes <Event type="Type"> takes besides id and
	// type, in the order error messages list them; nil when it takes none.
	Attrs []Attr
	// ParseAttrs reads and validates the attributes into ev (whose
	// Severity is ds.SeverityAny); it reports problems through a and
	// may be nil when Attrs is.
	ParseAttrs func(a Attrs, ev *ds.Event)
	// EEM is the type's EEM event-line form, nil when EEM has none.
	EEM *eem.Form

	// New builds the detector of a parsed event (its ${ds_x} references
	// filled in from env.Vars) and validates it. Nil for eem, whose line
	// is parsed into one of the other types before registration.
	New func(ev ds.Event, env Env) (Detector, error)
	// Show describes a parsed event of the type in one line, for
	// `show call-home diagnostic-signature ID events`.
	Show func(ev ds.Event) string

	// Builtins name the applet $_ variables the type's fires set, for its
	// documentation.
	Builtins []string
	// Vars are the ds_ variables the type's fires set (what its Payload's
	// Vars returns), for lint (ds/parse.EventVarNames) and the docs.
	Vars []Var
	// Captures says that the capture groups of the event's pattern set
	// ds_syslog_1, ds_syslog_2 … (and ds_syslog_NAME for a group named
	// (?P<NAME>…)) on every fire.
	Captures bool
}

// Var is one ds_ variable a type's fires set.
type Var struct {
	Name string
	// When is "" when every fire sets it, else when a fire does, as a
	// phrase: "when a syslog message reported the change". Lint warns
	// about a variable only some fires set.
	When string
}

// SyslogVarList returns the variables of the syslog message that fired
// an event (SyslogVars sets them); when says when (see Var.When).
func SyslogVarList(when string) []Var {
	out := make([]Var, len(ds.SyslogVariables))
	for i, n := range ds.SyslogVariables {
		out[i] = Var{Name: n, When: when}
	}
	return out
}

// Attr documents one attribute of <Event type="...">.
type Attr struct {
	Name string
	Doc  string // what it means, its values and default, in a phrase
}

// Attrs reads the attributes of one <Event> element for a descriptor's
// ParseAttrs and records problems in the DS file's error list, positioned
// at the attribute (or the element). ds/parse implements it; the messages
// it builds are the file format's.
type Attrs interface {
	// What is how messages name the element: <Event type="periodic">.
	What() string
	// Get returns an attribute's value and whether the element has it.
	Get(name string) (string, bool)
	// Required returns a mandatory attribute, reporting it when it is
	// missing or empty.
	Required(name string) (string, bool)
	// Count reads an optional whole number from 1 to 4294967295, 1 when
	// the attribute is absent or bad (and reported).
	Count(name string) int
	// Duration reads an optional Go duration: at least min, and above 0
	// when positive. It reports false when absent or bad (and reported).
	Duration(name string, min time.Duration, positive bool) (time.Duration, bool)
	// OneOf reads an optional keyword among allowed, dflt when absent or
	// bad (and reported).
	OneOf(name, dflt string, allowed ...string) string
	// Pattern checks value, the RE2 pattern (with ${ds_x} placeholders) of
	// attribute name, and returns it.
	Pattern(name, value string) string
	// Errorf reports a problem with attribute name, at the attribute.
	Errorf(name, format string, args ...any)
	// ElemErrorf reports a problem with the element as a whole.
	ElemErrorf(format string, args ...any)
	// Clip shortens a value quoted in a message (a value may be as long
	// as the file); ClipErr does the same for an error's text.
	Clip(s string) string
	ClipErr(err error) string
}

// Constructor turns a type package's New, which returns its own detector
// type, into a Descriptor.New (without turning a nil *D into a non-nil
// Detector).
func Constructor[D Detector](f func(ds.Event, Env) (D, error)) func(ds.Event, Env) (Detector, error) {
	return func(ev ds.Event, env Env) (Detector, error) {
		d, err := f(ev, env)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}
