// Package vty is an IOS-style vty session: the exec and configuration
// modes, their prompts, command dispatch, `?` help and Tab completion, and
// the `^` marker under a refused word. It prints what IOS prints and acts
// through a Host (the daemon); the transport (the control socket, an
// applet's `action cli`) is the caller's.
package vty
