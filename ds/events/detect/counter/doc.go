// Package counter is the EEM counter event type (`event counter`): it
// fires when a named EEM counter, changed by applets' `action counter`,
// meets an entry condition, and re-arms when an exit condition holds. The
// daemon keeps the counters and tells the Hub of each change
// (detect.Hub.CounterChanged), which feeds the detectors as
// detector.CounterInput.
package counter
