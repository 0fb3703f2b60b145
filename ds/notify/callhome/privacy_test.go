package callhome

import (
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/golden"
)

var (
	normal   = config.DataPrivacy{Level: config.PrivacyNormal}
	high     = config.DataPrivacy{Level: config.PrivacyHigh}
	hostname = config.DataPrivacy{Level: config.PrivacyNormal, Hostname: true}
)

func TestScrubConfigLines(t *testing.T) {
	cases := []struct {
		p        config.DataPrivacy
		in, want string
	}{
		{normal, "enable secret 9 $9$abc$def", "enable secret 9 <removed>"},
		{normal, "enable password level 15 cisco", "enable password level 15 <removed>"},
		{normal, "username admin privilege 15 password 0 cisco123", "username admin privilege 15 password 0 <removed>"},
		{normal, "username admin privilege 15 secret 9 $9$xyz", "username admin privilege 15 secret 9 <removed>"},
		{normal, "snmp-server community public RO", "snmp-server community <removed> RO"},
		{normal, "snmp-server host 192.0.2.9 version 2c s3cret", "snmp-server host 192.0.2.9 version 2c <removed>"},
		{normal, "snmp-server host 192.0.2.9 traps version 3 priv user1", "snmp-server host 192.0.2.9 traps version 3 priv <removed>"},
		{normal, "snmp-server host 192.0.2.9 public", "snmp-server host 192.0.2.9 <removed>"},
		{normal, "snmp-server user u1 g1 v3 auth sha AUTHPASS priv aes 128 PRIVPASS", "snmp-server user u1 g1 v3 auth sha <removed> priv aes 128 <removed>"},
		{normal, " ip ospf message-digest-key 1 md5 7 0822455D0A16", " ip ospf message-digest-key 1 md5 7 <removed>"},
		{normal, "ntp authentication-key 1 md5 104D000A0618 7", "ntp authentication-key 1 md5 <removed> 7"},
		{normal, "tacacs-server key 7 0822455D0A16", "tacacs-server key 7 <removed>"},
		{normal, " key-string 7 0822455D0A16", " key-string 7 <removed>"},
		{normal, "crypto isakmp key s3cr3t address 192.0.2.1", "crypto isakmp key <removed> address 192.0.2.1"},
		{normal, "crypto key generate rsa modulus 2048", "crypto key generate rsa modulus 2048"},
		{normal, "service password-encryption", "service password-encryption"},
		{normal, " ip address 192.0.2.1 255.255.255.0", " ip address 192.0.2.1 255.255.255.0"},
		{normal, "hostname edge-1", "hostname edge-1"},
		{high, " ip address 192.0.2.1 255.255.255.0", " ip address <ip-address> <ip-address>"},
		{high, " ipv6 address 2001:db8::1/64", " ipv6 address <ip-address>/64"},
		{high, " ipv6 address FE80::1 link-local", " ipv6 address <ip-address> link-local"},
		{high, "ip route 0.0.0.0 0.0.0.0 192.0.2.254", "ip route <ip-address> <ip-address> <ip-address>"},
		{high, "ip domain name example.com", "ip domain name <removed>"},
		{high, "ip domain-name example.com", "ip domain-name <removed>"},
		{high, "ip domain list corp.example.com", "ip domain list <removed>"},
		{high, "logging host 192.0.2.50 transport udp port 514", "logging host <ip-address> transport udp port 514"},
		{high, "ntp server 2001:db8::123 prefer", "ntp server <ip-address> prefer"},
		{high, "ip http client source 10.0.0.1:8080", "ip http client source <ip-address>:8080"},
		{high, "description uplink to 10.1.1.1.", "description uplink to <ip-address>."},
		{high, "description peer:10.1.1.1", "description peer:<ip-address>"},
		{high, " mac-address 00a3.d1e2.0f01", " mac-address 00a3.d1e2.0f01"},
		{high, "! Last change at 12:30:45 UTC Wed May 1 2024", "! Last change at 12:30:45 UTC Wed May 1 2024"},
		{high, "version 17.9", "version 17.9"},
		{high, "interface Vlan10", "interface Vlan10"},
		{high, "username admin password 0 cisco", "username admin password 0 <removed>"},
		{high, "hostname edge-1", "hostname edge-1"},
		{hostname, "hostname edge-1", "hostname <hostname>"},
		{hostname, "hostname other-name", "hostname <hostname>"},
		{hostname, " ip address 192.0.2.1 255.255.255.0", " ip address <ip-address> <ip-address>"},
	}
	for _, c := range cases {
		m := dsMessage(t)
		m.Attachments = []Attachment{{Command: "show running-config all", Output: c.in + "\n"}}
		got := Scrub(m, c.p).Attachments[0].Output
		if got != c.want+"\n" {
			t.Errorf("%+v %q:\n got %q\nwant %q", c.p, c.in, got, c.want+"\n")
		}
	}
}

