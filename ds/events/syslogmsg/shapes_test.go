package syslogmsg

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/internal/golden"
)

// pacific is a device with `clock timezone PST -8 0` and `clock
// summer-time PDT recurring`.
var pacific = config.Clock{Zone: "PST", Offset: -8 * 3600, Summer: config.SummerTime{Name: "PDT"}}.Location()

// parsed is what a reader of a log wants from a line: the fields the
// issue's replay scored, as the golden file holds them.
type parsed struct {
	Time       string `json:"time"` // RFC 3339 in UTC; "received" when the line has no calendar stamp
	Zone       string `json:"zone,omitempty"`
	Unresolved bool   `json:"zone_unresolved,omitempty"`
	Priority   int    `json:"pri"`
	Counter    string `json:"counter,omitempty"`
	Seq        string `json:"seq,omitempty"`
	Host       string `json:"host,omitempty"`
	App        string `json:"app,omitempty"`
	Facility   string `json:"facility,omitempty"`
	Severity   int    `json:"severity"`
	Mnemonic   string `json:"mnemonic,omitempty"`
	Inner      string `json:"inner,omitempty"` // the inner tag
	Message    string `json:"message"`         // Text
}

func summary(m *events.Message) parsed {
	p := parsed{Time: "received", Zone: m.Zone, Unresolved: m.ZoneUnresolved, Priority: m.Priority, Host: m.Host,
		App: m.AppName, Facility: m.Facility, Severity: int(m.Severity), Mnemonic: m.Mnemonic, Inner: m.Inner.Tag, Message: m.Text}
	if m.TimeFrom != events.TimeReceived {
		p.Time = m.Time.UTC().Format(time.RFC3339Nano)
	}
	if m.HasCounter {
		p.Counter = strconv.FormatUint(m.Counter, 10)
	}
	if m.HasSeq {
		p.Seq = strconv.FormatUint(m.Seq, 10)
	}
	return p
}

