// Package snmp is EEM's `event snmp`: it polls an SNMP object of the
// configuration's `snmp agent` every poll-interval on the hub's clock and
// fires when its value, increment or rate meets the entry condition.
package snmp
