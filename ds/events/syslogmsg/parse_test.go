package syslogmsg

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
)

var recv = time.Date(2026, time.November, 23, 15, 0, 0, 0, time.UTC)

func utc(y int, mo time.Month, d, h, mi, s, ms int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)
}

type parseCase struct {
	name string
	line string
	recv time.Time // zero: recv
	want func(m *events.Message)
}

var parseCases = []parseCase{
	{"flag-ms", "*Mar  1 00:11:00.343: %LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to up", time.Time{},
		func(m *events.Message) {
			m.Clock, m.Time, m.TimeFrom = '*', utc(2026, 3, 1, 0, 11, 0, 343), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface FastEthernet0/0, changed state to up"
			m.Text = "Interface FastEthernet0/0, changed state to up"
		}},
	{"flag-ms-lineproto", "*Mar  1 00:11:01.343: %LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up", time.Time{},
		func(m *events.Message) {
			m.Clock, m.Time, m.TimeFrom = '*', utc(2026, 3, 1, 0, 11, 1, 343), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINEPROTO-5-UPDOWN", "LINEPROTO", "UPDOWN", 5
			m.Body = "%LINEPROTO-5-UPDOWN: Line protocol on Interface FastEthernet0/0, changed state to up"
			m.Text = "Line protocol on Interface FastEthernet0/0, changed state to up"
		}},
	{"collector-prefix", "Sep  6 09:13:00 RouterName 82: Sep  6 14:12:56.872: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)", time.Time{},
		func(m *events.Message) {
			m.Format, m.Host = events.FormatRFC3164, "RouterName"
			m.Seq, m.HasSeq = 82, true
			m.Time, m.TimeFrom = utc(2026, 9, 6, 14, 12, 56, 872), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-5-CONFIG_I", "SYS", "CONFIG_I", 5
			m.Body = "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.1)"
			m.Text = "Configured from console by admin on vty0 (192.0.2.1)"
		}},
	{"pri-seq-year", "<189>2360957: Jan  6 2022 20:52:12.861: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)", time.Time{},
		func(m *events.Message) {
			m.Priority = 189
			m.Seq, m.HasSeq = 2360957, true
			m.Time, m.TimeFrom = utc(2022, 1, 6, 20, 52, 12, 861), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-5-CONFIG_I", "SYS", "CONFIG_I", 5
			m.Body = "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)"
			m.Text = "Configured from console by admin on vty0 (192.0.2.10)"
		}},
	{"pri-empty-counter-host", "<189>: sw01: Jan  6 2022 21:01:34.964: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Host = 189, "sw01"
			m.Time, m.TimeFrom = utc(2022, 1, 6, 21, 1, 34, 964), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-5-CONFIG_I", "SYS", "CONFIG_I", 5
			m.Body = "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (192.0.2.10)"
			m.Text = "Configured from console by admin on vty0 (192.0.2.10)"
		}},
	{"counter-host-seq-uptime", "<165>7433: ASR920: 007439: 2y10w: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 192.0.2.3] [localport: 22]", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Host = 165, "ASR920"
			m.Counter, m.HasCounter, m.Seq, m.HasSeq = 7433, true, 7439, true
			m.Uptime, m.HasUptime = (2*365+10*7)*24*time.Hour, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SEC_LOGIN-5-LOGIN_SUCCESS", "SEC_LOGIN", "LOGIN_SUCCESS", 5
			m.Body = "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 192.0.2.3] [localport: 22]"
			m.Text = "Login Success [user: admin] [Source: 192.0.2.3] [localport: 22]"
		}},
	{"unsynced-flag", "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Clock = 187, '.'
			m.Seq, m.HasSeq = 343, true
			m.Time, m.TimeFrom = utc(2026, 9, 21, 9, 22, 1, 678), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed state to up"
			m.Text = "Interface GigabitEthernet1/0/12, changed state to up"
		}},
	{"bare-oir-remcard", "%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "OIR-6-REMCARD", "OIR", "REMCARD", 6
			m.Body = "%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled"
			m.Text = "Card removed from slot 3, interfaces disabled"
		}},
	{"bare-oir-inscard", "%OIR-6-INSCARD: Card inserted in slot 3, interfaces administratively shut down", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "OIR-6-INSCARD", "OIR", "INSCARD", 6
			m.Body = "%OIR-6-INSCARD: Card inserted in slot 3, interfaces administratively shut down"
			m.Text = "Card inserted in slot 3, interfaces administratively shut down"
		}},
	{"sub-facility-sp", "%OIR-SP-6-REMCARD: Card removed from slot 9, interfaces disabled", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.SubFacility, m.Mnemonic, m.Severity = "OIR-SP-6-REMCARD", "OIR", "SP", "REMCARD", 6
			m.Body = "%OIR-SP-6-REMCARD: Card removed from slot 9, interfaces disabled"
			m.Text = "Card removed from slot 9, interfaces disabled"
		}},
	{"ospf", "%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.1 on GigabitEthernet1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "OSPF-5-ADJCHG", "OSPF", "ADJCHG", 5
			m.Body = "%OSPF-5-ADJCHG: Process 1, Nbr 10.0.0.1 on GigabitEthernet1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired"
			m.Text = "Process 1, Nbr 10.0.0.1 on GigabitEthernet1/0/1 from FULL to DOWN, Neighbor Down: Dead timer expired"
		}},
	{"mallocfail", "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed from 0x6024F5A0, alignment 0", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-2-MALLOCFAIL", "SYS", "MALLOCFAIL", 2
			m.Body = "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed from 0x6024F5A0, alignment 0"
			m.Text = "Memory allocation of 65536 bytes failed from 0x6024F5A0, alignment 0"
		}},
	{"mallocfail-continuation", "Pool: Processor  Free: 120  Cause: Not enough free memory", time.Time{},
		func(m *events.Message) {
			m.Body = "Pool: Processor  Free: 120  Cause: Not enough free memory"
			m.Text = m.Body
		}},
	{"multi-line-frame", "<186>12: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed\nPool: Processor  Free: 120  Cause: Not enough free memory\r\n", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Seq, m.HasSeq = 186, 12, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-2-MALLOCFAIL", "SYS", "MALLOCFAIL", 2
			m.Body = "%SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed\nPool: Processor  Free: 120  Cause: Not enough free memory"
			m.Text = "Memory allocation of 65536 bytes failed\nPool: Processor  Free: 120  Cause: Not enough free memory"
		}},
	{"sub-facility-pim", "*Mar  1 00:00:10: %PIM-SW1-6-INVALID_RP_JOIN: Received (*, 224.1.1.1) Join from 10.1.1.1 for invalid RP 10.9.9.9", time.Time{},
		func(m *events.Message) {
			m.Clock, m.Time, m.TimeFrom = '*', utc(2026, 3, 1, 0, 0, 10, 0), events.TimeDevice
			m.Tag, m.Facility, m.SubFacility, m.Mnemonic, m.Severity = "PIM-SW1-6-INVALID_RP_JOIN", "PIM", "SW1", "INVALID_RP_JOIN", 6
			m.Body = "%PIM-SW1-6-INVALID_RP_JOIN: Received (*, 224.1.1.1) Join from 10.1.1.1 for invalid RP 10.9.9.9"
			m.Text = "Received (*, 224.1.1.1) Join from 10.1.1.1 for invalid RP 10.9.9.9"
		}},
	{"nested-mnemonic", "<190>1234: Oct 11 10:15:31.208: %IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 Thread:000 TS:00000001 %FW-6-SESS_AUDIT_TRAIL: (target:class)-(zone:zp):-:1 SIS_CLOSED", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Seq, m.HasSeq = 190, 1234, true
			m.Time, m.TimeFrom = utc(2026, 10, 11, 10, 15, 31, 208), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "IOSXE-6-PLATFORM", "IOSXE", "PLATFORM", 6
			m.Body = "%IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 Thread:000 TS:00000001 %FW-6-SESS_AUDIT_TRAIL: (target:class)-(zone:zp):-:1 SIS_CLOSED"
			m.Text = "R0/0: cpp_cp: QFP:0.0 Thread:000 TS:00000001 %FW-6-SESS_AUDIT_TRAIL: (target:class)-(zone:zp):-:1 SIS_CLOSED"
			m.Inner = events.InnerTag{Tag: "FW-6-SESS_AUDIT_TRAIL", Facility: "FW", Mnemonic: "SESS_AUDIT_TRAIL", Severity: 6,
				Text: "(target:class)-(zone:zp):-:1 SIS_CLOSED"}
		}},
	{"no-tag-ntp", "NTP Core (NOTICE): Clock synchronization lost.", time.Time{},
		func(m *events.Message) {
			m.Body, m.Text = "NTP Core (NOTICE): Clock synchronization lost.", "NTP Core (NOTICE): Clock synchronization lost."
		}},
	{"no-tag-repeated-collector", "Nov 23 14:46:17 10.1.1.1 last message repeated 66 times", time.Time{},
		func(m *events.Message) {
			m.Format, m.Host = events.FormatRFC3164, "10.1.1.1"
			m.Time, m.TimeFrom = utc(2026, 11, 23, 14, 46, 17, 0), events.TimeEnvelope
			m.Body, m.Text = "last message repeated 66 times", "last message repeated 66 times"
		}},
	{"no-tag-with-pri", "<30>last message repeated 66 times", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Severity = 30, 6
			m.Body, m.Text = "last message repeated 66 times", "last message repeated 66 times"
		}},
	{"ios-xr", "RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: ipv4_acl_mgr[310]: %ACL-IPV4_ACL-6-IPACCESSLOGP : access-list ACL-IN (10) deny tcp 192.0.2.1(1234) -> 198.51.100.1(22), 1 packet", time.Time{},
		func(m *events.Message) {
			m.Node, m.AppName, m.ProcID = "RP/0/RP0/CPU0", "ipv4_acl_mgr", "310"
			m.Time, m.Zone, m.TimeFrom = utc(2026, 10, 7, 7, 19, 43, 630), "UTC", events.TimeDevice
			m.Tag, m.Facility, m.SubFacility, m.Mnemonic, m.Severity = "ACL-IPV4_ACL-6-IPACCESSLOGP", "ACL", "IPV4_ACL", "IPACCESSLOGP", 6
			m.Body = "%ACL-IPV4_ACL-6-IPACCESSLOGP : access-list ACL-IN (10) deny tcp 192.0.2.1(1234) -> 198.51.100.1(22), 1 packet"
			m.Text = "access-list ACL-IN (10) deny tcp 192.0.2.1(1234) -> 198.51.100.1(22), 1 packet"
		}},
	{"ios-xr-with-seq-and-host", "<189>8120: xr1 RP/0/RSP0/CPU0:Oct  7 07:19:43.630 UTC: bgp[1052]: %ROUTING-BGP-5-ADJCHANGE : neighbor 192.0.2.2 Up (VRF: default)", time.Time{},
		func(m *events.Message) {
			// "xr1 " (logging hostnameprefix) has no colon: the header
			// passes over it, as the host.
			m.Priority, m.Host, m.Seq, m.HasSeq = 189, "xr1", 8120, true
			m.Node, m.AppName, m.ProcID = "RP/0/RSP0/CPU0", "bgp", "1052"
			m.Time, m.Zone, m.TimeFrom = utc(2026, 10, 7, 7, 19, 43, 630), "UTC", events.TimeDevice
			m.Tag, m.Facility, m.SubFacility, m.Mnemonic, m.Severity = "ROUTING-BGP-5-ADJCHANGE", "ROUTING", "BGP", "ADJCHANGE", 5
			m.Body = "%ROUTING-BGP-5-ADJCHANGE : neighbor 192.0.2.2 Up (VRF: default)"
			m.Text = "neighbor 192.0.2.2 Up (VRF: default)"
		}},
	{"rfc5424-relay", "<189>1 2024-10-11T10:15:31.208321-05:00 host app - - - %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to down", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Format, m.Host, m.AppName = 189, events.FormatRFC5424, "host", "app"
			m.Time, m.Zone, m.TimeFrom = time.Date(2024, 10, 11, 15, 15, 31, 208321000, time.UTC), "-05:00", events.TimeEnvelope
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINEPROTO-5-UPDOWN", "LINEPROTO", "UPDOWN", 5
			m.Body = "%LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to down"
			m.Text = "Line protocol on Interface Gi0/1, changed state to down"
		}},
	{"rfc5424-logger-udp", `<13>1 2026-11-23T14:46:24.650991+00:00 vm root - - [timeQuality tzKnown="1" isSynced="0"] x`, time.Time{},
		func(m *events.Message) {
			m.Priority, m.Format, m.Host, m.AppName = 13, events.FormatRFC5424, "vm", "root"
			m.StructuredData = `[timeQuality tzKnown="1" isSynced="0"]`
			m.Time, m.Zone, m.TimeFrom = time.Date(2026, 11, 23, 14, 46, 24, 650991000, time.UTC), "+00:00", events.TimeEnvelope
			m.Body, m.Text = "x", "x"
		}},
	{"rfc5424-all-fields-bom-sd-escapes", "<190>1 2026-11-23T14:46:24Z sw1.example.com dsapp 4242 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\\\"li]cation\"][x@1 a=\"b\"] \xEF\xBB\xBF%SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 192.0.2.9 started", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Format, m.Host, m.AppName, m.ProcID, m.MsgID = 190, events.FormatRFC5424, "sw1.example.com", "dsapp", "4242", "ID47"
			m.StructuredData = "[exampleSDID@32473 iut=\"3\" eventSource=\"App\\\"li]cation\"][x@1 a=\"b\"]"
			m.Time, m.Zone, m.TimeFrom = time.Date(2026, 11, 23, 14, 46, 24, 0, time.UTC), "Z", events.TimeEnvelope
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-6-LOGGINGHOST_STARTSTOP", "SYS", "LOGGINGHOST_STARTSTOP", 6
			m.Body = "%SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 192.0.2.9 started"
			m.Text = "Logging to host 192.0.2.9 started"
		}},
	{"rfc5424-nil-everything", "<14>1 - - - - - -", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Severity, m.Format = 14, 6, events.FormatRFC5424
		}},
	{"rfc5424-cisco-header-inside", "<187>1 2026-11-23T14:46:24Z sw1 - - - - 343: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Format, m.Host = 187, events.FormatRFC5424, "sw1"
			m.Seq, m.HasSeq, m.Clock = 343, true, '*'
			m.Time, m.Zone, m.TimeFrom = utc(2026, 9, 21, 9, 22, 1, 678), "UTC", events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"
			m.Text = "Interface Gi1/0/1, changed state to down"
		}},
	{"rfc5424-broken-sd-is-text", `<13>1 2026-11-23T14:46:24Z vm root - - [timeQuality tzKnown="1 x`, time.Time{},
		func(m *events.Message) {
			m.Priority = 13
			m.Body = `1 2026-11-23T14:46:24Z vm root - - [timeQuality tzKnown="1 x`
			m.Text = m.Body
		}},
	{"rfc3164-logger", "<11>Nov 23 14:46:24 vm app: x", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Severity, m.Format, m.Host, m.AppName = 11, 3, events.FormatRFC3164, "vm", "app"
			m.Time, m.TimeFrom = utc(2026, 11, 23, 14, 46, 24, 0), events.TimeEnvelope
			m.Body, m.Text = "x", "x"
		}},
	{"rfc3164-rsyslog-pid", "<13>Nov 23 14:46:17 host sshd[1234]: Accepted publickey for root", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Format, m.Host, m.AppName, m.ProcID = 13, events.FormatRFC3164, "host", "sshd", "1234"
			m.Time, m.TimeFrom = utc(2026, 11, 23, 14, 46, 17, 0), events.TimeEnvelope
			m.Body, m.Text = "Accepted publickey for root", "Accepted publickey for root"
		}},
	{"rfc3164-tag-then-cisco-body", "<189>Nov 23 14:46:17 relay1 cisco: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Format, m.Host, m.AppName = 189, events.FormatRFC3164, "relay1", "cisco"
			m.Time, m.TimeFrom = utc(2026, 11, 23, 14, 46, 17, 0), events.TimeEnvelope
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"
			m.Text = "Interface Gi1/0/1, changed state to down"
		}},
	{"rfc3164-collector-origin-host", "Nov 23 14:46:17 192.0.2.7 sw7: 000123: *Nov 23 14:46:16.001 CEST: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down", time.Time{},
		func(m *events.Message) {
			m.Format, m.Host, m.Clock = events.FormatRFC3164, "sw7", '*'
			m.Seq, m.HasSeq = 123, true
			m.Time, m.Zone, m.TimeFrom, m.ZoneUnresolved = utc(2026, 11, 23, 14, 46, 16, 1), "CEST", events.TimeDevice, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"
			m.Text = "Interface Gi1/0/1, changed state to down"
		}},
	{"rfc3164-iso-stamp", "2026-11-23T14:46:17.123+01:00 sw2 %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down", time.Time{},
		func(m *events.Message) {
			m.Format, m.Host = events.FormatRFC3164, "sw2"
			m.Time, m.Zone, m.TimeFrom = utc(2026, 11, 23, 13, 46, 17, 123), "+01:00", events.TimeEnvelope
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down"
			m.Text = "Interface Gi1/0/1, changed state to down"
		}},
	{"zone-utc", "*Mar  1 00:11:00.343 UTC: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Clock, m.Time, m.Zone, m.TimeFrom = '*', utc(2026, 3, 1, 0, 11, 0, 343), "UTC", events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"zone-lowercase-mdt-no-ms", "Mar 10 00:11:00 mdt: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Time, m.Zone, m.TimeFrom, m.ZoneUnresolved = utc(2026, 3, 10, 0, 11, 0, 0), "mdt", events.TimeDevice, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"zone-offset", "<189>55: Jan  6 2022 20:52:12.861 UTC+07:30: %SYS-5-CONFIG_I: x", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Seq, m.HasSeq = 189, 55, true
			m.Time, m.Zone, m.TimeFrom = utc(2022, 1, 6, 13, 22, 12, 861), "UTC+07:30", events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "SYS-5-CONFIG_I", "SYS", "CONFIG_I", 5, "%SYS-5-CONFIG_I: x", "x"
		}},
	{"microseconds", "000042: Mar  1 00:11:00.343123: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Seq, m.HasSeq = 42, true
			m.Time, m.TimeFrom = time.Date(2026, 3, 1, 0, 11, 0, 343123000, time.UTC), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"uptime-clock", "<189>12: 00:01:23: %SYS-5-RESTART: System restarted --", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Seq, m.HasSeq = 189, 12, true
			m.Uptime, m.HasUptime = 83*time.Second, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "SYS-5-RESTART", "SYS", "RESTART", 5
			m.Body, m.Text = "%SYS-5-RESTART: System restarted --", "System restarted --"
		}},
	{"uptime-days-hours", "1d02h: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Uptime, m.HasUptime = 26*time.Hour, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"uptime-weeks-days-flag", "*3w4d: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Clock, m.Uptime, m.HasUptime = '*', 25*24*time.Hour, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"no-stamp-seq-only", "<187>77: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Seq, m.HasSeq = 187, 77, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"seq-without-stamp-or-tag-is-text", "<189>123: just text", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Severity, m.Body, m.Text = 189, 5, "123: just text", "123: just text"
		}},
	{"tag-severity-wins-over-pri", "<191>%LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Priority = 191
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"tag-at-end-no-colon", "%SYS-5-RESTART", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body = "SYS-5-RESTART", "SYS", "RESTART", 5, "%SYS-5-RESTART"
		}},
	{"percent-in-text-not-a-tag", "CPU utilization 95% -3-high: x", time.Time{},
		func(m *events.Message) {
			m.Body, m.Text = "CPU utilization 95% -3-high: x", "CPU utilization 95% -3-high: x"
		}},
	{"nxos-year-first-host", "2026 Nov 23 14:46:17 nx1 %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down", time.Time{},
		func(m *events.Message) {
			m.Host, m.Time, m.TimeFrom = "nx1", utc(2026, 11, 23, 14, 46, 17, 0), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "ETHPORT-5-IF_DOWN_LINK_FAILURE", "ETHPORT", "IF_DOWN_LINK_FAILURE", 5
			m.Body = "%ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down"
			m.Text = "Interface Ethernet1/1 is down"
		}},
	{"multiple-sub-facilities", "%SYS-SP-STDBY-3-LOGGER_FLUSHED: x", time.Time{},
		func(m *events.Message) {
			m.Tag, m.Facility, m.SubFacility, m.Mnemonic, m.Severity = "SYS-SP-STDBY-3-LOGGER_FLUSHED", "SYS", "SP-STDBY", "LOGGER_FLUSHED", 3
			m.Body, m.Text = "%SYS-SP-STDBY-3-LOGGER_FLUSHED: x", "x"
		}},
	{"year-inferred-last-year", "Dec 31 23:59:59.999: %LINK-3-UPDOWN: x", time.Date(2026, 1, 2, 0, 0, 5, 0, time.UTC),
		func(m *events.Message) {
			m.Time, m.TimeFrom = utc(2025, 12, 31, 23, 59, 59, 999), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"year-inferred-slightly-ahead", "Jan  3 10:00:00: %LINK-3-UPDOWN: x", time.Date(2026, 1, 2, 0, 0, 5, 0, time.UTC),
		func(m *events.Message) {
			m.Time, m.TimeFrom = utc(2026, 1, 3, 10, 0, 0, 0), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"feb29-without-year", "Feb 29 12:00:00: %LINK-3-UPDOWN: x", time.Time{},
		func(m *events.Message) {
			m.Time, m.TimeFrom = utc(2024, 2, 29, 12, 0, 0, 0), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"no-zone-uses-received-location", "Mar  1 00:11:00: %LINK-3-UPDOWN: x", time.Date(2026, 11, 23, 15, 0, 0, 0, time.FixedZone("X", 3600)),
		func(m *events.Message) {
			m.Time, m.TimeFrom = time.Date(2026, 3, 1, 0, 11, 0, 0, time.FixedZone("X", 3600)), events.TimeDevice
			m.Tag, m.Facility, m.Mnemonic, m.Severity, m.Body, m.Text = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3, "%LINK-3-UPDOWN: x", "x"
		}},
	{"empty", "", time.Time{}, func(m *events.Message) {}},
	{"only-pri", "<13>", time.Time{}, func(m *events.Message) { m.Priority = 13 }},
	{"bad-pri-is-text", "<192>x", time.Time{}, func(m *events.Message) { m.Body, m.Text = "<192>x", "<192>x" }},
	{"invalid-utf8-and-nul", "<187>1: %LINK-3-UPDOWN: Interface \xff\xfe\x00Gi1/0/1, \xc3\x28 down\x00\x00", time.Time{},
		func(m *events.Message) {
			m.Priority, m.Seq, m.HasSeq = 187, 1, true
			m.Tag, m.Facility, m.Mnemonic, m.Severity = "LINK-3-UPDOWN", "LINK", "UPDOWN", 3
			m.Body = "%LINK-3-UPDOWN: Interface \xff\xfe\x00Gi1/0/1, \xc3\x28 down"
			m.Text = "Interface \xff\xfe\x00Gi1/0/1, \xc3\x28 down"
		}},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			r := c.recv
			if r.IsZero() {
				r = recv
			}
			want := events.Message{
				Received: r, Time: r, Priority: events.NoPriority, Severity: events.DefaultSeverity,
				Raw: strings.TrimRight(c.line, "\r\n\x00"),
			}
			c.want(&want)
			var got events.Message
			Parse([]byte(c.line), r, &got)
			for _, d := range diff(got, want) {
				t.Error(d)
			}
			// The string form gives the same result.
			var got2 events.Message
			ParseString(c.line, r, &got2)
			if d := diff(got2, want); len(d) > 0 {
				t.Errorf("ParseString differs: %v", d)
			}
		})
	}
}

