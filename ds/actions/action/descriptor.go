package action

import (
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// Descriptor is what an action type says about itself: the table in
// ds/actions/types lists one per type, and ds/parse, the engine's action
// table, lint and the docs read it.
type Descriptor struct {
	Type    ds.ActionType
	Summary string // one line: what the action does
	README  string // the type's README.md, embedded
	// Attrs are the attributes beyond type, each with its documentation.
	Attrs []Attr
	// Parse reads the attributes and the text of an <Action> of this
	// type into act, reporting problems through a.
	Parse func(a Attrs, act *ds.Action)
	// New builds the type's Action.
	New func(Deps) Action
	// Lint, when set, checks a parsed action more deeply than Parse (a
	// script compiles); its errors are file:line:col: messages.
	Lint func(a ds.Action) []error
	// Show describes a parsed action of the type in one line, for `show
	// call-home diagnostic-signature ID actions`; dsProfile is the DS
	// profile's name. Nil shows the text on one line.
	Show func(a ds.Action, sig *ds.Signature, dsProfile string) string
}

// OneLine is an action's text on one line, cut at 70 characters: what
// `show … actions` prints of a command or a message.
func OneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 70 {
		return string(r[:69]) + "~"
	}
	return s
}

// Attr is one attribute of an action type.
type Attr struct{ Name, Doc string }

// Deps are what an Action may need to be built.
type Deps struct {
	// Clock times scripts (their timeouts and the time they read).
	Clock ds.Clock
	// OnCap, when set, is called with a cap's name each time an action
	// cuts or refuses something at one of its caps (a script's log
	// volume, its error message); the daemon counts them.
	OnCap func(cap string)
}

// Attrs reads one <Action> element for its type's Parse, reporting each
// problem at the attribute (or the element) as file:line:col. ds/parse
// implements it; the messages it builds are the file format's.
type Attrs interface {
	// What is how messages name the element: <Action type="emailto">.
	What() string
	// Get returns an attribute's value and whether the element has it.
	Get(name string) (string, bool)
	// Required returns a mandatory attribute, reporting it when it is
	// missing or empty.
	Required(name string) (string, bool)
	// Duration reads an optional Go duration: at least min, and above 0
	// when positive. It reports false when absent or bad (and reported).
	Duration(name string, min time.Duration, positive bool) (time.Duration, bool)
	// OneOf reads an optional keyword among allowed, dflt when absent or
	// bad (and reported).
	OneOf(name, dflt string, allowed ...string) string
	// Text is the element's text as written (CDATA included).
	Text() string
	// NoText reports text in an element that takes none.
	NoText()
	// Errorf reports a problem with attribute name, at the attribute.
	Errorf(name, format string, args ...any)
	// ElemErrorf reports a problem with the element as a whole.
	ElemErrorf(format string, args ...any)
	// Clip shortens a value quoted in a message; ClipErr does the same
	// for an error's text.
	Clip(s string) string
	ClipErr(err error) string
}

// Timeout reads the optional timeout attribute of a command or script,
// kept as written once checked.
func Timeout(a Attrs) string {
	if _, ok := a.Duration("timeout", 0, true); ok {
		v, _ := a.Get("timeout")
		return v
	}
	return ""
}

// TimeoutOf is the action's timeout attribute as a duration; 0 when it
// has none (the type's default applies). Parse has checked it.
func TimeoutOf(a ds.Action) time.Duration {
	d, err := time.ParseDuration(a.Timeout)
	if err != nil || d <= 0 {
		return 0
	}
	return d
}
