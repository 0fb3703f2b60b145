package registry

import (
	"strings"
	"testing"
	"time"
)

const grouped = `<DiagnosticSignature id="6061" revision="1.0"><Name>Keyed</Name>
  <Events>
    <Event id="flap" type="syslog" group-by="ds_syslog_nbr" occurs="2" period="60s" max-keys="2"
           pattern="%BGP-5-ADJCHANGE: neighbor (?P&lt;nbr&gt;\S+) Down"/>
    <Event id="notif" type="syslog" pattern="%BGP-3-NOTIFICATION: sent to neighbor (?P&lt;nbr&gt;\S+)"/>
    <Event id="ifdown" type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/>
    <Correlate window="2m">flap or (notif and ifdown)</Correlate>
  </Events>
  <Actions><Action type="message">${ds_key}|${ds_syslog_nbr}</Action>
    <Action type="message">${ds_notif_nbr} ${ds_notif_time} ${ds_ifdown_1}</Action></Actions>
</DiagnosticSignature>`

// TestGroupedEventAndPerEventVars: a grouped event counts per key (two
// downs of different neighbors are not two of one), the flap does not
// consume the waiting notification, and the pair's trigger sets each
// event's own variables.
func TestGroupedEventAndPerEventVars(t *testing.T) {
	f := newFixture(t)
	if failed := f.reg.Sync([]Want{{Sig: sig(t, grouped)}}); len(failed) > 0 {
		t.Fatal(failed)
	}
	f.syslog(t, 0, "%BGP-5-ADJCHANGE: neighbor 10.0.0.1 Down")
	f.syslog(t, time.Second, "%BGP-5-ADJCHANGE: neighbor 10.0.0.2 Down")
	f.syslog(t, 2*time.Second, "%BGP-3-NOTIFICATION: sent to neighbor 10.0.0.9 4/0 (hold time expired)")
	f.syslog(t, 3*time.Second, "%BGP-5-ADJCHANGE: neighbor 10.0.0.3 Down") // evicts 10.0.0.1 (max-keys 2)
	f.syslog(t, 4*time.Second, "%BGP-5-ADJCHANGE: neighbor 10.0.0.1 Down") // so this is its first again, and evicts 10.0.0.2
	f.syslog(t, 5*time.Second, "%BGP-5-ADJCHANGE: neighbor 10.0.0.3 Down")
	f.syslog(t, 6*time.Second, "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down")
	got := strings.Join(f.fx.calls, "\n")
	want := strings.Join([]string{
		"message 10.0.0.3|10.0.0.3",
		"message ${ds_notif_nbr} ${ds_notif_time} ${ds_ifdown_1}", // the flap alone took part: no notif values
		"message ${ds_key}|10.0.0.9",                              // no grouped event took part
		"message 10.0.0.9 2026-11-23 14:00:02 Gi0/1",
	}, "\n")
	if got != want {
		t.Errorf("actions:\n%s\nwant\n%s", got, want)
	}
	keys := f.reg.Keys("6061", 0)
	if len(keys) != 1 || keys[0].What != "event flap" || keys[0].Held != 2 || keys[0].Max != 2 || keys[0].Evicted != 2 ||
		len(keys[0].Top) != 2 || keys[0].Top[0].Key != "10.0.0.3" || keys[0].Top[0].Triggers != 1 {
		t.Errorf("keys %+v", keys)
	}
}
