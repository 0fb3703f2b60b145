// Package nd is EEM's `event neighbor-discovery`: a CDP or LLDP neighbour
// added, deleted or updated on an interface, from the Changes the host's
// `source lldp` publishes (ds/events/source/lldp).
package nd
