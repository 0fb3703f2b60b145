package parse

import (
	"strings"
	"testing"
)

// TestGroupByAndEventVariables: group-by takes host and ds_ variables on
// a syslog event and on Correlate, with max-keys; a correlated DS may
// name each event's own variables and ds_key, and an uncorrelated,
// ungrouped one may not.
func TestGroupByAndEventVariables(t *testing.T) {
	const xml = `<DiagnosticSignature id="6070" revision="1.0"><Name>G</Name>
  <Events>
    <Event id="flap" type="syslog" group-by="host  ds_syslog_nbr" max-keys="50" occurs="3" period="10m"
           pattern="%BGP-5-ADJCHANGE: neighbor (?P&lt;nbr&gt;\S+) Down"/>
    <Event id="ifdown" type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/>
    <Correlate window="2m" group-by="ds_syslog_host" max-keys="7">flap and ifdown</Correlate>
  </Events>
  <Actions><Action type="message">${ds_key} ${ds_flap_nbr} ${ds_flap_time} ${ds_ifdown_1} ${ds_ifdown_msg} ${ds_syslog_nbr}</Action></Actions>
</DiagnosticSignature>`
	sig, err := ParseSignature("6070.xml", []byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	ev := sig.Events[0]
	if ev.GroupBy != "host ds_syslog_nbr" || ev.MaxKeys != 50 || ev.Occurs != 3 {
		t.Errorf("event: group-by %q, max-keys %d, occurs %d", ev.GroupBy, ev.MaxKeys, ev.Occurs)
	}
	if c := sig.Correlate; c.GroupBy != "ds_syslog_host" || c.MaxKeys != 7 {
		t.Errorf("correlate: group-by %q, max-keys %d", c.GroupBy, c.MaxKeys)
	}

	const lone = `<DiagnosticSignature id="6071" revision="1.0"><Name>L</Name>
  <Events><Event type="syslog" pattern="%LINK-3-UPDOWN: Interface (\S+), changed state to down"/></Events>
  <Actions><Action type="message">${ds_key} ${ds_e1_1}</Action></Actions>
</DiagnosticSignature>`
	_, err = ParseSignature("6071.xml", []byte(lone))
	if err == nil || !strings.Contains(err.Error(), "variable ds_key is used but not declared") ||
		!strings.Contains(err.Error(), "variable ds_e1_1 is set by none of this DS's events") {
		t.Errorf("without group-by or Correlate: %v", err)
	}
}
