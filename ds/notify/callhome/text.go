package callhome

import (
	"strconv"
	"strings"
)

// LongText writes m in the long-text format: one "Name: value" line per
// field of the guide's "Common Fields for all long text and XML messages"
// table, in its order, then the inserted fields of a reactive or proactive
// event message, then one block per command:
//
//	Time stamp: 2024-05-01 10:00:00 GMT+00:00   (EventTime)
//	Message name: DIAGNOSTIC_SIGNATURE           (Name)
//	Message type: diagnostic-signature           (Type, as XML ch:Event/ch:Type)
//	Message subtype: 6030                        (SubType)
//	Message group: reactive                      (Group)
//	Severity level: 4                            (Severity, 0-9)
//	Source ID: dsengine                          (Device.Product)
//	Device ID: Linux@C@<serial>                  (Device.ID)
//	Customer ID: CUST-42                         (Customer.CustomerID)
//	Contract ID:
//	Site ID:
//	Server ID: Linux@C@<serial>                  (Device.ID)
//	Message description: …                       (Description)
//	Device name: edge-1                          (Customer.Hostname)
//	Contact name:
//	Contact e-mail:
//	Contact phone number:
//	Street address:
//	Model name: Linux                            (Device.PID)
//	Serial number:
//	Chassis part number:
//	System object ID:
//	System description:
//	Chassis hardware version:
//	Supervisor module software version:          (Device.SoftwareVersion)
//
//	Command output name: show version
//	Attachment type: inline
//	MIME type: plain
//	Command output text:
//	<the output>
//
// An empty value leaves "Name:" alone on its line. Values are written as
// they are after Sanitize (a value with line feeds
// spans several lines). An output loses one trailing line feed, since the
// format ends each output with one. The message is cut to
// o.SizeLimit as Options.SizeLimit says.
func LongText(m *Message, o Options) ([]byte, error) { return render(longText{}, m, o) }

// ShortText writes m in the short-text format, for pagers: the four fields
// of the guide's "Format for a short text message" table, one a line,
// and no command output:
//
//	Device identification: edge-1                     (Customer.Hostname)
//	Date/time stamp: 2024-05-01 10:00:00 GMT+00:00    (EventTime)
//	Error isolation message: …                        (Description)
//	Alarm urgency level: minor                        (Severity's keyword)
//
// A short-text message that exceeds o.SizeLimit cannot be cut (it has no
// output to cut): the error wraps ErrTooLarge.
func ShortText(m *Message, o Options) ([]byte, error) { return render(shortText{}, m, o) }

type longText struct{}

func (longText) name() string { return "long-text" }

func (longText) attachments() bool { return true }

func (longText) prepare(out string) string { return strings.TrimSuffix(out, "\n") }

func (longText) cost(string) func(int) int { return identityCost }

func (longText) write(m *Message, o Options) []byte {
	size := 1024 + len(m.Description) + len(m.Device.SystemDescription)
	for _, a := range m.Attachments {
		size += 100 + len(a.Command) + len(a.Output)
	}
	b := make([]byte, 0, size)
	field := func(name, value string) {
		b = append(b, name...)
		b = append(b, ':')
		if value != "" {
			b = append(b, ' ')
			b = append(b, value...)
		}
		b = append(b, '\n')
	}
	d, c := &m.Device, &m.Customer
	field("Time stamp", FormatTime(m.EventTime))
	field("Message name", m.messageName())
	field("Message type", m.Type)
	field("Message subtype", m.SubType)
	field("Message group", m.group())
	field("Severity level", strconv.Itoa(int(m.Severity)))
	field("Source ID", d.Product)
	field("Device ID", d.ID())
	field("Customer ID", c.CustomerID)
	field("Contract ID", c.ContractID)
	field("Site ID", c.SiteID)
	field("Server ID", d.ID())
	field("Message description", m.Description)
	field("Device name", c.Hostname)
	field("Contact name", c.ContactName)
	field("Contact e-mail", c.ContactEmail)
	field("Contact phone number", c.PhoneNumber)
	field("Street address", c.StreetAddress)
	field("Model name", d.PID)
	field("Serial number", d.Serial)
	field("Chassis part number", d.PartNumber)
	field("System object ID", d.SystemObjectID)
	field("System description", d.SystemDescription)
	field("Chassis hardware version", d.HardwareVersion)
	field("Supervisor module software version", d.SoftwareVersion)
	for _, a := range m.Attachments {
		b = append(b, '\n')
		field("Command output name", a.Command)
		field("Attachment type", "inline")
		field("MIME type", "plain")
		b = append(b, "Command output text:\n"...)
		b = append(b, a.Output...)
		b = append(b, '\n')
	}
	return b
}

type shortText struct{}

func (shortText) name() string { return "short-text" }

func (shortText) attachments() bool { return false }

func (shortText) prepare(out string) string { return out }

func (shortText) cost(string) func(int) int { return identityCost }

func (shortText) write(m *Message, o Options) []byte {
	var b strings.Builder
	b.WriteString("Device identification: " + m.Customer.Hostname + "\n")
	b.WriteString("Date/time stamp: " + FormatTime(m.EventTime) + "\n")
	b.WriteString("Error isolation message: " + m.Description + "\n")
	b.WriteString("Alarm urgency level: " + m.Severity.String() + "\n")
	return []byte(b.String())
}
