// Package iface is EEM's `event interface` (poll an interface counter and
// compare it): parsed and checked here; its detector needs the Linux event
// sources (issue 17), so New refuses it.
package iface
