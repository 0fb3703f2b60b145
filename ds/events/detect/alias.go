package detect

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Detector is the interface every detector type implements
// (detector.Detector).
type Detector = detector.Detector

// Fired is one occurrence of a registered event (detector.Fired).
type Fired = detector.Fired

// Payload is what a detector type adds to a Fired (detector.Payload).
type Payload = detector.Payload

// TrackChange is a tracked object changing state (detector.TrackChange).
type TrackChange = detector.TrackChange

// Track states and OIR actions, re-exported from detect/detector.
const (
	StateUp      = detector.StateUp
	StateDown    = detector.StateDown
	StateUnknown = detector.StateUnknown
	ActionInsert = detector.ActionInsert
	ActionRemove = detector.ActionRemove
	SlotUnknown  = detector.SlotUnknown
)

// Builtins returns the applet $_ variables of a fire (detector.Builtins):
// _event_type, _event_type_string, _event_id, _event_pub_sec,
// _event_pub_msec, _event_pub_time, _syslog_msg when a syslog message
// caused it, and its type's (_oir_slot, _timer_time, _counter_name …).
func Builtins(f Fired) map[string]string { return detector.Builtins(f) }
