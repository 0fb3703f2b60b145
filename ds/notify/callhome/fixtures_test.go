package callhome

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// testDevice is a Linux host as the daemon would describe it.
func testDevice() Device {
	return Device{
		Product:           "dsengine",
		BuilderVersion:    AMLBuilderVersion,
		Brand:             DeviceBrand,
		Series:            DeviceSeries,
		PID:               "Linux",
		Serial:            "8F3C2A91D04E",
		SoftwareVersion:   "6.8.0-45-generic",
		SystemDescription: "Linux edge-1 6.8.0-45-generic #45-Ubuntu SMP PREEMPT_DYNAMIC x86_64 GNU/Linux",
	}
}

// testCustomer is the customer data of a typical configuration.
func testCustomer(t testing.TB) Customer {
	cfg := config.Default()
	cfg.Hostname = "edge-1"
	cfg.CallHome.ContactEmail = "noc@example.com"
	cfg.CallHome.PhoneNumber = "+1-408-555-0100"
	cfg.CallHome.StreetAddress = "1 Example Way, San Jose, CA"
	cfg.CallHome.CustomerID = "CUST-42"
	cfg.CallHome.SiteID = "SJC-1"
	cfg.CallHome.ContractID = "C-9000"
	return CustomerFromConfig(cfg, "srv42")
}

var (
	testEventTime    = time.Date(2024, 5, 1, 10, 15, 30, 0, time.FixedZone("CEST", 2*3600))
	testCreationTime = time.Date(2024, 5, 1, 8, 15, 31, 0, time.UTC)
)

// dsMessage is a DS call-home action's message with two command outputs.
func dsMessage(t testing.TB) *Message {
	return &Message{
		Type:         TypeDiagnosticSignature,
		SubType:      "6030",
		Name:         "ActCH",
		Severity:     config.SeverityMinor,
		EventTime:    testEventTime,
		CreationTime: testCreationTime,
		Description:  "DS 6030 ActCH: Collects interface state when a link flaps",
		Customer:     testCustomer(t),
		Device:       testDevice(),
		Attachments: []Attachment{
			{Command: "show interfaces GigabitEthernet1/0/1", Output: "GigabitEthernet1/0/1 is down, line protocol is down (notconnect)\n" +
				"  Hardware is Gigabit Ethernet, address is 00a3.d1e2.0f01 (bia 00a3.d1e2.0f01)\n" +
				"  Internet address is 192.0.2.1/24\n" +
				"  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\n" +
				"     reliability 255/255, txload 1/255, rxload 1/255\n" +
				"  5 minute input rate 0 bits/sec, 0 packets/sec\n"},
			{Command: "show logging | include UPDOWN", Output: "*May  1 10:15:29.871: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down\n" +
				"*May  1 10:15:30.041: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/1, changed state to down\n" +
				"edge-1#\n"},
		},
		MessageID: 8,
		GroupID:   9,
	}
}

// syslogMessage is a syslog alert-group message.
func syslogMessage(t testing.TB) *Message {
	return &Message{
		Type:         string(config.GroupSyslog),
		SubType:      "UPDOWN",
		Name:         "SYSLOG",
		Severity:     config.FromSyslog(3),
		EventTime:    testEventTime,
		CreationTime: testCreationTime,
		Description:  "*May  1 10:15:30.041: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down",
		Customer:     testCustomer(t),
		Device:       testDevice(),
		Attachments: []Attachment{
			{Command: "show logging", Output: "Syslog logging: enabled (0 messages dropped, 1 messages rate-limited)\n" +
				"Log Buffer (4096 bytes):\n" +
				"*May  1 10:15:29.871: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down\n" +
				"*May  1 10:15:30.041: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to down\n" +
				"edge-1#"},
		},
		MessageID: 10,
		GroupID:   11,
	}
}

// testMessage is a "call-home test" message: no attachments.
func testMessage(t testing.TB) *Message {
	return &Message{
		Type:         TypeTest,
		SubType:      "test",
		Name:         "TEST",
		Severity:     config.SeverityNormal,
		EventTime:    testCreationTime,
		CreationTime: testCreationTime,
		Description:  "test message from dsengine",
		Customer:     testCustomer(t),
		Device:       testDevice(),
		MessageID:    1,
		GroupID:      2,
	}
}

// parsed is what a test reads back from an XML message.
type parsed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Session struct {
		To        string `xml:"To"`
		Via       string `xml:"Path>Via"`
		From      string `xml:"From"`
		MessageID string `xml:"MessageId"`
	} `xml:"Header>Session"`
	Block struct {
		Type         string `xml:"Header>Type"`
		CreationDate string `xml:"Header>CreationDate"`
		GroupID      string `xml:"Header>BlockGroup>GroupId"`
		Severity     string `xml:"Header>Severity"`
		CallHome     struct {
			Version     string `xml:"version,attr"`
			EventTime   string `xml:"EventTime"`
			Description string `xml:"MessageDescription"`
			Type        string `xml:"Event>Type"`
			SubType     string `xml:"Event>SubType"`
			DeviceID    string `xml:"CustomerData>ContractData>DeviceId"`
			Name        string `xml:"CustomerData>SystemInfo>Name"`
			Chassis     struct {
				Model string `xml:"Model"`
				AD    []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"AdditionalInformation>AD"`
			} `xml:"Device>Chassis"`
		} `xml:"Content>CallHome"`
		Attachments []struct {
			Type string `xml:"type,attr"`
			Name string `xml:"Name"`
			Data struct {
				Encoding string `xml:"encoding,attr"`
				Text     string `xml:",chardata"`
			} `xml:"Data"`
		} `xml:"Attachments>Attachment"`
	} `xml:"Body>Block"`
}

// namespaceOf gives the namespace of the elements that open one in the AML
// envelope; every other element is in its parent's namespace.
var namespaceOf = map[string]string{
	"Envelope": nsSOAP, "Session": nsSession, "Block": nsBlock, "CallHome": nsCallHome, "Chassis": nsRME,
}

// parseXML checks that data is one well-formed XML document (every token
// read to the end, strict mode) and returns its fields.
func parseXML(data []byte) (*parsed, error) {
	d := xml.NewDecoder(strings.NewReader(string(data)))
	roots := 0
	depth := 0
	var spaces []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			want, ok := namespaceOf[tok.Name.Local]
			if !ok && len(spaces) > 0 {
				want = spaces[len(spaces)-1]
			}
			if tok.Name.Space != want {
				return nil, fmt.Errorf("element %s in namespace %q, want %q", tok.Name.Local, tok.Name.Space, want)
			}
			spaces = append(spaces, want)
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
			spaces = spaces[:len(spaces)-1]
		}
	}
	if roots != 1 || depth != 0 {
		return nil, fmt.Errorf("%d root elements, depth %d at the end", roots, depth)
	}
	var p parsed
	if err := xml.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
