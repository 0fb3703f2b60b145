package events

import (
	"strings"
	"testing"
	"unsafe"
)

func TestCloneDetaches(t *testing.T) {
	buf := []byte("<189>1: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down")
	raw := unsafe.String(&buf[0], len(buf))
	m := Message{
		Raw: raw, Body: raw[8:], Text: raw[24:], Tag: raw[9:22], Facility: raw[9:13], Mnemonic: raw[16:22],
		Host: "not-in-raw", Priority: 189,
	}
	c := m.Clone()
	for i := range buf {
		buf[i] = '#'
	}
	if c.Raw != "<189>1: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down" ||
		c.Body != "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down" ||
		c.Tag != "LINK-3-UPDOWN" || c.Facility != "LINK" || c.Mnemonic != "UPDOWN" ||
		c.Text != "Interface Gi1/0/1, changed state to down" || c.Host != "not-in-raw" {
		t.Fatalf("clone changed with the buffer: %+v", c)
	}
	// Fields inside Raw share the clone's one copy.
	if !strings.Contains(c.Raw, c.Body) || unsafe.StringData(c.Body) != unsafe.StringData(c.Raw[8:]) {
		t.Errorf("Body is not a slice of the cloned Raw")
	}
}

func TestHelpers(t *testing.T) {
	m := Message{Priority: 189, Tag: "LINK-3-UPDOWN"}
	if m.SyslogFacility() != 23 || !m.HasTag() {
		t.Errorf("facility %d, has tag %v", m.SyslogFacility(), m.HasTag())
	}
	m = Message{Priority: NoPriority}
	if m.SyslogFacility() != NoPriority || m.HasTag() {
		t.Errorf("no PRI: facility %d, has tag %v", m.SyslogFacility(), m.HasTag())
	}
	if FormatRFC5424.String() != "rfc5424" || TimeDevice.String() != "device" {
		t.Errorf("String methods")
	}
}
