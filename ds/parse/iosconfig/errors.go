package iosconfig

import (
	"fmt"
	"strings"
)

// Error is one configuration error at a line.
type Error struct {
	File string
	Line int // 1-based; 0 when the error concerns the whole file
	// Col is the byte offset in the line of the word refused (for a vty's
	// "^" marker), -1 when unknown.
	Col int
	Msg string
}

// Error formats the error as file:line: message, the form editors jump to.
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrorList is every error Parse found, in line order.
type ErrorList []*Error

// Error joins the errors, one a line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}
