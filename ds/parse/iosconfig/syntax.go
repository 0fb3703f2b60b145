package iosconfig

import (
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/events/detect/types"
)

// The command table: the words of each mode's commands with a help text
// each, as IOS lists them on "?". The parser's modeWords (which commands a
// mode knows) comes from it, and Help walks it.

// syn is one word of a command: a keyword, or a value such as "WORD",
// "LINE" (the rest of the line), "<1-60>" (a number in range) or
// "A.B.C.D". "<cr>" in next means the command may end there.
type syn struct {
	word string
	help string
	next []*syn
}

// cr ends a command.
var cr = &syn{word: "<cr>", help: ""}

func k(word, help string, next ...*syn) *syn { return &syn{word: word, help: help, next: next} }

// line is free text up to the end of the line.
func line(help string) *syn { return k("LINE", help, cr) }

func word(help string, next ...*syn) *syn {
	if len(next) == 0 {
		next = []*syn{cr}
	}
	return k("WORD", help, next...)
}

func num(rng, help string, next ...*syn) *syn {
	if len(next) == 0 {
		next = []*syn{cr}
	}
	return k(rng, help, next...)
}

// syntax returns the commands of a mode in the order error messages list
// them.
func syntax(kind string) []*syn {
	switch kind {
	case "top":
		return topSyntax()
	case "call-home":
		return callHomeSyntax()
	case "profile":
		return []*syn{
			k("active", "Activate the current profile", cr),
			k("destination", "Message destination related configuration",
				k("transport-method", "To specify transport method for this profile", k("email", "Email", cr), k("http", "HTTP", cr)),
				k("address", "To specify destination address for this profile",
					k("email", "Email address", word("Email address (max length 200)")),
					k("http", "HTTP address", word("HTTP address (max length 200), http:// or https://"))),
				k("message-size-limit", "To specify message size limit for this profile", num("<50-3145728>", "Message size limit in bytes")),
				k("preferred-msg-format", "To specify the preferred message format for this profile",
					k("long-text", "Long-text format", cr), k("short-text", "Short-text format", cr), k("xml", "XML format (default)", cr))),
			k("subscribe-to-alert-group", "Subscribe to alert-group", alertGroupSyntax()...),
			k("anonymous-reporting-only", "Only send anonymous reports (CiscoTAC-1)", cr),
		}
	case "diagnostic-signature":
		return []*syn{
			k("profile", "Specify a call-home profile for diagnostic signature", word("Profile name")),
			k("environment", "Configure an environment variable for diagnostic signature", word("Variable name, starting with ds_", line("Value"))),
			k("repository", "The diagnostic signature repository (dsengine)", word("URL, http:// or https://")),
			k("repository-ca", "The CA of the repository's TLS certificate (dsengine)", word("PEM file")),
			k("trust-key", "An OpenPGP key of a trusted DS publisher (dsengine)", word("Armoured public key file")),
			k("executor", "Where the DS commands run (dsengine)",
				k("local", "On this host, through the command map", cr),
				k("sim", "From recorded outputs", word("Directory")),
				k("ssh", "On a device over SSH", word("Host name or address", cr,
					k("port", "SSH port", num("<1-65535>", "Port")), k("user", "User name", word("User")),
					k("key", "Private key file", word("File")), k("password", "Password", word("Password")),
					k("known-hosts", "known_hosts file", word("File"))))),
			k("command-map", "Map an IOS command to a Linux command (dsengine)", word("IOS command, in double quotes", word("Linux command, in double quotes"))),
		}
	case "snapshot":
		return []*syn{k("add-command", "Add a command to the snapshot alert group", line("Command, in double quotes"))}
	case "applet":
		return []*syn{
			k("description", "Add or modify an applet description", line("Description")),
			k("event", "Add or modify event information",
				append([]*syn{k("tag", "Event tag", word("Tag name", eventTypes()...))}, eventTypes()...)...),
			k("trigger", "Enter the trigger configuration submode", cr,
				k("occurs", "Number of times the correlation must hold", num("<1-4294967295>", "Number of occurrences", cr)),
				k("period", "Time period for the occurrences", num("<0-4294967295>", "Seconds, with optional fraction", cr)),
				k("period-start", "Cron entry that starts the period", word("Cron entry, in double quotes", cr)),
				k("delay", "Time to wait before raising the trigger", num("<0-4294967295>", "Seconds, with optional fraction", cr))),
			k("action", "Add or modify an action statement", word("Action label", actionVerbs()...)),
		}
	case "trigger":
		return []*syn{
			k("correlate", "Correlation of events and tracks", correlateTerms()...),
			k("attribute", "Attribute of an event in the correlation",
				k("tag", "Event tag", word("Event tag", k("occurs", "Number of occurrences", num("<1-4294967295>", "Occurrences"))))),
		}
	case "ip sla":
		return []*syn{
			k("tcp-connect", "TCP Connection Operation", word("Destination address or name", num("<1-65535>", "Destination port", cr,
				k("control", "Enable or disable control messages", k("enable", "Enable", cr), k("disable", "Disable", cr))))),
			k("frequency", "Frequency of an operation", num("<1-604800>", "Frequency in seconds (default 60)")),
			k("timeout", "Timeout of an operation", num("<0-604800000>", "Timeout in milliseconds (default 5000)")),
		}
	case "track":
		return []*syn{k("delay", "Tracking delay",
			k("up", "Delay up change notification", num("<0-180>", "Seconds", cr, k("down", "Delay down change notification", num("<0-180>", "Seconds")))),
			k("down", "Delay down change notification", num("<0-180>", "Seconds", cr, k("up", "Delay up change notification", num("<0-180>", "Seconds")))))}
	case "dsengine":
		return []*syn{
			k("syslog", "Where syslog messages come from",
				k("listen", "Listen for syslog messages",
					k("udp", "UDP", word("HOST:PORT")), k("tcp", "TCP", word("HOST:PORT")), k("unix", "Unix socket", word("Socket path"))),
				k("file", "Follow a log file", word("File")),
				k("queue-size", "Received lines that may wait for the detectors (default 32768)", num("<1-4194304>", "Lines")),
				k("receive-buffer", "Socket receive buffer of the udp and unix inputs (default 8388608)", num("<4096-1073741824>", "Bytes"))),
			k("control-socket", "The control socket of the daemon", word("Socket path")),
			k("metrics", "Prometheus metrics", k("listen", "Serve metrics", word("HOST:PORT")),
				k("pprof", "Serve the Go runtime's profiles at /debug/pprof/ on the metrics address", cr)),
			k("source", "Run one of the host's native event sources",
				k("netlink", "Links, addresses, routes and neighbors from rtnetlink", cr, line("Arguments")),
				k("kmsg", "The kernel log (/dev/kmsg): crashes, OOM kills", cr, line("Arguments")),
				k("journal", "The systemd journal (journalctl --follow)", cr, line("Arguments")),
				k("udev", "Devices added and removed (kernel uevents)", cr, line("Arguments")),
				k("hwmon", "Temperature, fan and voltage sensors (/sys/class/hwmon)", cr, line("Arguments")),
				k("coredump", "Process crashes recorded by systemd-coredump", cr, line("Arguments")),
				k("lldp", "LLDP neighbors from lldpd", cr, line("Arguments"))),
			k("watch", "Watch a file for changes", k("file", "A file whose change is a configuration event", word("File"))),
			k("match", "Limits of syslog pattern matching",
				k("literal-free-patterns", "Patterns without a literal allowed in all", num("<0-100000>", "Number")),
				k("time-budget", "Share of one CPU a DS or applet may spend matching", num("<1-100>", "Percent"))),
			snmpSyntax(),
		}
	}
	return nil
}

