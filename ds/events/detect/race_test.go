//go:build race

package detect

// raceEnabled is set under -race, whose instrumentation allocates.
const raceEnabled = true
