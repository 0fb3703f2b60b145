package iosconfig

import (
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// callHome handles the commands of the "call-home" block.
func (p *parser) callHome(n *node, kw string, args []string, neg bool) result {
	ch := &p.cfg.CallHome
	switch kw {
	case "contact-email-addr":
		return p.contactEmail(n, args, neg)
	case "phone-number":
		return p.contactField(n, kw, args, neg, config.MaxPhoneNumber, &ch.PhoneNumber)
	case "street-address":
		return p.contactField(n, kw, args, neg, config.MaxStreetAddress, &ch.StreetAddress)
	case "customer-id":
		return p.contactField(n, kw, args, neg, config.MaxCustomerID, &ch.CustomerID)
	case "site-id":
		return p.contactField(n, kw, args, neg, config.MaxSiteID, &ch.SiteID)
	case "contract-id":
		return p.contactField(n, kw, args, neg, config.MaxContractID, &ch.ContractID)
	case "mail-server":
		return p.mailServer(n, args, neg)
	case "sender":
		return p.sender(n, args, neg)
	case "rate-limit":
		if neg {
			ch.RateLimit = config.DefaultRateLimit
			return leaf
		}
		if len(args) != 1 {
			p.errorf(n.line, "usage: rate-limit %d-%d", config.MinRateLimit, config.MaxRateLimit)
			return leaf
		}
		if v, ok := p.intArg(n.line, "rate-limit", args[0], config.MinRateLimit, config.MaxRateLimit); ok {
			ch.RateLimit = v
		}
		return leaf
	case "http-proxy":
		if neg {
			ch.HTTPProxy = nil
			return leaf
		}
		if proxy, ok := p.httpProxy(n, args, "http-proxy"); ok {
			ch.HTTPProxy = proxy
		}
		return leaf
	case "source-interface":
		return p.word(n, kw, args, neg, &ch.SourceInterface)
	case "source-ip-address":
		return p.word(n, kw, args, neg, &ch.SourceIPAddress)
	case "vrf":
		return p.word(n, kw, args, neg, &ch.VRF)
	case "aaa-authorization":
		switch {
		case len(args) == 0:
			ch.AAAAuthorization = !neg
		case len(args) == 2 && strings.EqualFold(args[0], "username") && !neg:
			if u, ok := p.textArg(n.line, "aaa-authorization username", args[1], config.MaxHostLength); ok {
				ch.AAAUsername = u
			}
		case strings.EqualFold(args[0], "username") && neg:
			ch.AAAUsername = config.DefaultAAAUsername
		default:
			p.errorf(n.line, "usage: [no] aaa-authorization [username NAME]")
		}
		return leaf
	case "syslog-throttling":
		if len(args) != 0 {
			p.errorf(n.line, "usage: [no] syslog-throttling")
			return leaf
		}
		ch.SyslogThrottling = !neg
		return leaf
	case "data-privacy":
		return p.dataPrivacy(n, args, neg)
	case "alert-group":
		return p.alertGroup(n, args, neg)
	case "alert-group-config":
		if len(args) != 1 || !strings.EqualFold(args[0], "snapshot") {
			p.errorf(n.line, "usage: [no] alert-group-config snapshot")
			return skip
		}
		if neg {
			ch.SnapshotCommands = nil
			return leaf
		}
		return p.enter(n, "snapshot", "in alert-group-config snapshot", p.snapshot)
	case "profile":
		return p.profileBlock(n, args, neg)
	case "copy", "rename":
		return p.copyRename(n, kw, args, neg)
	case "diagnostic-signature":
		if len(args) > 0 || neg {
			p.errorf(n.line, "usage: diagnostic-signature (its settings on the lines after it)")
			return skip
		}
		if p.cfg.DiagnosticSignature.Line == 0 {
			p.cfg.DiagnosticSignature.Line = n.line
		}
		return p.enter(n, "diagnostic-signature", "in diagnostic-signature", p.diagSig)
	}
	return unknown
}

func (p *parser) contactEmail(n *node, args []string, neg bool) result {
	if neg {
		p.cfg.CallHome.ContactEmail = ""
		return leaf
	}
	if len(args) != 1 {
		p.errorf(n.line, "usage: contact-email-addr ADDRESS")
		return leaf
	}
	if e, ok := p.email(n.line, "contact-email-addr", args[0]); ok {
		p.cfg.CallHome.ContactEmail = e
	}
	return leaf
}

// email checks an e-mail address of at most 200 characters.
func (p *parser) email(line int, what, s string) (string, bool) {
	if len(s) > config.MaxContactEmail {
		p.errorf(line, "%s is longer than %d characters", what, config.MaxContactEmail)
		return "", false
	}
	if !isEmail(s) {
		p.errorf(line, "%s %q is not an e-mail address", what, s)
		return "", false
	}
	return s, true
}

// contactField sets one of the free-text contact fields.
func (p *parser) contactField(n *node, kw string, args []string, neg bool, max int, dst *string) result {
	if neg {
		*dst = ""
		return leaf
	}
	if len(args) != 1 {
		p.errorf(n.line, "usage: %s TEXT (in double quotes if it has blanks)", kw)
		return leaf
	}
	v, ok := p.textArg(n.line, kw, args[0], max)
	if !ok {
		return leaf
	}
	if kw == "phone-number" && !isPhone(v) {
		p.errorf(n.line, "phone-number %q must start with \"+\" and hold only digits, dashes and blanks", v)
		return leaf
	}
	*dst = v
	return leaf
}

func isPhone(s string) bool {
	if len(s) < 2 || s[0] != '+' {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= '0' && r <= '9' || r == '-' || r == ' ') {
			return false
		}
	}
	return true
}

