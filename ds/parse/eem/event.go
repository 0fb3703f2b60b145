package eem

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds"
)

// Form is the EEM event-line form of one detector type: the keyword that
// follows `event [tag T]` and the function that reads the rest of the
// line. Each detector package declares its own (detect/syslog's is
// `syslog`, detect/periodic's `timer`); the detector table lists them.
type Form struct {
	// Keyword is the word after `event [tag T]`, such as "syslog".
	Keyword string
	// Parse reads the words after the keyword kw into l.Event and sets its
	// Type. It reports a problem with an error from l.Errorf (or from
	// l.Options, l.Require, l.Seconds).
	Parse func(l *Line, kw Field) error
}

// Parse parses one IOS EEM event line, such as
//
//	event syslog pattern "OSPF-5-ADJCHG" occurs 2 period 30
//	event tag e1 oir
//
// into the shared event model, with the form of forms whose keyword the
// line names (the detector table's forms; error messages list their
// keywords in that order). Options come in any order and at most once;
// ratelimit S and maxrun S are accepted on every line. S is seconds, possibly with a
// fraction (30.5). The event's ID is the tag, EEMLine the trimmed line;
// Pos is left to the caller. Errors are *SyntaxError, pointing at the
// offending word.
func Parse(line string, forms []Form) (ds.Event, error) {
	f, err := Fields(line)
	if err != nil {
		return ds.Event{}, err
	}
	l := &Line{line: line, f: f, seen: map[string]bool{}}
	if err := l.parse(forms); err != nil {
		return ds.Event{}, err
	}
	l.Event.EEMLine = trimBlanks(line)
	return l.Event, nil
}

// Value descriptions for Option.Value, used in error messages.
const (
	CountValue   = "a whole number from 1 to 4294967295"
	SecondsValue = "a number of seconds such as 30 or 30.5"
	PatternValue = `a quoted regular expression such as "LINK-3-UPDOWN"`
)

// maxSeconds bounds every time value: IOS takes 32-bit seconds.
const maxSeconds = 4294967295

// Line is one event line being parsed: a Form's Parse reads its words
// with Next and Options and fills in Event.
type Line struct {
	// Event is the event the line describes; Parse has set its ID (the
	// tag) and Severity (ds.SeverityAny) before calling the form.
	Event ds.Event

	line string
	f    []Field
	i    int
	seen map[string]bool
}

// Option is one keyword an event detector accepts after its name. Value
// describes the value it takes ("" for a bare keyword); Set stores it.
type Option struct {
	Name  string
	Value string
	Set   func(l *Line, val Field) error
	// Match, when set, makes the option every unquoted word it accepts
	// instead of the word Name (EEM's severity-major, severity-minor …);
	// Name then only names it for duplicates, and error messages do not
	// list it.
	Match func(word string) bool
}

