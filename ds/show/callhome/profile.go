package callhome

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// Profiles writes `show call-home profile all`: every destination profile,
// sorted by name without regard to case as IOS lists them, separated by
// blank lines.
func Profiles(w io.Writer, cfg *config.Config) {
	for i, p := range sortedProfiles(cfg) {
		if i > 0 {
			fmt.Fprintln(w)
		}
		Profile(w, p)
	}
}

// Profile writes `show call-home profile NAME` for one destination profile
// (the caller finds it with config.Config.Profile): its status, mode,
// format, size limit, transports and addresses, then its periodic
// subscriptions, its alert-group subscriptions and its syslog patterns.
func Profile(w io.Writer, p *config.Profile) {
	line := func(format string, a ...any) {
		fmt.Fprintf(w, indent+format+"\n", a...)
	}
	fmt.Fprintf(w, "Profile Name: %s\n", p.Name)
	line("Profile status: %s", status(p))
	if p.AnonymousReportingOnly {
		line("Profile mode: Anonymous Reporting Only")
	} else {
		line("Profile mode: Full Reporting")
	}
	// dsengine reports Smart Call Home data only, never Smart Licensing.
	line("Reporting Data: Smart Call Home")
	line("Preferred Message Format: %s", format(p.PreferredMsgFormat))
	line("Message Size Limit: %d Bytes", p.MessageSizeLimit)
	line("Transport Method: %s", transportMethod(p))
	addresses(w, "Email address(es): ", p.EmailAddresses)
	addresses(w, "HTTP address(es): ", p.HTTPAddresses)

	var alerts, patterns [][2]string
	for _, g := range config.AlertGroups() {
		if g == config.GroupSyslog {
			continue
		}
		s, ok := p.Subscription(g)
		switch {
		case !ok:
		case s.Periodic != nil:
			fmt.Fprintln(w)
			line("Periodic %s info message is scheduled %s", g, schedule(*s.Periodic))
		default:
			alerts = append(alerts, [2]string{string(g), severity(s.Severity)})
		}
	}
	for _, s := range p.Subscriptions {
		if s.Group != config.GroupSyslog {
			continue
		}
		pattern := s.Pattern
		if pattern == "" {
			pattern = ".*" // no pattern matches every message
		}
		patterns = append(patterns, [2]string{pattern, severity(s.Severity)})
	}
	fmt.Fprintln(w)
	severityTable(w, "Alert-group", alerts)
	fmt.Fprintln(w)
	severityTable(w, "Syslog-Pattern", patterns)
}

// sortedProfiles returns the profiles sorted by name without regard to
// case, as IOS lists them.
func sortedProfiles(cfg *config.Config) []*config.Profile {
	ps := slices.Clone(cfg.CallHome.Profiles)
	slices.SortStableFunc(ps, func(a, b *config.Profile) int {
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return ps
}

// status is a profile's "Profile status".
func status(p *config.Profile) string {
	if p.Active {
		return "ACTIVE"
	}
	return "INACTIVE"
}

func format(f config.MessageFormat) string {
	if f == "" {
		return string(config.FormatXML)
	}
	return string(f)
}

// transportMethod is the "Transport Method" of a profile: "email", "http"
// or, with both, "http and email" as IOS XE writes it.
func transportMethod(p *config.Profile) string {
	switch {
	case p.TransportEmail && p.TransportHTTP:
		return "http and email"
	case p.TransportHTTP:
		return "http"
	}
	return "email"
}

// addresses writes a label and its addresses, one a line, the later ones
// aligned under the first as IOS XE does.
func addresses(w io.Writer, label string, list []string) {
	if len(list) == 0 {
		fmt.Fprintf(w, "%s%s%s\n", indent, label, notSetUp)
		return
	}
	fmt.Fprintf(w, "%s%s%s\n", indent, label, list[0])
	pad := strings.Repeat(" ", len(indent)+len(label))
	for _, a := range list[1:] {
		fmt.Fprintf(w, "%s%s\n", pad, a)
	}
}

// schedule is the text after "is scheduled" of a periodic subscription:
// "daily at 14:00", "every 14 day of the month at 11:12".
func schedule(p config.Periodic) string {
	hm := fmt.Sprintf("%02d:%02d", p.Hour, p.Minute)
	switch p.Kind {
	case config.PeriodicDaily:
		return "daily at " + hm
	case config.PeriodicWeekly:
		return "weekly on " + p.Weekday.String() + " at " + hm
	case config.PeriodicMonthly:
		return fmt.Sprintf("every %d day of the month at %s", p.Day, hm)
	case config.PeriodicHourly:
		return fmt.Sprintf("hourly at minute %d", p.Minute)
	case config.PeriodicInterval:
		return fmt.Sprintf("every %d minute(s)", p.Interval)
	}
	return p.String()
}

// severity is a threshold as the profile tables print it: the keyword,
// except level 0, which IOS prints "debug".
func severity(s config.AlertSeverity) string {
	if s == config.SeverityDebugging {
		return "debug"
	}
	return s.String()
}

// severityTable writes a two-column table with its header and dashes;
// "N/A N/A" when it has no rows.
func severityTable(w io.Writer, title string, rows [][2]string) {
	row := func(a, b string) {
		fmt.Fprintf(w, "%s%s\n", indent, strings.TrimRight(fmt.Sprintf("%-24s  %s", a, b), " "))
	}
	row(title, "Severity")
	row(dashes(24), dashes(12))
	if len(rows) == 0 {
		row("N/A", "N/A")
	}
	for _, r := range rows {
		row(r[0], r[1])
	}
}

func dashes(n int) string {
	return strings.Repeat("-", n)
}
