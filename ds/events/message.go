package events

import (
	"strings"
	"time"
	"unsafe"

	"github.com/dsengine/dsengine/ds"
)

// NoPriority is Message.Priority when the line had no <PRI>.
const NoPriority = -1

// DefaultSeverity is the severity of a line that has neither a %TAG nor a
// <PRI>: notice, the severity RFC 3164 relays assume (user.notice, <13>).
const DefaultSeverity ds.Severity = 5

// Format names the envelope a line arrived in.
type Format uint8

// The envelopes.
const (
	FormatPlain   Format = iota // no syslog header: a Cisco line or text as written to a file or the console (an optional <PRI> may precede it)
	FormatRFC3164               // BSD syslog: [<PRI>]Mmm dd hh:mm:ss host [tag[pid]:] msg
	FormatRFC5424               // <PRI>1 timestamp host app procid msgid sd msg
)

// String returns "plain", "rfc3164" or "rfc5424".
func (f Format) String() string {
	switch f {
	case FormatRFC3164:
		return "rfc3164"
	case FormatRFC5424:
		return "rfc5424"
	}
	return "plain"
}

// TimeSource says where Message.Time came from.
type TimeSource uint8

// The time sources, from least to most specific.
const (
	TimeReceived TimeSource = iota // no usable calendar timestamp: Time is Received
	TimeEnvelope                   // the RFC 3164/5424 header (a relay's or collector's clock)
	TimeDevice                     // the Cisco header's calendar stamp (the device's clock)
)

// String returns "received", "envelope" or "device".
func (s TimeSource) String() string {
	switch s {
	case TimeEnvelope:
		return "envelope"
	case TimeDevice:
		return "device"
	}
	return "received"
}

// ClockFlag is the character IOS writes before a timestamp about the state
// of its clock.
type ClockFlag byte

// The clock flags.
const (
	ClockOK       ClockFlag = 0   // no flag: the clock is authoritative (or the line had no Cisco stamp)
	ClockUnset    ClockFlag = '*' // the clock was never set or is not authoritative
	ClockUnsynced ClockFlag = '.' // the clock was synchronised and has lost sync
)

// Message is one received syslog line, parsed. An IOS line such as
//
//	<189>343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up
//
// yields Priority 189, Counter/Seq 343, Host "sw1", Clock '*',
// Time 09:22:01.678 UTC, Tag "LINK-3-UPDOWN", Facility "LINK",
// Severity 3, Mnemonic "UPDOWN", Body "%LINK-3-UPDOWN: Interface …" and
// Text "Interface …".
//
// Every string field is a substring of Raw. A parser may make Raw alias the
// buffer the line was read into (syslogmsg.Parse does): such a Message is
// valid only until that buffer is reused, and whoever keeps it longer (a
// detector's occurs/period state, a queued action) must keep Clone() of it.
type Message struct {
	// Received is when the input read the line; Time is when it happened,
	// from the source TimeFrom names (Received when the line has no
	// calendar stamp). Time is in the location of the stamp's explicit
	// offset (as UTC), else UTC for UTC/GMT and for zone names it does not
	// know, else the location of Received.
	Received time.Time
	Time     time.Time
	TimeFrom TimeSource
	Zone     string // the zone as written after the timestamp Time came from ("UTC", "CEST", "UTC+07:30", "Z", "-05:00"); "" if none
	// ZoneUnresolved is set when Zone is a name (PST, CET) that neither
	// means UTC nor is one of the parser's location: Time read the stamp
	// as UTC, which is likely wrong by the zone's offset.
	ZoneUnresolved bool

	// Uptime is the device's uptime stamp ("1d02h", "2y10w", "00:01:23")
	// when HasUptime is set (service timestamps log uptime).
	Uptime    time.Duration
	HasUptime bool
	Clock     ClockFlag

	Priority int    // the <PRI> value, 0..191, or NoPriority
	Format   Format // the envelope
	Host     string // the Cisco origin-id host name if the line has one, else the envelope's HOSTNAME
	AppName  string // RFC 3164 TAG, RFC 5424 APP-NAME, or the IOS XR process ("ipv4_acl_mgr")
	ProcID   string // RFC 3164 [pid], RFC 5424 PROCID, or the IOS XR process id
	MsgID    string // RFC 5424 MSGID
	// StructuredData is RFC 5424 STRUCTURED-DATA as written
	// (`[timeQuality tzKnown="1" isSynced="0"]`), "" for "-".
	StructuredData string
	Node           string // IOS XR node before the stamp ("RP/0/RP0/CPU0")

	// Seq is the last sequence number of the Cisco header (with
	// `service sequence-numbers`, the device's sequence number), when
	// HasSeq is set. When the header has two numbers, Counter is the first
	// (the syslog message counter).
	Seq        uint64
	HasSeq     bool
	Counter    uint64
	HasCounter bool

	// Tag is the first %TAG of the body without its '%':
	// "ACL-IPV4_ACL-6-IPACCESSLOGP". Facility, SubFacility and Mnemonic are
	// its parts ("ACL", "IPV4_ACL", "IPACCESSLOGP"); a tag with several
	// sub-facilities keeps them joined ("SYS-SP-STDBY-3-X" has SubFacility
	// "SP-STDBY"). All four are "" for a line without a tag.
	Tag         string
	Facility    string
	SubFacility string
	Mnemonic    string
	// Severity is the tag's digit; without a tag, the <PRI> severity;
	// without either, DefaultSeverity.
	Severity ds.Severity
	// Inner is a second %TAG inside Text, as IOS XE wraps a dataplane
	// message in a platform one ("%IOSXE-6-PLATFORM: R0/0: cpp_cp: …
	// %FW-6-DROP_PKT: …"); zero when Text has none. Body still holds
	// both, so a pattern written for the inner tag matches.
	Inner InnerTag

	// Body is the message from the tag's '%' to the end
	// ("%LINK-3-UPDOWN: Interface Gi0/1, changed state to down"), what
	// syslog patterns match; for a line without a tag it is the text after
	// the headers. Text is the part after "%TAG: " (Body again without a
	// tag). Raw is the whole line without its trailing CR, LF or NUL bytes.
	// Bytes are kept as received: the strings may hold invalid UTF-8 and NUL
	// bytes, so outputs that need UTF-8 (XML, JSON) must sanitise them.
	Body string
	Text string
	Raw  string

	// Origin is set on the engine's own lines (a DS's message, a script's
	// action_syslog, an applet's syslog): which run logged the line, and
	// how deep in a chain of such lines it is. Zero for a line from
	// outside.
	Origin Origin
}

