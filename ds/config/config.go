// Package config is the typed model of a dsengine configuration: what the IOS running-config parser builds and every other part reads.
package config

import (
	"strconv"
	"strings"
)

// Config is one parsed configuration file. Every element that came from a
// line remembers that line (a Line field, 0 when it is a default), so later
// errors can point at it.
type Config struct {
	// File is the name the configuration was read from; empty for Default.
	File string

	// Hostname is the "hostname" line; empty means the host's own name.
	Hostname     string
	HostnameLine int

	// Clock is the device clock's zone (clock timezone, clock
	// summer-time), which reads the stamps of its syslog lines.
	Clock Clock

	// ServiceCallHome is "service call-home": Call Home sends messages only
	// when it is set. On by default, as on IOS XE 16 and later; "no service
	// call-home" turns it off.
	ServiceCallHome     bool
	ServiceCallHomeLine int

	CallHome            CallHome
	DiagnosticSignature DiagnosticSignature
	Tracks              []Track // in configuration order
	IPSLAs              []IPSLA // in configuration order
	EventManager        EventManager
	Host                Host

	// Warnings are what the parser accepted but did not use: IOS commands
	// dsengine does not model, applets without an event line. They do not
	// stop the configuration from loading.
	Warnings []Warning
}

// Warning is one line the parser accepted with a remark.
type Warning struct {
	File string
	Line int // 0 when it concerns the whole file
	Msg  string
}

// String formats the warning as file:line: warning: message.
func (w Warning) String() string {
	if w.Line == 0 {
		return w.File + ": warning: " + w.Msg
	}
	return w.File + ":" + strconv.Itoa(w.Line) + ": warning: " + w.Msg
}

// Default returns the configuration of a device with nothing configured:
// the Call Home defaults of the guides, the predefined CiscoTAC-1 profile
// (inactive) and CiscoTAC-1 as the DS profile.
func Default() *Config {
	return &Config{
		ServiceCallHome: DefaultServiceCallHome,
		CallHome: CallHome{
			RateLimit:        DefaultRateLimit,
			AAAUsername:      DefaultAAAUsername,
			SyslogThrottling: true,
			DataPrivacy:      DataPrivacy{Level: PrivacyNormal},
			AlertGroups:      DefaultAlertGroups(),
			Profiles:         []*Profile{CiscoTAC1()},
		},
		DiagnosticSignature: DiagnosticSignature{
			Profile:  CiscoTACProfile,
			Executor: Executor{Kind: ExecutorLocal},
		},
	}
}

// Profile returns the destination profile with the given name, compared
// case-insensitively as IOS does, or nil.
func (c *Config) Profile(name string) *Profile {
	for _, p := range c.CallHome.Profiles {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// DSProfile returns the destination profile diagnostic signatures use
// ("diagnostic-signature" / "profile NAME"), or nil if it does not exist.
func (c *Config) DSProfile() *Profile {
	return c.Profile(c.DiagnosticSignature.Profile)
}

// Applet returns the EEM applet with the given name (case-sensitive, as
// IOS applet names are), or nil.
func (c *Config) Applet(name string) *Applet {
	for _, a := range c.EventManager.Applets {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Track returns the tracked object with the given number, or nil.
func (c *Config) Track(n int) *Track {
	for i := range c.Tracks {
		if c.Tracks[i].Number == n {
			return &c.Tracks[i]
		}
	}
	return nil
}

// IPSLA returns the IP SLA operation with the given number, or nil.
func (c *Config) IPSLA(n int) *IPSLA {
	for i := range c.IPSLAs {
		if c.IPSLAs[i].Number == n {
			return &c.IPSLAs[i]
		}
	}
	return nil
}

// EnvVar is one "environment NAME VALUE" line.
type EnvVar struct {
	Name  string
	Value string
	Line  int
}

// Environment is an ordered list of variables, in configuration order.
type Environment []EnvVar

// Lookup returns the value of the named variable.
func (e Environment) Lookup(name string) (string, bool) {
	for _, v := range e {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// Map returns the variables as a map.
func (e Environment) Map() map[string]string {
	m := make(map[string]string, len(e))
	for _, v := range e {
		m[v.Name] = v.Value
	}
	return m
}

// FileRef is a path named on a configuration line.
type FileRef struct {
	Path string
	Line int
}
