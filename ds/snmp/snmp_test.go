package snmp

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/internal/testserver"
)

const sysName = "1.3.6.1.2.1.1.5.0"

func TestGetFromSnmpd(t *testing.T) {
	agent := testserver.StartSNMPD(t)
	c := New(clock.NewVirtual(time.Unix(0, 0)))
	target := Target{Address: agent.Addr, Community: agent.Community}
	ctx := context.Background()

	v, err := c.Get(ctx, target, sysName, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.OID != sysName || v.Value != testserver.SNMPDSysName || v.Type != "OctetString" {
		t.Errorf("get sysName = %+v, want %s = %q", v, sysName, testserver.SNMPDSysName)
	}

	v, err = c.Get(ctx, target, "."+sysName, true)
	if err != nil {
		t.Fatal(err)
	}
	if v.OID != "1.3.6.1.2.1.1.6.0" || v.Value != testserver.SNMPDSysLocation {
		t.Errorf("getnext sysName = %+v, want sysLocation.0 = %q", v, testserver.SNMPDSysLocation)
	}

	// sysServices.0 is an INTEGER (72 in the configuration).
	v, err = c.Get(ctx, target, "1.3.6.1.2.1.1.7.0", false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Type != "Integer" || v.Value != "72" {
		t.Errorf("get sysServices = %+v, want a decimal Integer", v)
	}

	// sysObjectID.0 is an OID.
	v, err = c.Get(ctx, target, "1.3.6.1.2.1.1.2.0", false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Type != "ObjectIdentifier" || !strings.HasPrefix(v.Value, "1.3.6.1.4.1.") {
		t.Errorf("get sysObjectID = %+v, want a dotted OID without a leading dot", v)
	}

	_, err = c.Get(ctx, target, "1.3.6.1.2.1.1.5.99", false)
	if !errors.Is(err, ErrNoObject) {
		t.Errorf("get of a missing object: %v, want ErrNoObject", err)
	}
	if err != nil && !strings.Contains(err.Error(), agent.Addr) {
		t.Errorf("error %q does not name the agent", err)
	}
}

// An agent that does not answer: the request ends when the context does,
// whatever the client's own timeout. The silent agent is a socket that
// reads the request and never answers, so the test cancels only once the
// request is out.
func TestGetNoAgent(t *testing.T) {
	c := New(nil)
	c.Timeout = time.Hour // only the context can end it
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	addr := silent.LocalAddr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, Target{Address: addr, Community: "public"}, sysName, false)
		done <- err
	}()
	buf := make([]byte, 1500)
	if _, _, err := silent.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	err = <-done
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), addr) {
		t.Errorf("get from a silent agent: %v, want context.Canceled naming %s", err, addr)
	}

	// With a deadline (which gosnmp reads itself), and nobody on the port.
	nobody := testserver.Addr(testserver.FreeUDPPort(t))
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Get(ctx, Target{Address: nobody, Community: "public"}, sysName, false)
	if err == nil || !strings.Contains(err.Error(), nobody) {
		t.Errorf("get from nobody with a deadline: %v, want an error naming %s", err, nobody)
	}
}

// A wrong community: snmpd does not answer at all, so the error must say
// to check it.
func TestGetWrongCommunity(t *testing.T) {
	agent := testserver.StartSNMPD(t)
	c := New(nil)
	c.Timeout, c.Retries = 100*time.Millisecond, 0
	_, err := c.Get(context.Background(), Target{Address: agent.Addr, Community: "wrong"}, sysName, false)
	if err == nil || !strings.Contains(err.Error(), "community") {
		t.Errorf("wrong community: %v, want an error that mentions the community", err)
	}
}

