// Package ds holds the typed model of a Diagnostic Signature: what ds/parse
// builds from a DS file and every other package reads. It has no I/O.
package ds