func topSyntax() []*syn {
	return []*syn{
		k("hostname", "Set system's network name", word("This system's network name")),
		k("service", "Modify use of network based services", k("call-home", "Enable call-home service", cr)),
		clockSyntax(),
		k("call-home", "Enter call-home configuration mode", cr,
			k("reporting", "Call-home reporting",
				k("anonymous", "Anonymous reporting only", cr, k("http-proxy", "HTTP proxy", word("Proxy host", k("port", "Proxy port", num("<1-65535>", "Port"))))),
				k("contact-email-addr", "Full reporting with a contact address", word("Email address", cr,
					k("http-proxy", "HTTP proxy", word("Proxy host", k("port", "Proxy port", num("<1-65535>", "Port")))))))),
		k("ip", "Global IP configuration subcommands", k("sla", "IP Service Level Agreement",
			num("<1-2147483647>", "Entry Number"),
			k("schedule", "Schedule an operation", num("<1-2147483647>", "Entry number", cr,
				k("life", "Length of time to execute in seconds", k("forever", "Continue running forever", cr), num("<0-2147483647>", "Seconds", cr)),
				k("start-time", "When to start the operation", k("now", "Start now", cr), k("pending", "Start pending", cr),
					k("after", "Start after a certain amount of time from now", word("hh:mm:ss")), word("Start time, hh:mm[:ss]")),
				k("ageout", "How long to keep this entry when inactive", num("<0-2073600>", "Seconds", cr)),
				k("recurring", "Probe to be scheduled automatically every day", cr))))),
		k("track", "Object tracking configuration commands", num("<1-1000>", "Tracked object", cr,
			k("interface", "Select an interface to track", word("Interface name", k("line-protocol", "Track interface line-protocol", cr))),
			k("ip", "IP protocol", k("sla", "IP Service Level Agreement", num("<1-2147483647>", "Entry number", cr,
				k("reachability", "Reachability", cr), k("state", "Return code state", cr)))))),
		k("event", "Event related commands", k("manager", "Event Manager configuration commands",
			k("applet", "Register an Event Manager applet", word("Name of the Event Manager applet", cr,
				k("authorization", "Specify an authorization type for the applet", k("bypass", "EEM AAA authorization type bypass", cr)),
				k("class", "Specify a class for the applet", word("Class")),
				k("trap", "Generate an SNMP trap when applet is triggered", cr))),
			k("environment", "Set an Event Manager global variable", word("Environment variable name", line("Environment variable value"))))),
		snmpServerSyntax(),
		k("dsengine", "Enter the dsengine host settings mode", cr),
	}
}

