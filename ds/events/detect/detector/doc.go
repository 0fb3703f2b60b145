// Package detector holds what every event detector shares: the Detector
// interface; the Descriptor each type's package declares (its name, DS
// attributes, EEM form, constructor and show line); the Fired value a
// detector reports, with the Payload each type adds (its fields, variables
// and description); the Env a constructor is given; and the input
// interfaces through which the detect.Hub feeds each kind of detector.
//
// It is a leaf package so that the per-type packages (detect/syslog,
// detect/periodic, …) can implement it while the table (detect/types) and
// the Hub import them; package detect re-exports the runtime names.
package detector
