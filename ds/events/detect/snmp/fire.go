package snmp

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Fire is the payload of an snmp event's Fired: the OID polled (for
// get-type next, the one the agent returned) and its value.
type Fire struct {
	OID   string
	Value string
}

var _ detector.Payload = Fire{}

// Text is "oid OID value VALUE".
func (p Fire) Text() string { return "oid " + p.OID + " value " + p.Value }

// Info adds oid and val.
func (p Fire) Info(info map[string]string) { info["oid"], info["val"] = p.OID, p.Value }

// Builtins adds IOS's _snmp_oid and _snmp_oid_val.
func (p Fire) Builtins(v map[string]string) { v["_snmp_oid"], v["_snmp_oid_val"] = p.OID, p.Value }

// Vars returns nil: an snmp event has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }
