// Package registry keeps the detectors, the correlations and the engine in
// step with the DS that should run: it registers a DS's events when it
// becomes registered, turns their fires (through its correlation, if any)
// into engine triggers, and deregisters it when it is pending, failed or
// deinstalled — at run time, with no restart.
package registry
