package callhome

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// Message types that are not alert groups. An alert-group message has the
// group's name as its type: string(config.GroupSyslog) and so on.
const (
	TypeDiagnosticSignature = "diagnostic-signature"
	TypeTest                = "test"
	TypeRequest             = "request"
)

// Message groups (the long text "Message group"); reactive is the default.
const (
	GroupReactive  = "reactive"
	GroupProactive = "proactive"
)

// DeviceBrand and DeviceSeries are ch:Brand and ch:Series of every
// message a dsengine host sends, DS and alert-group messages alike.
const (
	DeviceBrand  = "Linux"
	DeviceSeries = "Linux host"
)

// AMLBuilderVersion is the aml-block:Builder/Version IOS XE sends (the
// guide's sample); callers usually put it in Device.BuilderVersion.
const AMLBuilderVersion = "2.0"

// Message is one Call Home message before it is rendered: what happened,
// who sends it, and the command outputs that go with it. Renderers do not
// change it.
type Message struct {
	// Type is the alert group ("syslog", "inventory", …) or one of
	// TypeDiagnosticSignature, TypeTest, TypeRequest. It ends the
	// aml-block:Type URL and is ch:Event/ch:Type.
	Type string
	// SubType is ch:Event/ch:SubType: for a DS its id, for syslog the
	// mnemonic, for inventory "full" or "delta", for a test "test".
	SubType string
	// Name is the long text "Message name", the event's name (SYSLOG,
	// TEST, HARDWARE_REMOVAL, a DS's name); empty means Type in upper case
	// with "-" as "_".
	Name string
	// Group is the long text "Message group"; empty means GroupReactive.
	Group string
	// Severity is the Call Home level, 0 (debugging) to 9 (catastrophic):
	// aml-block:Severity.
	Severity config.AlertSeverity
	// EventTime is when the event happened: ch:EventTime, written in the
	// time's own zone ("GMT+HH:MM").
	EventTime time.Time
	// CreationTime is when the message was built: aml-block:CreationDate
	// (in UTC) and the hex epoch of the message and group ids.
	CreationTime time.Time
	// Description is ch:MessageDescription, short text; for syslog the raw
	// line.
	Description string

	Customer Customer
	Device   Device

	// Attachments are the command outputs, in the order they ran.
	Attachments []Attachment

	// MessageID and GroupID are the sender's counters: n in
	// aml-session:MessageId "M<n>:<serial>:<epoch hex>" and in
	// aml-block:GroupId "G<n>:…".
	MessageID uint64
	GroupID   uint64
}

// Attachment is one command and what it printed.
type Attachment struct {
	Command string // aml-block:Name, the exact command
	Output  string // aml-block:Data, the output
}

// Customer is the contact and contract data of the "call-home" block, and
// the device's configured name.
type Customer struct {
	Hostname      string // ch:SystemInfo/ch:Name: "hostname", or the host's own name
	ContactName   string // ch:Contact (IOS has no command for it; usually empty)
	ContactEmail  string // contact-email-addr: ch:UserData/ch:Email and ch:ContactEmail
	PhoneNumber   string // phone-number: ch:ContactPhoneNumber
	StreetAddress string // street-address
	CustomerID    string // customer-id
	SiteID        string // site-id
	ContractID    string // contract-id
	CCOID         string // ch:CCOID
}

// CustomerFromConfig returns the customer data of a configuration.
// hostname is used when the configuration has no "hostname" line (the
// caller passes the host's own name).
func CustomerFromConfig(cfg *config.Config, hostname string) Customer {
	if cfg.Hostname != "" {
		hostname = cfg.Hostname
	}
	ch := cfg.CallHome
	return Customer{
		Hostname:      hostname,
		ContactEmail:  ch.ContactEmail,
		PhoneNumber:   ch.PhoneNumber,
		StreetAddress: ch.StreetAddress,
		CustomerID:    ch.CustomerID,
		SiteID:        ch.SiteID,
		ContractID:    ch.ContractID,
	}
}

// Device is what the sending host says about itself. The caller fills it
// from the Linux host, for example PID "Linux", Serial from /etc/machine-id
// or DMI, SoftwareVersion and SystemDescription from uname.
type Device struct {
	// Product is the product family: aml-block:Builder/Name and the long
	// text "Source ID".
	Product string
	// BuilderVersion is aml-block:Builder/Version (AMLBuilderVersion on
	// IOS XE).
	BuilderVersion string
	Brand          string // ch:Brand ("Cisco Systems" on IOS XE)
	Series         string // ch:Series
	// PID is the model (rme:Model) and the type of the device id
	// PID@C@Serial.
	PID               string
	Serial            string // rme:SerialNumber, and in the message and group ids
	HardwareVersion   string // rme:HardwareVersion
	PartNumber        string // AD PartNumber
	SoftwareVersion   string // AD SoftwareVersion
	SystemObjectID    string // AD SystemObjectId
	SystemDescription string // AD SystemDescription
}

// ID returns the unique device identifier "PID@C@Serial"
// (ch:ContractData/ch:DeviceId), or "" when both are empty.
func (d Device) ID() string {
	if d.PID == "" && d.Serial == "" {
		return ""
	}
	return d.PID + "@C@" + d.Serial
}

// TimeLayout is how messages write times: "YYYY-MM-DD HH:MM:SS GMT+HH:MM".
const TimeLayout = "2006-01-02 15:04:05 GMT-07:00"

// FormatTime writes t as Call Home messages do, in t's own zone.
func FormatTime(t time.Time) string { return t.Format(TimeLayout) }

// AMLMessageID returns aml-session:MessageId, "M<n>:<serial>:<epoch hex>",
// the epoch being CreationTime in seconds.
func (m *Message) AMLMessageID() string {
	return fmt.Sprintf("M%d:%s:%X", m.MessageID, m.Device.Serial, m.CreationTime.Unix())
}

// AMLGroupID returns aml-block:GroupId, "G<n>:<serial>:<epoch hex>".
func (m *Message) AMLGroupID() string {
	return fmt.Sprintf("G%d:%s:%X", m.GroupID, m.Device.Serial, m.CreationTime.Unix())
}

// messageName returns the long text "Message name".
func (m *Message) messageName() string {
	if m.Name != "" {
		return m.Name
	}
	return strings.ToUpper(strings.ReplaceAll(m.Type, "-", "_"))
}

// group returns the long text "Message group".
func (m *Message) group() string {
	if m.Group != "" {
		return m.Group
	}
	return GroupReactive
}

// Clone returns a copy of m that shares nothing mutable with it.
func (m *Message) Clone() *Message {
	c := *m
	c.Attachments = append([]Attachment(nil), m.Attachments...)
	return &c
}
