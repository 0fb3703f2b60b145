package parse

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
)

// MaxFileSize is the largest DS file the parser reads, in bytes.
const MaxFileSize = 1 << 20

// MaxDepth is the deepest element nesting a DS file may have; the format
// itself needs four levels.
const MaxDepth = 64

// document is a DS file read into an etree tree, with the positions etree
// does not keep: where each element's start tag and text lie in the file.
type document struct {
	file  string
	data  []byte
	lines []int // offsets of line starts, built on first use
	root  *etree.Element
	nodes map[*etree.Element]*node
}

// MaxAttributes is the most attributes one element may have; the format
// needs at most eight.
const MaxAttributes = 32

// node is what the document knows of one element's source.
type node struct {
	start, end int       // the start tag is data[start:end]
	text       []textSeg // character data directly inside the element, in order
	textStart  []int     // offset of each segment in the element's text, built on first use
	attrs      []attrAt  // the attributes in the start tag, built on first use
	cursor     cursor    // the last text offset mapped in a segment that is not exact
}

// cursor remembers where rawOffset stopped, so that mapping offsets in
// increasing order (as errors are found) costs one pass over the text.
type cursor struct{ seg, dec, raw int }

// attrAt is where an attribute's name starts in the file.
type attrAt struct {
	key string
	off int
}

// textSeg is one run of character data (plain text or a CDATA section).
type textSeg struct {
	off, end int    // the segment's content is data[off:end], as written
	text     string // decoded
	exact    bool   // the file holds text verbatim at off, so offsets map one to one
}

// read decodes data with encoding/xml, one token at a time, and builds the
// etree tree from the tokens, so every element is paired with its position
// by construction. It refuses what a DS file may not hold: DOCTYPE and
// ENTITY declarations (never expanded), nesting deeper than MaxDepth, more
// than one root, text outside the root. Any error it returns stops parsing.
func read(file string, data []byte) (*document, ErrorList) {
	d := &document{file: file, data: data, nodes: make(map[*etree.Element]*node)}
	var errs ErrorList
	fail := func(off int, format string, args ...any) {
		errs = append(errs, &Error{Pos: d.pos(off), Msg: fmt.Sprintf(format, args...)})
	}
	// A UTF-8 byte order mark, as some editors write, is skipped; offsets
	// still count it, so columns on line 1 stay byte columns of the file.
	skip := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		skip = 3
	}
	dec := xml.NewDecoder(bytes.NewReader(data[skip:]))
	dec.Strict = true // CharsetReader stays nil: only UTF-8 is accepted
	doc := etree.NewDocument()
	var stack []*etree.Element
	for {
		off := skip + int(dec.InputOffset())
		tok, err := dec.RawToken()
		if err == io.EOF {
			if len(stack) > 0 {
				fail(len(data), "unexpected end of file: <%s> is not closed", clip(stack[len(stack)-1].FullTag()))
			} else if d.root == nil && len(errs) == 0 {
				fail(0, "no root element; a DS file holds one <DiagnosticSignature>")
			}
			return d, errs
		}
		if err != nil {
			errs = append(errs, d.syntaxError(err, skip+int(dec.InputOffset())))
			return d, errs
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := rawName(t.Name)
			if len(stack) == 0 && d.root != nil {
				fail(off, "second root element <%s>; a DS file holds one <DiagnosticSignature>", clip(name))
				return d, errs
			}
			if len(t.Attr) > MaxAttributes {
				fail(off, "element <%s> has %d attributes; the limit is %d", clip(name), len(t.Attr), MaxAttributes)
				return d, errs
			}
			if len(stack) >= MaxDepth {
				fail(off, "elements are nested deeper than %d levels", MaxDepth)
				return d, errs
			}
			var el *etree.Element
			if len(stack) == 0 {
				el = doc.CreateElement(name)
				d.root = el
			} else {
				el = stack[len(stack)-1].CreateElement(name)
			}
			n := &node{start: off, end: skip + int(dec.InputOffset())}
			d.nodes[el] = n
			for _, a := range t.Attr {
				key := rawName(a.Name)
				if hasAttr(el, key) {
					fail(d.attrOffset(n, key, 2), "duplicate attribute %q on <%s>", clip(key), clip(name))
					continue
				}
				el.CreateAttr(key, a.Value)
			}
			stack = append(stack, el)
		case xml.EndElement:
			name := rawName(t.Name)
			if len(stack) == 0 {
				fail(off, "end tag </%s> without a start tag", clip(name))
				return d, errs
			}
			if top := stack[len(stack)-1]; top.FullTag() != name {
				fail(off, "XML is not well-formed: element <%s> closed by </%s>", clip(top.FullTag()), clip(name))
				return d, errs
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if s := strings.TrimSpace(string(t)); s != "" {
					fail(off+strings.Index(string(t), s[:1]), "text outside the root element")
				}
				continue
			}
			el := stack[len(stack)-1]
			seg := textSeg{off: off, end: skip + int(dec.InputOffset()), text: string(t)}
			if bytes.HasPrefix(data[off:seg.end], []byte("<![CDATA[")) {
				seg.off += len("<![CDATA[")
				seg.end -= len("]]>")
			}
			seg.exact = string(data[seg.off:seg.end]) == seg.text
			el.CreateText(seg.text)
			d.nodes[el].text = append(d.nodes[el].text, seg)
		case xml.Directive:
			kind := "a <!...> declaration"
			switch {
			case bytes.HasPrefix(t, []byte("DOCTYPE")) && bytes.Contains(t, []byte("<!ENTITY")):
				kind = "<!DOCTYPE> declaring entities"
			case bytes.HasPrefix(t, []byte("DOCTYPE")):
				kind = "<!DOCTYPE>"
			case bytes.HasPrefix(t, []byte("ENTITY")):
				kind = "<!ENTITY>"
			}
			fail(off, "%s is not allowed in a DS file; entities are never expanded", kind)
		}
		// Comments and processing instructions carry nothing for a DS.
	}
}

