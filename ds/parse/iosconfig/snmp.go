package iosconfig

import (
	"slices"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/snmp"
)

const snmpUsage = "usage: snmp agent HOST[:PORT] community NAME, or snmp trap-host HOST[:PORT] community NAME"

// snmp reads the dsengine block's "snmp agent HOST[:PORT] community NAME"
// (the agent "action info type snmp" asks, port 161 by default) and
// "snmp trap-host HOST[:PORT] community NAME" (a receiver of "action
// snmp-trap", port 162 by default; one line per receiver).
func (p *parser) snmp(n *node, args []string) {
	if len(args) != 4 || !strings.EqualFold(args[2], "community") || args[3] == "" {
		p.errorf(n.line, snmpUsage)
		return
	}
	kind := strings.ToLower(args[0])
	port := snmp.AgentPort
	switch kind {
	case "agent":
	case "trap-host":
		port = snmp.TrapPort
	default:
		p.errorf(n.line, snmpUsage)
		return
	}
	addr, err := snmp.WithPort(args[1], port)
	if err != nil {
		p.errorf(n.line, "snmp %s: %v", kind, err)
		return
	}
	// As IOS: the same line again replaces the entry it names.
	t := config.SNMPTarget{Address: addr, Community: args[3], Line: n.line}
	s := &p.cfg.Host.SNMP
	if kind == "trap-host" {
		if i := slices.IndexFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == addr }); i >= 0 {
			s.TrapHosts[i] = t
			return
		}
		s.TrapHosts = append(s.TrapHosts, t)
		return
	}
	s.Agent = &t
}

// snmpNo handles "no snmp agent [...]" (there is one agent) and "no snmp
// trap-host HOST[:PORT] [community NAME]" (the receiver at that address).
func (p *parser) snmpNo(n *node, args []string) {
	s := &p.cfg.Host.SNMP
	kind := ""
	if len(args) > 0 {
		kind = strings.ToLower(args[0])
	}
	switch {
	case kind == "agent":
		s.Agent = nil
	case kind == "trap-host" && len(args) >= 2:
		addr, err := snmp.WithPort(args[1], snmp.TrapPort)
		if err != nil {
			p.errorf(n.line, "no snmp trap-host: %v", err)
			return
		}
		s.TrapHosts = slices.DeleteFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == addr })
	default:
		p.errorf(n.line, "usage: no snmp agent, or no snmp trap-host HOST[:PORT]")
	}
}

const snmpServerUsage = "usage: snmp-server host ADDRESS [traps] [version 2c] COMMUNITY [udp-port PORT] [event-manager], " +
	"or snmp-server enable traps event-manager"

// snmpServer reads IOS's own spelling of a trap receiver, the global
// "snmp-server host ADDRESS [traps] [version 2c] COMMUNITY [udp-port N]
// [NOTIFICATION-TYPE ...]", into the same list as the dsengine block's
// "snmp trap-host" (which is how the configuration is written back), and
// accepts "snmp-server enable traps event-manager". dsengine sends SNMPv2c
// traps only: informs, version 1 and version 3 are refused. A host whose
// notification types leave out event-manager gets no EEM traps on IOS, and
// none here: the line is accepted and warned about.
func (p *parser) snmpServer(n *node, args []string, neg bool) {
	low := func(i int) string {
		if i < len(args) {
			return strings.ToLower(args[i])
		}
		return ""
	}
	if low(0) == "enable" {
		if len(args) != 3 || low(1) != "traps" || low(2) != "event-manager" {
			p.errorf(n.line, snmpServerUsage)
		}
		return
	}
	if low(0) != "host" || len(args) < 2 {
		p.errorf(n.line, snmpServerUsage)
		return
	}
	addr, i := args[1], 2
	port := snmp.TrapPort
	for k := 2; k+1 < len(args); k++ {
		if strings.EqualFold(args[k], "udp-port") {
			v, err := strconv.Atoi(args[k+1])
			if err != nil || v < 1 || v > 65535 {
				p.errorf(n.line, "snmp-server host %s: udp-port %q is not a port 1-65535", addr, args[k+1])
				return
			}
			port = v
		}
	}
	full, err := snmp.WithPort(addr, port)
	if err != nil {
		p.errorf(n.line, "snmp-server host: %v", err)
		return
	}
	s := &p.cfg.Host.SNMP
	if neg {
		// The other words of a no line do not matter.
		s.TrapHosts = slices.DeleteFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == full })
		return
	}
	switch low(i) {
	case "informs":
		p.errorf(n.line, "snmp-server host %s informs: refused: dsengine sends traps, not informs; write traps (or nothing)", addr)
		return
	case "traps":
		i++
	}
	if low(i) == "version" {
		switch low(i + 1) {
		case "2c":
		case "1", "3":
			p.errorf(n.line, "snmp-server host %s version %s: refused: dsengine sends SNMPv2c traps; write version 2c", addr, args[i+1])
			return
		default:
			p.errorf(n.line, snmpServerUsage)
			return
		}
		i += 2
	}
	if i >= len(args) || args[i] == "" {
		p.errorf(n.line, "snmp-server host %s: missing the community; %s", addr, snmpServerUsage)
		return
	}
	community := args[i]
	eem, types := true, false // no notification type: every type, as IOS
	for i++; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "udp-port":
			i++
		case "event-manager":
			types, eem = true, true
		default:
			if !types {
				types, eem = true, false
			}
		}
	}
	if !eem {
		p.warnf(n.line, "snmp-server host %s names notification types without event-manager: it gets no EEM traps", addr)
		return
	}
	t := config.SNMPTarget{Address: full, Community: community, Line: n.line}
	if k := slices.IndexFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == full }); k >= 0 {
		s.TrapHosts[k] = t
		return
	}
	s.TrapHosts = append(s.TrapHosts, t)
}
