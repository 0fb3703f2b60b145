package iosconfig

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// ipCommand handles the top-level "ip sla N" mode and "ip sla schedule
// N ..." line.
func (p *parser) ipCommand(n *node, args []string, neg bool) result {
	if len(args) < 2 || !strings.EqualFold(args[0], "sla") {
		p.errorf(n.line, "unknown command %q at top level; expected ip sla N or ip sla schedule N ...", "ip "+strings.Join(args[:min(1, len(args))], " "))
		return skip
	}
	if strings.EqualFold(args[1], "schedule") {
		if neg {
			p.removeSchedule(n, args[2:])
			return leaf
		}
		p.slaSchedule(n, args[2:])
		return leaf
	}
	if len(args) != 2 {
		p.errorf(n.line, "usage: [no] ip sla 1-%d (the operation on the lines after it)", config.MaxIPSLA)
		return skip
	}
	num, ok := p.intArg(n.line, "ip sla", args[1], 1, config.MaxIPSLA)
	if !ok {
		return skip
	}
	if neg {
		if p.cfg.IPSLA(num) == nil {
			p.warnf(n.line, "no ip sla %d: there is no ip sla %d; nothing to remove", num, num)
		}
		p.cfg.IPSLAs = slices.DeleteFunc(p.cfg.IPSLAs, func(s config.IPSLA) bool { return s.Number == num })
		p.schedules = slices.DeleteFunc(p.schedules, func(s pendingSchedule) bool { return s.number == num })
		return leaf
	}
	// As IOS: an operation that exists is edited.
	if p.cfg.IPSLA(num) == nil {
		p.cfg.IPSLAs = append(p.cfg.IPSLAs, config.IPSLA{Number: num, Frequency: config.DefaultSLAFrequency * time.Second, Line: n.line})
	}
	p.enter(n, "ip sla", fmt.Sprintf("in ip sla %d", num), func(c *node, kw string, a []string, ng bool) result {
		return p.slaCmd(p.cfg.IPSLA(num), c, kw, a, ng)
	})
	p.top().obj = num
	return block
}

// slaCmd handles the commands of an "ip sla N" mode.
func (p *parser) slaCmd(sla *config.IPSLA, n *node, kw string, args []string, neg bool) result {
	switch {
	case neg && kw == "tcp-connect":
		sla.Operation, sla.Host, sla.Port = "", "", 0
		return leaf
	case neg && kw == "frequency":
		sla.Frequency = config.DefaultSLAFrequency * time.Second
		return leaf
	case neg && kw == "timeout":
		sla.TimeoutLine = 0
		return leaf
	case neg:
		p.errorf(n.line, "usage: no {tcp-connect | frequency | timeout}")
		return leaf
	}
	switch kw {
	case "tcp-connect":
		before := len(p.errs)
		if p.tcpConnect(sla, n, args); len(p.errs) > before {
			p.bad[sla.Number] = true // no "has no operation" as well
		}
		return leaf
	case "frequency":
		if len(args) != 1 {
			p.errorf(n.line, "usage: frequency 1-604800 (seconds)")
			return leaf
		}
		if v, ok := p.intArg(n.line, "frequency", args[0], 1, 604800); ok {
			sla.Frequency = time.Duration(v) * time.Second
		}
		return leaf
	case "timeout":
		if len(args) != 1 {
			p.errorf(n.line, "usage: timeout 0-604800000 (milliseconds)")
			return leaf
		}
		if v, ok := p.intArg(n.line, "timeout", args[0], 0, 604800000); ok {
			sla.Timeout, sla.TimeoutLine = time.Duration(v)*time.Millisecond, n.line
		}
		return leaf
	}
	if slices.Contains(unsupportedSLAOps(), kw) {
		p.errorf(n.line, "ip sla operation %q is not supported; expected tcp-connect HOST PORT", kw)
		p.bad[sla.Number] = true
		return skip
	}
	return unknown
}

// finishSLA checks an operation as a whole. One being edited is not held
// to the checks yet.
func (p *parser) finishSLA(sla *config.IPSLA, editing map[any]bool) {
	if sla.TimeoutLine == 0 {
		sla.Timeout = min(config.DefaultSLATimeout*time.Millisecond, sla.Frequency)
	}
	if editing[sla.Number] || p.bad[sla.Number] {
		return
	}
	if sla.Timeout > sla.Frequency {
		p.errorf(sla.TimeoutLine, "ip sla %d timeout %d ms is longer than its frequency of %d s", sla.Number, sla.Timeout.Milliseconds(), int(sla.Frequency.Seconds()))
	}
	if sla.Operation == "" {
		p.errorf(sla.Line, "ip sla %d has no operation; expected tcp-connect HOST PORT under it", sla.Number)
	}
}

// removeSchedule handles "no ip sla schedule N".
func (p *parser) removeSchedule(n *node, args []string) {
	if len(args) == 0 {
		p.errorf(n.line, "usage: no ip sla schedule N")
		return
	}
	num, ok := p.intArg(n.line, "ip sla schedule", args[0], 1, config.MaxIPSLA)
	if !ok {
		return
	}
	p.schedules = slices.DeleteFunc(p.schedules, func(s pendingSchedule) bool { return s.number == num })
	if sla := p.cfg.IPSLA(num); sla != nil {
		sla.Schedule = nil
	}
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
	// As IOS: a schedule given again replaces the first.
	p.schedules = slices.DeleteFunc(p.schedules, func(s pendingSchedule) bool { return s.number == num })
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
// [reachability | state]", with "delay" in its mode.
func (p *parser) track(n *node, args []string, neg bool) result {
	const usage = "usage: track N interface NAME line-protocol, or track N ip sla M [reachability | state]"
	if len(args) < 1 {
		p.errorf(n.line, usage)
		return skip
	}
	num, ok := p.intArg(n.line, "track", args[0], config.MinTrack, config.MaxTrack)
	if !ok {
		return skip
	}
	if neg {
		if p.cfg.Track(num) == nil {
			p.warnf(n.line, "no track %d: there is no track %d; nothing to remove", num, num)
		}
		p.cfg.Tracks = slices.DeleteFunc(p.cfg.Tracks, func(t config.Track) bool { return t.Number == num })
		return leaf
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
	case len(rest) == 0 && p.cfg.Track(num) != nil:
		// "track N" enters a track that exists.
	default:
		p.errorf(n.line, usage)
		return skip
	}
	// As IOS: a track that exists is edited; its kind cannot change.
	if old := p.cfg.Track(num); old == nil {
		p.cfg.Tracks = append(p.cfg.Tracks, t)
	} else if len(rest) > 0 {
		if old.Kind != t.Kind {
			p.errorf(n.line, "track %d is already configured as a different kind of track on line %d; remove it first with no track %d", num, old.Line, num)
			return skip
		}
		old.Interface, old.SLA, old.SLAMode = t.Interface, t.SLA, t.SLAMode
	}
	return p.enter(n, "track", fmt.Sprintf("in track %d", num), func(c *node, kw string, a []string, ng bool) result {
		if kw != "delay" {
			return unknown
		}
		tr := p.cfg.Track(num)
		if ng {
			tr.DelayUp, tr.DelayDown = 0, 0
			return leaf
		}
		p.trackDelay(tr, c, a)
		return leaf
	})
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
