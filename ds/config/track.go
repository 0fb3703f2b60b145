package config

import "time"

// TrackKind is what a tracked object follows.
type TrackKind string

// The track kinds.
const (
	TrackInterface TrackKind = "interface" // track N interface IF line-protocol
	TrackIPSLA     TrackKind = "ip-sla"    // track N ip sla M [reachability|state]
)

// Track is a "track N ..." object: up or down, which applets and DS track
// events follow.
type Track struct {
	Number    int // MinTrack..MaxTrack
	Kind      TrackKind
	Interface string // interface: the interface whose line protocol is followed
	SLA       int    // ip-sla: the operation number
	// SLAMode is "state" (up when the operation's return code is OK, the
	// default) or "reachability" (up also when over threshold).
	SLAMode   string
	DelayUp   time.Duration // delay up S: wait before reporting up
	DelayDown time.Duration // delay down S: wait before reporting down
	Line      int
}

// IPSLA is an "ip sla N" operation. dsengine runs tcp-connect only.
type IPSLA struct {
	Number    int
	Operation string // "tcp-connect"
	Host      string
	Port      int
	Frequency time.Duration // how often it runs; default 60 s
	Timeout   time.Duration // how long it waits; default 5 s, at most Frequency
	// TimeoutLine is the line of the "timeout" command; 0 when Timeout is
	// the default (5 s, or Frequency when that is shorter).
	TimeoutLine int
	// Schedule is the "ip sla schedule N" line; nil when there is none.
	// IOS leaves an unscheduled operation idle; dsengine starts it at once
	// and runs it forever, which the SPEC §5 example relies on.
	Schedule *SLASchedule
	Line     int
}

// SLASchedule is "ip sla schedule N [life forever|S] [start-time
// now|pending|after hh:mm:ss|hh:mm[:ss]] [ageout S] [recurring]".
type SLASchedule struct {
	Life      time.Duration // 0: forever
	StartTime string        // "now", "pending", "after 00:05:00", "14:00" …; empty: pending (IOS default)
	Ageout    time.Duration
	Recurring bool
	Line      int
}
