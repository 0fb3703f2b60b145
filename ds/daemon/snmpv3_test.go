package daemon

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/snmp"
	"github.com/dsengine/dsengine/internal/testserver"
)

// The v3 user of these tests, as net-snmp's receivers and agents know it.
var v3eem = testserver.SNMPv3User{Name: "eem", Auth: "SHA", AuthPass: "authpass1", Priv: "AES", PrivPass: "privpass1"}

const v3engine = "800000090465646765" // snmp-server engineID local

// v3config is the IOS v3 lines of user eem with authPass, a trap host
// and an inform host.
func v3config(authPass, traps, informs string) string {
	th, tp, _ := strings.Cut(traps, ":")
	ih, ip, _ := strings.Cut(informs, ":")
	return fmt.Sprintf(`hostname edge-1
snmp-server engineID local %s
snmp-server group EEM v3 priv
snmp-server user eem EEM v3 auth sha %s priv aes 128 privpass1
snmp-server enable traps event-manager
snmp-server host %s traps version 3 priv eem udp-port %s
snmp-server host %s informs version 3 priv eem udp-port %s event-manager
`, v3engine, authPass, th, tp, ih, ip)
}

// TestSNMPv3 is issue 17's SNMPv3 end to end: an applet on `event snmp`
// polls snmpd over v3 (`snmp agent ... user eem`: createUser and rouser),
// fires on sysServices.0 (72), and its snmp-trap reaches one snmptrapd as
// a v3 authPriv trap (the user keyed with dsengine's engine ID) and
// another as an acknowledged inform, each carrying cEventMgrPolicyEvent's
// varbinds.
func TestSNMPv3(t *testing.T) {
	agent := testserver.StartSNMPDV3(t, v3eem)
	traps := testserver.StartSNMPTrapdV3(t, v3engine, v3eem)
	informs := testserver.StartSNMPTrapdV3(t, v3engine, v3eem)
	_, _, log := configDaemon(t, v3config(v3eem.AuthPass, traps.Addr, informs.Addr)+fmt.Sprintf(`dsengine
 snmp agent %s user eem
event manager applet V3
 event snmp oid 1.3.6.1.2.1.1.7.0 get-type exact entry-op gt entry-val 40 exit-op lt exit-val 40 poll-interval 1
 action 1.0 snmp-trap intdata1 $_snmp_oid_val strdata "v3 poll"
`, agent.Addr))
	for _, r := range []*testserver.SNMPTrapd{traps, informs} {
		var got []string
		if !testserver.Poll(30*time.Second, 10*time.Millisecond, func() bool { got = r.Traps(); return len(got) > 0 }) {
			t.Fatalf("%s logged nothing; daemon log:\n%s", r.Addr, log)
		}
		for _, want := range []string{
			".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.9.10.134.0.2",
			fmt.Sprintf(".1.3.6.1.4.1.9.10.134.1.2.3.1.2.1 = Gauge32: %d", snmp.EventTypes["snmp"]),
			".1.3.6.1.4.1.9.10.134.1.2.3.1.3.1 = Gauge32: 0",
			".1.3.6.1.4.1.9.10.134.1.2.3.1.7.1 = STRING: \"V3\"",
			".1.3.6.1.4.1.9.10.134.1.2.3.1.8.1 = INTEGER: 0",
			".1.3.6.1.4.1.9.10.134.1.2.3.1.9.1 = INTEGER: 72",
			".1.3.6.1.4.1.9.10.134.1.2.3.1.11.1 = STRING: \"v3 poll\"",
		} {
			if !strings.Contains(got[0], want) {
				t.Errorf("%s: the notification lacks %q:\n%s", r.Addr, want, got[0])
			}
		}
	}
	if strings.Contains(log.String(), "snmp-trap") {
		t.Errorf("the daemon logged an snmp-trap failure:\n%s", log)
	}
}

// TestSNMPv3WrongPassword: with a password the receivers do not know, the
// trap is dropped (snmptrapd logs nothing) and the inform is not
// acknowledged, which the daemon logs with the applet's failure.
func TestSNMPv3WrongPassword(t *testing.T) {
	traps := testserver.StartSNMPTrapdV3(t, v3engine, v3eem)
	informs := testserver.StartSNMPTrapdV3(t, v3engine, v3eem)
	_, _, log := configDaemon(t, v3config("wrongpass", traps.Addr, informs.Addr)+`event manager applet V3
 event timer countdown time 1
 action 1.0 snmp-trap strdata "wrong"
`)
	waitFor(t, "the inform's failure", func() bool { return strings.Contains(log.String(), "not acknowledged") })
	if l := log.String(); !strings.Contains(l, "snmp inform to "+informs.Addr) || !strings.Contains(l, "v3 user eem") {
		t.Errorf("the failure does not name the receiver and the user:\n%s", l)
	}
	// The trap went out before the inform: a good trap sent now arrives
	// after it, so once that one is in, the bad one would be too.
	c := snmp.New(nil)
	c.EngineID, _ = snmp.ParseEngineID(v3engine)
	good := snmp.Target{Address: traps.Addr, USM: &snmp.USM{User: "eem", Level: "priv", AuthProto: "sha", AuthPass: v3eem.AuthPass,
		PrivProto: "aes", PrivPass: v3eem.PrivPass}}
	if err := c.SendPolicyEvent(context.Background(), []snmp.Target{good}, snmp.PolicyEvent{Policy: "MARKER"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	waitFor(t, "the marker", func() bool { got = traps.Traps(); return len(got) > 0 })
	if len(got) != 1 || !strings.Contains(got[0], "MARKER") {
		t.Errorf("snmptrapd accepted a trap with a wrong password:\n%s", strings.Join(got, "\n"))
	}
	if n := len(informs.Traps()); n != 0 {
		t.Errorf("the inform receiver logged %d notifications with a wrong password", n)
	}
}