func TestSendPolicyEvent(t *testing.T) {
	trapd := testserver.StartSNMPTrapd(t)
	clk := clock.NewVirtual(time.Unix(1000, 0))
	c := New(clk)
	clk.Advance(12 * time.Second)
	one, two, s := int32(7), int32(-3), "hello world"
	recv := []Target{{Address: trapd.Addr, Community: "public"}}
	if err := c.SendPolicyEvent(context.Background(), recv, PolicyEvent{Policy: "WATCH", IntData1: &one, IntData2: &two, StrData: &s}); err != nil {
		t.Fatal(err)
	}
	if err := c.SendPolicyEvent(context.Background(), recv, PolicyEvent{Policy: "OTHER"}); err != nil {
		t.Fatal(err)
	}
	var traps []string
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool {
		traps = trapd.Traps()
		return len(traps) >= 2
	}) {
		t.Fatalf("snmptrapd logged %d traps:\n%s", len(traps), strings.Join(traps, "\n"))
	}
	for _, want := range []string{
		".1.3.6.1.2.1.1.3.0 = Timeticks: (1200)",
		".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.9.10.134.0.2",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.7.1 = STRING: \"WATCH\"",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.9.1 = INTEGER: 7",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.10.1 = INTEGER: -3",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.11.1 = STRING: \"hello world\"",
	} {
		if !strings.Contains(traps[0], want) {
			t.Errorf("first trap lacks %q:\n%s", want, traps[0])
		}
	}
	if !strings.Contains(traps[1], ".1.3.6.1.4.1.9.10.134.1.2.3.1.7.2 = STRING: \"OTHER\"") ||
		strings.Contains(traps[1], "134.1.2.3.1.11") || strings.Contains(traps[1], "134.1.2.3.1.9.") {
		t.Errorf("second trap: want event index 2, the name and no data:\n%s", traps[1])
	}
}

func TestSendPolicyEventRefused(t *testing.T) {
	c := New(nil)
	if err := c.SendPolicyEvent(context.Background(), nil, PolicyEvent{Policy: "P"}); err == nil || !strings.Contains(err.Error(), "snmp trap-host") {
		t.Errorf("no receivers: %v, want the line to add", err)
	}
	long := strings.Repeat("x", 256)
	err := c.SendPolicyEvent(context.Background(), []Target{{Address: "127.0.0.1:162"}}, PolicyEvent{Policy: "P", StrData: &long})
	if err == nil || !strings.Contains(err.Error(), "255") {
		t.Errorf("strdata of 256 bytes: %v", err)
	}
}