// syntaxError turns a decoder error into an Error at the place the decoder
// stopped, on the line the decoder names.
func (d *document) syntaxError(err error, off int) *Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		p := d.pos(off)
		if p.Line != se.Line {
			p = ds.Pos{File: d.file, Line: se.Line}
		}
		return &Error{Pos: p, Msg: "XML is not well-formed: " + clipMsg(se.Msg)}
	}
	msg := strings.TrimPrefix(err.Error(), "xml: ")
	if enc, ok := strings.CutSuffix(msg, " declared but Decoder.CharsetReader is nil"); ok {
		return &Error{Pos: d.pos(off), Msg: "the file declares " + clip(enc) + "; a DS file is UTF-8"}
	}
	return &Error{Pos: d.pos(off), Msg: "XML is not well-formed: " + clipMsg(msg)}
}

// rawName is the name as written: prefix:local or local.
func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// hasAttr reports whether el already has an attribute written key.
func hasAttr(el *etree.Element, key string) bool {
	for _, a := range el.Attr {
		if a.FullKey() == key {
			return true
		}
	}
	return false
}

// pos converts a byte offset into a 1-based line and byte column.
func (d *document) pos(off int) ds.Pos {
	if d.lines == nil {
		d.lines = append(d.lines, 0)
		for i, c := range d.data {
			if c == '\n' {
				d.lines = append(d.lines, i+1)
			}
		}
	}
	off = max(0, min(off, len(d.data)))
	line := sort.Search(len(d.lines), func(i int) bool { return d.lines[i] > off }) - 1
	return ds.Pos{File: d.file, Line: line + 1, Col: off - d.lines[line] + 1}
}

// elemPos is the position of the element's "<".
func (d *document) elemPos(el *etree.Element) ds.Pos {
	if n := d.nodes[el]; n != nil {
		return d.pos(n.start)
	}
	return ds.Pos{File: d.file}
}

// attrPos is the position of the attribute's name in the element's start
// tag, or of the element if it has no such attribute.
func (d *document) attrPos(el *etree.Element, key string) ds.Pos {
	n := d.nodes[el]
	if n == nil {
		return ds.Pos{File: d.file}
	}
	return d.pos(d.attrOffset(n, key, 1))
}

