package detect

import "github.com/dsengine/dsengine/ds/events/detect/detector"

// Detector is the interface every detector type implements
// (detector.Detector).
type Detector = detector.Detector

// Fired is one occurrence of a registered event (detector.Fired).
type Fired = detector.Fired

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
