package parse

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/internal/lazyre"
)

// MaxNameLength is the longest <Name> a DS may have, in characters.
const MaxNameLength = 64

// ParseSignature reads and validates one DS file (SPEC §2). file names the
// file in positions. On any problem it returns nil and an ErrorList holding
// every problem found, sorted by position.
func ParseSignature(file string, data []byte) (*ds.Signature, error) {
	if len(data) > MaxFileSize {
		return nil, ErrorList{{Pos: ds.Pos{File: file},
			Msg: fmt.Sprintf("DS file is %d bytes; the limit is %d", len(data), MaxFileSize)}}
	}
	d, errs := read(file, data)
	if len(errs) > 0 {
		errs.sort()
		return nil, errs
	}
	c := &checker{d: d, declared: make(map[string]bool)}
	sig := c.signature(d.root)
	if len(c.errs) > 0 {
		c.errs.sort()
		return nil, c.errs
	}
	return sig, nil
}

// checker validates the tree of one DS file, collecting every problem.
type checker struct {
	d        *document
	errs     ErrorList
	declared map[string]bool // ds_ variables the file declares
	// events are the DS's events and eventVars the variables they set
	// (EventVarNames), once <Events> is read.
	sigEvents  []ds.Event
	eventVars  map[string][]setter
	correlated bool // the DS has a <Correlate>: its events set ds_<id>_… too
	// patterns are the patterns of the file's attributes as checked (nil
	// for an invalid one), so that nothing compiles one twice.
	patterns map[string]*lazyre.Regexp
}

