// Package lazyre is a regular expression checked at once and compiled the
// first time a text needs it. With 10,000 DS of one syslog pattern each,
// the compiled programs of patterns whose literal never shows up in the
// traffic were half of the daemon's memory and a third of its start; a
// pattern now costs its text until a line gets past its literal prefilter.
package lazyre

import (
	"regexp"
	"regexp/syntax"
	"sync/atomic"
)

// Regexp is an RE2 regular expression, compiled on first use. It is safe
// for concurrent use.
type Regexp struct {
	expr  string
	names []string // SubexpNames, read at Compile; nil when the expression has no group
	re    atomic.Pointer[regexp.Regexp]
}

// Compile checks expr as regexp.Compile does and returns it, not compiled
// yet. The errors are regexp.Compile's.
func Compile(expr string) (*Regexp, error) {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err // regexp.Compile's own error: "error parsing regexp: …"
	}
	r := &Regexp{expr: expr}
	if tree.MaxCap() > 0 {
		r.names = tree.CapNames()
	}
	return r, nil
}

// MustCompile is Compile that panics on an error, for expressions in the
// code.
func MustCompile(expr string) *Regexp {
	r, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return r
}

// Of wraps a compiled regular expression.
func Of(re *regexp.Regexp) *Regexp {
	r := &Regexp{expr: re.String()}
	r.re.Store(re)
	return r
}

// Regexp returns the compiled regular expression, compiling it on the
// first call.
func (r *Regexp) Regexp() *regexp.Regexp {
	if re := r.re.Load(); re != nil {
		return re
	}
	// Compile checked the syntax; regexp.Compile fails on nothing else,
	// so MustCompile cannot panic here. Two first users may both compile:
	// the first to store wins, and everyone uses its program.
	r.re.CompareAndSwap(nil, regexp.MustCompile(r.expr))
	return r.re.Load()
}

// String returns the expression's text.
func (r *Regexp) String() string { return r.expr }

// MatchString reports whether s contains a match.
func (r *Regexp) MatchString(s string) bool { return r.Regexp().MatchString(s) }

// FindStringSubmatch is regexp.Regexp's.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.Regexp().FindStringSubmatch(s) }

// SubexpNames is regexp.Regexp's, read without compiling. The slice must
// not be modified.
func (r *Regexp) SubexpNames() []string {
	if re := r.re.Load(); re != nil {
		return re.SubexpNames()
	}
	if r.names == nil {
		return noGroups
	}
	return r.names
}

var noGroups = []string{""}

// NumSubexp is regexp.Regexp's.
func (r *Regexp) NumSubexp() int { return len(r.SubexpNames()) - 1 }
