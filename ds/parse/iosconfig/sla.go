package iosconfig

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// ipCommand handles the top-level "ip sla N" block and "ip sla schedule
// N ..." line.
func (p *parser) ipCommand(n *node, args []string, neg bool) result {
	if len(args) < 2 || !strings.EqualFold(args[0], "sla") {
		p.errorf(n.line, "unknown command %q at top level; expected ip sla N or ip sla schedule N ...", "ip "+strings.Join(args[:min(1, len(args))], " "))
		return skip
	}
	if neg {
		p.errorf(n.line, "\"no ip sla\" is not supported; delete the operation's lines")
		return skip
	}
	if strings.EqualFold(args[1], "schedule") {
		p.slaSchedule(n, args[2:])
		return leaf
	}
	if len(args) != 2 {
		p.errorf(n.line, "usage: ip sla 1-%d (the operation indented under it)", config.MaxIPSLA)
		return skip
	}
	num, ok := p.intArg(n.line, "ip sla", args[1], 1, config.MaxIPSLA)
	if !ok {
		return skip
	}
	if first, dup := p.seen.first("ip-sla\x00"+itoa(num), n.line); dup {
		p.errorf(n.line, "ip sla %d is already configured on line %d", num, first)
		return skip
	}
	sla := config.IPSLA{Number: num, Frequency: config.DefaultSLAFrequency * time.Second, Line: n.line}
	var opLine, timeoutLine int
	timeoutSet := false
	p.run(n.children, mode{name: "ip sla", where: fmt.Sprintf("in ip sla %d", num), handle: func(c *node, kw string, a []string, ng bool) result {
		if ng && (kw == "tcp-connect" || kw == "frequency" || kw == "timeout") {
			p.errorf(c.line, "\"no %s\" is not supported; delete the line", kw)
			return skip
		}
		switch kw {
		case "tcp-connect":
			if opLine > 0 {
				p.errorf(c.line, "ip sla %d already has an operation on line %d", num, opLine)
				return leaf
			}
			opLine = c.line
			p.tcpConnect(&sla, c, a)
			return leaf
		case "frequency":
			if len(a) != 1 {
				p.errorf(c.line, "usage: frequency 1-604800 (seconds)")
				return leaf
			}
			if v, ok := p.intArg(c.line, "frequency", a[0], 1, 604800); ok {
				sla.Frequency = time.Duration(v) * time.Second
			}
			return leaf
		case "timeout":
			if len(a) != 1 {
				p.errorf(c.line, "usage: timeout 0-604800000 (milliseconds)")
				return leaf
			}
			if v, ok := p.intArg(c.line, "timeout", a[0], 0, 604800000); ok {
				sla.Timeout, timeoutSet, timeoutLine = time.Duration(v)*time.Millisecond, true, c.line
			}
			return leaf
		case "icmp-echo", "udp-jitter", "udp-echo", "http", "dns", "dhcp", "path-echo", "path-jitter", "ethernet", "ftp":
			p.errorf(c.line, "ip sla operation %q is not supported; expected tcp-connect HOST PORT", kw)
			opLine = c.line
			return skip
		}
		return unknown
	}})
	switch {
	case !timeoutSet:
		sla.Timeout = min(config.DefaultSLATimeout*time.Millisecond, sla.Frequency)
	case sla.Timeout > sla.Frequency:
		p.errorf(timeoutLine, "ip sla %d timeout %d ms is longer than its frequency of %d s", num, sla.Timeout.Milliseconds(), int(sla.Frequency.Seconds()))
	}
	if opLine == 0 {
		p.errorf(n.line, "ip sla %d has no operation; expected tcp-connect HOST PORT under it", num)
	}
	p.cfg.IPSLAs = append(p.cfg.IPSLAs, sla)
	return block
}