// InnerTag is the parts of a %TAG found inside a message's text, as
// Message's Tag, Facility, SubFacility, Mnemonic and Severity are of the
// first; Text is what follows it.
type InnerTag struct {
	Tag         string
	Facility    string
	SubFacility string
	Mnemonic    string
	Severity    ds.Severity
	Text        string
}

// HasTag reports whether the line carried a %FAC-SEV-MNEMONIC tag.
func (m *Message) HasTag() bool { return m.Tag != "" }

// SyslogFacility returns the facility number of the <PRI> (23 for local7),
// or NoPriority.
func (m *Message) SyslogFacility() int {
	if m.Priority < 0 {
		return NoPriority
	}
	return m.Priority >> 3
}

// Clone returns a copy of m that shares no memory with the buffer the line
// was parsed from: Raw is copied once and every other string field is
// re-sliced from the copy (a field that is not a substring of Raw is copied
// on its own).
func (m *Message) Clone() Message {
	c := *m
	if m.Raw == "" {
		c.rebase("", "")
		return c
	}
	c.Raw = strings.Clone(m.Raw)
	c.rebase(m.Raw, c.Raw)
	return c
}

// rebase points each string field that lies inside old at the same bytes
// of dup.
func (m *Message) rebase(old, dup string) {
	for _, f := range []*string{
		&m.Zone, &m.Host, &m.AppName, &m.ProcID, &m.MsgID, &m.StructuredData, &m.Node,
		&m.Tag, &m.Facility, &m.SubFacility, &m.Mnemonic, &m.Body, &m.Text,
		&m.Inner.Tag, &m.Inner.Facility, &m.Inner.SubFacility, &m.Inner.Mnemonic, &m.Inner.Text,
	} {
		*f = resliceInto(*f, old, dup)
	}
}

// resliceInto returns the substring of dup at the offset s has in old, or
// a copy of s when s does not lie inside old.
func resliceInto(s, old, dup string) string {
	if s == "" {
		return ""
	}
	if old != "" {
		base := uintptr(unsafe.Pointer(unsafe.StringData(old)))
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if p >= base && p-base+uintptr(len(s)) <= uintptr(len(old)) {
			off := int(p - base)
			return dup[off : off+len(s)]
		}
	}
	return strings.Clone(s)
}
