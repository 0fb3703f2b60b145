// Package netlink is the host's rtnetlink event source (`source netlink
// [namespace NAME]`): link state changes become the IOS %LINK-3-UPDOWN
// and %LINEPROTO-5-UPDOWN lines, interfaces added and removed %OIR lines,
// and route changes routing.Change events for `event routing`.
//
// A netlink reader goroutine only records what it reads (the last state
// of each interface, the route changes in a bounded queue); an emitter
// goroutine hands them on, at most Burst state changes at once and Rate a
// second for each interface, so a flapping link cannot flood the
// detectors: the changes in between are coalesced and counted as dropped.
package netlink