// Errorf builds a SyntaxError at byte offset off. A word can be as long
// as the line, so the strings and errors quoted in the message are
// shortened.
func (l *Line) Errorf(off int, format string, args ...any) error {
	for i, a := range args {
		switch a := a.(type) {
		case string:
			args[i] = clip(a, 100)
		case error:
			args[i] = clip(a.Error(), 200)
		}
	}
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Next returns the next word of the line, and false at its end.
func (l *Line) Next() (Field, bool) {
	if l.i >= len(l.f) {
		return Field{}, false
	}
	l.i++
	return l.f[l.i-1], true
}

// clip cuts s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

func (l *Line) parse(forms []Form) error {
	keywords := make([]string, len(forms))
	for i, fm := range forms {
		keywords[i] = fm.Keyword
	}
	expected := strings.Join(keywords, ", ")
	if len(l.f) == 0 {
		return l.Errorf(0, "empty event line; expected event <detector> ...")
	}
	if w := l.f[0]; w.Quoted || w.Text != "event" {
		return l.Errorf(w.Offset, "line starts with %q; an EEM event line starts with event", w.Text)
	}
	l.i = 1
	if l.i < len(l.f) && !l.f[l.i].Quoted && l.f[l.i].Text == "tag" {
		if l.i+1 >= len(l.f) {
			return l.Errorf(l.f[l.i].Offset, "missing name after tag")
		}
		l.Event.ID = l.f[l.i+1].Text
		if l.Event.ID == "" {
			return l.Errorf(l.f[l.i+1].Offset, "empty tag name")
		}
		l.i += 2
	}
	det, ok := l.Next()
	if !ok {
		return l.Errorf(len(l.line), "missing event detector; expected %s", expected)
	}
	l.Event.Severity = ds.SeverityAny
	if !det.Quoted {
		for _, fm := range forms {
			if det.Text == fm.Keyword {
				return fm.Parse(l, det)
			}
		}
	}
	return l.Errorf(det.Offset, "unknown event detector %q; expected %s", det.Text, expected)
}

// Options reads the remaining words as options from opts (plus ratelimit
// and maxrun, which every detector takes), each at most once. what names
// the form in messages ("event syslog").
func (l *Line) Options(what string, opts []Option) error {
	opts = append(opts[:len(opts):len(opts)],
		Option{Name: "ratelimit", Value: SecondsValue, Set: func(l *Line, v Field) error {
			d, err := l.Seconds("ratelimit", v)
			l.Event.RateLimit = d
			return err
		}},
		Option{Name: "maxrun", Value: SecondsValue, Set: func(l *Line, v Field) error {
			d, err := l.Seconds("maxrun", v)
			l.Event.MaxRun = d
			return err
		}})
	for l.i < len(l.f) {
		w := l.f[l.i]
		l.i++
		var opt *Option
		for k := range opts {
			if opts[k].Match == nil && !w.Quoted && w.Text == opts[k].Name {
				opt = &opts[k]
			}
		}
		for k := range opts {
			if opt == nil && opts[k].Match != nil && !w.Quoted && opts[k].Match(w.Text) {
				opt = &opts[k]
			}
		}
		if opt == nil {
			var names []string
			for _, o := range opts {
				if o.Match == nil {
					names = append(names, o.Name)
				}
			}
			return l.Errorf(w.Offset, "unknown option %q for %s; expected %s", w.Text, what, strings.Join(names, ", "))
		}
		if l.seen[opt.Name] {
			return l.Errorf(w.Offset, "duplicate option %q for %s", w.Text, what)
		}
		l.seen[opt.Name] = true
		var val Field
		if opt.Value != "" {
			if l.i >= len(l.f) {
				return l.Errorf(w.Offset, "missing value after %s; expected %s", w.Text, opt.Value)
			}
			val = l.f[l.i]
			l.i++
		}
		if err := opt.Set(l, val); err != nil {
			return err
		}
	}
	return nil
}

// Require reports a mandatory option name that Options did not see, at
// the word at (the detector's keyword): "<what> needs <form>".
func (l *Line) Require(at Field, what, name, form string) error {
	if !l.seen[name] {
		return l.Errorf(at.Offset, "%s needs %s", what, form)
	}
	return nil
}

// PatternOption is `pattern "RE"`: an RE2 pattern (with ${ds_x}
// placeholders) into Event.Pattern.
func PatternOption() Option {
	return Option{Name: "pattern", Value: PatternValue, Set: func(l *Line, v Field) error {
		if v.Text == "" {
			return l.Errorf(v.Offset, "empty pattern")
		}
		if _, err := CheckPattern(v.Text); err != nil {
			return l.Errorf(v.Offset, "pattern is not a valid RE2 regular expression: %v", err)
		}
		l.Event.Pattern = v.Text
		return nil
	}}
}

// OccursOption is `occurs N` into Event.Occurs.
func OccursOption() Option {
	return Option{Name: "occurs", Value: CountValue, Set: func(l *Line, v Field) error {
		n, err := strconv.ParseUint(v.Text, 10, 32)
		if err != nil || n < 1 || v.Quoted {
			return l.Errorf(v.Offset, "occurs %q is not %s", v.Text, CountValue)
		}
		l.Event.Occurs = int(n)
		return nil
	}}
}

// PeriodOption is `period S` into Event.Period.
func PeriodOption() Option {
	return Option{Name: "period", Value: SecondsValue, Set: func(l *Line, v Field) error {
		d, err := l.Seconds("period", v)
		l.Event.Period = d
		return err
	}}
}

// Seconds reads an EEM time value: whole seconds with an optional fraction
// of up to nine digits, at most 4294967295. name names the option in the
// error.
func (l *Line) Seconds(name string, v Field) (time.Duration, error) {
	d, ok := ParseSeconds(v.Text)
	if !ok || v.Quoted {
		return 0, l.Errorf(v.Offset, "%s %q is not %s, up to %d", name, v.Text, SecondsValue, maxSeconds)
	}
	return d, nil
}

// ParseSeconds reads an EEM time value such as "30" or "30.5": whole
// seconds up to 4294967295 with an optional fraction of up to nine digits.
func ParseSeconds(s string) (time.Duration, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 10 || hasFrac && (frac == "" || len(frac) > 9) {
		return 0, false
	}
	var sec, ns int64
	for _, c := range []byte(whole) {
		if c < '0' || c > '9' {
			return 0, false
		}
		sec = sec*10 + int64(c-'0')
	}
	if sec > maxSeconds {
		return 0, false
	}
	scale := int64(time.Second)
	for _, c := range []byte(frac) {
		if c < '0' || c > '9' {
			return 0, false
		}
		scale /= 10
		ns += int64(c-'0') * scale
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), true
}
