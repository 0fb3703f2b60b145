package iosconfig

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

func mustParse(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return cfg
}

func TestSpecExample(t *testing.T) {
	data, err := os.ReadFile("testdata/spec.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("spec.conf", data)
	if err != nil {
		t.Fatalf("the SPEC §5 example does not parse:\n%v", err)
	}
	if cfg.Hostname != "edge-1" || cfg.File != "spec.conf" {
		t.Errorf("hostname %q, file %q", cfg.Hostname, cfg.File)
	}
	ch := cfg.CallHome
	if ch.ContactEmail != "noc@example.com" || ch.SenderFrom != "dsengine@example.com" || ch.RateLimit != 20 {
		t.Errorf("call-home settings wrong: %+v", ch)
	}
	if len(ch.MailServers) != 1 || ch.MailServers[0] != (config.MailServer{Address: "127.0.0.1", Priority: 1, Line: 4}) {
		t.Errorf("mail servers: %+v", ch.MailServers)
	}
	tac := cfg.Profile("CiscoTAC-1")
	if tac == nil || tac.Active {
		t.Errorf("CiscoTAC-1 missing or active")
	}
	u := cfg.Profile("USER1")
	if u == nil || u.Name != "user1" || !u.Active || !u.TransportHTTP || u.Line != 7 {
		t.Fatalf("profile user1: %+v", u)
	}
	if !slices.Equal(u.HTTPAddresses, []string{"https://collector.example.com/callhome"}) || u.MessageSizeLimit != 3145728 || u.PreferredMsgFormat != config.FormatXML {
		t.Errorf("profile user1 destination: %+v", u)
	}
	sub, ok := u.Subscription(config.GroupInventory)
	if !ok || sub.Periodic == nil || sub.Periodic.String() != "daily 14:00" || sub.Line != 13 {
		t.Errorf("inventory subscription: %+v", sub)
	}
	d := cfg.DiagnosticSignature
	if cfg.DSProfile() != u || d.ProfileLine != 15 {
		t.Errorf("DS profile %q (line %d)", d.Profile, d.ProfileLine)
	}
	if v, ok := d.Environment.Lookup("ds_env1"); !ok || v != "abc" {
		t.Errorf("DS environment: %+v", d.Environment)
	}
	if d.Repository != "https://ds.example.com/repo" || d.RepositoryCA != "/etc/dsengine/keys/repo-ca.pem" || len(d.TrustKeys) != 1 || d.TrustKeys[0].Path != "/etc/dsengine/keys/publisher.asc" {
		t.Errorf("DS repository settings: %+v", d)
	}
	want := config.Executor{Kind: config.ExecutorSSH, Host: "192.0.2.1", Port: 22, User: "netops", Key: "/etc/dsengine/keys/id_ed25519", KnownHosts: "/etc/dsengine/known_hosts", Line: 23}
	if d.Executor != want {
		t.Errorf("executor = %+v, want %+v", d.Executor, want)
	}
	sla := cfg.IPSLA(20)
	if sla == nil || sla.Operation != "tcp-connect" || sla.Host != "192.0.2.10" || sla.Port != 443 || sla.Frequency != 30*time.Second || sla.Timeout != 5*time.Second {
		t.Errorf("ip sla 20: %+v", sla)
	}
	if tr := cfg.Track(20); tr == nil || tr.Kind != config.TrackIPSLA || tr.SLA != 20 || tr.SLAMode != "reachability" {
		t.Errorf("track 20: %+v", tr)
	}
	if tr := cfg.Track(10); tr == nil || tr.Kind != config.TrackInterface || tr.Interface != "GigabitEthernet1/0/1" {
		t.Errorf("track 10: %+v", tr)
	}
	h := cfg.Host
	wantListen := []config.Listener{{Network: "udp", Address: "127.0.0.1:5514", Line: 31}, {Network: "tcp", Address: "127.0.0.1:5514", Line: 32}}
	if !slices.Equal(h.SyslogListen, wantListen) || len(h.SyslogFiles) != 1 || h.ControlSocket != "/run/dsengine/dsengine.sock" || h.MetricsListen != "127.0.0.1:9464" {
		t.Errorf("dsengine block: %+v", h)
	}
	a := cfg.Applet("LINKDOWN")
	if a == nil || len(a.Events) != 1 || a.Trigger != nil || a.MaxRun != 20*time.Second {
		t.Fatalf("applet: %+v", a)
	}
	ev := a.Events[0]
	if ev.ID != "e1" || ev.Type != ds.EventSyslog || ev.Pattern != "%LINK-3-UPDOWN: .* down" || ev.Occurs != 2 || ev.Period != time.Minute || ev.Pos.Line != 37 {
		t.Errorf("applet event: %+v", ev)
	}
	wantActions := []config.AppletAction{
		{Label: "1.0", Verb: "cli", Args: []string{"command", "show interfaces"}, Line: 38},
		{Label: "2.0", Verb: "syslog", Args: []string{"msg", "link flapped"}, Line: 39},
	}
	if !actionsEqual(a.Actions, wantActions) {
		t.Errorf("actions = %+v", a.Actions)
	}
}

func actionsEqual(a, b []config.AppletAction) bool {
	return slices.EqualFunc(a, b, func(x, y config.AppletAction) bool {
		return x.Label == y.Label && x.Verb == y.Verb && slices.Equal(x.Args, y.Args) && x.Line == y.Line
	})
}

func TestGood(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		check func(t *testing.T, c *config.Config)
	}{
		{"empty file gives the defaults", "", func(t *testing.T, c *config.Config) {
			if !c.ServiceCallHome || c.CallHome.RateLimit != 20 || len(c.CallHome.Profiles) != 1 || c.DSProfile() == nil || c.DSProfile().Active {
				t.Errorf("defaults wrong: %+v", c.CallHome)
			}
		}},
		{"comments, blank lines, CRLF, exit and end", "! a comment\r\n\r\nhostname r1\r\n  ! indented comment\r\ncall-home\r\n rate-limit 5\r\n profile p\r\n  no active\r\n  exit\r\n exit\r\nend\r\n! trailing comment\r\n\r\n",
			func(t *testing.T, c *config.Config) {
				if c.Hostname != "r1" || c.CallHome.RateLimit != 5 || c.Profile("p").Active {
					t.Errorf("got %+v", c.CallHome)
				}
			}},
		{"any consistent deeper indentation", "call-home\n    profile p\n        destination address email a@b.c\n    rate-limit 7\ndsengine\n\tcontrol-socket /tmp/s\n",
			func(t *testing.T, c *config.Config) {
				if !slices.Equal(c.Profile("p").EmailAddresses, []string{"a@b.c"}) || c.CallHome.RateLimit != 7 || c.Host.ControlSocket != "/tmp/s" {
					t.Errorf("got %+v / %+v", c.Profile("p"), c.Host)
				}
			}},
		{"service call-home", "service call-home\n", func(t *testing.T, c *config.Config) {
			if !c.ServiceCallHome || c.ServiceCallHomeLine != 1 {
				t.Errorf("service call-home not set")
			}
		}},
		{"mail servers sorted by priority, ties in order", "call-home\n mail-server c.example priority 30\n mail-server a.example priority 10\n mail-server d.example priority 30\n mail-server 2001:db8::1 priority 100\n mail-server b.example priority 1\n",
			func(t *testing.T, c *config.Config) {
				var got []string
				for _, m := range c.CallHome.MailServers {
					got = append(got, m.Address)
				}
				if want := []string{"b.example", "a.example", "c.example", "d.example", "2001:db8::1"}; !slices.Equal(got, want) {
					t.Errorf("order %v, want %v", got, want)
				}
			}},
		{"contact and global call-home settings", `call-home
 contact-email-addr noc@example.com
 phone-number +1-408-555-1234
 street-address "1234 Picaboo Street, Any city"
 customer-id ExampleCorp
 site-id "Santa Clara"
 contract-id X123
 sender reply-to support@example.com
 http-proxy proxy.example.com port 8080
 source-interface Loopback0
 vrf Mgmt-intf
 aaa-authorization
 aaa-authorization username ops
 no syslog-throttling
 data-privacy level high
 data-privacy hostname
 no alert-group syslog
 alert-group-config snapshot
  add-command "show version"
  add-command "show   clock"
`, func(t *testing.T, c *config.Config) {
			ch := c.CallHome
			if ch.PhoneNumber != "+1-408-555-1234" || ch.StreetAddress != "1234 Picaboo Street, Any city" || ch.SiteID != "Santa Clara" || ch.SenderReplyTo != "support@example.com" {
				t.Errorf("contact: %+v", ch)
			}
			if ch.HTTPProxy == nil || *ch.HTTPProxy != (config.HTTPProxy{Host: "proxy.example.com", Port: 8080, Line: 9}) {
				t.Errorf("http-proxy: %+v", ch.HTTPProxy)
			}
			if !ch.AAAAuthorization || ch.AAAUsername != "ops" || ch.SyslogThrottling || ch.DataPrivacy != (config.DataPrivacy{Level: config.PrivacyHigh, Hostname: true}) {
				t.Errorf("settings: %+v", ch)
			}
			if ch.AlertGroups[config.GroupSyslog] || !ch.AlertGroups[config.GroupCrash] {
				t.Errorf("alert groups: %v", ch.AlertGroups)
			}
			if len(ch.SnapshotCommands) != 2 || ch.SnapshotCommands[1].Command != "show clock" || ch.SnapshotCommands[1].Line != 20 {
				t.Errorf("snapshot commands: %+v", ch.SnapshotCommands)
			}
		}},
		{"CiscoTAC-1 uses one transport; user profiles may use both", `call-home
 profile "CiscoTAC-1"
  destination transport-method http
  active
 profile both
  destination transport-method http
 profile onlyhttp
  destination transport-method http
  no destination transport-method email
 profile none
  no destination transport-method email
`, func(t *testing.T, c *config.Config) {
			tac := c.Profile("ciscotac-1")
			if !tac.Active || tac.TransportEmail || !tac.TransportHTTP || tac.Line != 2 {
				t.Errorf("CiscoTAC-1: %+v", tac)
			}
			if m := c.Profile("both").TransportMethods(); !slices.Equal(m, []string{"email", "http"}) {
				t.Errorf("both: %v", m)
			}
			if m := c.Profile("onlyhttp").TransportMethods(); !slices.Equal(m, []string{"http"}) {
				t.Errorf("onlyhttp: %v", m)
			}
			if m := c.Profile("none").TransportMethods(); !slices.Equal(m, []string{"email"}) {
				t.Errorf("disabling both must leave email: %v", m)
			}
		}},
		{"subscriptions and schedules", `call-home
 profile p
  subscribe-to-alert-group configuration periodic weekly Monday 9:30
  subscribe-to-alert-group inventory periodic monthly 31 23:59
  subscribe-to-alert-group snapshot periodic hourly 5
  subscribe-to-alert-group environment severity minor
  subscribe-to-alert-group syslog severity major pattern "LINK-3-UPDOWN"
  subscribe-to-alert-group syslog pattern ".*CALL_LOOP.*"
  subscribe-to-alert-group crash
  subscribe-to-alert-group snapshot periodic interval 15
  no subscribe-to-alert-group syslog pattern ".*CALL_LOOP.*"
`, func(t *testing.T, c *config.Config) {
			p := c.Profile("p")
			var got []string
			for _, s := range p.Subscriptions {
				desc := string(s.Group) + "/" + s.Severity.String()
				if s.Periodic != nil {
					desc += "/" + s.Periodic.String()
				}
				if s.Pattern != "" {
					desc += "/" + s.Pattern
				}
				got = append(got, desc)
			}
			want := []string{"configuration/normal/weekly monday 09:30", "inventory/normal/monthly 31 23:59", "snapshot/normal/interval 15",
				"environment/minor", "syslog/major/LINK-3-UPDOWN", "crash/normal"}
			if !slices.Equal(got, want) {
				t.Errorf("subscriptions\n got %q\nwant %q", got, want)
			}
		}},
		{"subscribe all", "call-home\n profile p\n  subscribe-to-alert-group all\n", func(t *testing.T, c *config.Config) {
			p := c.Profile("p")
			if len(p.Subscriptions) != 5 || p.Subscribed(config.GroupSnapshot) {
				t.Errorf("subscriptions: %+v", p.Subscriptions)
			}
			if s, _ := p.Subscription(config.GroupSyslog); s.Severity != config.SeverityDebugging {
				t.Errorf("syslog severity %v", s.Severity)
			}
		}},
		{"copy and rename profile", `call-home
 profile "src"
  destination address email a@example.com
  subscribe-to-alert-group crash
 copy profile src dst
 rename profile src moved
 copy profile CiscoTAC-1 tac2
 profile dst
  destination address email b@example.com
 diagnostic-signature
  profile moved
`, func(t *testing.T, c *config.Config) {
			if c.Profile("src") != nil {
				t.Errorf("src still exists after rename")
			}
			mv, dst, tac2 := c.Profile("moved"), c.Profile("dst"), c.Profile("tac2")
			if mv == nil || dst == nil || tac2 == nil {
				t.Fatalf("profiles: %s", names(c))
			}
			if !slices.Equal(mv.EmailAddresses, []string{"a@example.com"}) || !slices.Equal(dst.EmailAddresses, []string{"a@example.com", "b@example.com"}) || !dst.Subscribed(config.GroupCrash) {
				t.Errorf("copy is not independent: %v / %v", mv.EmailAddresses, dst.EmailAddresses)
			}
			if tac2.Predefined || tac2.Active || !slices.Equal(tac2.EmailAddresses, []string{config.CiscoTACEmail}) || dst.Line != 5 {
				t.Errorf("copy of CiscoTAC-1: %+v", tac2)
			}
			if c.DSProfile() != mv {
				t.Errorf("DS profile %q", c.DiagnosticSignature.Profile)
			}
			if got := names(c); got != "CiscoTAC-1 moved dst tac2" {
				t.Errorf("profile order %q", got)
			}
		}},
		{"no profile removes a user profile", "call-home\n profile p\n no profile P\n profile p\n", func(t *testing.T, c *config.Config) {
			if names(c) != "CiscoTAC-1 p" {
				t.Errorf("profiles %q", names(c))
			}
		}},
		{"call-home reporting anonymous", "call-home reporting anonymous http-proxy 192.0.2.2 port 3128\n", func(t *testing.T, c *config.Config) {
			tac := c.Profile("CiscoTAC-1")
			r := c.CallHome.Reporting
			if r == nil || !r.Anonymous || r.HTTPProxy.Port != 3128 || c.CallHome.HTTPProxy.Host != "192.0.2.2" {
				t.Errorf("reporting: %+v", r)
			}
			if !c.ServiceCallHome || !tac.Active || !tac.TransportHTTP || tac.TransportEmail || !tac.AnonymousReportingOnly {
				t.Errorf("reporting effects: %+v", tac)
			}
		}},
		{"call-home reporting contact", "call-home reporting contact-email-addr me@example.com\n", func(t *testing.T, c *config.Config) {
			if c.CallHome.ContactEmail != "me@example.com" || c.Profile("CiscoTAC-1").AnonymousReportingOnly {
				t.Errorf("reporting: %+v", c.CallHome)
			}
		}},
		{"DS block: environment, executors, command map", `call-home
 diagnostic-signature
  environment ds_env1 abc
  environment ds_two "two words"
  no environment ds_env1
  environment ds_env1 again
  trust-key /k/a.asc
  trust-key /k/b.asc
  executor sim /var/lib/dsengine/device
  command-map "show version" "uname -a; uptime"
  command-map "show  clock" date
`, func(t *testing.T, c *config.Config) {
			d := c.DiagnosticSignature
			if d.Profile != "CiscoTAC-1" {
				t.Errorf("default DS profile %q", d.Profile)
			}
			if len(d.Environment) != 2 || d.Environment[0] != (config.EnvVar{Name: "ds_two", Value: "two words", Line: 4}) || d.Environment[1].Value != "again" {
				t.Errorf("environment: %+v", d.Environment)
			}
			if len(d.TrustKeys) != 2 || d.Executor.Kind != config.ExecutorSim || d.Executor.Dir != "/var/lib/dsengine/device" {
				t.Errorf("keys/executor: %+v", d)
			}
			if l, ok := d.LinuxCommand("show version"); !ok || l != "uname -a; uptime" {
				t.Errorf("command map: %q", l)
			}
			if l, _ := d.LinuxCommand("show clock"); l != "date" {
				t.Errorf("command map: %q", l)
			}
		}},
		{"executor ssh with defaults and password", "call-home\n diagnostic-signature\n  executor ssh router.example password \"s3 cret\"\n", func(t *testing.T, c *config.Config) {
			e := c.DiagnosticSignature.Executor
			if e.Kind != config.ExecutorSSH || e.Port != 22 || e.Password != "s3 cret" || e.User != "" {
				t.Errorf("executor %+v", e)
			}
		}},
		{"applet action order compares labels as strings", `event manager applet ORDER
 description "runs in IOS order"
 event none maxrun 60
 action 2.0 puts "two"
 action 10.0 puts "ten"
 action 1.0 puts "one"
 action 1.5 set x "a b"
`, func(t *testing.T, c *config.Config) {
			a := c.Applet("ORDER")
			var labels []string
			for _, x := range a.Actions {
				labels = append(labels, x.Label)
			}
			if want := []string{"1.0", "1.5", "10.0", "2.0"}; !slices.Equal(labels, want) {
				t.Errorf("order %v, want %v", labels, want)
			}
			if a.Description != "runs in IOS order" || a.MaxRun != time.Minute || a.Events[0].Type != ds.EventNone {
				t.Errorf("applet %+v", a)
			}
			if !slices.Equal(a.Actions[1].Args, []string{"x", "a b"}) {
				t.Errorf("args %q", a.Actions[1].Args)
			}
		}},
		{"event manager environment keeps the rest of the line", "event manager environment _email_to noc@example.com\nevent manager environment _msg link went down\nevent manager environment _q \"quoted value\"\n",
			func(t *testing.T, c *config.Config) {
				env := c.EventManager.Environment
				if v, _ := env.Lookup("_msg"); v != "link went down" {
					t.Errorf("_msg = %q", v)
				}
				if v, _ := env.Lookup("_q"); v != "quoted value" {
					t.Errorf("_q = %q", v)
				}
			}},
		{"ip sla schedule, timeout, track delay", `ip sla 5
 tcp-connect db.example 5432 control disable
 frequency 3
ip sla 6
 tcp-connect 192.0.2.6 22
 frequency 10
 timeout 2500
ip sla schedule 5 life forever start-time now
ip sla schedule 6 start-time 14:00 Jan 5 recurring
track 7 ip sla 5
 delay up 10 down 20
`, func(t *testing.T, c *config.Config) {
			s5, s6 := c.IPSLA(5), c.IPSLA(6)
			if s5.Timeout != 3*time.Second || s6.Timeout != 2500*time.Millisecond {
				t.Errorf("timeouts %v %v", s5.Timeout, s6.Timeout)
			}
			if s5.Schedule == nil || s5.Schedule.StartTime != "now" || s5.Schedule.Life != 0 || s6.Schedule.StartTime != "14:00 jan 5" || !s6.Schedule.Recurring {
				t.Errorf("schedules %+v %+v", s5.Schedule, s6.Schedule)
			}
			tr := c.Track(7)
			if tr.SLAMode != "state" || tr.DelayUp != 10*time.Second || tr.DelayDown != 20*time.Second {
				t.Errorf("track %+v", tr)
			}
		}},
		{"dsengine block", "dsengine\n syslog listen unix /run/dsengine/log.sock\n syslog listen udp [::1]:514\n watch file /etc/network/interfaces\n watch file /etc/hosts\n",
			func(t *testing.T, c *config.Config) {
				h := c.Host
				if len(h.SyslogListen) != 2 || h.SyslogListen[0].Network != "unix" || len(h.WatchFiles) != 2 || h.WatchFiles[1].Line != 5 {
					t.Errorf("host %+v", h)
				}
				if h.LiteralFreeLimit() != config.DefaultLiteralFreePatterns || h.MatchBudgetPercent() != config.DefaultMatchBudget {
					t.Errorf("match limits without match lines: %d patterns, %d%%", h.LiteralFreeLimit(), h.MatchBudgetPercent())
				}
			}},
		{"match limits", "dsengine\n match literal-free-patterns 0\n match time-budget 25\n", func(t *testing.T, c *config.Config) {
			h := c.Host
			if h.LiteralFreeLimit() != 0 || h.MatchBudgetPercent() != 25 || h.LiteralFreePatternsLine != 2 {
				t.Errorf("match limits: %d patterns, %d%% (%+v)", h.LiteralFreeLimit(), h.MatchBudgetPercent(), h)
			}
		}},
		{"syslog queue and buffer", "dsengine\n syslog queue-size 65536\n syslog receive-buffer 33554432\n", func(t *testing.T, c *config.Config) {
			h := c.Host
			if h.QueueSize() != 65536 || h.ReceiveBuffer() != 32<<20 || h.SyslogQueueSizeLine != 2 || h.SyslogReceiveBufferLine != 3 {
				t.Errorf("queue %d lines, buffer %d bytes (%+v)", h.QueueSize(), h.ReceiveBuffer(), h)
			}
		}},
		{"syslog queue and buffer defaults", "dsengine\n syslog queue-size 10\n syslog receive-buffer 4096\n no syslog queue-size\n no syslog receive-buffer\n", func(t *testing.T, c *config.Config) {
			h := c.Host
			if h.QueueSize() != config.DefaultSyslogQueueSize || h.ReceiveBuffer() != config.DefaultSyslogReceiveBuffer {
				t.Errorf("queue %d lines, buffer %d bytes", h.QueueSize(), h.ReceiveBuffer())
			}
		}},
		{"keywords are case-insensitive", "CALL-HOME\n Rate-Limit 9\n PROFILE p\n  NO ACTIVE\n", func(t *testing.T, c *config.Config) {
			if c.CallHome.RateLimit != 9 || c.Profile("p").Active {
				t.Errorf("got %+v", c.CallHome)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, mustParse(t, c.src)) })
	}
}

