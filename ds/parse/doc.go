// Package parse reads a Diagnostic Signature XML file into a validated
// ds.Signature, reporting every problem with its file:line:col.
package parse
