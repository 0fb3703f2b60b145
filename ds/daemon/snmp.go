package daemon

import (
	"context"
	"errors"
	"net"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/applet"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/source/lldp"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/snmp"
)

// appletHost is base with what "action info" and "action snmp-trap" ask
// (applet.InfoHost), read from the configuration in force at each call, so
// a reload's `snmp` lines apply to the next action.
func (d *Daemon) appletHost(base applet.Host) applet.Host {
	return &infoHost{Host: base, config: d.Config, client: snmp.New(d.clock), interfaces: net.Interfaces}
}

// infoHost answers the applets' device information from this machine and
// its SNMP from the dsengine block's `snmp agent` and `snmp trap-host`.
type infoHost struct {
	applet.Host
	config     func() *config.Config
	client     *snmp.Client
	interfaces func() ([]net.Interface, error)
}

// RouterName is the configured hostname, else the machine's.
func (h *infoHost) RouterName(context.Context) (string, error) {
	return lifecycle.HostOf(h.config()).Hostname, nil
}

// InterfaceNames are this machine's network interfaces, by index.
func (h *infoHost) InterfaceNames(context.Context) ([]string, error) {
	ifs, err := h.interfaces()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ifs))
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	return names, nil
}

// SNMPGet asks the action's ipaddr (port 161 unless given), else the
// configured agent, with the action's community, else the agent's.
func (h *infoHost) SNMPGet(ctx context.Context, q applet.SNMPGet) (string, string, error) {
	var t snmp.Target
	if agent := snmp.AgentOf(h.config().Host.SNMP); agent != nil {
		t = *agent
	}
	if q.Address != "" {
		addr, err := snmp.WithPort(q.Address, snmp.AgentPort)
		if err != nil {
			return "", "", err
		}
		t.Address = addr
	}
	if q.Community != "" {
		t.Community, t.USM = q.Community, nil // the action's community: v2c
	}
	if t.Address == "" {
		return "", "", errors.New("no SNMP agent: add `snmp agent HOST[:PORT] community NAME` to the dsengine block, or give the action ipaddr")
	}
	if t.Community == "" && t.USM == nil {
		return "", "", errors.New("no community: give the action community NAME, or add `snmp agent HOST[:PORT] community NAME` to the dsengine block")
	}
	v, err := h.client.Get(ctx, t, q.OID, q.Next)
	if err != nil {
		return "", "", err
	}
	return v.OID, v.Value, nil
}

// snmpPoller is what `event snmp` polls: the `snmp agent` of the
// configuration in force at each poll.
func (d *Daemon) snmpPoller() func(ctx context.Context, oid string, next bool) (detector.SNMPValue, error) {
	client := snmp.New(d.clock)
	return func(ctx context.Context, oid string, next bool) (detector.SNMPValue, error) {
		agent := snmp.AgentOf(d.Config().Host.SNMP)
		if agent == nil {
			return detector.SNMPValue{}, errors.New("no SNMP agent: add `snmp agent HOST[:PORT] community NAME|user USER` to the dsengine block")
		}
		v, err := client.Get(ctx, *agent, oid, next)
		return detector.SNMPValue{OID: v.OID, Type: v.Type, Value: v.Value}, err
	}
}

// lldpCDP reports whether the configuration's `source lldp` says lldpd
// reports CDP neighbours (`event neighbor-discovery ... cdp` may register).
func (d *Daemon) lldpCDP() bool {
	for _, s := range d.Config().Host.Sources {
		if s.Name == lldp.Descriptor.Name && lldp.CDP(s.Args) {
			return true
		}
	}
	return false
}

// SNMPTrap sends the policy notification to every `snmp trap-host`
// (v2c, or v3 with the configured engine ID).
func (h *infoHost) SNMPTrap(ctx context.Context, t applet.SNMPTrap) error {
	cfg := h.config()
	to := snmp.TargetsOf(cfg.Host.SNMP, lifecycle.HostOf(cfg).Hostname)
	var types []ds.EventType
	if t.EventType != "" {
		types = []ds.EventType{ds.EventType(t.EventType)}
	}
	return h.client.SendPolicyEvent(ctx, to, snmp.PolicyEvent{Policy: t.Applet, EventTypes: types, ExitStatus: t.ExitStatus,
		IntData1: t.IntData1, IntData2: t.IntData2, StrData: t.StrData})
}