func names(c *config.Config) string {
	var s []string
	for _, p := range c.CallHome.Profiles {
		s = append(s, p.Name)
	}
	return strings.Join(s, " ")
}

func TestTrigger(t *testing.T) {
	const events = " event tag e1 syslog pattern \"A\"\n event tag e2 syslog pattern \"B\"\n event tag e3 oir\n"
	cases := []struct {
		name    string
		trigger string
		want    ds.Correlate
	}{
		{"and gets the 3-minute window", " trigger\n  correlate event e1 and event e2\n",
			ds.Correlate{Expr: "e1 and e2", Window: 3 * time.Minute, Occurs: 1}},
		{"andnot", " trigger\n  correlate event e1 andnot event e2\n",
			ds.Correlate{Expr: "e1 and not e2", Window: 3 * time.Minute, Occurs: 1}},
		{"or has no default window", " trigger\n  correlate event e1 or event e2 or event e3\n",
			ds.Correlate{Expr: "e1 or e2 or e3", Occurs: 1}},
		{"each operator takes the rest", " trigger\n  correlate event e1 or event e2 and event e3\n",
			ds.Correlate{Expr: "e1 or (e2 and e3)", Window: 3 * time.Minute, Occurs: 1}},
		{"andnot takes the rest", " trigger\n  correlate event e1 andnot event e2 and event e3\n",
			ds.Correlate{Expr: "e1 and not (e2 and e3)", Window: 3 * time.Minute, Occurs: 1}},
		{"track term and trigger options", " trigger occurs 2 period 30 delay 5 period-start \"0 */1 * * *\"\n  correlate event e1 and track 10\n",
			ds.Correlate{Expr: "e1 and track_10", Window: 30 * time.Second, Occurs: 2, Period: 30 * time.Second, Delay: 5 * time.Second, PeriodStart: "0 */1 * * *"}},
		{"attribute occurs", " trigger\n  correlate event e1 and event e2\n  attribute tag e1 occurs 3\n  attribute tag e2 occurs 1\n",
			ds.Correlate{Expr: "(count(e1) >= 3) and e2", Window: 3 * time.Minute, Occurs: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := mustParse(t, "event manager applet A\n"+events+c.trigger+" action 1 puts x\n")
			a := cfg.Applet("A")
			if a.Trigger == nil {
				t.Fatal("no trigger")
			}
			got := *a.Trigger
			if got.Pos.Line != 5 || got.Pos.Col != 2 || got.Pos.File != "t.conf" {
				t.Errorf("trigger position %v", got.Pos)
			}
			got.Pos = ds.Pos{}
			if got != c.want {
				t.Errorf("trigger\n got %+v\nwant %+v", got, c.want)
			}
			if ids := []string{a.Events[0].ID, a.Events[1].ID, a.Events[2].ID}; !slices.Equal(ids, []string{"e1", "e2", "e3"}) {
				t.Errorf("event ids %v", ids)
			}
		})
	}
}

