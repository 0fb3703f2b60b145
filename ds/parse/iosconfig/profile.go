package iosconfig

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// profileName checks a new profile name.
func (p *parser) profileName(line int, name string) bool {
	switch {
	case name == "":
		p.errorf(line, "profile name is empty")
	case strings.EqualFold(name, config.ReservedProfileName):
		p.errorf(line, "profile name %q is reserved", name)
	case len(name) > config.MaxProfileName:
		p.errorf(line, "profile name %q is longer than %d characters", name, config.MaxProfileName)
	default:
		return true
	}
	return false
}

// addProfile adds a new profile, within the profile limit.
func (p *parser) addProfile(line int, pr *config.Profile) bool {
	if len(p.cfg.CallHome.Profiles) >= config.MaxProfiles {
		p.errorf(line, "too many profiles; at most %d are allowed", config.MaxProfiles)
		return false
	}
	p.cfg.CallHome.Profiles = append(p.cfg.CallHome.Profiles, pr)
	return true
}

func (p *parser) profileBlock(n *node, args []string, neg bool) result {
	if len(args) != 1 {
		p.errorf(n.line, "usage: [no] profile NAME")
		return skip
	}
	name := args[0]
	pr := p.cfg.Profile(name)
	if neg {
		switch {
		case pr == nil:
			p.warnf(n.line, "no profile %s: no such profile; nothing to remove (configured profiles: %s)", name, p.profileNames())
		case pr.Predefined:
			p.errorf(n.line, "the predefined profile %s cannot be removed; use \"no active\" under it", pr.Name)
		default:
			ch := &p.cfg.CallHome
			ch.Profiles = slices.DeleteFunc(ch.Profiles, func(x *config.Profile) bool { return x == pr })
		}
		return leaf
	}
	// As IOS: a profile that exists is edited, whatever case its name is
	// written in.
	if pr == nil {
		if !p.profileName(n.line, name) {
			return skip
		}
		if pr = config.NewProfile(name, n.line); !p.addProfile(n.line, pr) {
			return skip
		}
	}
	if pr.Line == 0 {
		pr.Line = n.line
	}
	return p.enter(n, "profile", fmt.Sprintf("in profile %q", pr.Name), func(c *node, kw string, a []string, ng bool) result {
		return p.profileCmd(pr, c, kw, a, ng)
	})
}

// copyRename handles "copy profile SRC DST" and "rename profile OLD NEW".
func (p *parser) copyRename(n *node, kw string, args []string, neg bool) result {
	if neg || len(args) != 3 || !strings.EqualFold(args[0], "profile") {
		p.errorf(n.line, "usage: %s profile SOURCE TARGET", kw)
		return leaf
	}
	src, dst := args[1], args[2]
	pr := p.cfg.Profile(src)
	if pr == nil {
		p.errorf(n.line, "%s profile: profile %q does not exist; configured profiles: %s", kw, src, p.profileNames())
		return leaf
	}
	if other := p.cfg.Profile(dst); other != nil {
		p.errorf(n.line, "%s profile: profile %q already exists", kw, other.Name)
		return leaf
	}
	if !p.profileName(n.line, dst) {
		return leaf
	}
	if kw == "copy" {
		c := pr.Clone()
		c.Name, c.Predefined, c.Line = dst, false, n.line
		p.addProfile(n.line, c)
		return leaf
	}
	if pr.Predefined {
		p.errorf(n.line, "the predefined profile %s cannot be renamed", pr.Name)
		return leaf
	}
	if ds := &p.cfg.DiagnosticSignature; strings.EqualFold(ds.Profile, pr.Name) {
		ds.Profile = dst
	}
	pr.Name = dst
	return leaf
}

// profileCmd handles the commands of a "profile NAME" block.
func (p *parser) profileCmd(pr *config.Profile, n *node, kw string, args []string, neg bool) result {
	switch kw {
	case "active":
		if len(args) != 0 {
			p.errorf(n.line, "usage: [no] active")
			return leaf
		}
		pr.Active = !neg
		return leaf
	case "anonymous-reporting-only":
		if len(args) != 0 {
			p.errorf(n.line, "usage: [no] anonymous-reporting-only")
			return leaf
		}
		pr.AnonymousReportingOnly = !neg
		return leaf
	case "destination":
		p.destination(pr, n, args, neg)
		return leaf
	case "subscribe-to-alert-group":
		p.subscribe(pr, n, args, neg)
		return leaf
	}
	return unknown
}

