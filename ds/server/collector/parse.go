// Package collector is the receiving end of Call Home: it parses the
// messages devices send (the AML XML envelope as dsengine, IOS XE and
// NX-OS write it, and the long and short text formats) and stores them.
package collector

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
)

// Formats a message may come in.
const (
	FormatXML   = string(config.FormatXML)
	FormatLong  = string(config.FormatLongText)
	FormatShort = string(config.FormatShortText)
)

// Parsed is a message as read: the fields callhome.Message has, and the
// envelope's strings that have no place there.
type Parsed struct {
	callhome.Message
	Format       string
	AMLMessageID string // aml-session:MessageId, or "" (text formats)
	AMLGroupID   string
	EventTime    string // as written
	CreationDate string
	// Fields lists every field read, in order, for the console.
	Fields [][2]string
}

func (p *Parsed) field(name, value string) { p.Fields = append(p.Fields, [2]string{name, value}) }

// DSID is the DS id of a diagnostic-signature message, else "".
func (p *Parsed) DSID() string {
	if p.Type == callhome.TypeDiagnosticSignature {
		return p.SubType
	}
	return ""
}

// ErrRefused wraps every error of Parse: the message is malformed or
// unsafe, and sending it again will not help.
var ErrRefused = errors.New("refused")

// Parse reads a message in whichever format body is.
func Parse(body []byte) (*Parsed, error) {
	t := bytes.TrimLeft(body, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(t, []byte("<")):
		return parseXML(body)
	case bytes.HasPrefix(t, []byte("Device identification:")):
		return parseShort(string(t))
	case bytes.HasPrefix(t, []byte("Time stamp:")):
		return parseLong(string(t))
	}
	return nil, fmt.Errorf("%w: line 1: neither an AML XML envelope nor a long or short text message", ErrRefused)
}

// xmlEntity is what an NX-OS device leaves escaped inside CDATA.
var xmlEntity = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&#39;", "'", "&amp;", "&")

// parseXML reads the AML envelope by local names, so that any prefix
// and the rme 4.0 or 4.1 namespace read alike. A DOCTYPE is refused, and
// the strict decoder knows no entity beyond XML's five.
func parseXML(body []byte) (*Parsed, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	p := &Parsed{Format: FormatXML}
	var stack []string
	var text, cdataText strings.Builder
	var cdata bool   // the element's text came (at least partly) from CDATA
	var other string // its text outside CDATA
	var enc string   // encoding attribute of an attachment's Data
	var att *callhome.Attachment
	line := func() int {
		off := d.InputOffset()
		return 1 + bytes.Count(body[:min(int(off), len(body))], []byte("\n"))
	}
	seen := map[string]bool{}
	set := func(key string, f func()) {
		if !seen[key] {
			seen[key] = true
			f()
		}
	}
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrRefused, line(), err)
		}
		switch tk := tok.(type) {
		case xml.Directive:
			return nil, fmt.Errorf("%w: line %d: a DOCTYPE or other directive; Call Home messages have none", ErrRefused, line())
		case xml.StartElement:
			stack = append(stack, tk.Name.Local)
			text.Reset()
			cdataText.Reset()
			cdata, other = false, ""
			path := strings.Join(stack, "/")
			switch {
			case strings.HasSuffix(path, "Attachments/Attachment"):
				p.Attachments = append(p.Attachments, callhome.Attachment{})
				att = &p.Attachments[len(p.Attachments)-1]
			case strings.HasSuffix(path, "Attachment/Data"):
				enc = attr(tk, "encoding")
			case strings.HasSuffix(path, "Chassis/AdditionalInformation/AD"):
				name, value := attr(tk, "name"), attr(tk, "value")
				set("AD/"+name, func() {
					switch name {
					case "PartNumber":
						p.Device.PartNumber = value
					case "SoftwareVersion":
						p.Device.SoftwareVersion = value
					case "SystemObjectId":
						p.Device.SystemObjectID = value
					case "SystemDescription":
						p.Device.SystemDescription = value
					}
					p.field(name, value)
				})
			}
		case xml.CharData:
			if bytes.HasPrefix(body[before:], []byte("<![CDATA[")) {
				cdata = true
				cdataText.Write(tk)
			} else {
				other += string(tk)
			}
			text.Write(tk)
		case xml.EndElement:
			path := strings.Join(stack, "/")
			v := text.String()
			stack = stack[:len(stack)-1]
			if strings.HasSuffix(path, "Attachment/Data") && att != nil {
				if cdata && strings.TrimSpace(other) == "" {
					// NX-OS puts line ends around the section.
					v = cdataText.String()
				}
				switch {
				case strings.EqualFold(enc, "base64"):
					b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
					if err != nil {
						return nil, fmt.Errorf("%w: line %d: attachment %q: %v", ErrRefused, line(), att.Command, err)
					}
					v = string(b)
				case cdata && strings.Contains(v, "&") && !strings.ContainsAny(v, "<>"):
					v = xmlEntity.Replace(v)
				}
				att.Output = v
				continue
			}
			if strings.HasSuffix(path, "Attachment/Name") && att != nil {
				att.Command = strings.TrimSpace(v)
				continue
			}
			v = strings.TrimSpace(v)
			if k, f := p.xmlField(path); f != nil {
				set(k, func() {
					f(v)
					p.field(k, v)
				})
			}
			text.Reset()
			cdataText.Reset()
			cdata, other = false, ""
		}
	}
	if len(stack) != 0 || !seen["Type"] && !seen["EventType"] {
		return nil, fmt.Errorf("%w: line %d: not an AML Call Home message (no aml-block:Type or ch:Event/ch:Type)", ErrRefused, line())
	}
	return p, nil
}

