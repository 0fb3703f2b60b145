package callhome

import (
	"strconv"
	"strings"
)

// The namespaces and fixed values of the AML envelope.
const (
	nsSOAP        = "http://www.w3.org/2003/05/soap-envelope"
	nsSession     = "http://www.cisco.com/2004/01/aml-session"
	nsBlock       = "http://www.cisco.com/2004/01/aml-block"
	nsCallHome    = "http://www.cisco.com/2005/05/callhome"
	nsRME         = "http://www.cisco.com/rme/4.0"
	soapRoleNext  = "http://www.w3.org/2003/05/soap-envelope/role/next"
	applianceURI  = "http://www.cisco.com/appliance/uri"
	typeURLPrefix = "http://www.cisco.com/2005/05/callhome/"
)

// cdataSplit is what "]]>" becomes inside CDATA: the section ends after
// "]]" and a new one starts before ">".
const cdataSplit = "]]]]><![CDATA[>"

// XML writes m as the AML SOAP 1.2 envelope IOS XE sends (format xml), one
// element a line like the guide's sample:
//
//	soap-env:Envelope/soap-env:Header/aml-session:Session: To (o.To), Path/Via,
//	  From, MessageId M<n>:<serial>:<epoch hex>
//	soap-env:Body/aml-block:Block
//	  aml-block:Header: Type http://www.cisco.com/2005/05/callhome/<type>,
//	    CreationDate (UTC), Builder (Name, Version), BlockGroup (GroupId,
//	    Number 0, IsLast true, IsPrimary true, WaitForPrimary false), Severity
//	  aml-block:Content/ch:CallHome version="1.0": EventTime,
//	    MessageDescription, Event (Type, SubType, Brand, Series),
//	    CustomerData (UserData/Email; ContractData: CustomerId, SiteId,
//	    ContractId, DeviceId; SystemInfo: Name, Contact, ContactEmail,
//	    ContactPhoneNumber, StreetAddress; CCOID; IdToken),
//	    Device/rme:Chassis (Model, HardwareVersion, SerialNumber,
//	    AdditionalInformation/rme:AD PartNumber, SoftwareVersion,
//	    SystemObjectId, SystemDescription, ServiceNumber, ForwardAddress)
//	  aml-block:Attachments (only when there are attachments): one
//	    aml-block:Attachment type="inline" per command, Name = the command,
//	    Data encoding="plain" = the output in CDATA.
//
// Every field is sanitized first (see Sanitize), so the result is
// well-formed XML 1.0 for any input. Element text is escaped (&, <, > and
// carriage return as &#xD;, so it parses back unchanged); attribute values
// also escape quotes, tab and line feed. An output is written as CDATA:
// each "]]>" in it splits the section ("]]]]><![CDATA[>"), and its line ends
// are written as LF (CRLF and lone CR become LF, as any XML parser would
// read them anyway). The message is cut to o.SizeLimit as
// Options.SizeLimit says.
func XML(m *Message, o Options) ([]byte, error) { return render(xmlFormat{}, m, o) }

type xmlFormat struct{}

func (xmlFormat) name() string { return "xml" }

func (xmlFormat) attachments() bool { return true }

func (xmlFormat) prepare(out string) string { return normalizeLineEnds(out) }

