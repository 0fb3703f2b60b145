package parse

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/dsengine/dsengine/ds"
	actiontypes "github.com/dsengine/dsengine/ds/actions/types"
)

// actions checks <Actions>: one or more <Action>, in document order.
func (c *checker) actions(el *etree.Element) []ds.Action {
	const what = "<Actions>"
	c.attrs(el, what)
	c.noText(el, what)
	chs := c.children(el, what, "Action")
	if len(chs) == 0 {
		c.elemError(el, "<Actions> has no <Action>")
		return nil
	}
	out := make([]ds.Action, 0, len(chs))
	for _, ch := range chs {
		if a, ok := c.action(ch); ok {
			out = append(out, a)
		}
	}
	return out
}

// action checks one <Action> through its type's descriptor.
func (c *checker) action(el *etree.Element) (ds.Action, bool) {
	a := ds.Action{Pos: c.d.elemPos(el)}
	typ, ok := c.required(el, "<Action>", "type")
	if !ok {
		return a, false
	}
	a.Type = ds.ActionType(typ)
	d, known := actiontypes.Lookup(a.Type)
	if !known {
		var names []string
		for _, t := range actiontypes.Types() {
			names = append(names, string(t))
		}
		c.attrError(el, "type", "unknown action type %q; expected %s", clip(typ), strings.Join(names, ", "))
		return a, false
	}
	what := fmt.Sprintf("<Action type=%q>", typ)
	allowed := []string{"type"}
	for _, at := range d.Attrs {
		allowed = append(allowed, at.Name)
	}
	c.attrs(el, what, allowed...)
	c.children(el, what)
	d.Parse(elemAttrs{c: c, el: el, what: what}, &a)
	if a.Type == ds.ActionScript {
		a.TextPos = c.d.textPos(el, 0) // Lua's line 1, for the script's errors
	}
	return a, true
}
