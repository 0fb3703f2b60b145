// Package iosconfig parses a dsengine configuration, written in IOS running-config syntax, into a config.Config.
package iosconfig

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// Parse reads a configuration in IOS running-config syntax (SPEC §5). file
// names the source in errors. Sub-commands are indented under their
// command; "!" starts a comment; "exit" ends a sub-mode and "end" the
// configuration. On any error Parse returns a nil Config and an ErrorList
// holding every error found, in line order.
func Parse(file string, data []byte) (*config.Config, error) {
	p := &parser{
		file:     file,
		cfg:      config.Default(),
		profiles: make(map[string]*profileState),
	}
	p.cfg.File = file
	for _, pr := range p.cfg.CallHome.Profiles {
		p.profiles[strings.ToLower(pr.Name)] = &profileState{profile: pr}
	}
	if len(data) > MaxSize {
		p.errorf(0, "configuration is larger than %d bytes (4 MiB)", MaxSize)
		return nil, p.errs
	}
	nodes := p.buildTree(data)
	p.run(nodes, p.topMode())
	p.finish()
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
		if p.dropped > 0 {
			p.errs = append(p.errs, &Error{File: file, Msg: fmt.Sprintf("%d more errors not shown", p.dropped)})
		}
		return nil, p.errs
	}
	return p.cfg, nil
}

// parser holds the state of one Parse call.
type parser struct {
	file string
	cfg  *config.Config
	errs ErrorList

	profiles map[string]*profileState // by lower-case name
	seen     seenLines                // lines of keyed entries, for duplicate errors
	snapSeen seenLines                // lines of snapshot add-commands
	dropped  int                      // errors beyond maxErrors
	// schedules are the "ip sla schedule" lines, attached in finish.
	schedules []pendingSchedule
}

// profileState is what the parser knows about a profile beyond the model.
type profileState struct {
	profile   *config.Profile
	blockLine int // line of its "profile" block, 0 if none yet
	emails    map[string]bool
	urls      map[string]bool
}

// seenLines remembers where keyed entries were first configured.
type seenLines map[string]int

func (s *seenLines) first(key string, line int) (int, bool) {
	if *s == nil {
		*s = make(seenLines)
	}
	if l, ok := (*s)[key]; ok {
		return l, true
	}
	(*s)[key] = line
	return 0, false
}

func (s seenLines) forget(key string) { delete(s, key) }

// maxErrors bounds the errors kept: a binary file fed by mistake should
// not make millions.
const maxErrors = 1000

