// Package applet runs the actions of an EEM applet ("event manager applet")
// the way IOS runs them, against a Host that supplies the CLI, syslog, mail
// and the state kept between runs.
package applet
