package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The predefined CiscoTAC-1 profile (DS guide, lines 42, 1436 and the
// "show call-home detail" sample at lines 1912-1930).
const (
	CiscoTACProfile = "CiscoTAC-1"
	CiscoTACEmail   = "callhome@cisco.com"
	CiscoTACURL     = "https://tools.cisco.com/its/service/oddce/services/DDCEService"
)

// MessageFormat is a profile's "destination preferred-msg-format".
type MessageFormat string

// The message formats; xml is the default and the only one CiscoTAC-1
// allows.
const (
	FormatXML       MessageFormat = "xml"
	FormatLongText  MessageFormat = "long-text"
	FormatShortText MessageFormat = "short-text"
)

// Profile is a Call Home destination profile.
type Profile struct {
	Name       string // at most 31 characters, case-insensitive, not "all"
	Predefined bool   // CiscoTAC-1: transport email or http, never both; xml only
	Active     bool   // user profiles are active when created; CiscoTAC-1 is not

	// TransportEmail and TransportHTTP are "destination transport-method
	// email|http". A user profile starts with email and may have both; IOS
	// turns email back on when both are disabled. Messages go only over a
	// transport that has addresses.
	TransportEmail bool
	TransportHTTP  bool
	EmailAddresses []string // destination address email
	HTTPAddresses  []string // destination address http (http:// or https:// URLs)

	MessageSizeLimit       int           // bytes, MinMessageSize..MaxMessageSize
	PreferredMsgFormat     MessageFormat // default xml
	AnonymousReportingOnly bool          // only crash, inventory and test messages, without identity

	// Subscriptions are the "subscribe-to-alert-group" lines in order: one
	// per alert group, and for syslog one per pattern (at most five).
	Subscriptions []Subscription

	Line int // of the "profile" (or "copy profile") line; 0 for the predefined profile
}

// CiscoTAC1 returns the predefined profile as a device without
// configuration has it: inactive, email to callhome@cisco.com, the Smart
// Call Home URL, xml, and the subscriptions of the guide's sample (crash,
// environment minor, syslog pattern .*CALL_LOOP.*, configuration and
// inventory monthly).
func CiscoTAC1() *Profile {
	return &Profile{
		Name:               CiscoTACProfile,
		Predefined:         true,
		TransportEmail:     true,
		EmailAddresses:     []string{CiscoTACEmail},
		HTTPAddresses:      []string{CiscoTACURL},
		MessageSizeLimit:   DefaultMessageSize,
		PreferredMsgFormat: FormatXML,
		Subscriptions: []Subscription{
			{Group: GroupConfiguration, Severity: SeverityNormal, Periodic: &Periodic{Kind: PeriodicMonthly, Day: 14, Hour: 11, Minute: 12}},
			{Group: GroupCrash, Severity: SeverityNormal},
			{Group: GroupEnvironment, Severity: SeverityMinor},
			{Group: GroupInventory, Severity: SeverityNormal, Periodic: &Periodic{Kind: PeriodicMonthly, Day: 14, Hour: 10, Minute: 57}},
			{Group: GroupSyslog, Severity: SeverityDebugging, Pattern: ".*CALL_LOOP.*"},
		},
	}
}

// NewProfile returns a user-defined profile with the guides' defaults:
// active, email transport, xml, the largest message size, no
// subscriptions.
func NewProfile(name string, line int) *Profile {
	return &Profile{
		Name:               name,
		Active:             true,
		TransportEmail:     true,
		MessageSizeLimit:   DefaultMessageSize,
		PreferredMsgFormat: FormatXML,
		Line:               line,
	}
}

// Clone returns a deep copy of the profile.
func (p *Profile) Clone() *Profile {
	c := *p
	c.EmailAddresses = slices.Clone(p.EmailAddresses)
	c.HTTPAddresses = slices.Clone(p.HTTPAddresses)
	c.Subscriptions = slices.Clone(p.Subscriptions)
	for i, s := range c.Subscriptions {
		if s.Periodic != nil {
			per := *s.Periodic
			s.Periodic = &per
		}
		c.Subscriptions[i] = s
	}
	return &c
}

// TransportMethods returns the enabled transports, "email" before "http".
func (p *Profile) TransportMethods() []string {
	var m []string
	if p.TransportEmail {
		m = append(m, "email")
	}
	if p.TransportHTTP {
		m = append(m, "http")
	}
	return m
}

// Subscription returns the profile's subscription to the group; for
// syslog, the first one.
func (p *Profile) Subscription(g AlertGroup) (Subscription, bool) {
	for _, s := range p.Subscriptions {
		if s.Group == g {
			return s, true
		}
	}
	return Subscription{}, false
}

// Subscribed reports whether the profile subscribes to the group.
func (p *Profile) Subscribed(g AlertGroup) bool {
	_, ok := p.Subscription(g)
	return ok
}

// Subscription is one "subscribe-to-alert-group" line.
type Subscription struct {
	Group AlertGroup
	// Severity is the threshold of environment and syslog (default
	// debugging, which admits everything); other groups are always normal.
	Severity AlertSeverity
	// Periodic is set for a periodic configuration, inventory or snapshot
	// subscription; nil means messages are sent as events happen.
	Periodic *Periodic
	// Pattern (syslog only) must occur in the message; empty matches all.
	Pattern string
	Line    int
}

// PeriodicKind is how a periodic subscription is scheduled.
type PeriodicKind string

// The periodic kinds; hourly and interval are for snapshot only.
const (
	PeriodicDaily    PeriodicKind = "daily"    // hh:mm
	PeriodicWeekly   PeriodicKind = "weekly"   // day hh:mm
	PeriodicMonthly  PeriodicKind = "monthly"  // date(1-31) hh:mm
	PeriodicHourly   PeriodicKind = "hourly"   // mm
	PeriodicInterval PeriodicKind = "interval" // minutes 1-60
)

// Periodic is the schedule of a periodic subscription.
type Periodic struct {
	Kind     PeriodicKind
	Weekday  time.Weekday // weekly
	Day      int          // monthly: 1-31
	Hour     int          // daily, weekly, monthly: 0-23
	Minute   int          // daily, weekly, monthly, hourly: 0-59
	Interval int          // interval: minutes, 1-60
}

// String returns the schedule as the configuration writes it, e.g.
// "weekly monday 14:30".
func (p Periodic) String() string {
	hm := fmt.Sprintf("%02d:%02d", p.Hour, p.Minute)
	switch p.Kind {
	case PeriodicDaily:
		return "daily " + hm
	case PeriodicWeekly:
		return "weekly " + strings.ToLower(p.Weekday.String()) + " " + hm
	case PeriodicMonthly:
		return fmt.Sprintf("monthly %d %s", p.Day, hm)
	case PeriodicHourly:
		return fmt.Sprintf("hourly %d", p.Minute)
	case PeriodicInterval:
		return fmt.Sprintf("interval %d", p.Interval)
	}
	return string(p.Kind)
}

// Cron returns the schedule as a 5-field cron expression, or "@every Nm"
// for an interval, in the form robfig/cron's standard parser reads.
func (p Periodic) Cron() string {
	switch p.Kind {
	case PeriodicDaily:
		return fmt.Sprintf("%d %d * * *", p.Minute, p.Hour)
	case PeriodicWeekly:
		return fmt.Sprintf("%d %d * * %d", p.Minute, p.Hour, int(p.Weekday))
	case PeriodicMonthly:
		return fmt.Sprintf("%d %d %d * *", p.Minute, p.Hour, p.Day)
	case PeriodicHourly:
		return fmt.Sprintf("%d * * * *", p.Minute)
	case PeriodicInterval:
		return fmt.Sprintf("@every %dm", p.Interval)
	}
	return ""
}
