package fleet

import (
	"reflect"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

func TestMessageRoundTrip(t *testing.T) {
	recv := time.Date(2026, 12, 6, 10, 0, 0, 5, time.UTC)
	for _, line := range []string{
		"<189>343: sw1: *Sep 21 09:22:01.678 UTC: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up",
		"<13>1 2026-12-06T10:00:00.1+02:00 rtr9 app 12 ID7 [a b=\"c\"] hello",
		"%IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 Thread:000 TS:0 %FW-6-DROP_PKT: Dropping tcp",
		"no header at all",
		"1d02h: %SYS-5-CONFIG_I: Configured from console",
	} {
		var m events.Message
		syslogmsg.Parse([]byte(line), recv, &m)
		m.Host += "" // a host from the peer is not inside Raw
		if m.Host == "" {
			m.Host = "10.0.0.1"
		}
		b := AppendMessage(nil, &m)
		var got events.Message
		if err := DecodeMessage(b, &got); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		want := m.Clone()
		if !got.Time.Equal(want.Time) || !got.Received.Equal(want.Received) {
			t.Errorf("%q: time %v/%v, want %v/%v", line, got.Time, got.Received, want.Time, want.Received)
		}
		_, go1 := got.Time.Zone()
		_, wo := want.Time.Zone()
		if go1 != wo {
			t.Errorf("%q: zone offset %d, want %d", line, go1, wo)
		}
		got.Time, got.Received, want.Time, want.Received = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", line, got, want)
		}
	}
	var m events.Message
	if err := DecodeMessage([]byte{wireVersion, 1}, &m); err == nil {
		t.Error("a cut message decoded")
	}
}

func TestPartitionIsStable(t *testing.T) {
	// Fixed values: a change of hash would move every device's state.
	if p := Partition("sw1", 16); p != Partition("SW1", 16) {
		t.Errorf("case changes the partition")
	}
	seen := map[int]int{}
	for i := range 1000 {
		seen[Partition("dev"+string(rune('a'+i%26))+time.Duration(i).String(), 8)]++
	}
	if len(seen) != 8 {
		t.Errorf("1,000 hosts fill %d of 8 partitions", len(seen))
	}
	if got := Subject(3, "10.0.0.1"); got != "ds.syslog.3.10_0_0_1" {
		t.Errorf("Subject = %q", got)
	}
}