func (p *parser) destination(pr *config.Profile, n *node, args []string, neg bool) {
	const usage = "usage: destination {transport-method {email | http} | address {email ADDRESS | http URL} | message-size-limit 50-3145728 | preferred-msg-format {xml | long-text | short-text}}"
	if len(args) == 0 {
		p.errorf(n.line, usage)
		return
	}
	switch sub := strings.ToLower(args[0]); sub {
	case "transport-method":
		if len(args) != 2 {
			p.errorf(n.line, "usage: [no] destination transport-method {email | http}")
			return
		}
		var email bool
		switch strings.ToLower(args[1]) {
		case "email":
			email = true
		case "http":
		default:
			p.errorf(n.line, "destination transport-method %q is not email or http", args[1])
			return
		}
		switch {
		case pr.Predefined && !neg:
			// CiscoTAC-1 uses one transport, never both.
			pr.TransportEmail, pr.TransportHTTP = email, !email
		case pr.Predefined:
			pr.TransportEmail, pr.TransportHTTP = !email, email
		case email:
			pr.TransportEmail = !neg
		default:
			pr.TransportHTTP = !neg
		}
		if !pr.TransportEmail && !pr.TransportHTTP {
			pr.TransportEmail = true // as IOS: disabling both leaves email
		}
	case "address":
		p.destinationAddress(pr, n, args[1:], neg)
	case "message-size-limit", "message-size":
		if neg {
			pr.MessageSizeLimit = config.DefaultMessageSize
			return
		}
		if len(args) != 2 {
			p.errorf(n.line, "usage: destination %s %d-%d", sub, config.MinMessageSize, config.MaxMessageSize)
			return
		}
		if v, ok := p.intArg(n.line, "destination "+sub, args[1], config.MinMessageSize, config.MaxMessageSize); ok {
			pr.MessageSizeLimit = v
		}
	case "preferred-msg-format":
		if neg {
			pr.PreferredMsgFormat = config.FormatXML
			return
		}
		if len(args) != 2 {
			p.errorf(n.line, "usage: destination preferred-msg-format {xml | long-text | short-text}")
			return
		}
		f := config.MessageFormat(strings.ToLower(args[1]))
		switch {
		case f != config.FormatXML && f != config.FormatLongText && f != config.FormatShortText:
			p.errorf(n.line, "destination preferred-msg-format %q is not xml, long-text or short-text", args[1])
		case pr.Predefined && f != config.FormatXML:
			p.errorf(n.line, "the predefined profile %s allows only preferred-msg-format xml", pr.Name)
		default:
			pr.PreferredMsgFormat = f
		}
	default:
		p.errorf(n.line, usage)
	}
}

func (p *parser) destinationAddress(pr *config.Profile, n *node, args []string, neg bool) {
	if len(args) != 2 {
		p.errorf(n.line, "usage: [no] destination address {email ADDRESS | http URL}")
		return
	}
	kind, addr := strings.ToLower(args[0]), args[1]
	var list *[]string
	switch kind {
	case "email":
		list = &pr.EmailAddresses
	case "http":
		list = &pr.HTTPAddresses
	default:
		p.errorf(n.line, "destination address %q is not email or http", args[0])
		return
	}
	same := func(a string) bool { return strings.EqualFold(a, addr) }
	if neg {
		*list = slices.DeleteFunc(*list, same)
		return
	}
	if kind == "email" {
		if _, ok := p.email(n.line, "destination address email", addr); !ok {
			return
		}
	} else if msg := checkURL(addr); msg != "" {
		p.errorf(n.line, "destination address http %q %s", addr, msg)
		return
	}
	if slices.ContainsFunc(*list, same) {
		return // IOS accepts the same address again
	}
	if len(*list) >= config.MaxDestinationAddresses {
		p.errorf(n.line, "too many %s addresses in profile %q; at most %d are allowed", kind, pr.Name, config.MaxDestinationAddresses)
		return
	}
	*list = append(*list, addr)
}

// checkURL returns why s is not an http:// or https:// URL with a host, or
// "".
func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "is not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://"
	case u.Host == "":
		return "has no host"
	}
	return ""
}

