package iosconfig

import (
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
)

func TestSNMPLines(t *testing.T) {
	src := "dsengine\n snmp agent 127.0.0.1 community public\n snmp trap-host 192.0.2.9 community traps\n SNMP Trap-Host [2001:db8::1]:1162 Community \"with space\"\n"
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Host.SNMP
	if s.Agent == nil || *s.Agent != (config.SNMPTarget{Address: "127.0.0.1:161", Community: "public", Line: 2}) {
		t.Errorf("agent: %+v", s.Agent)
	}
	want := []config.SNMPTarget{{Address: "192.0.2.9:162", Community: "traps", Line: 3},
		{Address: "[2001:db8::1]:1162", Community: "with space", Line: 4}}
	if len(s.TrapHosts) != 2 || s.TrapHosts[0] != want[0] || s.TrapHosts[1] != want[1] {
		t.Errorf("trap hosts: %+v, want %+v", s.TrapHosts, want)
	}
}

func TestSNMPBad(t *testing.T) {
	usage := "usage: snmp agent HOST[:PORT] community NAME, or snmp trap-host HOST[:PORT] community NAME"
	for _, c := range []struct{ src, want string }{
		{" snmp agent 127.0.0.1\n", "t.conf:2: " + usage},
		{" snmp agent 127.0.0.1 public\n", "t.conf:2: " + usage},
		{" snmp manager 127.0.0.1 community public\n", "t.conf:2: " + usage},
		{" snmp agent 127.0.0.1:0 community public\n", `t.conf:2: snmp agent: "127.0.0.1:0" is not HOST:PORT with a port 1-65535`},
		{" snmp trap-host a/b community public\n", `t.conf:2: snmp trap-host: "a/b" is not a host, an IP address or HOST:PORT`},
		{" snmp agent 127.0.0.1 community a\n snmp agent 127.0.0.2 community b\n",
			"t.conf:3: snmp agent is already configured on line 2; dsengine asks one agent"},
		{" snmp trap-host 127.0.0.1 community a\n snmp trap-host 127.0.0.1:162 community b\n",
			"t.conf:3: snmp trap-host 127.0.0.1:162 is already configured on line 2"},
	} {
		_, err := Parse("t.conf", []byte("dsengine\n"+c.src))
		if err == nil || strings.TrimSpace(err.Error()) != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}