// attrOffset finds the nth attribute written key in the start tag of n.
func (d *document) attrOffset(n *node, key string, nth int) int {
	if n.attrs == nil {
		n.attrs = scanAttrs(d.data, n.start, n.end)
	}
	for _, a := range n.attrs {
		if a.key == key {
			if nth--; nth == 0 {
				return a.off
			}
		}
	}
	return n.start
}

// scanAttrs lists the attributes of the start tag data[start:end]. The
// decoder has already checked the tag, so a simple scan is enough:
// <Name ws key ws = ws "value" ...>.
func scanAttrs(data []byte, start, end int) []attrAt {
	out := []attrAt{}
	tag := data[start:end]
	i := 1
	for i < len(tag) && !isSpace(tag[i]) && tag[i] != '>' && tag[i] != '/' {
		i++
	}
	for i < len(tag) {
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] == '>' || tag[i] == '/' {
			break
		}
		from := i
		for i < len(tag) && tag[i] != '=' && !isSpace(tag[i]) {
			i++
		}
		out = append(out, attrAt{key: string(tag[from:i]), off: start + from})
		for i < len(tag) && tag[i] != '"' && tag[i] != '\'' {
			i++
		}
		if i >= len(tag) {
			break
		}
		q := tag[i]
		i++
		for i < len(tag) && tag[i] != q {
			i++
		}
		i++
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// text is all character data directly inside el, in order.
func (d *document) text(el *etree.Element) string {
	n := d.nodes[el]
	if n == nil {
		return ""
	}
	switch len(n.text) {
	case 0:
		return ""
	case 1:
		return n.text[0].text
	}
	var b strings.Builder
	for _, s := range n.text {
		b.WriteString(s.text)
	}
	return b.String()
}

// textPos is the position in the file of byte i of d.text(el), or of the
// element if it has no text.
func (d *document) textPos(el *etree.Element, i int) ds.Pos {
	n := d.nodes[el]
	if n == nil || len(n.text) == 0 {
		return d.elemPos(el)
	}
	if n.textStart == nil {
		n.textStart = make([]int, len(n.text))
		acc := 0
		for k, s := range n.text {
			n.textStart[k] = acc
			acc += len(s.text)
		}
	}
	// the last segment starting at or before i
	k := sort.Search(len(n.textStart), func(k int) bool { return n.textStart[k] > i }) - 1
	k = max(k, 0)
	s, rel := n.text[k], i-n.textStart[k]
	if s.exact {
		return d.pos(s.off + min(rel, len(s.text)))
	}
	from := cursor{seg: k}
	if n.cursor.seg == k && n.cursor.dec <= rel {
		from = n.cursor
	}
	r, dec := rawOffset(d.data[s.off:s.end], from.raw, from.dec, rel)
	n.cursor = cursor{seg: k, dec: dec, raw: r}
	return d.pos(s.off + r)
}

// rawOffset maps byte i of decoded character data to its offset in raw, the
// data as written: an entity or character reference decodes to fewer bytes,
// and the decoder turns CR LF and lone CR into LF. It starts from a known
// pair of offsets, raw offset r being decoded offset k, and returns the raw
// offset with the decoded offset it stands for (past i inside an entity).
func rawOffset(raw []byte, r, k, i int) (int, int) {
	for k < i && r < len(raw) {
		switch raw[r] {
		case '&':
			j := bytes.IndexByte(raw[r:], ';')
			if j < 0 {
				return r, k
			}
			k += entityLen(raw[r+1 : r+j])
			r += j + 1
		case '\r':
			r++
			if r < len(raw) && raw[r] == '\n' {
				r++
			}
			k++
		default:
			r++
			k++
		}
	}
	return r, k
}

// entityLen is the length in bytes of what an entity (amp, lt, #65, #x41)
// decodes to.
func entityLen(name []byte) int {
	if len(name) == 0 || name[0] != '#' {
		return 1 // the five predefined entities are one byte each
	}
	var n uint64
	var err error
	if len(name) > 1 && name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || utf8.RuneLen(rune(n)) < 0 {
		return 1
	}
	return utf8.RuneLen(rune(n))
}
