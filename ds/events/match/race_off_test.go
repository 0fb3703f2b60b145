//go:build !race

package match

// raceEnabled is false: allocation counts are meaningful.
const raceEnabled = false
