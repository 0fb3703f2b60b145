// Package correlate decides when the events of a DS or an EEM applet, combined by a <Correlate> expression, raise one trigger.
package correlate
