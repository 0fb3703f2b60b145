// Package occurs counts occurrences of an event in a sliding time window
// ("occurs N period P") with memory bounded whatever N is.
package occurs