// diff compares two Messages field by field, times with Equal and their
// locations by offset.
func diff(got, want events.Message) []string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if gt, ok := g.(time.Time); ok {
			wt := w.(time.Time)
			_, go1 := gt.Zone()
			_, wo := wt.Zone()
			if !gt.Equal(wt) || go1 != wo {
				out = append(out, fmt.Sprintf("%s = %v, want %v", name, gt, wt))
			}
			continue
		}
		if !reflect.DeepEqual(g, w) {
			out = append(out, fmt.Sprintf("%s = %#v, want %#v", name, g, w))
		}
	}
	return out
}

func TestEveryStringAliasesRaw(t *testing.T) {
	for _, c := range parseCases {
		line := []byte(c.line)
		var m events.Message
		Parse(line, recv, &m)
		c2 := m.Clone()
		// Scribble over the buffer: the clone must not change.
		for i := range line {
			line[i] = '#'
		}
		var want events.Message
		ParseString(c.line, recv, &want)
		if d := diff(c2, want); len(d) > 0 {
			t.Errorf("%s: clone changed with the buffer: %v", c.name, d)
		}
	}
}

func TestLongLine(t *testing.T) {
	text := strings.Repeat("x", 70*1024)
	line := "<187>1: *Mar  1 00:11:00.343: %LINK-3-UPDOWN: " + text
	var m events.Message
	Parse([]byte(line), recv, &m)
	if m.Tag != "LINK-3-UPDOWN" || m.Text != text {
		t.Errorf("long line: tag %q, text length %d", m.Tag, len(m.Text))
	}
	// A 64 KiB line of '%' and ':' (worst case for the scanners).
	junk := bytes.Repeat([]byte("%A-1-:"), 12*1024)
	Parse(junk, recv, &m)
	if m.Body != string(junk) {
		t.Errorf("junk line: body length %d", len(m.Body))
	}
}

func TestParseAllocs(t *testing.T) {
	var m events.Message
	for _, c := range parseCases {
		line := []byte(c.line)
		if n := testing.AllocsPerRun(100, func() { Parse(line, recv, &m) }); n != 0 {
			t.Errorf("%s: %v allocations per Parse", c.name, n)
		}
	}
}
