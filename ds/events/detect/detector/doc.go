// Package detector holds what every event detector shares: the Detector
// interface, the Fired value a detector reports, the Env a constructor is
// given, and the input interfaces through which the detect.Hub feeds each
// kind of detector.
//
// It is a leaf package so that the per-type packages (detect/syslog,
// detect/periodic, …) can implement it while package detect, which lists
// them in its table, imports them; package detect re-exports these names.
package detector