func TestIsConfigCommand(t *testing.T) {
	yes := []string{"show running-config", "show running-config all", "sh run", "show run | section interface",
		"show startup-config", "show start", "SHOW RUNNING-CONFIG", "show configuration", "more system:running-config",
		"more nvram:startup-config"}
	no := []string{"show version", "show ru", "show sta", "show logging", "show interfaces", "show", "running-config", ""}
	for _, c := range yes {
		if !IsConfigCommand(c) {
			t.Errorf("%q is a configuration", c)
		}
	}
	for _, c := range no {
		if IsConfigCommand(c) {
			t.Errorf("%q is not a configuration", c)
		}
	}
}

// TestScrubShowOutputKept: the guide scrubs configurations only; other
// outputs keep their addresses at level high.
func TestScrubShowOutputKept(t *testing.T) {
	m := dsMessage(t)
	got := Scrub(m, high)
	if got.Attachments[0].Output != m.Attachments[0].Output {
		t.Errorf("show interfaces output was scrubbed:\n%s", got.Attachments[0].Output)
	}
	if got.Customer.Hostname != "edge-1" {
		t.Errorf("level high scrubbed the hostname")
	}
}

func TestScrubHostname(t *testing.T) {
	m := dsMessage(t)
	m.Description = "EDGE-1 reports; edge-10 and my-edge-1 do not; edge-1.example.com does"
	m.Attachments = append(m.Attachments, Attachment{Command: "show running-config", Output: "hostname edge-1\n"})
	orig := m.Clone()
	got := Scrub(m, hostname, "srv42")
	if got.Customer.Hostname != ScrubbedHostname {
		t.Errorf("Customer.Hostname = %q", got.Customer.Hostname)
	}
	if want := "<hostname> reports; edge-10 and my-edge-1 do not; <hostname>.example.com does"; got.Description != want {
		t.Errorf("description %q, want %q", got.Description, want)
	}
	if !strings.HasSuffix(got.Attachments[1].Output, "<hostname>#\n") {
		t.Errorf("prompt kept the name: %q", got.Attachments[1].Output)
	}
	if got.Attachments[2].Output != "hostname <hostname>\n" {
		t.Errorf("config: %q", got.Attachments[2].Output)
	}
	if strings.Contains(got.Device.SystemDescription, "edge-1") {
		t.Errorf("uname output kept the name: %q", got.Device.SystemDescription)
	}
	m.Device.SystemDescription = "Linux srv42 6.8.0"
	if got := Scrub(m, hostname, "srv42"); got.Device.SystemDescription != "Linux <hostname> 6.8.0" {
		t.Errorf("alias kept: %q", got.Device.SystemDescription)
	}
	if m.Description != orig.Description || m.Attachments[1].Output != orig.Attachments[1].Output || m.Customer.Hostname != "edge-1" {
		t.Error("Scrub changed its input")
	}
	if got.Type != TypeDiagnosticSignature {
		t.Errorf("type changed: %q", got.Type)
	}
}

// TestScrubGolden renders a configuration alert-group message scrubbed at
// each setting, in long text.
func TestScrubGolden(t *testing.T) {
	conf := `Building configuration...

Current configuration : 1024 bytes
!
version 17.9
hostname edge-1
!
enable secret 9 $9$mhB3Mv3Cqa4TSU$Ewdm3v7C
username netops privilege 15 secret 9 $9$Ph2X3n4o$K8x
ip domain name corp.example.com
ip name-server 192.0.2.53 2001:db8::53
!
interface GigabitEthernet1/0/1
 description uplink to core-1 (10.0.0.1)
 ip address 192.0.2.1 255.255.255.0
 ipv6 address 2001:db8:0:1::1/64
 ip ospf message-digest-key 1 md5 7 0822455D0A16
!
snmp-server community public RO
snmp-server host 192.0.2.9 version 2c s3cret
logging host 192.0.2.50
!
end
`
	for _, c := range []struct {
		name string
		p    config.DataPrivacy
	}{{"normal", normal}, {"high", high}, {"hostname", hostname}} {
		t.Run(c.name, func(t *testing.T) {
			m := &Message{
				Type: string(config.GroupConfiguration), SubType: "full", Name: "CONFIGURATION",
				Severity: config.SeverityNormal, Group: GroupProactive,
				EventTime: testEventTime, CreationTime: testCreationTime,
				Description: "Configuration from edge-1", Customer: testCustomer(t), Device: testDevice(),
				Attachments: []Attachment{
					{Command: "show running-config all", Output: conf},
					{Command: "show ip interface brief", Output: "Interface              IP-Address      OK? Method Status                Protocol\nGigabitEthernet1/0/1   192.0.2.1       YES NVRAM  up                    up\nedge-1#\n"},
				},
				MessageID: 3, GroupID: 4,
			}
			got, err := LongText(Scrub(m, c.p), Options{})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "testdata/config-privacy-"+c.name+".long.txt.golden", got)
		})
	}
}