func (p *parser) subscribe(pr *config.Profile, n *node, args []string, neg bool) {
	const usage = "usage: subscribe-to-alert-group {all | configuration | crash | environment | inventory | snapshot | syslog} [severity LEVEL] [periodic SCHEDULE] [pattern TEXT]"
	if len(args) == 0 {
		p.errorf(n.line, usage)
		return
	}
	name := strings.ToLower(args[0])
	if name == "all" {
		if len(args) != 1 {
			p.errorf(n.line, "usage: [no] subscribe-to-alert-group all")
			return
		}
		for _, g := range config.AlertGroups() {
			if neg {
				if !(pr.Predefined && g == config.GroupCrash) {
					p.unsubscribe(pr, n, g, "", false)
				}
			} else if g != config.GroupSnapshot { // snapshot needs a schedule
				sev := config.SeverityNormal
				if g.HasSeverity() {
					sev = config.SeverityDebugging
				}
				p.setSubscription(pr, n, config.Subscription{Group: g, Severity: sev, Line: n.line})
			}
		}
		return
	}
	g, ok := config.ParseAlertGroup(name)
	if !ok {
		p.errorf(n.line, "unknown alert group %q; expected all, %s", args[0], strings.ReplaceAll(alertGroupList(), " |", ","))
		return
	}
	if neg {
		pattern, hasPattern := "", false
		if len(args) == 3 && g == config.GroupSyslog && strings.EqualFold(args[1], "pattern") {
			pattern, hasPattern = args[2], true
		} else if len(args) != 1 {
			p.errorf(n.line, "usage: no subscribe-to-alert-group GROUP [pattern TEXT]")
			return
		}
		p.unsubscribe(pr, n, g, pattern, hasPattern)
		return
	}
	sub := config.Subscription{Group: g, Severity: config.SeverityNormal, Line: n.line}
	if g.HasSeverity() {
		sub.Severity = config.SeverityDebugging
	}
	for rest := args[1:]; len(rest) > 0; {
		opt := strings.ToLower(rest[0])
		switch {
		case opt == "severity" && g.HasSeverity() && len(rest) >= 2:
			sev, ok := config.ParseAlertSeverity(strings.ToLower(rest[1]))
			if !ok {
				p.errorf(n.line, "severity %q is not one of %s", rest[1], strings.Join(config.AlertSeverityNames(), ", "))
				return
			}
			sub.Severity, rest = sev, rest[2:]
		case opt == "pattern" && g == config.GroupSyslog && len(rest) >= 2:
			if rest[1] == "" {
				p.errorf(n.line, "subscribe-to-alert-group syslog pattern is empty")
				return
			}
			sub.Pattern, rest = rest[1], rest[2:]
		case opt == "periodic" && g.Periodic():
			per, used, msg := parsePeriodic(rest[1:], g == config.GroupSnapshot)
			if msg != "" {
				p.errorf(n.line, "%s", msg)
				return
			}
			sub.Periodic, rest = per, rest[1+used:]
		case opt == "severity" || opt == "pattern" || opt == "periodic":
			p.errorf(n.line, "subscribe-to-alert-group %s does not take %q%s", g, opt, groupOptions(g))
			return
		default:
			p.errorf(n.line, "unexpected %q in subscribe-to-alert-group %s%s", rest[0], g, groupOptions(g))
			return
		}
	}
	if g == config.GroupSnapshot && sub.Periodic == nil {
		p.errorf(n.line, "subscribe-to-alert-group snapshot needs periodic {daily hh:mm | weekly DAY hh:mm | monthly 1-31 hh:mm | hourly 0-59 | interval 1-60}")
		return
	}
	p.setSubscription(pr, n, sub)
}

func groupOptions(g config.AlertGroup) string {
	switch {
	case g == config.GroupSyslog:
		return "; it takes severity LEVEL and pattern TEXT"
	case g.HasSeverity():
		return "; it takes severity LEVEL"
	case g.Periodic():
		return "; it takes periodic SCHEDULE"
	}
	return "; it takes no options"
}

// setSubscription adds or replaces the profile's subscription to a group
// (for syslog: to a group and pattern).
func (p *parser) setSubscription(pr *config.Profile, n *node, sub config.Subscription) {
	for i, s := range pr.Subscriptions {
		if s.Group == sub.Group && (sub.Group != config.GroupSyslog || s.Pattern == sub.Pattern) {
			pr.Subscriptions[i] = sub
			return
		}
	}
	if sub.Group == config.GroupSyslog {
		count := 0
		for _, s := range pr.Subscriptions {
			if s.Group == config.GroupSyslog {
				count++
			}
		}
		if count >= config.MaxSyslogPatterns {
			p.errorf(n.line, "a sixth syslog pattern in profile %q; at most %d are allowed", pr.Name, config.MaxSyslogPatterns)
			return
		}
	}
	pr.Subscriptions = append(pr.Subscriptions, sub)
}

func (p *parser) unsubscribe(pr *config.Profile, n *node, g config.AlertGroup, pattern string, hasPattern bool) {
	if pr.Predefined && g == config.GroupCrash {
		p.errorf(n.line, "the predefined profile %s cannot unsubscribe from crash", pr.Name)
		return
	}
	pr.Subscriptions = slices.DeleteFunc(pr.Subscriptions, func(s config.Subscription) bool {
		return s.Group == g && (!hasPattern || s.Pattern == pattern)
	})
}
