// Package daemon is dsengine's runtime: `dsengine run` builds one Daemon
// and runs it. A syslog line goes through these stages, each one file:
//
//	inputs   (inputs.go)     UDP, TCP, unix socket, file tail → one bounded queue
//	pump     (ds/events/pump) parse → deliver; the engine's own lines come back here
//	hub      (ds/events/detect) one match index, every detector type
//	registry (registry.go)   DS statuses → registered detectors and correlations
//	applets  (applets.go)    the configuration's EEM applets, one bounded queue each
//	engine   (ds/engine)     one bounded queue per DS, its actions in order
//	notify   (notify.go)     command, call-home, emailto, script, message → outbox
//
// Around them: the alert groups and their schedules with the regular DS
// download (schedule.go), the metrics, and the control socket through
// which every live CLI command reaches the running state (control.go).
// The daemon owns no goroutine that its Run does not wait for.
package daemon
