// Package eem parses IOS Embedded Event Manager "event" lines into the
// shared event model of package ds. It holds what every line shares (the
// words, `event [tag T]`, options, maxrun, errors at a column); the form
// of each detector (`event syslog …`, `event timer …`) is declared by the
// detector's own package as a Form, and Parse is given the table's forms.
package eem
