// Package routing is EEM's `event routing` (a route added, removed or
// changed): parsed and checked here; its detector needs the Linux event
// sources (issue 17), so New refuses it.
package routing
