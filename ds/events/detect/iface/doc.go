// Package iface is EEM's `event interface`: it polls an interface's
// counters in /sys/class/net/NAME/statistics on the clock and fires when
// the value, its increment or its rate meets the entry condition,
// re-arming on the exit condition.
package iface
