// Package nd is EEM's `event neighbor-discovery` (a CDP or LLDP neighbour
// added or deleted): parsed and checked here; its detector needs the Linux
// event sources (issue 17), so New refuses it.
package nd
