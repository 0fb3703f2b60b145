// Package inputtest runs syslog inputs in tests: it starts an input and stops
// it when the test ends, collects what it queued, and waits for counters.
package inputtest