// word sets a one-word setting, or clears it with "no".
func (p *parser) word(n *node, kw string, args []string, neg bool, dst *string) result {
	if neg {
		*dst = ""
		return leaf
	}
	if len(args) != 1 {
		p.errorf(n.line, "usage: %s NAME", kw)
		return leaf
	}
	if v, ok := p.textArg(n.line, kw, args[0], config.MaxHostLength); ok {
		*dst = v
	}
	return leaf
}

func (p *parser) mailServer(n *node, args []string, neg bool) result {
	ch := &p.cfg.CallHome
	if neg {
		if len(args) < 1 {
			p.errorf(n.line, "usage: no mail-server ADDRESS")
			return leaf
		}
		i := slices.IndexFunc(ch.MailServers, func(m config.MailServer) bool { return strings.EqualFold(m.Address, args[0]) })
		if i < 0 {
			p.warnf(n.line, "no mail-server %s: no such mail-server is configured; nothing to remove", args[0])
			return leaf
		}
		ch.MailServers = slices.Delete(ch.MailServers, i, i+1)
		return leaf
	}
	if len(args) != 3 || !strings.EqualFold(args[1], "priority") {
		p.errorf(n.line, "usage: mail-server ADDRESS priority %d-%d", config.MinMailPriority, config.MaxMailPriority)
		return leaf
	}
	addr := args[0]
	if !isHostOrAddress(addr) {
		p.errorf(n.line, "mail-server %q is not an IP address or a host name of at most %d characters", addr, config.MaxHostLength)
		return leaf
	}
	prio, ok := p.intArg(n.line, "mail-server priority", args[2], config.MinMailPriority, config.MaxMailPriority)
	if !ok {
		return leaf
	}
	// As IOS: the same server again sets its priority.
	if i := slices.IndexFunc(ch.MailServers, func(m config.MailServer) bool { return strings.EqualFold(m.Address, addr) }); i >= 0 {
		ch.MailServers[i] = config.MailServer{Address: addr, Priority: prio, Line: n.line}
		return leaf
	}
	if len(ch.MailServers) >= config.MaxMailServers {
		p.errorf(n.line, "a sixth mail-server; at most %d are allowed", config.MaxMailServers)
		return leaf
	}
	ch.MailServers = append(ch.MailServers, config.MailServer{Address: addr, Priority: prio, Line: n.line})
	return leaf
}

func (p *parser) sender(n *node, args []string, neg bool) result {
	ch := &p.cfg.CallHome
	if len(args) < 1 {
		p.errorf(n.line, "usage: sender {from | reply-to} ADDRESS")
		return leaf
	}
	var dst *string
	switch strings.ToLower(args[0]) {
	case "from":
		dst = &ch.SenderFrom
	case "reply-to":
		dst = &ch.SenderReplyTo
	default:
		p.errorf(n.line, "usage: sender {from | reply-to} ADDRESS")
		return leaf
	}
	if neg {
		*dst = ""
		return leaf
	}
	if len(args) != 2 {
		p.errorf(n.line, "usage: sender %s ADDRESS", strings.ToLower(args[0]))
		return leaf
	}
	if e, ok := p.email(n.line, "sender "+strings.ToLower(args[0]), args[1]); ok {
		*dst = e
	}
	return leaf
}

// httpProxy reads "HOST port N" (after what).
func (p *parser) httpProxy(n *node, args []string, what string) (*config.HTTPProxy, bool) {
	if len(args) != 3 || !strings.EqualFold(args[1], "port") {
		p.errorf(n.line, "usage: %s HOST port 1-65535", what)
		return nil, false
	}
	if !isHostOrAddress(args[0]) {
		p.errorf(n.line, "%s %q is not an IP address or a host name of at most %d characters", what, args[0], config.MaxHostLength)
		return nil, false
	}
	port, ok := p.intArg(n.line, what+" port", args[2], 1, 65535)
	if !ok {
		return nil, false
	}
	return &config.HTTPProxy{Host: args[0], Port: port, Line: n.line}, true
}

