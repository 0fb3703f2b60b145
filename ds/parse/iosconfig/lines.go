package iosconfig

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/parse/eem"
)

// Input limits: a configuration larger than MaxSize or with a line longer
// than MaxLine is refused.
const (
	MaxSize = 4 << 20
	MaxLine = 4096
)

// node is one command line.
type node struct {
	line   int
	indent int         // bytes of leading blanks
	text   string      // the line without its indentation and trailing blanks
	words  []string    // the words of text, quotes removed
	fields []eem.Field // the same words with their offsets in text
	// loose are the words split at blanks only: a line dsengine skips is
	// classified by them even when its quotes do not pair up.
	loose []string
	// bad says why the line could not be split into words; it is reported
	// only if a dsengine mode would read the line.
	bad string
}

// feedAll splits data into lines and applies them in order.
func (p *parser) feedAll(data []byte) {
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		p.feed(lineNo, raw)
	}
	p.popTo(0)
}

// feed reads one line and applies it in the current mode.
func (p *parser) feed(lineNo int, raw []byte) {
	if len(raw) > MaxLine {
		p.errorf(lineNo, "line is longer than %d bytes", MaxLine)
		return
	}
	line := strings.TrimRight(string(raw), " \t\r")
	indent := indentOf([]byte(line))
	text := line[indent:]
	if f := p.top(); f.skip == skipBanner {
		// Banner text is not commands: anything goes until the delimiter.
		f.count++
		if strings.Contains(line, f.delim) {
			p.pop()
		}
		return
	}
	if text == "" || text[0] == '!' || isShowRunHeader(text) {
		return
	}
	n := &node{line: lineNo, indent: indent, text: text, loose: strings.Fields(text)}
	switch {
	case !utf8.ValidString(text):
		n.bad = "line is not valid UTF-8"
	case strings.ContainsFunc(text, isControl):
		n.bad = "line contains a control character"
	default:
		fields, err := eem.Fields(text)
		if err != nil {
			n.bad = err.Error()
			if se, ok := err.(*eem.SyntaxError); ok {
				n.bad = se.Msg
			}
			break
		}
		n.fields = fields
		for _, f := range fields {
			n.words = append(n.words, f.Text)
		}
		n.loose = n.words
	}
	if len(n.loose) == 0 {
		return
	}
	p.cur = n
	p.apply(n)
	p.cur = nil
}

func indentOf(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// rest returns the text of n from word i on: the word itself when it is
// the last and quoted, else the raw text, so "description link went down"
// and `description "link went down"` read the same.
func (n *node) rest(i int) string {
	if i >= len(n.fields) {
		return ""
	}
	if i == len(n.fields)-1 {
		return n.fields[i].Text
	}
	return n.text[n.fields[i].Offset:]
}

// col returns the byte offset in the line (with its indentation) of the
// last word of n that msg names, the word an error refuses; -1 if none.
func (n *node) col(msg string) int {
	for i := len(n.fields) - 1; i >= 0; i-- {
		if w := n.fields[i].Text; w != "" && containsWord(msg, w) {
			return n.indent + n.fields[i].Offset
		}
	}
	return -1
}

// containsWord reports whether w occurs in s between non-word characters.
func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(w)
		if (i == 0 || isBoundary(s[i-1])) && (j == len(s) || isBoundary(s[j])) {
			return true
		}
		off = i + 1
	}
}

func isBoundary(c byte) bool { return strings.IndexByte(" \"'(),;:", c) >= 0 }

// isShowRunHeader reports whether text is one of the lines "show
// running-config" prints before the configuration.
func isShowRunHeader(text string) bool {
	return text == "Building configuration..." || strings.HasPrefix(text, "Current configuration : ")
}