func (p *parser) tcpConnect(sla *config.IPSLA, n *node, args []string) {
	const usage = "usage: tcp-connect HOST PORT [control {enable | disable}]"
	if len(args) != 2 && !(len(args) == 4 && strings.EqualFold(args[2], "control") && (strings.EqualFold(args[3], "enable") || strings.EqualFold(args[3], "disable"))) {
		p.errorf(n.line, usage)
		return
	}
	if !isHostOrAddress(args[0]) {
		p.errorf(n.line, "tcp-connect host %q is not an IP address or a host name", args[0])
		return
	}
	port, ok := p.intArg(n.line, "tcp-connect port", args[1], 1, 65535)
	if !ok {
		return
	}
	sla.Operation, sla.Host, sla.Port = "tcp-connect", args[0], port
}

// slaSchedule reads "ip sla schedule N [life forever|S]
// [start-time now|pending|after hh:mm:ss|hh:mm[:ss] [MONTH DAY]] [ageout S]
// [recurring]".
func (p *parser) slaSchedule(n *node, args []string) {
	const usage = "usage: ip sla schedule N [life {forever | SECONDS}] [start-time {now | pending | after hh:mm:ss | hh:mm[:ss]}] [ageout SECONDS] [recurring]"
	if len(args) == 0 {
		p.errorf(n.line, usage)
		return
	}
	num, ok := p.intArg(n.line, "ip sla schedule", args[0], 1, config.MaxIPSLA)
	if !ok {
		return
	}
	s := &config.SLASchedule{Line: n.line}
	for rest := args[1:]; len(rest) > 0; {
		opt := strings.ToLower(rest[0])
		switch {
		case opt == "recurring":
			s.Recurring, rest = true, rest[1:]
		case opt == "life" && len(rest) >= 2:
			if !strings.EqualFold(rest[1], "forever") {
				v, ok := p.intArg(n.line, "ip sla schedule life", rest[1], 0, 2147483647)
				if !ok {
					return
				}
				s.Life = time.Duration(v) * time.Second
			}
			rest = rest[2:]
		case opt == "ageout" && len(rest) >= 2:
			v, ok := p.intArg(n.line, "ip sla schedule ageout", rest[1], 0, 2073600)
			if !ok {
				return
			}
			s.Ageout, rest = time.Duration(v)*time.Second, rest[2:]
		case opt == "start-time" && len(rest) >= 2:
			used, msg := startTime(rest[1:])
			if msg != "" {
				p.errorf(n.line, "ip sla schedule start-time %s", msg)
				return
			}
			s.StartTime, rest = strings.ToLower(strings.Join(rest[1:1+used], " ")), rest[1+used:]
		default:
			p.errorf(n.line, usage)
			return
		}
	}
	if first, dup := p.seen.first("ip-sla-schedule\x00"+itoa(num), n.line); dup {
		p.errorf(n.line, "ip sla schedule %d is already configured on line %d", num, first)
		return
	}
	p.schedules = append(p.schedules, pendingSchedule{num, s})
}

// pendingSchedule is an "ip sla schedule" line, attached to its operation
// when the whole configuration is read.
type pendingSchedule struct {
	number   int
	schedule *config.SLASchedule
}

// startTime checks the words after start-time and returns how many it
// takes.
func startTime(args []string) (int, string) {
	switch w := strings.ToLower(args[0]); {
	case w == "now" || w == "pending":
		return 1, ""
	case w == "after":
		if len(args) < 2 || !isClock(args[1]) {
			return 0, "after needs hh:mm:ss"
		}
		return 2, ""
	case isClock(w):
		// an optional "MONTH DAY" or "DAY MONTH" follows
		if len(args) >= 3 && (isDigits(args[1], 1, 2) && isMonth(args[2]) || isMonth(args[1]) && isDigits(args[2], 1, 2)) {
			return 3, ""
		}
		return 1, ""
	}
	return 0, fmt.Sprintf("%q is not now, pending, after hh:mm:ss or hh:mm[:ss]", args[0])
}

