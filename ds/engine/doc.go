// Package engine runs registered DS: it takes the triggers their detectors
// (and correlations) raise, queues them per DS so runs of one DS never
// overlap, renders the ds_ variables, and runs the actions through the
// effects it is given — real ones in the daemon, recording ones in
// `ds test`. It reports every trigger, action and failure as a Record.
package engine
