package callhome

import (
	"fmt"
	"io"

	"github.com/dsengine/dsengine/ds/config"
)

// notSetUp is what IOS prints for a setting that is not configured.
const notSetUp = "Not yet set up"

// indent is the indentation of the settings and of a profile's fields.
const indent = "    "

// Summary writes `show call-home`: the current call home settings, the
// available alert groups and the names of the destination profiles.
func Summary(w io.Writer, cfg *config.Config) {
	writeSettings(w, cfg)
	fmt.Fprintln(w)
	AlertGroups(w, cfg)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Profiles:")
	for _, p := range sortedProfiles(cfg) {
		fmt.Fprintf(w, "%sProfile Name: %s\n", indent, p.Name)
	}
}

// Detail writes `show call-home detail`: the settings and the alert groups
// as Summary does, then every destination profile in full.
func Detail(w io.Writer, cfg *config.Config) {
	writeSettings(w, cfg)
	fmt.Fprintln(w)
	AlertGroups(w, cfg)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Profiles:")
	fmt.Fprintln(w)
	Profiles(w, cfg)
}

// writeSettings writes the "Current call home settings:" block, in groups
// separated by blank lines as IOS XE prints them.
func writeSettings(w io.Writer, cfg *config.Config) {
	ch := &cfg.CallHome
	line := func(format string, a ...any) {
		fmt.Fprintf(w, indent+format+"\n", a...)
	}
	fmt.Fprintln(w, "Current call home settings:")
	line("call home feature : %s", enable(cfg.ServiceCallHome))
	line("call home message's from address: %s", orNotSetUp(ch.SenderFrom))
	line("call home message's reply-to address: %s", orNotSetUp(ch.SenderReplyTo))
	fmt.Fprintln(w)
	line("vrf for call-home messages: %s", orNotSetUp(ch.VRF))
	fmt.Fprintln(w)
	line("contact person's email address: %s", orNotSetUp(ch.ContactEmail))
	fmt.Fprintln(w)
	line("contact person's phone number: %s", orNotSetUp(ch.PhoneNumber))
	line("street address: %s", orNotSetUp(ch.StreetAddress))
	line("customer ID: %s", orNotSetUp(ch.CustomerID))
	line("contract ID: %s", orNotSetUp(ch.ContractID))
	line("site ID: %s", orNotSetUp(ch.SiteID))
	fmt.Fprintln(w)
	line("source ip address: %s", orNotSetUp(ch.SourceIPAddress))
	line("source interface: %s", orNotSetUp(ch.SourceInterface))
	if len(ch.MailServers) == 0 {
		line("Mail-server: %s", notSetUp)
	}
	for i, m := range ch.MailServers {
		line("Mail-server[%d]: Address: %s Priority: %d", i+1, m.Address, m.Priority)
	}
	if ch.HTTPProxy == nil {
		line("http proxy: %s", notSetUp)
	} else {
		line("http proxy: %s:%d", ch.HTTPProxy.Host, ch.HTTPProxy.Port)
	}
	fmt.Fprintln(w)
	line("Diagnostic signature: enabled")
	line("Profile: %s", dsProfile(cfg))
	fmt.Fprintln(w)
	// dsengine sends no Smart Licensing messages.
	line("Smart licensing messages: disabled")
	fmt.Fprintln(w)
	line("aaa-authorization: %s", enable(ch.AAAAuthorization))
	if ch.AAAUsername == "" || ch.AAAUsername == config.DefaultAAAUsername {
		line("aaa-authorization username: %s (default)", config.DefaultAAAUsername)
	} else {
		line("aaa-authorization username: %s", ch.AAAUsername)
	}
	line("data-privacy: %s", privacyLevel(ch.DataPrivacy.Level))
	if ch.DataPrivacy.Hostname {
		line("data-privacy hostname: enable")
	}
	line("syslog throttling: %s", enable(ch.SyslogThrottling))
	fmt.Fprintln(w)
	line("Rate-limit: %d message(s) per minute", ch.RateLimit)
	fmt.Fprintln(w)
	if len(ch.SnapshotCommands) == 0 {
		line("Snapshot command: %s", notSetUp)
	}
	for i, c := range ch.SnapshotCommands {
		line("Snapshot command[%d]: %s", i, c.Command)
	}
}

// dsProfile returns the DS profile and its state, as "show call-home
// diagnostic-signature" prints it: "user1 (status: ACTIVE)".
func dsProfile(cfg *config.Config) string {
	name := cfg.DiagnosticSignature.Profile
	switch p := cfg.DSProfile(); {
	case name == "":
		return notSetUp
	case p == nil:
		return name + " (status: NOT EXIST)"
	default:
		return p.Name + " (status: " + status(p) + ")"
	}
}

func orNotSetUp(s string) string {
	if s == "" {
		return notSetUp
	}
	return s
}

// enable returns the word IOS prints for an on/off setting.
func enable(on bool) string {
	if on {
		return "enable"
	}
	return "disable"
}

func privacyLevel(l config.PrivacyLevel) string {
	if l == "" {
		return string(config.PrivacyNormal)
	}
	return string(l)
}
