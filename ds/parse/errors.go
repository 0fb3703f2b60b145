package parse

import (
	"sort"
	"strings"

	"github.com/dsengine/dsengine/ds"
)

// Error is one problem in a DS file, at a position.
type Error struct {
	Pos ds.Pos
	Msg string
}

// Error formats the problem as file:line:col: message.
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every problem found in a DS file, sorted by position.
type ErrorList []*Error

// Error returns the problems one a line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the problems as a slice of errors, for errors.Is and
// errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// sort orders the list by line, then column, keeping the order in
// which problems at the same place were found.
func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