func callHomeSyntax() []*syn {
	return []*syn{
		k("contact-email-addr", "Contact person's email address", word("Email address (max length 200)")),
		k("phone-number", "Phone number of the contact person", word("Phone number, starting with + (max length 17)")),
		k("street-address", "Street address of the contact person", line("Street address, in double quotes (max length 200)")),
		k("customer-id", "Customer identification for Cisco AutoNotify", line("Customer id (max length 64)")),
		k("site-id", "Site identification for Cisco AutoNotify", line("Site id (max length 200)")),
		k("contract-id", "Contract identification for Cisco AutoNotify", line("Contract id (max length 64)")),
		k("mail-server", "Configure call-home mail servers", word("Mail server IP address or name", k("priority", "Mail server priority", num("<1-100>", "Lower number, higher priority")))),
		k("sender", "Call home msg's sender email addresses",
			k("from", "Call home msg's from email address", word("Email address")),
			k("reply-to", "Call home msg's reply-to email address", word("Email address"))),
		k("rate-limit", "Configure call-home message rate-limit threshold", num("<1-60>", "Call-home message rate-limit threshold (per minute)")),
		k("http-proxy", "Configure HTTP proxy server address and port", word("Proxy server address or name", k("port", "Proxy server port", num("<1-65535>", "Port")))),
		k("source-interface", "Configure source interface name to send call-home messages", word("Interface name")),
		k("source-ip-address", "Configure source IP address to send call-home messages", word("IP address")),
		k("vrf", "VPN Routing/Forwarding instance name", word("VRF name")),
		k("aaa-authorization", "Enable AAA authorization", cr, k("username", "Username for authorization", word("Username (default callhome)"))),
		k("syslog-throttling", "Enable call-home syslog message throttling", cr),
		k("data-privacy", "Configure call-home data privacy",
			k("level", "Data privacy level", k("normal", "Normal (default)", cr), k("high", "High", cr)),
			k("hostname", "Scrub the host name", cr)),
		k("alert-group", "Enable or disable alert-group", append([]*syn{k("all", "All alert groups", cr)}, groupWords(false)...)...),
		k("alert-group-config", "Configure alert-group", k("snapshot", "Configure the snapshot alert group", cr)),
		k("profile", "Enter call-home profile configuration mode", word("Profile name (max length 31)")),
		k("copy", "Copy a call-home profile", k("profile", "Profile", word("Source profile", word("New profile")))),
		k("rename", "Rename a call-home profile", k("profile", "Profile", word("Profile", word("New name")))),
		k("diagnostic-signature", "Enter diagnostic signature configuration mode", cr),
	}
}

