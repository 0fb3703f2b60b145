// Package none is the EEM `event none` detector: it never fires by itself,
// only when an operator runs the applet by hand
// (`event manager run APPLET [ARG …]`), with the arguments given.
package none
