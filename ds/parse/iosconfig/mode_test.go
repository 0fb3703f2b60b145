package iosconfig

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/internal/golden"
)

func warnings(c *config.Config) string {
	s := make([]string, len(c.Warnings))
	for i, w := range c.Warnings {
		s[i] = w.String()
	}
	return strings.Join(s, "\n")
}

// TestModes checks each rule of reading by mode.
func TestModes(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		warn  string // every warning, joined by "\n"
		check func(t *testing.T, c *config.Config)
	}{
		{"a command its mode does not know is tried in the parent", "call-home\n profile p\n  active\n  rate-limit 7\n  hostname r1\n",
			"", func(t *testing.T, c *config.Config) {
				if c.CallHome.RateLimit != 7 || c.Hostname != "r1" || !c.Profile("p").Active {
					t.Errorf("rate-limit %d, hostname %q", c.CallHome.RateLimit, c.Hostname)
				}
			}},
		{"indentation is ignored", "call-home\nprofile p\ndestination address email a@b.c\n     rate-limit 9\n  diagnostic-signature\nprofile p\n",
			"", func(t *testing.T, c *config.Config) {
				if !slices.Equal(c.Profile("p").EmailAddresses, []string{"a@b.c"}) || c.CallHome.RateLimit != 9 || c.DiagnosticSignature.Profile != "p" {
					t.Errorf("profile %+v, rate-limit %d, DS profile %q", c.Profile("p"), c.CallHome.RateLimit, c.DiagnosticSignature.Profile)
				}
			}},
		{"flush-left applet", "event manager applet A\nevent none\naction 2 puts b\naction 1 puts a\nevent manager applet B\nevent oir\n",
			"", func(t *testing.T, c *config.Config) {
				a, b := c.Applet("A"), c.Applet("B")
				if a == nil || b == nil || len(a.Events) != 1 || len(a.Actions) != 2 || a.Actions[0].Label != "1" || len(b.Events) != 1 {
					t.Errorf("applets %+v %+v", a, b)
				}
			}},
		{"applet header indented under something else", "interface Gi1\n description x\n  event manager applet A\n   event none\n   description y\n",
			`t.conf:1: warning: skipped "interface Gi1" and the 1 line under it: dsengine does not model this IOS command`,
			func(t *testing.T, c *config.Config) {
				if a := c.Applet("A"); a == nil || a.Description != "y" {
					t.Errorf("applet %+v", a)
				}
			}},
		{"configure terminal ... end, twice", "configure terminal\nhostname a\ncall-home\n rate-limit 3\nend\nconfigure terminal\ncall-home\n rate-limit 4\nhostname b\nend\n",
			"", func(t *testing.T, c *config.Config) {
				if c.CallHome.RateLimit != 4 || c.Hostname != "b" {
					t.Errorf("rate-limit %d hostname %q", c.CallHome.RateLimit, c.Hostname)
				}
			}},
		{"exit pops one mode", "call-home\n profile p\n exit\n rate-limit 5\n exit\nhostname h\n", "", func(t *testing.T, c *config.Config) {
			if c.CallHome.RateLimit != 5 || c.Hostname != "h" {
				t.Errorf("rate-limit %d hostname %q", c.CallHome.RateLimit, c.Hostname)
			}
		}},
		{"no event manager applet, then a new version", "event manager applet A\n event none\n action 1 puts old\n action 9 puts gone\nno event manager applet A\nno event manager applet NEVER\nevent manager applet A\n event oir\n action 1 puts new\n",
			"", func(t *testing.T, c *config.Config) {
				a := c.Applet("A")
				if len(c.EventManager.Applets) != 1 || len(a.Actions) != 1 || a.Actions[0].Args[0] != "new" || a.Events[0].Pos.Line != 8 {
					t.Errorf("applet %+v", a)
				}
			}},
		{"re-entering an applet edits it", "event manager applet A\n event none\n action 1 puts a\n action 2 puts b\nevent manager applet A\n action 2 puts B\n no action 1\n event oir\n",
			"", func(t *testing.T, c *config.Config) {
				a := c.Applet("A")
				if len(a.Actions) != 1 || a.Actions[0].Args[0] != "B" || len(a.Events) != 1 || a.Events[0].Pos.Line != 8 || a.Line != 1 {
					t.Errorf("applet %+v", a)
				}
			}},
		{"applet without an event line is kept", "event manager applet A\n action 1 puts x\n",
			`t.conf:1: warning: applet "A" has no event line; it is not registered`, func(t *testing.T, c *config.Config) {
				if a := c.Applet("A"); a == nil || len(a.Actions) != 1 {
					t.Errorf("applet %+v", a)
				}
			}},
		{"no forms remove what the command set", `call-home
 mail-server a priority 1
 mail-server b priority 2
 no mail-server a
 no mail-server zz
 profile p
 profile q
 no profile p
 no profile zz
 diagnostic-signature
  profile q
  trust-key /k1
  trust-key /k2
  no trust-key /k1
  environment ds_a 1
  no environment ds_a
ip sla 1
 tcp-connect h 80
ip sla 2
 tcp-connect h 81
ip sla schedule 2 start-time now
no ip sla 2
track 3 ip sla 1
no track 3
no track 4
no service call-home
event manager environment x 1
no event manager environment x
`, `t.conf:5: warning: no mail-server zz: no such mail-server is configured; nothing to remove
t.conf:9: warning: no profile zz: no such profile; nothing to remove (configured profiles: CiscoTAC-1, q)
t.conf:25: warning: no track 4: there is no track 4; nothing to remove`, func(t *testing.T, c *config.Config) {
			ch := c.CallHome
			if len(ch.MailServers) != 1 || ch.MailServers[0].Address != "b" || c.Profile("p") != nil || c.Profile("q") == nil {
				t.Errorf("call-home %+v", ch)
			}
			d := c.DiagnosticSignature
			if len(d.TrustKeys) != 1 || d.TrustKeys[0].Path != "/k2" || len(d.Environment) != 0 {
				t.Errorf("DS %+v", d)
			}
			if len(c.IPSLAs) != 1 || len(c.Tracks) != 0 || c.ServiceCallHome || len(c.EventManager.Environment) != 0 {
				t.Errorf("slas %+v tracks %+v service %v", c.IPSLAs, c.Tracks, c.ServiceCallHome)
			}
		}},
		{"the same setting again replaces it, as IOS", `call-home
 mail-server a priority 5
 mail-server A priority 1
 profile user1
  active
 profile User1
  no active
 diagnostic-signature
  environment ds_a 1
  environment ds_a 2
dsengine
 syslog listen udp :514
 syslog listen udp :514
`, "", func(t *testing.T, c *config.Config) {
			ch := c.CallHome
			if len(ch.MailServers) != 1 || ch.MailServers[0].Priority != 1 || len(ch.Profiles) != 2 || c.Profile("user1").Active {
				t.Errorf("call-home %+v", ch)
			}
			if v, _ := c.DiagnosticSignature.Environment.Lookup("ds_a"); v != "2" || len(c.Host.SyslogListen) != 1 {
				t.Errorf("ds_a %q, listeners %v", v, c.Host.SyslogListen)
			}
		}},
		{"skipped IOS commands and their sub-mode lines", `version 17.9
service timestamps log datetime msec
interface GigabitEthernet1/0/1
 description uplink "to core
 ip address 10.0.0.1 255.255.255.0
 no shutdown
router ospf 1
 network 10.0.0.0 0.255.255.255 area 0
ip route 0.0.0.0 0.0.0.0 10.0.0.254
ip sla responder
event manager session cli username x
track 5 list boolean and
 object 1
banner motd #
ip sla 1
#
hostname sw1
`, `t.conf:1: warning: skipped "version 17.9": dsengine does not model this IOS command
t.conf:2: warning: skipped "service timestamps log datetime msec": dsengine does not model this IOS command
t.conf:3: warning: skipped "interface GigabitEthernet1/0/1" and the 3 lines under it: dsengine does not model this IOS command
t.conf:7: warning: skipped "router ospf 1" and the 1 line under it: dsengine does not model this IOS command
t.conf:9: warning: skipped "ip route 0.0.0.0 0.0.0.0 10.0.0.254": dsengine does not model this IOS command
t.conf:10: warning: skipped "ip sla responder": dsengine does not model this IOS command
t.conf:11: warning: skipped "event manager session cli username x": dsengine does not model this IOS command
t.conf:12: warning: skipped "track 5 list boolean and" and the 1 line under it: dsengine does not model this IOS command
t.conf:14: warning: skipped "banner motd #" and the 2 lines under it: dsengine does not model this IOS command`,
			func(t *testing.T, c *config.Config) {
				if c.Hostname != "sw1" || len(c.IPSLAs) != 0 || len(c.Tracks) != 0 {
					t.Errorf("hostname %q, slas %v, tracks %v", c.Hostname, c.IPSLAs, c.Tracks)
				}
			}},
		{"a flush-left line that is a dsengine sub-command stays in the skipped mode", "interface Gi1\ndescription x\nshutdown\n",
			`t.conf:1: warning: skipped "interface Gi1" and the 1 line under it: dsengine does not model this IOS command
t.conf:3: warning: skipped "shutdown": dsengine does not model this IOS command`, nil},
		{"trigger re-entered keeps what it is not given", "event manager applet A\n event tag a none\n event tag b oir\n trigger occurs 2\n  correlate event a or event b\n exit\n trigger period 10\n",
			"", func(t *testing.T, c *config.Config) {
				tr := c.Applet("A").Trigger
				if tr == nil || tr.Occurs != 2 || tr.Period != 10e9 || tr.Expr != "a or b" {
					t.Errorf("trigger %+v", tr)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := mustParse(t, c.src)
			if got := warnings(cfg); got != c.warn {
				t.Errorf("warnings\n got: %s\nwant: %s", got, c.warn)
			}
			if c.check != nil {
				c.check(t, cfg)
			}
		})
	}
}

