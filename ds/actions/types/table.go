// Package types is the table of DS action types: the one list a new type
// is added to, with its package (an action.Descriptor and its Action) and
// README. ds/parse reads <Action> elements through it and ds/actions
// performs the actions through it.
package types

import (
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/callhome"
	"github.com/dsengine/dsengine/ds/actions/command"
	"github.com/dsengine/dsengine/ds/actions/emailto"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/actions/script"
)

// table is every action type, in the order error messages and documents
// list them.
var table = [...]action.Descriptor{
	command.Descriptor,
	callhome.Descriptor,
	emailto.Descriptor,
	script.Descriptor,
	message.Descriptor,
}

// All returns every type's descriptor, in table order.
func All() []action.Descriptor {
	out := make([]action.Descriptor, len(table))
	copy(out, table[:])
	return out
}

// Lookup returns the descriptor of type t.
func Lookup(t ds.ActionType) (action.Descriptor, bool) {
	for _, d := range table {
		if d.Type == t {
			return d, true
		}
	}
	return action.Descriptor{}, false
}

// Types lists the action types, in table order.
func Types() []ds.ActionType {
	out := make([]ds.ActionType, len(table))
	for i, d := range table {
		out[i] = d.Type
	}
	return out
}
