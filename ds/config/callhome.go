package config

// CallHome is the "call-home" block: contact details, mail servers, global
// settings and the destination profiles.
type CallHome struct {
	Line int // of the "call-home" line; 0 if there is none

	ContactEmail  string // contact-email-addr
	PhoneNumber   string // phone-number, "+" then digits and dashes
	StreetAddress string // street-address
	CustomerID    string // customer-id
	SiteID        string // site-id
	ContractID    string // contract-id

	// MailServers are sorted by priority, lowest number (tried first)
	// first; servers of equal priority keep their configuration order.
	MailServers   []MailServer
	SenderFrom    string // sender from; empty means ContactEmail
	SenderReplyTo string // sender reply-to

	RateLimit       int        // messages per minute, MinRateLimit..MaxRateLimit
	HTTPProxy       *HTTPProxy // nil: no proxy
	SourceInterface string
	SourceIPAddress string
	VRF             string

	AAAAuthorization bool   // aaa-authorization; default off
	AAAUsername      string // aaa-authorization username; default "callhome"
	SyslogThrottling bool   // syslog-throttling; default on
	DataPrivacy      DataPrivacy

	// AlertGroups says which alert groups are enabled ("alert-group X" /
	// "no alert-group X"); every group is present, enabled by default.
	AlertGroups map[AlertGroup]bool

	// SnapshotCommands are the "alert-group-config snapshot" /
	// "add-command" lines, in order.
	SnapshotCommands []SnapshotCommand

	// Reporting is the top-level "call-home reporting" line, nil if absent.
	// The parser also applies what it implies: service call-home, CiscoTAC-1
	// active over http, anonymous-reporting-only or the contact address,
	// and the http proxy.
	Reporting *Reporting

	// Profiles are the destination profiles in configuration order; the
	// predefined CiscoTAC-1 is always among them.
	Profiles []*Profile
}

// MailServer is one "mail-server ADDRESS priority N" line.
type MailServer struct {
	Address  string // IPv4, IPv6 or a name of at most 64 characters
	Priority int    // MinMailPriority..MaxMailPriority; lowest first
	Line     int
}

// HTTPProxy is "http-proxy HOST port N".
type HTTPProxy struct {
	Host string
	Port int
	Line int
}

// PrivacyLevel is the "data-privacy level".
type PrivacyLevel string

// The data-privacy levels.
const (
	PrivacyNormal PrivacyLevel = "normal"
	PrivacyHigh   PrivacyLevel = "high"
)

// DataPrivacy is what Call Home scrubs from configuration messages:
// "data-privacy level normal|high" and "data-privacy hostname".
type DataPrivacy struct {
	Level    PrivacyLevel // default normal
	Hostname bool         // scrub the hostname too
}

// SnapshotCommand is one "add-command" line of the snapshot alert group.
type SnapshotCommand struct {
	Command string // an IOS command, at most 128 characters
	Line    int
}

// Reporting is "call-home reporting {anonymous | contact-email-addr ADDR}
// [http-proxy HOST port N]".
type Reporting struct {
	Anonymous    bool
	ContactEmail string // when not anonymous
	HTTPProxy    *HTTPProxy
	Line         int
}

// AlertGroup names a Call Home alert group.
type AlertGroup string

// The alert groups of the DS guide (line 563).
const (
	GroupConfiguration AlertGroup = "configuration"
	GroupCrash         AlertGroup = "crash"
	GroupEnvironment   AlertGroup = "environment"
	GroupInventory     AlertGroup = "inventory"
	GroupSnapshot      AlertGroup = "snapshot"
	GroupSyslog        AlertGroup = "syslog"
)

// GroupDiagnostic is the IOS alert group of online diagnostics (GOLD):
// the results of the tests a line card runs on its hardware. A Linux host
// runs no such tests, so dsengine has no such group: AlertGroups leaves
// it out, and a DS whose call-home event names it is refused.
const GroupDiagnostic AlertGroup = "diagnostic"

// AlertGroups returns every alert group, in the order "show call-home"
// lists them: the one list of the groups a configuration, a subscription
// or a DS call-home event may name.
func AlertGroups() []AlertGroup {
	return []AlertGroup{GroupConfiguration, GroupCrash, GroupEnvironment, GroupInventory, GroupSnapshot, GroupSyslog}
}

// DefaultAlertGroups returns the alert-group states of a new
// configuration: every group enabled (DS guide, line 571).
func DefaultAlertGroups() map[AlertGroup]bool {
	m := make(map[AlertGroup]bool)
	for _, g := range AlertGroups() {
		m[g] = true
	}
	return m
}

// ParseAlertGroup reads an alert group keyword.
func ParseAlertGroup(s string) (AlertGroup, bool) {
	for _, g := range AlertGroups() {
		if string(g) == s {
			return g, true
		}
	}
	return "", false
}

// Periodic reports whether the group accepts "periodic" in a subscription.
func (g AlertGroup) Periodic() bool {
	return g == GroupConfiguration || g == GroupInventory || g == GroupSnapshot
}

// HasSeverity reports whether the group accepts "severity" in a
// subscription (DS guide, line 693).
func (g AlertGroup) HasSeverity() bool {
	return g == GroupEnvironment || g == GroupSyslog
}

// AlertSeverity is a Call Home severity level, 0 (debugging) to 9
// (catastrophic). It is not a syslog severity; see FromSyslog.
type AlertSeverity int

// The Call Home severity levels (DS guide, table 1).
const (
	SeverityDebugging    AlertSeverity = 0
	SeverityNormal       AlertSeverity = 1
	SeverityNotification AlertSeverity = 2
	SeverityWarning      AlertSeverity = 3
	SeverityMinor        AlertSeverity = 4
	SeverityMajor        AlertSeverity = 5
	SeverityCritical     AlertSeverity = 6
	SeverityFatal        AlertSeverity = 7
	SeverityDisaster     AlertSeverity = 8
	SeverityCatastrophic AlertSeverity = 9
)

// AlertSeverityNames returns the keywords of levels 0..9, in order.
func AlertSeverityNames() []string {
	return []string{"debugging", "normal", "notification", "warning", "minor", "major", "critical", "fatal", "disaster", "catastrophic"}
}

// ParseAlertSeverity reads a severity keyword ("major", "debugging").
func ParseAlertSeverity(s string) (AlertSeverity, bool) {
	for i, n := range AlertSeverityNames() {
		if n == s {
			return AlertSeverity(i), true
		}
	}
	return 0, false
}

// String returns the keyword of the level.
func (s AlertSeverity) String() string {
	names := AlertSeverityNames()
	if s >= 0 && int(s) < len(names) {
		return names[s]
	}
	return "unknown"
}

// FromSyslog maps a syslog severity (0 emergency .. 7 debugging) to the Call
// Home level of table 1: emergency is fatal (7), debug is debugging (0).
func FromSyslog(sev int) AlertSeverity {
	if sev < 0 {
		sev = 0
	}
	if sev > 7 {
		sev = 7
	}
	return AlertSeverity(7 - sev)
}

// Admits reports whether a message of level msg passes the threshold s.
func (s AlertSeverity) Admits(msg AlertSeverity) bool { return msg >= s }
