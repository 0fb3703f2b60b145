package iosconfig

import (
	"slices"
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
		{" no snmp\n", "t.conf:2: usage: no snmp agent, or no snmp trap-host HOST[:PORT]"},
		{" no snmp trap-host\n", "t.conf:2: usage: no snmp agent, or no snmp trap-host HOST[:PORT]"},
		{" no snmp trap-host a/b\n", `t.conf:2: no snmp trap-host: "a/b" is not a host, an IP address or HOST:PORT`},
		{" snmp\n", "t.conf:2: " + usage},
	} {
		_, err := Parse("t.conf", []byte("dsengine\n"+c.src))
		if err == nil || strings.TrimSpace(err.Error()) != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}

// TestSNMPReplace: as IOS, a line for an agent or trap host that is
// configured replaces it, and the no forms remove it.
func TestSNMPReplace(t *testing.T) {
	src := "dsengine\n snmp agent 127.0.0.1 community a\n snmp trap-host 192.0.2.1 community a\n snmp trap-host 192.0.2.2 community b\n" +
		" snmp agent 127.0.0.2:1161 community b\n snmp trap-host 192.0.2.1:162 community c\n"
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Host.SNMP
	if s.Agent == nil || *s.Agent != (config.SNMPTarget{Address: "127.0.0.2:1161", Community: "b", Line: 5}) {
		t.Errorf("agent: %+v", s.Agent)
	}
	want := []config.SNMPTarget{{Address: "192.0.2.1:162", Community: "c", Line: 6}, {Address: "192.0.2.2:162", Community: "b", Line: 4}}
	if !slices.Equal(s.TrapHosts, want) {
		t.Errorf("trap hosts: %+v, want %+v", s.TrapHosts, want)
	}
	cfg, err = Parse("t.conf", []byte(src+" no snmp agent\n no snmp trap-host 192.0.2.1 community c\n no snmp trap-host 192.0.2.9\n"))
	if err != nil {
		t.Fatal(err)
	}
	s = cfg.Host.SNMP
	if s.Agent != nil || !slices.Equal(s.TrapHosts, want[1:]) {
		t.Errorf("after the no lines: agent %+v, trap hosts %+v; want none and %+v", s.Agent, s.TrapHosts, want[1:])
	}
}

// TestSNMPHelp: the snmp lines are in the dsengine mode's command table,
// for ? and Tab and for the list of an unknown command's error.
func TestSNMPHelp(t *testing.T) {
	path := Path{"dsengine"}
	for _, c := range []struct{ typed, want string }{
		{"", "snmp"},
		{"snmp ", "agent"},
		{"snmp ", "trap-host"},
		{"snmp agent 127.0.0.1 ", "community"},
		{"snmp trap-host 192.0.2.1:1162 community ", "WORD"},
		{"snmp agent 127.0.0.1 community public ", "<cr>"},
		{"no snmp ", "trap-host"},
	} {
		var words []string
		for _, h := range Help(path, c.typed) {
			words = append(words, h.Word)
		}
		if !slices.Contains(words, c.want) {
			t.Errorf("Help(%q) = %v; want %s among them", c.typed, words, c.want)
		}
	}
	_, err := Parse("t.conf", []byte("dsengine\n snmpd agent x\n"))
	if err == nil || !strings.Contains(err.Error(), "expected syslog, control-socket, metrics, source, watch, match, snmp") {
		t.Errorf("an unknown command's error: %v; want the list with snmp", err)
	}
}

// TestSNMPServerHost: IOS's snmp-server host lines feed the same trap
// hosts as the dsengine block's snmp trap-host, written back in that one
// form; what dsengine cannot send is refused with the line.
func TestSNMPServerHost(t *testing.T) {
	src := "snmp-server enable traps event-manager\nsnmp-server host 192.0.2.1 version 2c public\n" +
		"snmp-server host 192.0.2.2 traps version 2c private udp-port 1162 event-manager\n" +
		"snmp-server host 192.0.2.3 public config\nsnmp-server host 192.0.2.4 other\nno snmp-server host 192.0.2.4 other\n" +
		"dsengine\n snmp trap-host 192.0.2.1 community replaced\n"
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.SNMPTarget{{Address: "192.0.2.1:162", Community: "replaced", Line: 8},
		{Address: "192.0.2.2:1162", Community: "private", Line: 3}}
	if !slices.Equal(cfg.Host.SNMP.TrapHosts, want) {
		t.Errorf("trap hosts %+v, want %+v", cfg.Host.SNMP.TrapHosts, want)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Msg, "192.0.2.3 names notification types without event-manager") {
		t.Errorf("warnings %+v", cfg.Warnings)
	}
	if out := Format(cfg); !strings.Contains(string(out), " snmp trap-host 192.0.2.2:1162 community private\n") || strings.Contains(string(out), "snmp-server") {
		t.Errorf("format:\n%s", out)
	}
	for _, c := range []struct{ src, want string }{
		{"snmp-server host 192.0.2.1 version 3 priv user\n", "t.conf:1: snmp-server host 192.0.2.1 version 3: refused: dsengine sends SNMPv2c traps; write version 2c"},
		{"snmp-server host 192.0.2.1 informs version 2c public\n", "t.conf:1: snmp-server host 192.0.2.1 informs: refused: dsengine sends traps, not informs; write traps (or nothing)"},
		{"snmp-server host 192.0.2.1 version 2c\n", "t.conf:1: snmp-server host 192.0.2.1: missing the community; " + snmpServerUsage},
		{"snmp-server host a/b public\n", `t.conf:1: snmp-server host: "a/b" is not a host, an IP address or HOST:PORT`},
		{"snmp-server host 192.0.2.1 public udp-port 0\n", `t.conf:1: snmp-server host 192.0.2.1: udp-port "0" is not a port 1-65535`},
	} {
		_, err := Parse("t.conf", []byte(c.src))
		if err == nil || strings.TrimSpace(err.Error()) != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}