func (c *checker) errorAt(p ds.Pos, format string, args ...any) {
	c.errs = append(c.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// elemError reports a problem with an element or its text as a whole.
func (c *checker) elemError(el *etree.Element, format string, args ...any) {
	c.errorAt(c.d.elemPos(el), format, args...)
}

// attrError reports a problem with an attribute, at the attribute.
func (c *checker) attrError(el *etree.Element, key, format string, args ...any) {
	c.errorAt(c.d.attrPos(el, key), format, args...)
}

// attr returns the value of el's attribute key (no namespace prefix).
func attr(el *etree.Element, key string) (string, bool) {
	for _, a := range el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// is reports whether el is the element tag, without a namespace prefix.
func is(el *etree.Element, tag string) bool { return el.Space == "" && el.Tag == tag }

// attrs reports every attribute of el that is not in allowed.
func (c *checker) attrs(el *etree.Element, what string, allowed ...string) {
	for _, a := range el.Attr {
		ok := false
		for _, k := range allowed {
			if a.Space == "" && a.Key == k {
				ok = true
				break
			}
		}
		if ok {
			continue
		}
		if len(allowed) == 0 {
			c.attrError(el, a.FullKey(), "unknown attribute %q on %s; it takes none", clip(a.FullKey()), what)
		} else {
			c.attrError(el, a.FullKey(), "unknown attribute %q on %s; expected %s", clip(a.FullKey()), what, strings.Join(allowed, ", "))
		}
	}
}

// required returns the value of a mandatory attribute, reporting it when
// it is missing or empty.
func (c *checker) required(el *etree.Element, what, key string) (string, bool) {
	v, ok := attr(el, key)
	switch {
	case !ok:
		c.elemError(el, "missing required attribute %q on %s", key, what)
		return "", false
	case v == "":
		c.attrError(el, key, "empty attribute %q on %s", key, what)
		return "", false
	}
	return v, true
}

// leaf checks an element that holds only text: no attributes, no children.
func (c *checker) leaf(el *etree.Element, what string) string {
	c.attrs(el, what)
	c.children(el, what)
	return strings.TrimSpace(c.d.text(el))
}

// children returns the child elements of el, reporting those whose tag is
// not in allowed.
func (c *checker) children(el *etree.Element, what string, allowed ...string) []*etree.Element {
	var out []*etree.Element
	for _, ch := range el.ChildElements() {
		ok := false
		for _, tag := range allowed {
			if is(ch, tag) {
				ok = true
				break
			}
		}
		switch {
		case ok:
			out = append(out, ch)
		case len(allowed) == 0:
			c.elemError(ch, "unknown element <%s> in %s; it holds only text", clip(ch.FullTag()), what)
		default:
			c.elemError(ch, "unknown element <%s> in %s; expected %s", clip(ch.FullTag()), what, strings.Join(allowed, ", "))
		}
	}
	return out
}

// noText reports text (other than white space) in a container element.
func (c *checker) noText(el *etree.Element, what string) {
	text := c.d.text(el)
	s := strings.TrimSpace(text)
	if s == "" {
		return
	}
	c.errorAt(c.d.textPos(el, strings.Index(text, s)), "unexpected text %q in %s", clipN(s, 24), what)
}

// clip shortens a value quoted in an error message: a value may be as long
// as the file.
func clip(s string) string { return clipN(s, 64) }

// clipMsg shortens a message that quotes a value, such as a library error.
func clipMsg(s string) string { return clipN(s, 200) }

// clipErr is the clipped text of err without prefix.
func clipErr(err error, prefix string) string {
	return clipMsg(strings.TrimPrefix(err.Error(), prefix))
}

// clipN cuts s to at most n bytes, on a rune boundary, marking the cut.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// Top-level elements of a DS, in the order the format lists them.
var topLevel = []string{"Name", "Description", "Prerequisite", "Variables", "Events", "Actions"}

func (c *checker) signature(root *etree.Element) *ds.Signature {
	sig := &ds.Signature{Pos: c.d.elemPos(root)}
	const what = "<DiagnosticSignature>"
	if !is(root, "DiagnosticSignature") {
		c.elemError(root, `root element is <%s>; a DS file starts with <DiagnosticSignature id="..." revision="...">`, clip(root.FullTag()))
		return nil
	}
	c.attrs(root, what, "id", "revision")
	if id, ok := c.required(root, what, "id"); ok {
		if !isDigits(id) || len(id) > 10 {
			c.attrError(root, "id", "id %q is not 1 to 10 decimal digits", clip(id))
		}
		sig.ID = id
	}
	if rev, ok := c.required(root, what, "revision"); ok {
		r, err := ds.ParseRevision(rev)
		if err != nil {
			c.attrError(root, "revision", "invalid %s", clipErr(err, ""))
		}
		sig.Revision = r
	}
	c.noText(root, what)

	// One of each; Variables first, so declarations are known everywhere.
	seen := make(map[string]*etree.Element)
	for _, ch := range c.children(root, what, topLevel...) {
		if first := seen[ch.Tag]; first != nil {
			c.elemError(ch, "duplicate <%s>; a DS file has one (the first is on line %d)", ch.Tag, c.d.elemPos(first).Line)
			continue
		}
		seen[ch.Tag] = ch
	}
	if el := seen["Variables"]; el != nil {
		sig.Variables = c.variables(el)
	}
	if el := seen["Name"]; el != nil {
		sig.Name = c.leaf(el, "<Name>")
		switch n := utf8.RuneCountInString(sig.Name); {
		case n == 0:
			c.elemError(el, "empty <Name>; give the DS a short name")
		case n > MaxNameLength:
			c.elemError(el, "<Name> is %d characters; the limit is %d", n, MaxNameLength)
		}
	} else {
		c.elemError(root, "missing <Name> in %s", what)
	}
	if el := seen["Description"]; el != nil {
		sig.Description = c.leaf(el, "<Description>")
	}
	if el := seen["Prerequisite"]; el != nil {
		sig.Prerequisite = c.prerequisite(el)
	}
	if el := seen["Events"]; el != nil {
		sig.Events, sig.Correlate = c.events(el)
	} else {
		c.elemError(root, "missing <Events> in %s", what)
	}
	if el := seen["Actions"]; el != nil {
		sig.Actions = c.actions(el)
	} else {
		c.elemError(root, "missing <Actions> in %s", what)
	}
	c.sigEvents, c.eventVars, c.correlated = sig.Events, eventVarsOf(sig, c.patterns), sig.Correlate != nil
	c.references(root, true)
	return sig
}

func (c *checker) prerequisite(el *etree.Element) ds.Prerequisite {
	const what = "<Prerequisite>"
	p := ds.Prerequisite{Pos: c.d.elemPos(el)}
	c.attrs(el, what)
	c.noText(el, what)
	var minVersion *etree.Element
	for _, ch := range c.children(el, what, "Platform", "MinEngineVersion") {
		text := c.leaf(ch, "<"+ch.Tag+">")
		switch ch.Tag {
		case "Platform":
			if text == "" {
				c.elemError(ch, "empty <Platform>; name a platform such as linux")
				continue
			}
			p.Platforms = append(p.Platforms, text)
		case "MinEngineVersion":
			if minVersion != nil {
				c.elemError(ch, "duplicate <MinEngineVersion> (the first is on line %d)", c.d.elemPos(minVersion).Line)
				continue
			}
			minVersion = ch
			r, err := ds.ParseRevision(text)
			if err != nil {
				c.elemError(ch, "<MinEngineVersion>: invalid %s", clipErr(err, ""))
			}
			p.MinEngineVersion = r
		}
	}
	return p
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
