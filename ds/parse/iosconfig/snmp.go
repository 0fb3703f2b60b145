package iosconfig

import (
	"slices"
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
