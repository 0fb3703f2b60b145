package applet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/clock"
)

// infoFake is a Host that also answers "action info" and "action
// snmp-trap" from fixed data, recording the requests.
type infoFake struct {
	*fakeHost
	name   string
	ifs    []string
	values map[string][2]string // by "exact OID" or "next OID": the OID and value returned
	getErr error
	gets   []SNMPGet
	traps  []SNMPTrap
}

func (h *infoFake) RouterName(context.Context) (string, error) { return h.name, nil }

func (h *infoFake) InterfaceNames(context.Context) ([]string, error) { return h.ifs, nil }

func (h *infoFake) SNMPGet(_ context.Context, q SNMPGet) (string, string, error) {
	h.gets = append(h.gets, q)
	if h.getErr != nil {
		return "", "", h.getErr
	}
	kind := "exact"
	if q.Next {
		kind = "next"
	}
	v, ok := h.values[kind+" "+q.OID]
	if !ok {
		return "", "", fmt.Errorf("no such object %s", q.OID)
	}
	return v[0], v[1], nil
}

func (h *infoFake) SNMPTrap(_ context.Context, t SNMPTrap) error {
	h.traps = append(h.traps, t)
	return nil
}

func newInfoFake() *infoFake {
	return &infoFake{fakeHost: newHost(), name: "edge-1", ifs: []string{"lo", "eth0", "eth1", "wlan0"},
		values: map[string][2]string{
			"exact 1.3.6.1.2.1.1.5.0": {"1.3.6.1.2.1.1.5.0", "edge-1.example"},
			"next 1.3.6.1.2.1.1.5.0":  {"1.3.6.1.2.1.1.6.0", "rack 7"},
		}}
}

func runInfo(t *testing.T, h Host, lines ...string) (Result, error) {
	t.Helper()
	a := parseApplet(t, lines...)
	return Run(context.Background(), a, Env{Clock: clock.NewVirtual(epoch), Vars: map[string]string{"oid": "1.3.6.1.2.1.1.5.0"}}, h)
}

func TestInfo(t *testing.T) {
	h := newInfoFake()
	res, err := runInfo(t, h,
		"info type routername",
		`info type interface-names`,
		`set all "$_info_interface_names"`,
		`info type interface-names regexp "^eth"`,
		`info type snmp oid $oid get-type exact`,
		`set exact "$_info_snmp_oid=$_info_snmp_value"`,
		`info type snmp oid 1.3.6.1.2.1.1.5.0 get-type next community private ipaddr 192.0.2.7`,
	)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"_info_routername":      "edge-1",
		"all":                   "lo eth0 eth1 wlan0",
		"_info_interface_names": "eth0 eth1",
		"exact":                 "1.3.6.1.2.1.1.5.0=edge-1.example",
		"_info_snmp_oid":        "1.3.6.1.2.1.1.6.0",
		"_info_snmp_value":      "rack 7",
	} {
		if res.Vars[k] != want {
			t.Errorf("$%s = %q, want %q", k, res.Vars[k], want)
		}
	}
	want := []SNMPGet{{OID: "1.3.6.1.2.1.1.5.0"}, {OID: "1.3.6.1.2.1.1.5.0", Next: true, Community: "private", Address: "192.0.2.7"}}
	if fmt.Sprint(h.gets) != fmt.Sprint(want) {
		t.Errorf("requests %+v, want %+v", h.gets, want)
	}
}

func TestInfoErrors(t *testing.T) {
	h := newInfoFake()
	h.getErr = errors.New("snmp get 1.3.6.1.2.1.1.5.0 from 127.0.0.1:9: request timeout")
	_, err := runInfo(t, h, "action 0010 info type snmp oid 1.3.6.1.2.1.1.5.0 get-type exact")
	var ae *Error
	if !errors.As(err, &ae) || ae.Label != "0010" || ae.Verb != "info" ||
		!strings.Contains(err.Error(), "info type snmp oid 1.3.6.1.2.1.1.5.0: snmp get") {
		t.Errorf("unreachable agent: %v, want an *Error naming action 0010 info and the OID", err)
	}

	// A Host without InfoHost refuses.
	_, err = runInfo(t, newHost(), "info type routername")
	if err == nil || !strings.Contains(err.Error(), "refused") || !errors.Is(err, ErrUnsupported) {
		t.Errorf("plain host: %v, want refused", err)
	}
	_, err = runInfo(t, newHost(), "snmp-trap")
	if err == nil || !strings.Contains(err.Error(), "snmp-trap: refused") {
		t.Errorf("plain host, snmp-trap: %v, want refused", err)
	}

	// A variable that expands to a bad OID fails at run time.
	_, err = runInfo(t, h, "set o sysName.0", "info type snmp oid $o get-type exact")
	if err == nil || !strings.Contains(err.Error(), `OID "sysName.0" is not numeric`) {
		t.Errorf("bad OID at run time: %v", err)
	}
}

func TestInfoCheck(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"type"}, "usage: info type routername"},
		{[]string{"type", "routername", "x"}, `unexpected "x"`},
		{[]string{"type", "cpu"}, "info type cpu: not supported"},
		{[]string{"type", "snmp", "getid"}, "info type snmp getid: not supported"},
		{[]string{"type", "snmp", "oid", "1.3.6.1"}, "missing get-type"},
		{[]string{"type", "snmp", "oid", "sysName.0", "get-type", "exact"}, `OID "sysName.0" is not numeric`},
		{[]string{"type", "snmp", "oid", "1.3.6.1", "get-type", "bulk"}, `get-type "bulk" is not exact or next`},
		{[]string{"type", "interface-names", "regexp", "("}, "bad regular expression"},
		{[]string{"type", "interface-names", "match", "x"}, `unexpected "match"`},
	} {
		err := Check(hand(act("info", c.args...)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("info %v: %v, want %q", c.args, err, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"intdata1", "x"}, `intdata1 "x" is not an integer`},
		{[]string{"intdata2", "2147483648"}, `intdata2 "2147483648" is not an integer`},
		{[]string{"strdata", strings.Repeat("s", 256)}, "strdata is 256 bytes; the MIB allows 255"},
		{[]string{"data", "1"}, `unexpected "data"`},
	} {
		err := Check(hand(act("snmp-trap", c.args...)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("snmp-trap %v: %v, want %q", c.args, err, c.want)
		}
	}
	for _, ok := range [][]string{{"type", "snmp", "oid", "$o", "get-type", "$g"}, {"type", "interface-names", "regexp", "$re"}} {
		if err := Check(hand(act("info", ok...))); err != nil {
			t.Errorf("info %v: %v", ok, err)
		}
	}
}

func TestSNMPTrapAction(t *testing.T) {
	h := newInfoFake()
	_, err := runInfo(t, h,
		"set n 42",
		`snmp-trap intdata1 $n intdata2 -7 strdata "link $n down"`,
		"snmp-trap",
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.traps) != 2 {
		t.Fatalf("traps %+v", h.traps)
	}
	t0 := h.traps[0]
	if t0.Applet != "T" || t0.IntData1 == nil || *t0.IntData1 != 42 || t0.IntData2 == nil || *t0.IntData2 != -7 ||
		t0.StrData == nil || *t0.StrData != "link 42 down" {
		t.Errorf("first trap %+v", t0)
	}
	if t1 := h.traps[1]; t1.Applet != "T" || t1.IntData1 != nil || t1.IntData2 != nil || t1.StrData != nil {
		t.Errorf("bare snmp-trap %+v, want no data", t1)
	}
}