// TestIOSXESwitch loads the running configuration of an IOS XE switch and
// shows what loads and what is skipped.
func TestIOSXESwitch(t *testing.T) {
	data, err := os.ReadFile("testdata/ios-xe-switch.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("ios-xe-switch.conf", data)
	if err != nil {
		t.Fatalf("the switch configuration does not load:\n%v", err)
	}
	golden.Check(t, "testdata/ios-xe-switch.golden", []byte(describe(cfg)))
}

// describe lists the warnings and what a configuration holds.
func describe(c *config.Config) string {
	var b strings.Builder
	for _, w := range c.Warnings {
		fmt.Fprintln(&b, w)
	}
	fmt.Fprintf(&b, "\nhostname %s (line %d)\nservice call-home %v\n", c.Hostname, c.HostnameLine, c.ServiceCallHome)
	ch := c.CallHome
	fmt.Fprintf(&b, "call-home (line %d): contact %s, sender %s, rate-limit %d\n", ch.Line, ch.ContactEmail, ch.SenderFrom, ch.RateLimit)
	for _, m := range ch.MailServers {
		fmt.Fprintf(&b, "  mail-server %s priority %d (line %d)\n", m.Address, m.Priority, m.Line)
	}
	for _, p := range ch.Profiles {
		fmt.Fprintf(&b, "  profile %s: active %v, transport %s, email %v, http %v, %d subscriptions\n",
			p.Name, p.Active, strings.Join(p.TransportMethods(), "+"), p.EmailAddresses, p.HTTPAddresses, len(p.Subscriptions))
	}
	d := c.DiagnosticSignature
	fmt.Fprintf(&b, "diagnostic-signature (line %d): profile %s, environment %v\n", d.Line, d.Profile, d.Environment.Map())
	for _, s := range c.IPSLAs {
		fmt.Fprintf(&b, "ip sla %d: %s %s %d every %v, timeout %v, scheduled %v\n", s.Number, s.Operation, s.Host, s.Port, s.Frequency, s.Timeout, s.Schedule != nil)
	}
	for _, tr := range c.Tracks {
		what := tr.Interface
		if tr.Kind == config.TrackIPSLA {
			what = fmt.Sprintf("%d %s", tr.SLA, tr.SLAMode)
		}
		fmt.Fprintf(&b, "track %d: %s %s, delay up %v down %v\n", tr.Number, tr.Kind, what, tr.DelayUp, tr.DelayDown)
	}
	for _, a := range c.EventManager.Applets {
		fmt.Fprintf(&b, "applet %s (line %d) %q: %d events, %d actions", a.Name, a.Line, a.Description, len(a.Events), len(a.Actions))
		if a.Trigger != nil {
			fmt.Fprintf(&b, ", trigger %q", a.Trigger.Expr)
		}
		b.WriteString("\n")
		for _, e := range a.Events {
			fmt.Fprintf(&b, "  line %d: %s\n", e.Pos.Line, e.EEMLine)
		}
		for _, ac := range a.Actions {
			fmt.Fprintf(&b, "  line %d: action %s %s %q\n", ac.Line, ac.Label, ac.Verb, ac.Args)
		}
	}
	return b.String()
}
