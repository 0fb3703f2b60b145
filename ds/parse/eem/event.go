package eem

import "github.com/dsengine/dsengine/ds"

// ParseEvent parses one IOS EEM event line, such as
//
//	event syslog pattern "OSPF-5-ADJCHG" occurs 2 period 30
//	event tag e1 oir
//
// into the shared event model. Errors are *SyntaxError.
//
// STUB: replaced by the real parser.
func ParseEvent(line string) (ds.Event, error) {
	return ds.Event{}, &SyntaxError{Msg: "not implemented yet"}
}
