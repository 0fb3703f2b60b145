package iosconfig

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// FuzzParse checks that Parse never panics and that its result is either a
// valid Config or a list of positioned errors in line order.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/spec.conf"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("call-home\n profile \"a b\"\n  subscribe-to-alert-group syslog severity major pattern \"x y\"\n copy profile \"a b\" c\n rename profile c d\n"))
	f.Add([]byte("event manager applet A\n event tag 1 syslog pattern \"x\"\n event tag 2 oir\n trigger occurs 2 period 10\n  correlate event 1 andnot event 2 or track 3\n  attribute tag 1 occurs 2\n action 10 cli command \"show clock\"\n"))
	f.Add([]byte("ip sla 1\n tcp-connect h 80\nip sla schedule 1 life forever start-time now\ntrack 1 ip sla 1 state\n delay up 1 down 2\n"))
	if data, err := os.ReadFile("testdata/ios-xe-switch.conf"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("configure terminal\nno event manager applet A\nevent manager applet A\nevent none\naction 1 puts x\nend\ninterface Gi1\n description x\nbanner motd ^C\nhi\n^C\nexit\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		timer := time.AfterFunc(10*time.Second, func() {
			select {
			case <-done:
			default:
				panic(fmt.Sprintf("Parse runs for more than 10 s on %q", data))
			}
		})
		defer timer.Stop()
		cfg, err := Parse("f.conf", data)
		close(done)
		if err == nil {
			checkConfig(t, cfg)
			return
		}
		if cfg != nil {
			t.Fatalf("Config returned with an error")
		}
		list, ok := err.(ErrorList)
		if !ok || len(list) == 0 {
			t.Fatalf("error %T %v is not a non-empty ErrorList", err, err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		prev := 0
		for i, e := range list {
			if e.Msg == "" || e.File != "f.conf" || e.Line < 0 || e.Line > lines {
				t.Fatalf("bad error %+v (%d lines)", e, lines)
			}
			if e.Line < prev && !(i == len(list)-1 && strings.HasSuffix(e.Msg, "more errors not shown")) {
				t.Fatalf("errors out of line order: %v", list)
			}
			prev = e.Line
		}
	})
}

func checkConfig(t *testing.T, c *config.Config) {
	t.Helper()
	ch := c.CallHome
	if ch.RateLimit < config.MinRateLimit || ch.RateLimit > config.MaxRateLimit {
		t.Fatalf("rate-limit %d", ch.RateLimit)
	}
	if len(ch.MailServers) > config.MaxMailServers {
		t.Fatalf("%d mail servers", len(ch.MailServers))
	}
	for i := 1; i < len(ch.MailServers); i++ {
		if ch.MailServers[i-1].Priority > ch.MailServers[i].Priority {
			t.Fatalf("mail servers not sorted")
		}
	}
	if c.DSProfile() == nil || c.Profile(config.CiscoTACProfile) == nil {
		t.Fatalf("DS profile %q or CiscoTAC-1 missing", c.DiagnosticSignature.Profile)
	}
	seen := map[string]bool{}
	for _, p := range ch.Profiles {
		key := strings.ToLower(p.Name)
		if seen[key] || key == "all" || p.Name == "" || len(p.Name) > config.MaxProfileName {
			t.Fatalf("bad or duplicate profile name %q", p.Name)
		}
		seen[key] = true
		if p.MessageSizeLimit < config.MinMessageSize || p.MessageSizeLimit > config.MaxMessageSize || !p.TransportEmail && !p.TransportHTTP {
			t.Fatalf("profile %+v", p)
		}
		if p.Predefined && p.TransportEmail && p.TransportHTTP {
			t.Fatalf("CiscoTAC-1 uses both transports")
		}
	}
	for _, e := range c.DiagnosticSignature.Environment {
		if !strings.HasPrefix(e.Name, "ds_") {
			t.Fatalf("environment %q", e.Name)
		}
	}
	for _, a := range c.EventManager.Applets {
		if a.MaxRun <= 0 || len(a.Events) == 0 && a.Trigger != nil {
			t.Fatalf("applet %+v", a)
		}
		if len(a.Events) > 1 && a.Trigger == nil {
			t.Fatalf("applet %s: several events without a trigger", a.Name)
		}
		for i := 1; i < len(a.Actions); i++ {
			if a.Actions[i-1].Label > a.Actions[i].Label {
				t.Fatalf("applet %s: actions out of order", a.Name)
			}
		}
	}
}

// FuzzApply types the lines of data into a vty one by one, as
// `configure terminal` does: Apply never panics, a refused line leaves
// the configuration and the mode as they were, an accepted one gives a
// configuration that Format prints and Parse reads back, and the modes
// it enters are ones Apply can enter again.
func FuzzApply(f *testing.F) {
	f.Add("call-home\n profile p\n destination transport-method http\nexit\nrate-limit 5\nend")
	f.Add("event manager applet A\nevent tag a syslog pattern \"x\"\nevent tag b oir\ntrigger\ncorrelate event a and event b\nexit\naction 1 cli command \"enable\"\nexit")
	f.Add("no event manager applet A\nip sla 3\ntcp-connect 127.0.0.1 80\nexit\ntrack 3 ip sla 3 reachability\ndsengine\nsnmp agent 127.0.0.1 community public")
	f.Add("interface Gi1\ndo show run\nhostnme x\n rate-limt 5\nno service call-home")
	f.Fuzz(func(t *testing.T, data string) {
		cfg, path := config.Default(), Path(nil)
		for _, line := range strings.Split(data, "\n") {
			next, after, err := Apply(cfg, path, line)
			if err != nil {
				if next != cfg || len(after) != len(path) {
					t.Fatalf("%q: refused (%v) but the configuration or the mode changed", line, err)
				}
				continue
			}
			if _, _, err := Apply(next, after, "exit"); err != nil && len(after) == 0 {
				t.Fatalf("%q: exit at global configuration refused: %v", line, err)
			}
			cfg, path = next, after
		}
		// The configuration as the vty left it, its open modes ended.
		for len(path) > 0 {
			next, after, err := Apply(cfg, path, "exit")
			if err != nil {
				return // an applet or ip sla the checks refuse when its mode ends
			}
			cfg, path = next, after
		}
		if _, err := Parse("running-config", Format(cfg)); err != nil {
			t.Fatalf("the running configuration does not read back:\n%s\n%v", Format(cfg), err)
		}
	})
}
