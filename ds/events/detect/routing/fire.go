package routing

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of a routing event's Fired: the change that fired it.
type Fire struct {
	Change Change
}

var _ detector.Payload = Fire{}

// Text is "route 10.1.0.0/24 add static via 10.0.0.1 dev veth1 metric 0".
func (p Fire) Text() string {
	c := p.Change
	var b strings.Builder
	fmt.Fprintf(&b, "route %s %s %s", c.Network, c.Type, c.Protocol)
	if c.Gateway != "" {
		b.WriteString(" via " + c.Gateway)
	}
	if c.Interface != "" {
		b.WriteString(" dev " + c.Interface)
	}
	fmt.Fprintf(&b, " metric %d", c.Metric)
	return b.String()
}

// Info adds network, mask, type, protocol, lastgateway, lastinterface and
// metric (the keys of IOS's event_reqinfo for a routing event).
func (p Fire) Info(info map[string]string) {
	for k, v := range p.fields() {
		info[k] = v
	}
}

// Builtins adds _routing_network, _routing_mask, _routing_type,
// _routing_protocol, _routing_lastgateway, _routing_lastinterface and
// _routing_metric.
func (p Fire) Builtins(v map[string]string) {
	for k, val := range p.fields() {
		v["_routing_"+k] = val
	}
}

// Vars returns nil: a routing event has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }

// fields are the change's values by their IOS names: the network's
// address, its mask (dotted for IPv4 as IOS prints it, the length for
// IPv6).
func (p Fire) fields() map[string]string {
	c := p.Change
	return map[string]string{
		"network":       c.Network.Addr().String(),
		"mask":          Mask(c.Network.Addr().Is4(), c.Network.Bits()),
		"type":          c.Type,
		"protocol":      c.Protocol,
		"lastgateway":   c.Gateway,
		"lastinterface": c.Interface,
		"metric":        strconv.Itoa(c.Metric),
	}
}

// Mask is the mask of a prefix length: "255.255.255.0" for an IPv4 /24,
// "64" for an IPv6 /64.
func Mask(v4 bool, bits int) string {
	if !v4 {
		return strconv.Itoa(bits)
	}
	return net.IP(net.CIDRMask(bits, 32)).String()
}