func groupWords(options bool) []*syn {
	var s []*syn
	for _, g := range []struct{ name, help string }{
		{"configuration", "configuration info"}, {"crash", "crash and traceback info"}, {"environment", "environmental info"},
		{"inventory", "inventory info"}, {"snapshot", "snapshot info"}, {"syslog", "syslog info"},
	} {
		if !options {
			s = append(s, k(g.name, g.help, cr))
			continue
		}
		var next []*syn
		sev := k("severity", "Severity level", num("LEVEL", "catastrophic, disaster, fatal, critical, major, minor, warning, notification, normal or debugging", cr))
		per := k("periodic", "Periodic schedule", k("daily", "Daily", word("hh:mm")), k("weekly", "Weekly", word("Day", word("hh:mm"))),
			k("monthly", "Monthly", num("<1-31>", "Date", word("hh:mm"))))
		switch g.name {
		case "crash", "environment":
			next = []*syn{cr, sev}
		case "syslog":
			next = []*syn{cr, sev, k("pattern", "Syslog message pattern to match", word("Pattern, in double quotes", cr))}
		case "snapshot":
			next = []*syn{k("periodic", "Periodic schedule", k("daily", "Daily", word("hh:mm")), k("hourly", "Hourly", num("<0-59>", "Minute")),
				k("interval", "Interval", num("<1-60>", "Minutes")))}
		default:
			next = []*syn{cr, per}
		}
		s = append(s, k(g.name, "Subscribe to "+g.help, next...))
	}
	return s
}

func alertGroupSyntax() []*syn {
	return append([]*syn{k("all", "Subscribe to all alert groups", cr)}, groupWords(true)...)
}

// eventTypes are the event detectors of the detector table, each with
// its summary and the options of its EEM form (from its README), so `?`
// lists what the parser accepts and nothing else.
func eventTypes() []*syn {
	var out []*syn
	for _, d := range types.All() {
		if d.EEM == nil {
			continue
		}
		usage := eemUsage(d.README, d.EEM.Keyword)
		next := []*syn{line(usage)}
		if usage == "" || strings.HasPrefix(usage, "[") {
			next = []*syn{cr, line(usage)}
		}
		out = append(out, k(d.EEM.Keyword, d.Summary, next...))
	}
	slices.SortFunc(out, func(a, b *syn) int { return strings.Compare(a.word, b.word) })
	return out
}

// eemUsage is what follows "event [tag T] KEYWORD" in the lines of a
// detector README's "## EEM form" block, the forms joined with " | ".
func eemUsage(readme, keyword string) string {
	_, block, _ := strings.Cut(readme, "## EEM form")
	_, block, _ = strings.Cut(block, "```")
	block, _, _ = strings.Cut(block, "```")
	var forms []string
	for _, l := range strings.Split(block, "\n") {
		if _, rest, ok := strings.Cut(strings.TrimSpace(l), " "+keyword); ok && strings.HasPrefix(strings.TrimSpace(l), "event") {
			forms = append(forms, strings.TrimSpace(rest))
		}
	}
	return strings.Join(forms, " | ")
}

func actionVerbs() []*syn {
	var s []*syn
	for _, v := range appletVerbs() {
		s = append(s, k(v, v+" action", cr, line("Arguments")))
	}
	return s
}

// correlateTerms are "event TAG" and "track N", each followed by <cr> or
// an operator and another term.
func correlateTerms() []*syn {
	tag, track := word("Event tag"), num("<1-1000>", "Track number")
	terms := []*syn{k("event", "Event tag", tag), k("track", "Tracked object", track)}
	ops := []*syn{cr, k("and", "Logical and", terms...), k("andnot", "Logical and not", terms...), k("or", "Logical or", terms...)}
	tag.next, track.next = ops, ops
	return terms
}

// commandWords returns the first words of a mode's commands.
func commandWords(kind string) []string {
	var w []string
	for _, s := range syntax(kind) {
		w = append(w, s.word)
	}
	return w
}

// clockSyntax is the clock commands dsengine reads: the zone of the
// device's stamps.
func clockSyntax() *syn {
	end := word("Week number to end (1-4, first or last)", word("Weekday to end", word("Month to end",
		word("hh:mm, time to end", cr, num("<1-1440>", "Offset to add in minutes")))))
	start := num("<1-4>", "Week number to start (1-4, first or last)", word("Weekday to start", word("Month to start",
		word("hh:mm, time to start", end))))
	return k("clock", "Configure time-of-day clock",
		k("timezone", "Configure time zone", word("name of time zone (PST, CET)",
			num("<-23-23>", "Hours offset from UTC", cr, num("<0-59>", "Minutes offset from UTC")))),
		k("summer-time", "Configure summer (daylight savings) time", word("name of time zone in summer",
			k("recurring", "Configure recurring summer time", cr, start))))
}
