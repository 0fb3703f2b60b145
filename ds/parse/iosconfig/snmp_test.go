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
	usage := snmpUsage
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
		{"snmp-server host 192.0.2.1 version 1 public\n", "t.conf:1: snmp-server host 192.0.2.1 version 1: refused: dsengine sends SNMPv2c or SNMPv3 notifications; write version 2c, or version 3 LEVEL USER"},
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

// TestSNMPv3Lines: IOS's v3 group, user, engine ID and host lines, and the
// dsengine block's v3 agent and trap host, in the configuration.
func TestSNMPv3Lines(t *testing.T) {
	src := "snmp-server host 192.0.2.1 informs version 3 priv eem udp-port 1162 event-manager\n" + // before its user: IOS takes any order
		"snmp-server group EEM v3 priv\nsnmp-server group RO v3 noauth read v1default\n" +
		"snmp-server user eem EEM v3 auth SHA authpass1 priv aes 128 privpass1\n" +
		"snmp-server user ro RO v3\nsnmp-server user md Ro2 v3 auth md5 md5pass12\nno snmp-server user md\n" +
		"SNMP-SERVER engineID local 80000009AABBCCDD\n" +
		"dsengine\n snmp agent 127.0.0.1:1161 user eem\n snmp trap-host 192.0.2.2 user ro noauth\n snmp trap-host 192.0.2.3 community c informs\n"
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Host.SNMP
	if s.EngineID != "80000009aabbccdd" || s.EngineIDLine != 8 {
		t.Errorf("engine ID %q line %d", s.EngineID, s.EngineIDLine)
	}
	if want := []config.SNMPGroup{{Name: "EEM", Level: "priv", Line: 2}, {Name: "RO", Level: "noauth", Line: 3}}; !slices.Equal(s.Groups, want) {
		t.Errorf("groups %+v, want %+v", s.Groups, want)
	}
	want := []config.SNMPUser{{Name: "eem", Group: "EEM", AuthProto: "sha", AuthPass: "authpass1", PrivProto: "aes", PrivPass: "privpass1", Line: 4},
		{Name: "ro", Group: "RO", Line: 5}}
	if !slices.Equal(s.Users, want) {
		t.Errorf("users %+v, want %+v", s.Users, want)
	}
	if s.Agent == nil || *s.Agent != (config.SNMPTarget{Address: "127.0.0.1:1161", User: "eem", Line: 10}) {
		t.Errorf("agent %+v", s.Agent)
	}
	hosts := []config.SNMPTarget{{Address: "192.0.2.1:1162", User: "eem", Level: "priv", Inform: true, Line: 1},
		{Address: "192.0.2.2:162", User: "ro", Level: "noauth", Line: 11}, {Address: "192.0.2.3:162", Community: "c", Inform: true, Line: 12}}
	if !slices.Equal(s.TrapHosts, hosts) {
		t.Errorf("trap hosts %+v, want %+v", s.TrapHosts, hosts)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Msg, "snmp-server group RO: dsengine serves no MIB views") {
		t.Errorf("warnings %+v", cfg.Warnings)
	}
	out := string(Format(cfg))
	for _, l := range []string{"snmp-server user eem EEM v3 auth sha authpass1 priv aes 128 privpass1\n",
		" snmp trap-host 192.0.2.1:1162 user eem priv informs\n", " snmp agent 127.0.0.1:1161 user eem\n"} {
		if !strings.Contains(out, l) {
			t.Errorf("format lacks %q:\n%s", l, out)
		}
	}
}