func (p *parser) errorf(line int, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		p.dropped++
		return
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// result says how a mode handled a command.
type result int

const (
	unknown result = iota // not a command of this mode
	leaf                  // handled; it takes no sub-commands
	block                 // handled with its sub-commands
	skip                  // handled (an error was reported); sub-commands are ignored
)

// mode is a configuration mode: the commands valid at one nesting level.
type mode struct {
	name   string // key of modeWords
	where  string // for messages: "at top level", `in profile "user1"`
	handle func(n *node, kw string, args []string, neg bool) result
}

// run handles the commands of one nesting level.
func (p *parser) run(nodes []*node, m mode) {
	exitLine := 0
	for _, n := range nodes {
		if n.bad || len(n.words) == 0 {
			continue
		}
		if exitLine > 0 {
			p.errorf(n.line, "%q follows \"exit\" on line %d, which ended the block; indent it less or remove the exit", n.text, exitLine)
			continue
		}
		kw := strings.ToLower(n.words[0])
		args := n.words[1:]
		if kw == "exit" && len(args) == 0 {
			if m.name != "top" {
				exitLine = n.line
			}
			p.noChildren(n, "exit")
			continue
		}
		neg := false
		if kw == "no" {
			if len(args) == 0 {
				p.errorf(n.line, "incomplete command \"no\"")
				continue
			}
			neg = true
			kw, args = strings.ToLower(args[0]), args[1:]
		}
		switch m.handle(n, kw, args, neg) {
		case unknown:
			p.unknown(n, kw, neg, m)
		case leaf:
			p.noChildren(n, kw)
		}
	}
}

// noChildren reports lines indented under a command that takes none.
func (p *parser) noChildren(n *node, kw string) {
	for _, c := range n.children {
		if !c.bad {
			p.errorf(c.line, "unexpected indentation: %q takes no sub-commands", kw)
			return
		}
	}
}

// unknown reports a command the mode does not have, saying where it
// belongs if another mode has it.
func (p *parser) unknown(n *node, kw string, neg bool, m mode) {
	cmd := kw
	if neg {
		cmd = "no " + kw
	}
	for _, other := range modeOrder() {
		if other == m.name || !slices.Contains(modeWords(other), kw) {
			continue
		}
		p.errorf(n.line, "unknown command %q %s; it belongs %s", cmd, m.where, modeHome(other))
		return
	}
	p.errorf(n.line, "unknown command %q %s; expected %s", cmd, m.where, strings.Join(modeWords(m.name), ", "))
}

// modeOrder lists the modes in the order unknown looks for a command's
// home.
func modeOrder() []string {
	return []string{"top", "call-home", "profile", "diagnostic-signature", "snapshot", "applet", "trigger", "ip sla", "track", "dsengine"}
}

// modeWords returns the first words of a mode's commands, in the order
// error messages list them.
func modeWords(name string) []string {
	switch name {
	case "top":
		return []string{"hostname", "service", "call-home", "ip", "track", "event", "dsengine"}
	case "call-home":
		return []string{"contact-email-addr", "phone-number", "street-address", "customer-id", "site-id", "contract-id",
			"mail-server", "sender", "rate-limit", "http-proxy", "source-interface", "source-ip-address", "vrf",
			"aaa-authorization", "syslog-throttling", "data-privacy", "alert-group", "alert-group-config",
			"profile", "copy", "rename", "diagnostic-signature"}
	case "profile":
		return []string{"active", "destination", "subscribe-to-alert-group", "anonymous-reporting-only"}
	case "diagnostic-signature":
		return []string{"profile", "environment", "repository", "repository-ca", "trust-key", "executor", "command-map"}
	case "snapshot":
		return []string{"add-command"}
	case "applet":
		return []string{"description", "event", "trigger", "action"}
	case "trigger":
		return []string{"correlate", "attribute"}
	case "ip sla":
		return []string{"tcp-connect", "frequency", "timeout"}
	case "track":
		return []string{"delay"}
	case "dsengine":
		return []string{"syslog", "control-socket", "metrics", "watch", "match"}
	}
	return nil
}

// modeHome says where a mode's commands go, for "it belongs ...".
func modeHome(name string) string {
	switch name {
	case "top":
		return "at top level"
	case "profile":
		return "under call-home / profile NAME"
	case "diagnostic-signature":
		return "under call-home / diagnostic-signature"
	case "snapshot":
		return "under call-home / alert-group-config snapshot"
	case "applet":
		return "under event manager applet NAME"
	case "trigger":
		return "under an applet's trigger"
	case "ip sla":
		return "under ip sla N"
	case "track":
		return "under track N"
	}
	return "under " + name
}

// topMode is the top level of the configuration.
func (p *parser) topMode() mode {
	return mode{name: "top", where: "at top level", handle: p.top}
}

func (p *parser) top(n *node, kw string, args []string, neg bool) result {
	switch kw {
	case "hostname":
		return p.hostname(n, args, neg)
	case "service":
		if len(args) != 1 || !strings.EqualFold(args[0], "call-home") {
			p.errorf(n.line, "usage: [no] service call-home")
			return skip
		}
		p.cfg.ServiceCallHome, p.cfg.ServiceCallHomeLine = !neg, n.line
		return leaf
	case "call-home":
		if len(args) > 0 && strings.EqualFold(args[0], "reporting") {
			return p.reporting(n, args[1:], neg)
		}
		if len(args) > 0 || neg {
			p.errorf(n.line, "usage: call-home, or call-home reporting {anonymous | contact-email-addr ADDRESS} [http-proxy HOST port N]")
			return skip
		}
		if p.cfg.CallHome.Line == 0 {
			p.cfg.CallHome.Line = n.line
		}
		p.run(n.children, mode{name: "call-home", where: "in call-home", handle: p.callHome})
		return block
	case "ip":
		return p.ipCommand(n, args, neg)
	case "track":
		return p.track(n, args, neg)
	case "event":
		return p.eventManager(n, args, neg)
	case "dsengine":
		if len(args) > 0 || neg {
			p.errorf(n.line, "usage: dsengine (its settings indented under it)")
			return skip
		}
		if p.cfg.Host.Line == 0 {
			p.cfg.Host.Line = n.line
		}
		p.run(n.children, mode{name: "dsengine", where: "in dsengine", handle: p.host})
		return block
	}
	return unknown
}

func (p *parser) hostname(n *node, args []string, neg bool) result {
	if neg {
		p.cfg.Hostname, p.cfg.HostnameLine = "", n.line
		return leaf
	}
	if len(args) != 1 {
		p.errorf(n.line, "usage: hostname NAME")
		return leaf
	}
	h := args[0]
	if len(h) > 63 || !isHostname(h) {
		p.errorf(n.line, "hostname %q is not valid; use at most 63 letters, digits, \"-\", \"_\" and \".\"", h)
		return leaf
	}
	p.cfg.Hostname, p.cfg.HostnameLine = h, n.line
	return leaf
}

// finish runs the checks that need the whole configuration.
func (p *parser) finish() {
	ds := &p.cfg.DiagnosticSignature
	if p.cfg.DSProfile() == nil {
		p.errorf(ds.ProfileLine, "diagnostic-signature profile %q does not exist; configured profiles: %s", ds.Profile, p.profileNames())
	}
	slas := make(map[int]*config.IPSLA, len(p.cfg.IPSLAs))
	for i := range p.cfg.IPSLAs {
		slas[p.cfg.IPSLAs[i].Number] = &p.cfg.IPSLAs[i]
	}
	for _, s := range p.schedules {
		sla := slas[s.number]
		if sla == nil {
			p.errorf(s.schedule.Line, "ip sla schedule %d: there is no ip sla %d", s.number, s.number)
			continue
		}
		sla.Schedule = s.schedule
	}
	slices.SortStableFunc(p.cfg.CallHome.MailServers, func(a, b config.MailServer) int { return cmp.Compare(a.Priority, b.Priority) })
}

func (p *parser) profileNames() string {
	names := make([]string, len(p.cfg.CallHome.Profiles))
	for i, pr := range p.cfg.CallHome.Profiles {
		names[i] = pr.Name
	}
	return strings.Join(names, ", ")
}

// intArg parses a decimal number in lo..hi; what names it in errors, e.g.
// "rate-limit 61 out of range 1-60".
func (p *parser) intArg(line int, what, s string, lo, hi int) (int, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s == "" || s[0] == '+' {
		p.errorf(line, "%s %q is not a number; expected %d-%d", what, s, lo, hi)
		return 0, false
	}
	if v < int64(lo) || v > int64(hi) {
		p.errorf(line, "%s %s out of range %d-%d", what, s, lo, hi)
		return 0, false
	}
	return int(v), true
}

// textArg checks a free-text value's length.
func (p *parser) textArg(line int, what, s string, max int) (string, bool) {
	if s == "" {
		p.errorf(line, "%s is empty", what)
		return "", false
	}
	if len(s) > max {
		p.errorf(line, "%s is longer than %d characters", what, max)
		return "", false
	}
	return s, true
}

func isHostname(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// isHostOrAddress accepts an IPv4/IPv6 address or a host name: no blanks,
// no slashes, at most 64 characters.
func isHostOrAddress(s string) bool {
	if s == "" || len(s) > config.MaxHostLength {
		return false
	}
	return !strings.ContainsAny(s, " \t/@\"")
}

// isEmail accepts local@domain without blanks.
func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at == strings.LastIndexByte(s, '@') && at < len(s)-1 && !strings.ContainsAny(s, " \t\"<>,;")
}