// xmlField maps an element path to the field it fills.
func (p *Parsed) xmlField(path string) (string, func(string)) {
	suffix := func(s string) bool { return strings.HasSuffix(path, s) }
	switch {
	case suffix("Session/MessageId"):
		return "MessageId", func(v string) { p.AMLMessageID = v; p.MessageID = idNumber(v) }
	case suffix("Block/Header/Type"):
		return "Type", func(v string) {
			if p.Type == "" {
				p.Type = v[strings.LastIndex(v, "/")+1:]
			}
		}
	case suffix("Block/Header/CreationDate"):
		return "CreationDate", func(v string) { p.CreationDate = v }
	case suffix("Header/Builder/Name"):
		return "Builder", func(v string) { p.Device.Product = v }
	case suffix("Header/Builder/Version"):
		return "BuilderVersion", func(v string) { p.Device.BuilderVersion = v }
	case suffix("BlockGroup/GroupId"):
		return "GroupId", func(v string) { p.AMLGroupID = v; p.GroupID = idNumber(v) }
	case suffix("Block/Header/Severity"):
		return "Severity", func(v string) { n, _ := strconv.Atoi(v); p.Severity = config.AlertSeverity(n) }
	case suffix("CallHome/EventTime"):
		return "EventTime", func(v string) { p.EventTime = v }
	case suffix("CallHome/MessageDescription"):
		return "MessageDescription", func(v string) { p.Description = v }
	case suffix("CallHome/Event/Type"):
		return "EventType", func(v string) { p.Type = v }
	case suffix("CallHome/Event/SubType"):
		return "SubType", func(v string) { p.SubType = v }
	case suffix("CallHome/Event/Brand"):
		return "Brand", func(v string) { p.Device.Brand = v }
	case suffix("CallHome/Event/Series"):
		return "Series", func(v string) { p.Device.Series = v }
	case suffix("UserData/Email"):
		return "Email", func(v string) { p.Customer.ContactEmail = v }
	case suffix("ContractData/CustomerId"):
		return "CustomerId", func(v string) { p.Customer.CustomerID = v }
	case suffix("ContractData/SiteId"):
		return "SiteId", func(v string) { p.Customer.SiteID = v }
	case suffix("ContractData/ContractId"):
		return "ContractId", func(v string) { p.Customer.ContractID = v }
	case suffix("ContractData/DeviceId"):
		return "DeviceId", func(string) {}
	case suffix("SystemInfo/Name"):
		return "Hostname", func(v string) { p.Customer.Hostname = v }
	case suffix("SystemInfo/Contact"):
		return "Contact", func(v string) { p.Customer.ContactName = v }
	case suffix("SystemInfo/ContactEmail"):
		return "ContactEmail", func(v string) { p.Customer.ContactEmail = v }
	case suffix("SystemInfo/ContactPhoneNumber"):
		return "ContactPhoneNumber", func(v string) { p.Customer.PhoneNumber = v }
	case suffix("SystemInfo/StreetAddress"):
		return "StreetAddress", func(v string) { p.Customer.StreetAddress = v }
	case suffix("CustomerData/CCOID"):
		return "CCOID", func(v string) { p.Customer.CCOID = v }
	case suffix("Device/Chassis/Model"):
		return "Model", func(v string) { p.Device.PID = v }
	case suffix("Device/Chassis/HardwareVersion"):
		return "HardwareVersion", func(v string) { p.Device.HardwareVersion = v }
	case suffix("Device/Chassis/SerialNumber"):
		return "SerialNumber", func(v string) { p.Device.Serial = v }
	}
	return "", nil
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// idNumber reads n of "M<n>:serial:epoch".
func idNumber(id string) uint64 {
	head, _, _ := strings.Cut(id, ":")
	if len(head) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(head[1:], 10, 64)
	return n
}

// longFields are the long-text header names in callhome.LongText's order.
var longFields = []string{"Time stamp", "Message name", "Message type", "Message subtype", "Message group", "Severity level",
	"Source ID", "Device ID", "Customer ID", "Contract ID", "Site ID", "Server ID", "Message description", "Device name",
	"Contact name", "Contact e-mail", "Contact phone number", "Street address", "Model name", "Serial number",
	"Chassis part number", "System object ID", "System description", "Chassis hardware version",
	"Supervisor module software version"}

const outputHeader = "Command output name: "

// parseLong reads the long-text format: "Name: value" lines, then one
// block per command output.
func parseLong(s string) (*Parsed, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	p := &Parsed{Format: FormatLong}
	head, rest, _ := strings.Cut(s, "\n\n"+outputHeader)
	known := map[string]bool{}
	for _, f := range longFields {
		known[f] = true
	}
	vals := map[string]string{}
	last := ""
	for _, ln := range strings.Split(strings.TrimRight(head, "\n"), "\n") {
		name, v, ok := strings.Cut(ln, ":")
		if ok && known[name] {
			last = name
			vals[name] = strings.TrimPrefix(v, " ")
			p.field(name, vals[name])
			continue
		}
		if last == "" {
			return nil, fmt.Errorf("%w: line 1: long text that does not start with \"Time stamp:\"", ErrRefused)
		}
		vals[last] += "\n" + ln // a value that spans lines
	}
	if vals["Message type"] == "" {
		return nil, fmt.Errorf("%w: a long-text message without \"Message type:\"", ErrRefused)
	}
	p.EventTime = vals["Time stamp"]
	p.Name = vals["Message name"]
	p.Type = vals["Message type"]
	p.SubType = vals["Message subtype"]
	p.Group = vals["Message group"]
	n, _ := strconv.Atoi(vals["Severity level"])
	p.Severity = config.AlertSeverity(n)
	p.Device.Product = vals["Source ID"]
	p.Customer.CustomerID = vals["Customer ID"]
	p.Customer.ContractID = vals["Contract ID"]
	p.Customer.SiteID = vals["Site ID"]
	p.Description = vals["Message description"]
	p.Customer.Hostname = vals["Device name"]
	p.Customer.ContactName = vals["Contact name"]
	p.Customer.ContactEmail = vals["Contact e-mail"]
	p.Customer.PhoneNumber = vals["Contact phone number"]
	p.Customer.StreetAddress = vals["Street address"]
	p.Device.PID = vals["Model name"]
	p.Device.Serial = vals["Serial number"]
	p.Device.PartNumber = vals["Chassis part number"]
	p.Device.SystemObjectID = vals["System object ID"]
	p.Device.SystemDescription = vals["System description"]
	p.Device.HardwareVersion = vals["Chassis hardware version"]
	p.Device.SoftwareVersion = vals["Supervisor module software version"]
	if rest == "" {
		return p, nil
	}
	for _, block := range strings.Split(outputHeader+rest, "\n\n"+outputHeader) {
		block = strings.TrimPrefix(block, outputHeader)
		name, body, _ := strings.Cut(block, "\n")
		_, out, ok := strings.Cut(body, "Command output text:\n")
		if !ok {
			_, out, _ = strings.Cut(body, "Command output text:")
		}
		p.Attachments = append(p.Attachments, callhome.Attachment{Command: name, Output: strings.TrimSuffix(out, "\n")})
	}
	return p, nil
}

// dsDescription is how a DS message's description starts: "DS 6030 …".
var dsDescription = regexp.MustCompile(`^DS ([0-9]+) `)

// parseShort reads the four lines of the short-text format. It names no
// type: a description starting "DS <id>" is a DS message, anything else
// is typed "short-text".
func parseShort(s string) (*Parsed, error) {
	p := &Parsed{Format: FormatShort, Message: callhome.Message{Type: FormatShort}}
	for _, ln := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		name, v, ok := strings.Cut(ln, ": ")
		if !ok {
			continue
		}
		p.field(name, v)
		switch name {
		case "Device identification":
			p.Customer.Hostname = v
		case "Date/time stamp":
			p.EventTime = v
		case "Error isolation message":
			p.Description = v
			if m := dsDescription.FindStringSubmatch(v); m != nil {
				p.Type, p.SubType = callhome.TypeDiagnosticSignature, m[1]
			}
		case "Alarm urgency level":
			if sev, ok := config.ParseAlertSeverity(v); ok {
				p.Severity = sev
			}
		}
	}
	if p.Customer.Hostname == "" {
		return nil, fmt.Errorf("%w: a short-text message without \"Device identification:\"", ErrRefused)
	}
	return p, nil
}
