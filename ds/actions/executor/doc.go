// Package executor runs the CLI commands of DS and applet actions on this
// host, on a directory of canned outputs or on a device over SSH.
package executor