// shapes: one realistic line of each shape the issue found misread, with
// the expected parse; loc is the device's zone (nil: none configured).
var shapes = []struct {
	name string
	line string
	loc  *time.Location
	want parsed
}{
	{"relay-header-before-pri", "Aug 22 05:11:06 relay1 <189>5: 000006: *Jan  2 00:11:06.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down", nil,
		parsed{Time: "2026-01-02T00:11:06.123Z", Priority: 189, Counter: "5", Seq: "6", Host: "relay1", Facility: "LINK", Severity: 3, Mnemonic: "UPDOWN",
			Message: "Interface GigabitEthernet0/1, changed state to down"}},
	{"hostnameprefix-word", "<189>8120: xr1 RP/0/RSP0/CPU0:Oct  7 07:19:43.630 UTC: bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor 192.0.2.2 Down", nil,
		parsed{Time: "2026-10-07T07:19:43.63Z", Zone: "UTC", Priority: 189, Seq: "8120", Host: "xr1", App: "bgp", Facility: "ROUTING", Severity: 5, Mnemonic: "ADJCHANGE",
			Message: "neighbor 192.0.2.2 Down"}},
	{"unknown-origin-token", "<189>351: sw1.example.com(192.0.2.1): *Mar  3 10:00:00.000: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.77)", nil,
		parsed{Time: "2026-03-03T10:00:00Z", Priority: 189, Seq: "351", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I",
			Message: "Configured from console by admin on vty0 (192.0.2.77)"}},
	{"ipv6-origin", "<187>1203: 2001:db8:10::1: 001204: Nov 23 14:59:58.101 UTC: %LINK-3-UPDOWN: Interface TenGigabitEthernet1/1/1, changed state to down", nil,
		parsed{Time: "2026-11-23T14:59:58.101Z", Zone: "UTC", Priority: 187, Counter: "1203", Seq: "1204", Host: "2001:db8:10::1", Facility: "LINK", Severity: 3, Mnemonic: "UPDOWN",
			Message: "Interface TenGigabitEthernet1/1/1, changed state to down"}},
	{"ipv6-envelope-host", "Nov 23 14:59:58 2001:db8::7 42: *Nov 23 14:59:57.900: %LINEPROTO-5-UPDOWN: Line protocol on Interface Vlan20, changed state to up", nil,
		parsed{Time: "2026-11-23T14:59:57.9Z", Priority: -1, Seq: "42", Host: "2001:db8::7", Facility: "LINEPROTO", Severity: 5, Mnemonic: "UPDOWN",
			Message: "Line protocol on Interface Vlan20, changed state to up"}},
	{"zone-pst-configured", "<189>77: Nov 23 06:59:58.101 PST: %SYS-5-CONFIG_I: Configured from console by netops on vty1 (192.0.2.5)", pacific,
		parsed{Time: "2026-11-23T14:59:58.101Z", Zone: "PST", Priority: 189, Seq: "77", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I",
			Message: "Configured from console by netops on vty1 (192.0.2.5)"}},
	{"zone-pdt-configured", "<189>78: Jul  4 10:00:00.000 PDT: %SYS-5-RELOAD: Reload requested", pacific,
		parsed{Time: "2026-07-04T17:00:00Z", Zone: "PDT", Priority: 189, Seq: "78", Facility: "SYS", Severity: 5, Mnemonic: "RELOAD", Message: "Reload requested"}},
	{"zone-pst-not-configured", "<189>77: Nov 23 06:59:58.101 PST: %SYS-5-CONFIG_I: x", nil,
		parsed{Time: "2026-11-23T06:59:58.101Z", Zone: "PST", Unresolved: true, Priority: 189, Seq: "77", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I", Message: "x"}},
	{"zone-other-name", "<187>79: Nov 23 15:59:58.101 CET: %LINK-3-UPDOWN: x", pacific,
		parsed{Time: "2026-11-23T15:59:58.101Z", Zone: "CET", Unresolved: true, Priority: 187, Seq: "79", Facility: "LINK", Severity: 3, Mnemonic: "UPDOWN", Message: "x"}},
	{"no-zone-in-configured-zone", "<189>80: Nov 23 06:59:58: %SYS-5-CONFIG_I: x", pacific,
		parsed{Time: "2026-11-23T14:59:58Z", Priority: 189, Seq: "80", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I", Message: "x"}},
	{"fall-back-hour-pdt", "<189>81: Nov  1 01:30:00 PDT: %SYS-5-CONFIG_I: x", pacific,
		parsed{Time: "2026-11-01T08:30:00Z", Zone: "PDT", Priority: 189, Seq: "81", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I", Message: "x"}},
	{"fall-back-hour-pst", "<189>82: Nov  1 01:30:00 PST: %SYS-5-CONFIG_I: x", pacific,
		parsed{Time: "2026-11-01T09:30:00Z", Zone: "PST", Priority: 189, Seq: "82", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I", Message: "x"}},
	{"wlc-task-after-host", "<131>WLC-01: *spamApTask4: Feb 18 14:03:22.123: %CAPWAP-3-ECHO_ERR: capwap_ac_sm.c:7099 Did not receive heartbeat reply; AP: 00:11:22:33:44:55", nil,
		parsed{Time: "2026-02-18T14:03:22.123Z", Priority: 131, Host: "WLC-01", App: "spamApTask4", Facility: "CAPWAP", Severity: 3, Mnemonic: "ECHO_ERR",
			Message: "capwap_ac_sm.c:7099 Did not receive heartbeat reply; AP: 00:11:22:33:44:55"}},
	{"wlc-task", "*Dot1x_NW_MsgTask_0: Feb 18 10:11:12.456: %DOT1X-3-MAX_EAPOL_KEY_RETRANS: 1x_ptsm.c:534 Max EAPOL-key M1 retransmissions exceeded", nil,
		parsed{Time: "2026-02-18T10:11:12.456Z", Priority: -1, App: "Dot1x_NW_MsgTask_0", Facility: "DOT1X", Severity: 3, Mnemonic: "MAX_EAPOL_KEY_RETRANS",
			Message: "1x_ptsm.c:534 Max EAPOL-key M1 retransmissions exceeded"}},
	{"kiwi-after-pri", "<189>Original Address=192.0.2.44 4411: *Nov 23 14:59:01.777: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin]", nil,
		parsed{Time: "2026-11-23T14:59:01.777Z", Priority: 189, Seq: "4411", Host: "192.0.2.44", Facility: "SEC_LOGIN", Severity: 4, Mnemonic: "LOGIN_FAILED",
			Message: "Login failed [user: admin]"}},
	{"kiwi-after-rfc3164", "<189>Nov 23 14:59:02 kiwi01 original address=192.0.2.44 4412: *Nov 23 14:59:01.999: %SYS-5-CONFIG_I: x", nil,
		parsed{Time: "2026-11-23T14:59:01.999Z", Priority: 189, Seq: "4412", Host: "192.0.2.44", Facility: "SYS", Severity: 5, Mnemonic: "CONFIG_I", Message: "x"}},
	{"nxos-remote", "<189>: 2026 Nov 23 14:58:00 UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/7 is down (Link failure)", nil,
		parsed{Time: "2026-11-23T14:58:00Z", Zone: "UTC", Priority: 189, Facility: "ETHPORT", Severity: 5, Mnemonic: "IF_DOWN_LINK_FAILURE",
			Message: "Interface Ethernet1/7 is down (Link failure)"}},
	{"nxos-logfile", "2026 Nov 23 14:58:00.123 nx9k-1 %ETHPORT-5-IF_UP: Interface Ethernet1/7 is up in mode access", nil,
		parsed{Time: "2026-11-23T14:58:00.123Z", Priority: -1, Host: "nx9k-1", Facility: "ETHPORT", Severity: 5, Mnemonic: "IF_UP",
			Message: "Interface Ethernet1/7 is up in mode access"}},
	{"catos", "1999 Apr 16 10:01:26 %SYS-5-MOD_OK:Module 1 is online", nil,
		parsed{Time: "1999-04-16T10:01:26Z", Priority: -1, Facility: "SYS", Severity: 5, Mnemonic: "MOD_OK", Message: "Module 1 is online"}},
	{"small-business-letter", "<188>Nov 23 14:57:12 sg350-1 %SNMP-W-SNMPAUTHFAIL: SNMP Authentication failure message from 192.0.2.200", nil,
		parsed{Time: "2026-11-23T14:57:12Z", Priority: 188, Host: "sg350-1", Facility: "SNMP", Severity: 4, Mnemonic: "SNMPAUTHFAIL",
			Message: "SNMP Authentication failure message from 192.0.2.200"}},
	{"small-business-info", "%LINK-I-Up:  gi1/0/12", nil,
		parsed{Time: "received", Priority: -1, Facility: "LINK", Severity: 6, Mnemonic: "Up", Message: "gi1/0/12"}},
	{"nested-iosxe", "<190>1234: Nov 23 14:56:01.208: %IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 Thread:000 TS:00000000000000000000 %FW-6-DROP_PKT: Dropping tcp pkt", nil,
		parsed{Time: "2026-11-23T14:56:01.208Z", Priority: 190, Seq: "1234", Facility: "IOSXE", Severity: 6, Mnemonic: "PLATFORM", Inner: "FW-6-DROP_PKT",
			Message: "R0/0: cpp_cp: QFP:0.0 Thread:000 TS:00000000000000000000 %FW-6-DROP_PKT: Dropping tcp pkt"}},
	{"text-words-stay-text", "NTP Core (NOTICE): Clock synchronization lost.", nil,
		parsed{Time: "received", Priority: -1, Severity: 5, Message: "NTP Core (NOTICE): Clock synchronization lost."}},
	{"two-words-before-tag-stay-text", "interface flapped %LINK-3-UPDOWN: x", nil,
		parsed{Time: "received", Priority: -1, Facility: "LINK", Severity: 3, Mnemonic: "UPDOWN", Message: "x"}},
}

func TestShapes(t *testing.T) {
	for _, c := range shapes {
		t.Run(c.name, func(t *testing.T) {
			var m events.Message
			ParseStringIn(c.line, recv, c.loc, &m)
			if got := summary(&m); got != c.want {
				t.Errorf("%s\n got %+v\nwant %+v", c.line, got, c.want)
			}
			if n := testing.AllocsPerRun(20, func() { ParseStringIn(c.line, recv, c.loc, &m) }); n != 0 {
				t.Errorf("%v allocations", n)
			}
		})
	}
}

// TestRealShapes parses testdata/real-shapes.log (a line of each shape,
// in the device zone PST/PDT) and compares each field with the parse
// written down in testdata/real-shapes.golden.json, reporting the share
// of each field right. Check the diff by hand before `go test -update`.
func TestRealShapes(t *testing.T) {
	data, err := os.ReadFile("testdata/real-shapes.log")
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Line  string `json:"line"`
		Parse parsed `json:"parse"`
	}
	var got []entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var m events.Message
		ParseStringIn(sc.Text(), recv, pacific, &m)
		got = append(got, entry{sc.Text(), summary(&m)})
	}
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/real-shapes.golden.json", append(out, '\n'))
	wantData, err := os.ReadFile("testdata/real-shapes.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []entry
	if err := json.Unmarshal(wantData, &want); err != nil {
		t.Fatalf("testdata/real-shapes.golden.json: %v", err)
	}
	if len(want) != len(got) {
		t.Fatalf("testdata/real-shapes.golden.json has %d lines, the log %d: run go test -update and check the diff", len(want), len(got))
	}
	typ := reflect.TypeOf(parsed{})
	right := make([]int, typ.NumField())
	for i := range got {
		g, w := reflect.ValueOf(got[i].Parse), reflect.ValueOf(want[i].Parse)
		for f := range right {
			if g.Field(f).Interface() == w.Field(f).Interface() {
				right[f]++
			}
		}
	}
	for f, n := range right {
		name, _, _ := strings.Cut(typ.Field(f).Tag.Get("json"), ",")
		t.Logf("%-20s %5.1f %% right (%d of %d lines)", name, 100*float64(n)/float64(len(got)), n, len(got))
		if n != len(got) {
			t.Errorf("%s: %d of %d lines right", name, n, len(got))
		}
	}
}