func isClock(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for i, part := range parts {
		if !isDigits(part, 1, 2) {
			return false
		}
		v := int(part[0] - '0')
		if len(part) == 2 {
			v = v*10 + int(part[1]-'0')
		}
		if i == 0 && v > 23 || i > 0 && v > 59 {
			return false
		}
	}
	return true
}

func isMonth(s string) bool {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if l := strings.ToLower(s); l == name || len(l) >= 3 && strings.HasPrefix(name, l) {
			return true
		}
	}
	return false
}

// track handles "track N interface IF line-protocol" and "track N ip sla M
// [reachability | state]", with "delay" under it.
func (p *parser) track(n *node, args []string, neg bool) result {
	const usage = "usage: track N interface NAME line-protocol, or track N ip sla M [reachability | state]"
	if neg {
		p.errorf(n.line, "\"no track\" is not supported; delete the track's lines")
		return skip
	}
	if len(args) < 1 {
		p.errorf(n.line, usage)
		return skip
	}
	num, ok := p.intArg(n.line, "track", args[0], config.MinTrack, config.MaxTrack)
	if !ok {
		return skip
	}
	t := config.Track{Number: num, Line: n.line}
	rest := args[1:]
	switch {
	case len(rest) == 3 && strings.EqualFold(rest[0], "interface") && strings.EqualFold(rest[2], "line-protocol"):
		t.Kind, t.Interface = config.TrackInterface, rest[1]
	case len(rest) >= 3 && len(rest) <= 4 && strings.EqualFold(rest[0], "ip") && strings.EqualFold(rest[1], "sla"):
		sla, ok := p.intArg(n.line, "track ip sla", rest[2], 1, config.MaxIPSLA)
		if !ok {
			return skip
		}
		t.Kind, t.SLA, t.SLAMode = config.TrackIPSLA, sla, "state"
		if len(rest) == 4 {
			mode := strings.ToLower(rest[3])
			if mode != "state" && mode != "reachability" {
				p.errorf(n.line, "track ip sla mode %q is not reachability or state", rest[3])
				return skip
			}
			t.SLAMode = mode
		}
	default:
		p.errorf(n.line, usage)
		return skip
	}
	if first, dup := p.seen.first("track\x00"+itoa(num), n.line); dup {
		p.errorf(n.line, "track %d is already configured on line %d", num, first)
		return skip
	}
	delayLine := 0
	p.run(n.children, mode{name: "track", where: fmt.Sprintf("in track %d", num), handle: func(c *node, kw string, a []string, ng bool) result {
		if kw != "delay" {
			return unknown
		}
		if ng {
			t.DelayUp, t.DelayDown = 0, 0
			return leaf
		}
		if delayLine > 0 {
			p.errorf(c.line, "track %d already has a delay on line %d", num, delayLine)
			return leaf
		}
		delayLine = c.line
		p.trackDelay(&t, c, a)
		return leaf
	}})
	p.cfg.Tracks = append(p.cfg.Tracks, t)
	return block
}

func (p *parser) trackDelay(t *config.Track, n *node, args []string) {
	const usage = "usage: delay {up SECONDS [down SECONDS] | down SECONDS [up SECONDS]} (0-180)"
	if len(args) != 2 && len(args) != 4 {
		p.errorf(n.line, usage)
		return
	}
	seen := map[string]bool{}
	for rest := args; len(rest) > 0; rest = rest[2:] {
		dir := strings.ToLower(rest[0])
		if dir != "up" && dir != "down" || seen[dir] {
			p.errorf(n.line, usage)
			return
		}
		seen[dir] = true
		v, ok := p.intArg(n.line, "delay "+dir, rest[1], 0, 180)
		if !ok {
			return
		}
		if dir == "up" {
			t.DelayUp = time.Duration(v) * time.Second
		} else {
			t.DelayDown = time.Duration(v) * time.Second
		}
	}
}
