// Package stdin reads syslog lines from standard input (or any io.Reader)
// until end of input.
package stdin
