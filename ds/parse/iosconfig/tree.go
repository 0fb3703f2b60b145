package iosconfig

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/dsengine/dsengine/ds/parse/eem"
	"github.com/dsengine/dsengine/internal/english"
)

// Input limits: a configuration larger than MaxSize or with a line longer
// than MaxLine is refused.
const (
	MaxSize = 4 << 20
	MaxLine = 4096
)

// node is one command line and the lines indented under it.
type node struct {
	line     int
	indent   int         // bytes of leading blanks
	text     string      // the line without its indentation and trailing blanks
	words    []string    // the words of text, quotes removed
	fields   []eem.Field // the same words with their offsets in text
	bad      bool        // the line could not be read; it and its children are skipped
	children []*node
	// childIndent is the indentation of the children, -1 until the first.
	childIndent     int
	childIndentLine int
}

// buildTree splits data into lines and nests them by indentation. Blank
// lines and "!" comments are dropped; "end" stops the configuration.
func (p *parser) buildTree(data []byte) []*node {
	root := &node{indent: -1, childIndent: -1}
	stack := []*node{root}
	endLine := 0
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		if len(raw) > MaxLine {
			p.errorf(lineNo, "line is longer than %d bytes", MaxLine)
			stack = p.place(stack, &node{line: lineNo, indent: indentOf(raw), bad: true, childIndent: -1})
			continue
		}
		line := strings.TrimRight(string(raw), " \t\r")
		indent := indentOf([]byte(line))
		text := line[indent:]
		if text == "" || text[0] == '!' {
			continue
		}
		if endLine > 0 {
			p.errorf(lineNo, "configuration continues after \"end\" on line %d", endLine)
			break
		}
		n := &node{line: lineNo, indent: indent, text: text, childIndent: -1}
		switch {
		case !utf8.ValidString(text):
			p.errorf(lineNo, "line is not valid UTF-8")
			n.bad = true
		case strings.ContainsFunc(text, isControl):
			p.errorf(lineNo, "line contains a control character")
			n.bad = true
		default:
			fields, err := eem.Fields(text)
			if err != nil {
				msg := err.Error()
				if se, ok := err.(*eem.SyntaxError); ok {
					msg = se.Msg
				}
				p.errorf(lineNo, "%s", msg)
				n.bad = true
			}
			n.fields = fields
			for _, f := range fields {
				n.words = append(n.words, f.Text)
			}
		}
		if !n.bad && len(n.words) == 1 && strings.EqualFold(n.words[0], "end") {
			endLine = lineNo
			continue
		}
		stack = p.place(stack, n)
	}
	return root.children
}

// place attaches n to the innermost open node indented less than n and
// returns the new stack of open nodes.
func (p *parser) place(stack []*node, n *node) []*node {
	for len(stack) > 1 && stack[len(stack)-1].indent >= n.indent {
		stack = stack[:len(stack)-1]
	}
	parent := stack[len(stack)-1]
	switch {
	case parent.childIndent < 0:
		parent.childIndent, parent.childIndentLine = n.indent, n.line
	case parent.childIndent != n.indent && !n.bad:
		p.errorf(n.line, "indented %s, but line %d of the same block is indented %d",
			english.Plural(n.indent, "space"), parent.childIndentLine, parent.childIndent)
		n.bad = true
	}
	parent.children = append(parent.children, n)
	return append(stack, n)
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