func (p *parser) dataPrivacy(n *node, args []string, neg bool) result {
	dp := &p.cfg.CallHome.DataPrivacy
	switch {
	case len(args) == 1 && strings.EqualFold(args[0], "hostname"):
		dp.Hostname = !neg
	case neg && len(args) >= 1 && strings.EqualFold(args[0], "level"):
		dp.Level = config.PrivacyNormal
	case len(args) == 2 && strings.EqualFold(args[0], "level"):
		switch lv := config.PrivacyLevel(strings.ToLower(args[1])); lv {
		case config.PrivacyNormal, config.PrivacyHigh:
			dp.Level = lv
		default:
			p.errorf(n.line, "data-privacy level %q is not normal or high", args[1])
		}
	default:
		p.errorf(n.line, "usage: [no] data-privacy {level {normal | high} | hostname}")
	}
	return leaf
}

func (p *parser) alertGroup(n *node, args []string, neg bool) result {
	if len(args) != 1 {
		p.errorf(n.line, "usage: [no] alert-group {all | %s}", alertGroupList())
		return leaf
	}
	name := strings.ToLower(args[0])
	if name == "all" {
		for _, g := range config.AlertGroups() {
			p.cfg.CallHome.AlertGroups[g] = !neg
		}
		return leaf
	}
	g, ok := config.ParseAlertGroup(name)
	if !ok {
		p.errorf(n.line, "unknown alert group %q; expected all, %s", args[0], strings.ReplaceAll(alertGroupList(), " |", ","))
		return leaf
	}
	p.cfg.CallHome.AlertGroups[g] = !neg
	return leaf
}

func alertGroupList() string {
	var s []string
	for _, g := range config.AlertGroups() {
		s = append(s, string(g))
	}
	return strings.Join(s, " | ")
}

// snapshot handles "alert-group-config snapshot" sub-commands.
func (p *parser) snapshot(n *node, kw string, args []string, neg bool) result {
	if kw != "add-command" {
		return unknown
	}
	ch := &p.cfg.CallHome
	if len(args) != 1 {
		p.errorf(n.line, "usage: [no] add-command \"COMMAND\"")
		return leaf
	}
	cmd := config.NormalizeCommand(args[0])
	i := slices.IndexFunc(ch.SnapshotCommands, func(c config.SnapshotCommand) bool { return strings.EqualFold(c.Command, cmd) })
	if neg {
		if i >= 0 {
			ch.SnapshotCommands = slices.Delete(ch.SnapshotCommands, i, i+1)
		}
		return leaf
	}
	if _, ok := p.textArg(n.line, "add-command", cmd, config.MaxSnapshotCommand); !ok {
		return leaf
	}
	if i >= 0 {
		return leaf // as IOS: the same command again changes nothing
	}
	if p.full(n.line, len(ch.SnapshotCommands), "snapshot commands") {
		return leaf
	}
	ch.SnapshotCommands = append(ch.SnapshotCommands, config.SnapshotCommand{Command: cmd, Line: n.line})
	return leaf
}

// reporting handles the top-level "call-home reporting" command and
// applies what it implies, as IOS does.
func (p *parser) reporting(n *node, args []string, neg bool) result {
	const usage = "usage: call-home reporting {anonymous | contact-email-addr ADDRESS} [http-proxy HOST port N]"
	if neg {
		p.cfg.CallHome.Reporting = nil
		return leaf
	}
	if len(args) == 0 {
		p.errorf(n.line, usage)
		return leaf
	}
	r := &config.Reporting{Line: n.line}
	rest := args[1:]
	switch strings.ToLower(args[0]) {
	case "anonymous":
		r.Anonymous = true
	case "contact-email-addr":
		if len(rest) == 0 {
			p.errorf(n.line, usage)
			return leaf
		}
		e, ok := p.email(n.line, "call-home reporting contact-email-addr", rest[0])
		if !ok {
			return leaf
		}
		r.ContactEmail, rest = e, rest[1:]
	default:
		p.errorf(n.line, usage)
		return leaf
	}
	if len(rest) > 0 {
		if !strings.EqualFold(rest[0], "http-proxy") {
			p.errorf(n.line, usage)
			return leaf
		}
		proxy, ok := p.httpProxy(n, rest[1:], "call-home reporting http-proxy")
		if !ok {
			return leaf
		}
		r.HTTPProxy = proxy
	}
	ch := &p.cfg.CallHome
	ch.Reporting = r
	p.cfg.ServiceCallHome = true
	tac := p.cfg.Profile(config.CiscoTACProfile)
	tac.Active, tac.TransportHTTP, tac.TransportEmail = true, true, false
	tac.AnonymousReportingOnly = r.Anonymous
	if r.ContactEmail != "" {
		ch.ContactEmail = r.ContactEmail
	}
	if r.HTTPProxy != nil {
		ch.HTTPProxy = r.HTTPProxy
	}
	return leaf
}
