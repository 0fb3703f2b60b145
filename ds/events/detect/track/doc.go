// Package track follows the tracked objects of the configuration and
// detects their state changes.
//
// The Tracker keeps the state of each object: `track N interface IF
// line-protocol` follows %LINEPROTO-5-UPDOWN messages for the interface
// (names compared case-insensitively, with IOS abbreviations such as Gi,
// Te and Fa expanded); `track N ip sla M [reachability|state]` follows
// IP SLA operation M, a TCP connect to `tcp-connect HOST PORT` every
// `frequency` seconds that is up when the connection opens within
// `timeout`. `delay up|down S` holds a change back until it has lasted S.
// An operation runs from the start, whatever its `ip sla schedule` line
// says (life, start-time and ageout are not applied), and with no
// threshold configurable, reachability and state mean the same: up when
// the connection opens within the timeout.
//
// The Detector is <Event type="track" object="N" state="up|down|any"/> or
// the EEM line `event track N [state up|down|any]`: it fires when object N
// changes to the state (or to any state).
package track
