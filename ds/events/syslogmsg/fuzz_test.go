package syslogmsg

import (
	"testing"
	"unsafe"

	"github.com/dsengine/dsengine/ds/events"
)

// FuzzParse checks that Parse never panics, that every string it sets lies
// inside Raw, and that the numeric fields stay in range, with and without
// a device zone.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add([]byte(c.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var m events.Message
		ParseIn(line, recv, pacific, &m)
		check(t, line, &m)
		Parse(line, recv, &m)
		check(t, line, &m)
	})
}

func check(t *testing.T, line []byte, p *events.Message) {
	m := *p
	{
		if len(m.Raw) > len(line) {
			t.Fatalf("Raw longer than the line")
		}
		for name, s := range map[string]string{
			"Zone": m.Zone, "Host": m.Host, "AppName": m.AppName, "ProcID": m.ProcID, "MsgID": m.MsgID,
			"StructuredData": m.StructuredData, "Node": m.Node, "Tag": m.Tag, "Facility": m.Facility,
			"SubFacility": m.SubFacility, "Mnemonic": m.Mnemonic, "Body": m.Body, "Text": m.Text,
			"Inner.Tag": m.Inner.Tag, "Inner.Text": m.Inner.Text,
		} {
			if s != "" && !inside(s, m.Raw) {
				t.Fatalf("%s %q is not inside Raw %q", name, s, m.Raw)
			}
		}
		if m.Severity < 0 || m.Severity > 7 {
			t.Fatalf("severity %d", m.Severity)
		}
		if m.Priority < events.NoPriority || m.Priority > 191 {
			t.Fatalf("priority %d", m.Priority)
		}
		if m.Tag != "" && (m.Facility == "" || m.Mnemonic == "" || m.Body == "" || m.Body[0] != '%') {
			t.Fatalf("tag %q with facility %q mnemonic %q body %q", m.Tag, m.Facility, m.Mnemonic, m.Body)
		}
		c := m.Clone()
		if d := diff(c, m); len(d) > 0 {
			t.Fatalf("clone differs: %v", d)
		}
	}
}

// inside reports whether s lies within the memory of raw.
func inside(s, raw string) bool {
	if raw == "" {
		return false
	}
	b := uintptr(unsafe.Pointer(unsafe.StringData(raw)))
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p >= b && p+uintptr(len(s)) <= b+uintptr(len(raw))
}