// TestSNMPv3Bad: what a v3 line names is checked, with the line.
func TestSNMPv3Bad(t *testing.T) {
	users := "snmp-server group G v3 auth\nsnmp-server group P v3 priv\nsnmp-server user a G v3 auth sha authpass1\n"
	for _, c := range []struct{ src, want string }{
		{"snmp-server host 192.0.2.1 version 3 auth nobody\n", "t.conf:1: trap host 192.0.2.1:162: there is no SNMPv3 user nobody; add snmp-server user nobody GROUP v3 ..."},
		{"dsengine\n snmp agent 127.0.0.1 user nobody\n", "t.conf:2: snmp agent 127.0.0.1:161: there is no SNMPv3 user nobody; add snmp-server user nobody GROUP v3 ..."},
		{users + "snmp-server host 192.0.2.1 version 3 priv a\n", "t.conf:4: trap host 192.0.2.1:162: security level priv is above what user a's keys give (auth); lower it, or give the user the passwords"},
		{users + "snmp-server user b P v3 auth sha authpass1\n", "t.conf:4: snmp-server user b: group P needs priv, and the user's keys give auth; add the auth (and priv) passwords, or lower the group's level"},
		{"snmp-server user b NOGROUP v3\n", "t.conf:1: snmp-server user b: there is no group NOGROUP; add snmp-server group NOGROUP v3 noauth|auth|priv"},
		{"snmp-server user b G v3 auth sha short\n", "t.conf:1: snmp-server user b: the auth password has 5 characters; net-snmp refuses fewer than 8: give a longer one"},
		{"snmp-server user b G v3 auth sha longenough priv des 1234567\n", "t.conf:1: snmp-server user b: the priv password has 7 characters; net-snmp refuses fewer than 8: give a longer one"},
		{"snmp-server user b G v3 auth sha1 longenough\n", `t.conf:1: snmp-server user b: auth "sha1": expected md5, sha or sha256`},
		{"snmp-server user b G v3 auth sha longenough priv aes 256 longenough\n", "t.conf:1: snmp-server user b: priv aes 256: dsengine has AES-128 only: write priv aes 128 PASSWORD"},
		{"snmp-server user b G v3 auth sha longenough priv 3des longenough\n", `t.conf:1: snmp-server user b: priv "3des": expected aes 128 or des`},
		{"snmp-server user b G v2c\n", "t.conf:1: usage: snmp-server user USER GROUP v3 [auth md5|sha|sha256 PASSWORD [priv aes 128|des PASSWORD]]"},
		{"snmp-server group G v2c\n", "t.conf:1: snmp-server group G v2c: refused: only v3 groups have users; write snmp-server group G v3 noauth|auth|priv"},
		{"snmp-server group G v3 secret\n", `t.conf:1: snmp-server group G v3: "secret" is not a security level; expected noauth, auth or priv`},
		{"snmp-server host 192.0.2.1 version 3 a\n", "t.conf:1: snmp-server host 192.0.2.1 version 3: needs the security level noauth, auth or priv, then the user"},
		{"snmp-server host 192.0.2.1 version 3 auth\n", "t.conf:1: snmp-server host 192.0.2.1: missing the user; " + snmpServerUsage},
		{"snmp-server engineID local 12\n", `t.conf:1: snmp-server engineID "12" is not 10 to 64 hexadecimal digits (5 to 32 bytes, an even count)`},
		{"snmp-server engineID remote 1.2.3.4 800000090300\n", "t.conf:1: usage: snmp-server engineID local HEX (10 to 64 hexadecimal digits)"},
		{"dsengine\n snmp trap-host 192.0.2.1 user a\n", "t.conf:2: snmp trap-host 192.0.2.1 user a: needs the security level noauth, auth or priv; " + snmpUsage},
		{"dsengine\n snmp agent 192.0.2.1 user a informs\n", "t.conf:2: " + snmpUsage},
	} {
		_, err := Parse("t.conf", []byte(c.src))
		if err == nil || strings.TrimSpace(err.Error()) != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}

// TestSNMPv3Help: the v3 words are in the ? help.
func TestSNMPv3Help(t *testing.T) {
	for _, c := range []struct {
		path        Path
		typed, want string
	}{
		{Path{"dsengine"}, "snmp agent 127.0.0.1 ", "user"},
		{Path{"dsengine"}, "snmp trap-host 192.0.2.1 user u ", "priv"},
		{Path{"dsengine"}, "snmp trap-host 192.0.2.1 user u priv ", "informs"},
		{nil, "snmp-server ", "user"},
		{nil, "snmp-server host 192.0.2.1 informs version 3 ", "priv"},
		{nil, "snmp-server user u g v3 auth sha pass1234 priv ", "aes"},
		{nil, "snmp-server group g v3 ", "noauth"},
	} {
		var words []string
		for _, h := range Help(c.path, c.typed) {
			words = append(words, h.Word)
		}
		if !slices.Contains(words, c.want) {
			t.Errorf("Help(%v, %q) = %v; want %s among them", c.path, c.typed, words, c.want)
		}
	}
}
