// Package syslog detects a syslog message matching a regular expression,
// occurs N times within a period, at or above a severity, with an optional
// EEM ratelimit.
//
// It reads these attributes of <Event type="syslog"> (or the EEM line
// `event syslog [occurs N] [period S] [priority P] pattern "RE" [ratelimit S]`):
//
//	<Event id="e1" type="syslog" pattern="%LINK-3-UPDOWN: Interface ${ds_intf}, changed state to down"
//	       occurs="3" period="60s" severity="error"/>
//
// The pattern is RE2 and matches the message body, from the tag's '%' to
// the end ("%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down");
// ${ds_x} references are filled in at registration. The detector does not
// run its pattern itself: the detect.Hub indexes every registered pattern
// together and calls Syslog with the messages this one matches.
package syslog
