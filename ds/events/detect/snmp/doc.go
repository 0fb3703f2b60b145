// Package snmp is EEM's `event snmp` (poll an SNMP object and compare its
// value): parsed and checked here; its detector needs the Linux event
// sources (issue 17), so New refuses it.
package snmp
