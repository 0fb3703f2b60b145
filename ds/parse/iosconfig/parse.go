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

// Parse reads a configuration in IOS running-config syntax (SPEC §5),
// line by line in IOS modes (see mode.go); file names the source in errors
// and warnings. "!" starts a comment. On any error Parse returns a nil
// Config and an ErrorList holding every error found, in line order; the
// Config's Warnings hold what was accepted with a remark.
func Parse(file string, data []byte) (*config.Config, error) {
	p := newParser(file, config.Default())
	p.cfg.File = file
	if len(data) > MaxSize {
		p.errorf(0, "configuration is larger than %d bytes (4 MiB)", MaxSize)
		return nil, p.errs
	}
	p.feedAll(data)
	p.finish(nil)
	if err := p.result(); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

func newParser(file string, cfg *config.Config) *parser {
	p := &parser{file: file, cfg: cfg, bad: make(map[any]bool)}
	p.stack = []*frame{{kind: "top", where: "at top level", handle: p.topCmd}}
	return p
}

// result returns the errors found, sorted by line, or nil.
func (p *parser) result() error {
	if len(p.errs) == 0 {
		slices.SortStableFunc(p.cfg.Warnings, func(a, b config.Warning) int { return cmp.Compare(a.Line, b.Line) })
		return nil
	}
	slices.SortStableFunc(p.errs, func(a, b *Error) int { return cmp.Compare(a.Line, b.Line) })
	if p.dropped > 0 {
		p.errs = append(p.errs, &Error{File: p.file, Col: -1, Msg: fmt.Sprintf("%d more errors not shown", p.dropped)})
	}
	return p.errs
}

// parser holds the state of one Parse or Apply call. Everything it needs
// to go on from one line to the next is in cfg and the mode stack, so
// Apply can rebuild it from a configuration and a mode path.
type parser struct {
	file  string
	cfg   *config.Config
	errs  ErrorList
	stack []*frame
	cur   *node // the line being applied

	dropped int // errors beyond maxErrors
	// schedules are the "ip sla schedule" lines, attached in finish.
	schedules []pendingSchedule
	// bad holds the applets and ip sla operations with a refused line:
	// finish does not check them further, which would only add noise.
	bad map[any]bool
}

// maxErrors bounds the errors kept: a binary file fed by mistake should
// not make millions.
const maxErrors = 1000

func (p *parser) errorf(line int, format string, args ...any) {
	p.errorAt(line, -2, format, args...)
}

// errorAt reports an error at byte offset col of the line (-1: unknown,
// -2: the word of the current line the message names).
func (p *parser) errorAt(line, col int, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		p.dropped++
		return
	}
	msg := fmt.Sprintf(format, args...)
	if col == -2 {
		col = -1
		if p.cur != nil && p.cur.line == line {
			col = p.cur.col(msg)
		}
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Col: col, Msg: msg})
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.cfg.Warnings = append(p.cfg.Warnings, warning(p.file, line, fmt.Sprintf(format, args...)))
}

func warning(file string, line int, msg string) config.Warning {
	return config.Warning{File: file, Line: line, Msg: msg}
}

// topCmd handles the commands of global configuration mode.
func (p *parser) topCmd(n *node, kw string, args []string, neg bool) result {
	switch kw {
	case "hostname":
		return p.hostname(n, args, neg)
	case "clock":
		return p.clock(n, args, neg)
	case "service":
		if len(args) != 1 || !strings.EqualFold(args[0], "call-home") {
			p.errorf(n.line, "usage: [no] service call-home")
			return leaf
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
		return p.enter(n, "call-home", "in call-home", p.callHome)
	case "ip":
		return p.ipCommand(n, args, neg)
	case "snmp-server":
		p.snmpServer(n, args, neg)
		return leaf
	case "track":
		return p.track(n, args, neg)
	case "event":
		return p.eventManager(n, args, neg)
	case "dsengine":
		if len(args) > 0 || neg {
			p.errorf(n.line, "usage: dsengine (its settings on the lines after it)")
			return skip
		}
		if p.cfg.Host.Line == 0 {
			p.cfg.Host.Line = n.line
		}
		return p.enter(n, "dsengine", "in dsengine", p.host)
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

// finish runs the checks that need the whole configuration. The objects
// in editing (a vty's mode path) are being built line by line: their own
// consistency is checked when their mode ends.
func (p *parser) finish(editing map[any]bool) {
	ds := &p.cfg.DiagnosticSignature
	if p.cfg.DSProfile() == nil {
		p.errorf(ds.ProfileLine, "diagnostic-signature profile %q does not exist; configured profiles: %s", ds.Profile, p.profileNames())
	}
	for _, s := range p.schedules {
		sla := p.cfg.IPSLA(s.number)
		if sla == nil {
			p.errorf(s.schedule.Line, "ip sla schedule %d: there is no ip sla %d", s.number, s.number)
			continue
		}
		sla.Schedule = s.schedule
	}
	p.schedules = nil
	for i := range p.cfg.IPSLAs {
		p.finishSLA(&p.cfg.IPSLAs[i], editing)
	}
	for _, a := range p.cfg.EventManager.Applets {
		p.finishApplet(a, editing[a])
	}
	slices.SortStableFunc(p.cfg.CallHome.MailServers, func(a, b config.MailServer) int { return cmp.Compare(a.Priority, b.Priority) })
	p.finishSNMP()
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
	v, msg := rangeArg(what, s, lo, hi)
	if msg != "" {
		p.errorf(line, "%s", msg)
		return 0, false
	}
	return v, true
}

// rangeArg parses a decimal number in lo..hi, or says why s is not one.
func rangeArg(what, s string, lo, hi int) (int, string) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s == "" || s[0] == '+' {
		return 0, fmt.Sprintf("%s %q is not a number; expected %d-%d", what, s, lo, hi)
	}
	if v < int64(lo) || v > int64(hi) {
		return 0, fmt.Sprintf("%s %s out of range %d-%d", what, s, lo, hi)
	}
	return int(v), ""
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
