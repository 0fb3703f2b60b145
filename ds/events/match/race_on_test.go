//go:build race

package match

// raceEnabled: under the race detector sync.Pool drops items at random, so
// the regexp engine allocates and allocation counts mean nothing.
const raceEnabled = true
