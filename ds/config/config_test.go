package config

import (
	"testing"
	"time"
)

func TestDefault(t *testing.T) {
	c := Default()
	if !c.ServiceCallHome {
		t.Errorf("service call-home is disabled by default; IOS XE 16 and later enable it")
	}
	ch := c.CallHome
	if ch.RateLimit != 20 || !ch.SyslogThrottling || ch.AAAAuthorization || ch.AAAUsername != "callhome" || ch.DataPrivacy.Level != PrivacyNormal {
		t.Errorf("call-home defaults wrong: %+v", ch)
	}
	for _, g := range AlertGroups() {
		if !ch.AlertGroups[g] {
			t.Errorf("alert group %s disabled by default", g)
		}
	}
	tac := c.Profile("ciscotac-1")
	if tac == nil || tac.Name != "CiscoTAC-1" || tac.Active || !tac.Predefined {
		t.Fatalf("CiscoTAC-1 missing or active: %+v", tac)
	}
	if !tac.TransportEmail || tac.TransportHTTP || tac.EmailAddresses[0] != CiscoTACEmail || tac.HTTPAddresses[0] != CiscoTACURL {
		t.Errorf("CiscoTAC-1 destinations wrong: %+v", tac)
	}
	if tac.PreferredMsgFormat != FormatXML || tac.MessageSizeLimit != 3145728 || !tac.Subscribed(GroupCrash) {
		t.Errorf("CiscoTAC-1 settings wrong: %+v", tac)
	}
	if c.DSProfile() != tac || c.DiagnosticSignature.Executor.Kind != ExecutorLocal {
		t.Errorf("DS defaults wrong: %+v", c.DiagnosticSignature)
	}
	// Each call returns its own copy.
	Default().CallHome.Profiles[0].Active = true
	Default().CallHome.AlertGroups[GroupSyslog] = false
	if c2 := Default(); c2.CallHome.Profiles[0].Active || !c2.CallHome.AlertGroups[GroupSyslog] {
		t.Errorf("Default shares state between calls")
	}
}

func TestNewProfile(t *testing.T) {
	p := NewProfile("noc", 3)
	if !p.Active || !p.TransportEmail || p.TransportHTTP || p.PreferredMsgFormat != FormatXML || p.MessageSizeLimit != MaxMessageSize || p.Line != 3 {
		t.Errorf("NewProfile defaults wrong: %+v", p)
	}
}

func TestProfileClone(t *testing.T) {
	a := CiscoTAC1()
	b := a.Clone()
	b.EmailAddresses[0] = "x@y"
	b.Subscriptions[0].Periodic.Day = 1
	if a.EmailAddresses[0] != CiscoTACEmail || a.Subscriptions[0].Periodic.Day != 14 {
		t.Errorf("Clone shares memory with the original")
	}
}

func TestPeriodic(t *testing.T) {
	cases := []struct {
		p          Periodic
		text, cron string
	}{
		{Periodic{Kind: PeriodicDaily, Hour: 14, Minute: 0}, "daily 14:00", "0 14 * * *"},
		{Periodic{Kind: PeriodicWeekly, Weekday: time.Monday, Hour: 9, Minute: 5}, "weekly monday 09:05", "5 9 * * 1"},
		{Periodic{Kind: PeriodicMonthly, Day: 31, Hour: 23, Minute: 59}, "monthly 31 23:59", "59 23 31 * *"},
		{Periodic{Kind: PeriodicHourly, Minute: 7}, "hourly 7", "7 * * * *"},
		{Periodic{Kind: PeriodicInterval, Interval: 15}, "interval 15", "@every 15m"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
		if got := c.p.Cron(); got != c.cron {
			t.Errorf("%s: Cron() = %q, want %q", c.text, got, c.cron)
		}
	}
}

func TestAlertSeverity(t *testing.T) {
	if FromSyslog(0) != SeverityFatal || FromSyslog(7) != SeverityDebugging || FromSyslog(3) != SeverityMinor {
		t.Errorf("FromSyslog does not follow table 1")
	}
	if !SeverityMajor.Admits(SeverityCritical) || SeverityMajor.Admits(SeverityMinor) || !SeverityDebugging.Admits(SeverityDebugging) {
		t.Errorf("Admits wrong")
	}
	if s, ok := ParseAlertSeverity("catastrophic"); !ok || s != 9 || s.String() != "catastrophic" {
		t.Errorf("ParseAlertSeverity(catastrophic) = %v, %v", s, ok)
	}
	if g, ok := ParseAlertGroup("snapshot"); !ok || !g.Periodic() || g.HasSeverity() {
		t.Errorf("snapshot group properties wrong")
	}
}

func TestLookups(t *testing.T) {
	c := Default()
	c.DiagnosticSignature.CommandMap = []CommandMapping{{IOS: "show version", Linux: "uname -a"}}
	if l, ok := c.DiagnosticSignature.LinuxCommand("  SHOW   version "); !ok || l != "uname -a" {
		t.Errorf("LinuxCommand = %q, %v", l, ok)
	}
	env := Environment{{Name: "ds_a", Value: "1"}, {Name: "ds_b", Value: "2"}}
	if v, ok := env.Lookup("ds_b"); !ok || v != "2" || env.Map()["ds_a"] != "1" {
		t.Errorf("Environment lookups wrong")
	}
	c.Tracks = []Track{{Number: 10}}
	c.IPSLAs = []IPSLA{{Number: 20}}
	c.EventManager.Applets = []*Applet{{Name: "A"}}
	if c.Track(10) == nil || c.Track(11) != nil || c.IPSLA(20) == nil || c.Applet("A") == nil || c.Applet("a") != nil {
		t.Errorf("Track/IPSLA/Applet lookups wrong")
	}
	c.DiagnosticSignature.Profile = "nosuch"
	if c.DSProfile() != nil {
		t.Errorf("DSProfile of a missing profile is not nil")
	}
}