func TestWithPortAndCheckOID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1:161"}, {"127.0.0.1:1161", "127.0.0.1:1161"}, {"::1", "[::1]:161"},
		{"agent.example", "agent.example:161"}, {"[::1]:9", "[::1]:9"},
	} {
		got, err := WithPort(c.in, AgentPort)
		if err != nil || got != c.want {
			t.Errorf("WithPort(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "a b", "1.2.3.4:0", "1.2.3.4:x", ":161"} {
		if _, err := WithPort(bad, AgentPort); err == nil {
			t.Errorf("WithPort(%q) accepted", bad)
		}
	}
	for _, ok := range []string{"1.3", ".1.3.6.1.2.1.1.5.0"} {
		if err := CheckOID(ok); err != nil {
			t.Errorf("CheckOID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1", "sysName.0", "1..3", "1.3.x"} {
		if err := CheckOID(bad); err == nil {
			t.Errorf("CheckOID(%q) accepted", bad)
		}
	}
}

var v3user = testserver.SNMPv3User{Name: "eemuser", Auth: "SHA", AuthPass: "authpass1", Priv: "AES", PrivPass: "privpass1"}

func v3target(addr, level, authPass string, inform bool) Target {
	return Target{Address: addr, Inform: inform, USM: &USM{User: v3user.Name, Level: level, AuthProto: "sha",
		AuthPass: authPass, PrivProto: "aes", PrivPass: v3user.PrivPass}}
}

// TestV3TrapAndInform: snmptrapd with the user (keyed with dsengine's
// engine ID for traps, its own for informs) logs an authPriv trap and an
// inform; with a wrong password it logs nothing, and the inform's sender
// learns it was not acknowledged.
func TestV3TrapAndInform(t *testing.T) {
	engine := "800000090474657374"
	trapd := testserver.StartSNMPTrapdV3(t, engine, v3user)
	c := New(clock.NewVirtual(time.Unix(0, 0)))
	c.EngineID, _ = ParseEngineID(engine)
	c.Timeout, c.Retries = 500*time.Millisecond, 1
	ctx := context.Background()
	s := "v3 data"
	ev := PolicyEvent{Policy: "V3", EventTypes: []ds.EventType{ds.EventSyslog}, ExitStatus: 1, StrData: &s}
	if err := c.SendPolicyEvent(ctx, []Target{v3target(trapd.Addr, "priv", v3user.AuthPass, false)}, ev); err != nil {
		t.Fatal(err)
	}
	if err := c.SendPolicyEvent(ctx, []Target{v3target(trapd.Addr, "priv", v3user.AuthPass, true)}, ev); err != nil {
		t.Fatalf("inform: %v", err)
	}
	var traps []string
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool { traps = trapd.Traps(); return len(traps) >= 2 }) {
		t.Fatalf("snmptrapd logged %d notifications:\n%s", len(traps), strings.Join(traps, "\n"))
	}
	for _, want := range []string{
		".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.9.10.134.0.2",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.2.1 = Gauge32: 2", ".1.3.6.1.4.1.9.10.134.1.2.3.1.3.1 = Gauge32: 0",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.5.1 = Gauge32: 0", ".1.3.6.1.4.1.9.10.134.1.2.3.1.6.1 = \"\"",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.7.1 = STRING: \"V3\"", ".1.3.6.1.4.1.9.10.134.1.2.3.1.8.1 = INTEGER: 1",
		".1.3.6.1.4.1.9.10.134.1.2.3.1.11.1 = STRING: \"v3 data\"", ".1.3.6.1.4.1.9.10.134.1.2.3.1.12.1 = INTEGER: 2",
	} {
		if !strings.Contains(traps[0], want) {
			t.Errorf("the v3 trap lacks %q:\n%s", want, traps[0])
		}
	}
	if !strings.Contains(traps[1], "134.1.2.3.1.7.2 = STRING: \"V3\"") {
		t.Errorf("the inform: %s", traps[1])
	}

	// A wrong auth password: the trap is dropped, the inform is not
	// acknowledged (and says to check the user).
	if err := c.SendPolicyEvent(ctx, []Target{v3target(trapd.Addr, "priv", "wrongpass", false)}, ev); err != nil {
		t.Fatalf("a trap is not acknowledged, so its send succeeds: %v", err)
	}
	err := c.SendPolicyEvent(ctx, []Target{v3target(trapd.Addr, "priv", "wrongpass", true)}, ev)
	if err == nil || !strings.Contains(err.Error(), "not acknowledged") || !strings.Contains(err.Error(), "eemuser") {
		t.Errorf("an inform with a wrong password: %v, want not acknowledged naming the user", err)
	}
	// Then a good trap: once it is in, the bad ones would be before it.
	if err := c.SendPolicyEvent(ctx, []Target{v3target(trapd.Addr, "priv", v3user.AuthPass, false)}, PolicyEvent{Policy: "LAST"}); err != nil {
		t.Fatal(err)
	}
	if !testserver.Poll(10*time.Second, 10*time.Millisecond, func() bool { traps = trapd.Traps(); return len(traps) >= 3 }) {
		t.Fatalf("snmptrapd logged %d notifications:\n%s", len(traps), strings.Join(traps, "\n"))
	}
	if len(traps) != 3 || !strings.Contains(traps[2], "\"LAST\"") {
		t.Errorf("snmptrapd logged a notification with a wrong password:\n%s", strings.Join(traps, "\n"))
	}
}

// TestV3Get: snmpd with createUser and rouser answers a v3 authPriv get,
// and refuses a wrong password.
func TestV3Get(t *testing.T) {
	agent := testserver.StartSNMPDV3(t, v3user)
	c := New(nil)
	c.Timeout, c.Retries = 500*time.Millisecond, 0
	v, err := c.Get(context.Background(), v3target(agent.Addr, "priv", v3user.AuthPass, false), sysName, false)
	if err != nil || v.Value != testserver.SNMPDSysName {
		t.Fatalf("v3 get sysName = %+v, %v", v, err)
	}
	_, err = c.Get(context.Background(), v3target(agent.Addr, "priv", "wrongpass", false), sysName, false)
	if err == nil || !strings.Contains(err.Error(), "eemuser") {
		t.Errorf("v3 get with a wrong password: %v, want an error naming the user", err)
	}
}
