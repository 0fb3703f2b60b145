package eem

import (
	"fmt"
	"strings"
)

// SyntaxError is an error at a byte offset of one line.
type SyntaxError struct {
	Offset int // 0-based byte offset in the line; the column is Offset+1
	Msg    string
}

// Error formats the problem as "col N: message", N being 1-based.
func (e *SyntaxError) Error() string { return fmt.Sprintf("col %d: %s", e.Offset+1, e.Msg) }

// Field is one word of an IOS command line, with its offset so errors can
// point at it.
type Field struct {
	Text   string // the word, without quotes
	Offset int    // byte offset of the word (of its opening quote, if quoted)
	Quoted bool
}

// Fields splits an IOS command line into words. A word in double quotes may
// hold spaces; inside quotes a backslash escapes as EEM does: \" is a
// quote, \\ a backslash, \n a newline and \t a tab. A backslash before
// any other character stays, so regular expressions such as "\d+\." keep
// their escapes. An unterminated quote is an error.
func Fields(line string) ([]Field, error) {
	var out []Field
	i := 0
	for i < len(line) {
		c := line[i]
		if isBlank(c) {
			i++
			continue
		}
		start := i
		if c == '"' {
			var b strings.Builder
			i++
			closed := false
			for i < len(line) {
				c := line[i]
				if c == '\\' && i+1 < len(line) {
					if r, ok := unescape(line[i+1]); ok {
						b.WriteByte(r)
						i += 2
						continue
					}
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return nil, &SyntaxError{Offset: start, Msg: "unterminated quoted string"}
			}
			out = append(out, Field{Text: b.String(), Offset: start, Quoted: true})
			continue
		}
		for i < len(line) && !isBlank(line[i]) {
			i++
		}
		out = append(out, Field{Text: line[start:i], Offset: start})
	}
	return out, nil
}

// unescape returns what a backslash followed by c stands for in a quoted
// word, and false when the backslash stays as written.
func unescape(c byte) (byte, bool) {
	switch c {
	case '"', '\\':
		return c, true
	case 'n':
		return '\n', true
	case 't':
		return '\t', true
	}
	return 0, false
}

// isBlank reports whether c separates words: ASCII white space.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// trimBlanks removes the separators Fields skips from both ends of s.
func trimBlanks(s string) string {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