func TestTriggerNumericTags(t *testing.T) {
	cfg := mustParse(t, `event manager applet N
 event tag 1 syslog pattern "A"
 event tag 2 syslog pattern "B"
 trigger
  correlate event 1 and event 2
 action 1 puts x
event manager applet ONE
 event tag only syslog pattern "A"
 trigger occurs 3
 action 1 puts x
`)
	a := cfg.Applet("N")
	if a.Events[0].ID != "tag_1" || a.Events[1].ID != "tag_2" || a.Trigger.Expr != "tag_1 and tag_2" {
		t.Errorf("ids %q %q, expr %q", a.Events[0].ID, a.Events[1].ID, a.Trigger.Expr)
	}
	one := cfg.Applet("ONE")
	if one.Trigger == nil || one.Trigger.Expr != "only" || one.Trigger.Occurs != 3 || one.Trigger.Window != 0 {
		t.Errorf("single-event trigger %+v", one.Trigger)
	}
}

func TestLineAndSizeLimits(t *testing.T) {
	long := "hostname " + strings.Repeat("a", MaxLine) + "\n"
	_, err := Parse("t.conf", []byte("call-home\n"+long))
	if err == nil || err.Error() != "t.conf:2: line is longer than 4096 bytes" {
		t.Errorf("long line: %v", err)
	}
	big := []byte(strings.Repeat("!\n", MaxSize/2+1))
	if _, err := Parse("t.conf", big); err == nil || err.Error() != "t.conf: configuration is larger than 4194304 bytes (4 MiB)" {
		t.Errorf("large file: %v", err)
	}
	// At the limit exactly it is accepted.
	ok := append([]byte(strings.Repeat("!\n", MaxSize/2-1)), "!\n"...)
	if _, err := Parse("t.conf", ok); err != nil {
		t.Errorf("a file of exactly 4 MiB: %v", err)
	}
}