func (xmlFormat) cost(out string) func(int) int {
	var ends []int
	for i := 0; ; {
		j := strings.Index(out[i:], "]]>")
		if j < 0 {
			break
		}
		i += j + 3
		ends = append(ends, i)
	}
	if len(ends) == 0 {
		return identityCost
	}
	extra := len(cdataSplit) - len("]]>")
	return func(n int) int {
		// occurrences that end within the first n bytes
		lo, hi := 0, len(ends)
		for lo < hi {
			mid := (lo + hi) / 2
			if ends[mid] <= n {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		return n + lo*extra
	}
}

func (xmlFormat) write(m *Message, o Options) []byte {
	size := 4096 + len(m.Description) + len(m.Device.SystemDescription)
	for _, a := range m.Attachments {
		size += 160 + len(a.Command) + len(a.Output)
	}
	w := xmlWriter{b: make([]byte, 0, size)}
	d, c := &m.Device, &m.Customer

	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.raw(`<soap-env:Envelope xmlns:soap-env="` + nsSOAP + `">` + "\n")
	w.raw("<soap-env:Header>\n")
	w.raw(`<aml-session:Session xmlns:aml-session="` + nsSession + `" soap-env:mustUnderstand="true" soap-env:role="` + soapRoleNext + `">` + "\n")
	w.elem("aml-session:To", o.To)
	w.raw("<aml-session:Path>\n")
	w.elem("aml-session:Via", applianceURI)
	w.raw("</aml-session:Path>\n")
	w.elem("aml-session:From", applianceURI)
	w.elem("aml-session:MessageId", m.AMLMessageID())
	w.raw("</aml-session:Session>\n</soap-env:Header>\n<soap-env:Body>\n")

	w.raw(`<aml-block:Block xmlns:aml-block="` + nsBlock + `">` + "\n")
	w.raw("<aml-block:Header>\n")
	w.elem("aml-block:Type", typeURLPrefix+m.Type)
	w.elem("aml-block:CreationDate", FormatTime(m.CreationTime.UTC()))
	w.raw("<aml-block:Builder>\n")
	w.elem("aml-block:Name", d.Product)
	w.elem("aml-block:Version", d.BuilderVersion)
	w.raw("</aml-block:Builder>\n<aml-block:BlockGroup>\n")
	w.elem("aml-block:GroupId", m.AMLGroupID())
	w.raw("<aml-block:Number>0</aml-block:Number>\n")
	w.raw("<aml-block:IsLast>true</aml-block:IsLast>\n")
	w.raw("<aml-block:IsPrimary>true</aml-block:IsPrimary>\n")
	w.raw("<aml-block:WaitForPrimary>false</aml-block:WaitForPrimary>\n")
	w.raw("</aml-block:BlockGroup>\n")
	w.elem("aml-block:Severity", strconv.Itoa(int(m.Severity)))
	w.raw("</aml-block:Header>\n<aml-block:Content>\n")

	w.raw(`<ch:CallHome xmlns:ch="` + nsCallHome + `" version="1.0">` + "\n")
	w.elem("ch:EventTime", FormatTime(m.EventTime))
	w.elem("ch:MessageDescription", m.Description)
	w.raw("<ch:Event>\n")
	w.elem("ch:Type", m.Type)
	w.elem("ch:SubType", m.SubType)
	w.elem("ch:Brand", d.Brand)
	w.elem("ch:Series", d.Series)
	w.raw("</ch:Event>\n<ch:CustomerData>\n<ch:UserData>\n")
	w.elem("ch:Email", c.ContactEmail)
	w.raw("</ch:UserData>\n<ch:ContractData>\n")
	w.elem("ch:CustomerId", c.CustomerID)
	w.elem("ch:SiteId", c.SiteID)
	w.elem("ch:ContractId", c.ContractID)
	w.elem("ch:DeviceId", d.ID())
	w.raw("</ch:ContractData>\n<ch:SystemInfo>\n")
	w.elem("ch:Name", c.Hostname)
	w.elem("ch:Contact", c.ContactName)
	w.elem("ch:ContactEmail", c.ContactEmail)
	w.elem("ch:ContactPhoneNumber", c.PhoneNumber)
	w.elem("ch:StreetAddress", c.StreetAddress)
	w.raw("</ch:SystemInfo>\n")
	w.elem("ch:CCOID", c.CCOID)
	w.raw("<ch:IdToken></ch:IdToken>\n")
	w.raw("</ch:CustomerData>\n<ch:Device>\n")
	w.raw(`<rme:Chassis xmlns:rme="` + nsRME + `">` + "\n")
	w.elem("rme:Model", d.PID)
	w.elem("rme:HardwareVersion", d.HardwareVersion)
	w.elem("rme:SerialNumber", d.Serial)
	w.raw("<rme:AdditionalInformation>\n")
	w.ad("PartNumber", d.PartNumber)
	w.ad("SoftwareVersion", d.SoftwareVersion)
	w.ad("SystemObjectId", d.SystemObjectID)
	w.ad("SystemDescription", d.SystemDescription)
	w.ad("ServiceNumber", "")
	w.ad("ForwardAddress", "")
	w.raw("</rme:AdditionalInformation>\n</rme:Chassis>\n</ch:Device>\n</ch:CallHome>\n</aml-block:Content>\n")

	if len(m.Attachments) > 0 {
		w.raw("<aml-block:Attachments>\n")
		for _, a := range m.Attachments {
			w.raw(`<aml-block:Attachment type="inline">` + "\n")
			w.elem("aml-block:Name", a.Command)
			w.raw(`<aml-block:Data encoding="plain">`)
			w.cdata(a.Output)
			w.raw("</aml-block:Data>\n</aml-block:Attachment>\n")
		}
		w.raw("</aml-block:Attachments>\n")
	}
	w.raw("</aml-block:Block>\n</soap-env:Body>\n</soap-env:Envelope>\n")
	return w.b
}

// xmlWriter appends XML to a byte slice. Its input is sanitized: it only
// escapes.
type xmlWriter struct{ b []byte }

func (w *xmlWriter) raw(s string) { w.b = append(w.b, s...) }

// elem writes <name>text</name> and a line feed.
func (w *xmlWriter) elem(name, text string) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
	w.escape(text, false)
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ">\n"...)
}

// ad writes one rme:AD element.
func (w *xmlWriter) ad(name, value string) {
	w.raw(`<rme:AD name="` + name + `" value="`)
	w.escape(value, true)
	w.raw("\" />\n")
}

// escape writes s as element text, or as an attribute value in double
// quotes when attr is set.
func (w *xmlWriter) escape(s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		case '\n':
			if !attr {
				continue
			}
			esc = "&#xA;"
		case '\t':
			if !attr {
				continue
			}
			esc = "&#x9;"
		default:
			continue
		}
		w.b = append(w.b, s[last:i]...)
		w.b = append(w.b, esc...)
		last = i + 1
	}
	w.b = append(w.b, s[last:]...)
}

// cdata writes s as CDATA sections, split around every "]]>".
func (w *xmlWriter) cdata(s string) {
	w.b = append(w.b, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		w.b = append(w.b, s[:i]...)
		w.b = append(w.b, cdataSplit...)
		s = s[i+3:]
	}
	w.b = append(w.b, s...)
	w.b = append(w.b, "]]>"...)
}
