// Package routing is EEM's `event routing`: it fires on the route changes
// (Change) the host's netlink source publishes, by prefix, change type
// and protocol.
package routing