func TestAllErrorsInLineOrder(t *testing.T) {
	src := `call-home
 rate-limit 0
 profile all
 diagnostic-signature
  profile nosuch
  bogus
track 0 interface x line-protocol
`
	_, err := Parse("t.conf", []byte(src))
	list, ok := err.(ErrorList)
	if !ok {
		t.Fatalf("error is %T, want ErrorList", err)
	}
	want := `t.conf:2: rate-limit 0 out of range 1-60
t.conf:3: profile name "all" is reserved
t.conf:5: diagnostic-signature profile "nosuch" does not exist; configured profiles: CiscoTAC-1
t.conf:6: unknown command "bogus" in diagnostic-signature; expected profile, environment, repository, repository-ca, trust-key, executor, command-map
t.conf:7: track 0 out of range 1-1000`
	if list.Error() != want {
		t.Errorf("errors\n got:\n%s\nwant:\n%s", list.Error(), want)
	}
	if list[0].Line != 2 || list[0].File != "t.conf" || list[0].Msg != "rate-limit 0 out of range 1-60" {
		t.Errorf("first error %+v", list[0])
	}
}

func TestErrorCap(t *testing.T) {
	_, err := Parse("t.conf", []byte("call-home\n"+strings.Repeat(" x\n", 1500)))
	list := err.(ErrorList)
	if len(list) != maxErrors+1 || list[maxErrors].Error() != "t.conf: 500 more errors not shown" {
		t.Errorf("%d errors, last %v", len(list), list[len(list)-1])
	}
}
