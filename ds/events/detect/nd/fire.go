package nd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// Fire is the payload of a neighbor-discovery event's Fired: the change.
type Fire struct{ Change }

var _ detector.Payload = Fire{}

// Text is "lldp add on IFACE: SYSTEM port PORT".
func (p Fire) Text() string {
	return fmt.Sprintf("%s %s on %s: %s port %s", p.Protocol, p.Notification, p.Interface, p.who(), p.PortID)
}

// who names the neighbour: its system name, else its chassis id.
func (p Fire) who() string {
	if p.SystemName != "" {
		return p.SystemName
	}
	return p.ChassisID
}

// Info adds the event_reqinfo fields, named as the builtins without "_nd_".
func (p Fire) Info(info map[string]string) {
	v := map[string]string{}
	p.Builtins(v)
	for k, s := range v {
		info[strings.TrimPrefix(k, "_nd_")] = s
	}
}

// Builtins adds IOS's $_nd_ variables: _nd_protocol, _nd_notification
// ("lldp add"), _nd_local_intf_name, _nd_short_local_intf_name,
// _nd_port_id, and for LLDP _nd_lldp_chassis_id, _nd_lldp_system_name,
// _nd_lldp_system_description, _nd_lldp_port_description, _nd_lldp_ttl,
// _nd_lldp_capabilities, _nd_lldp_enabled_capabilities,
// _nd_lldp_mgmt_address; for CDP _nd_cdp_entry_name,
// _nd_cdp_capabilities, _nd_cdp_hold_time, _nd_cdp_mgmt_address.
func (p Fire) Builtins(v map[string]string) {
	v["_nd_protocol"] = p.Protocol
	v["_nd_notification"] = p.Protocol + " " + p.Notification
	v["_nd_local_intf_name"] = p.Interface
	v["_nd_short_local_intf_name"] = p.Interface // Linux names are short already
	v["_nd_port_id"] = p.PortID
	caps, enabled := strings.Join(p.Capabilities, " "), strings.Join(p.Enabled, " ")
	ttl := strconv.Itoa(p.TTL)
	if p.Protocol == ProtocolCDP {
		v["_nd_cdp_entry_name"] = p.who()
		v["_nd_cdp_platform"] = p.SystemDescr
		v["_nd_cdp_capabilities"] = enabled
		v["_nd_cdp_hold_time"] = ttl
		v["_nd_cdp_mgmt_address"] = p.MgmtAddress
		return
	}
	v["_nd_lldp_chassis_id"] = p.ChassisID
	v["_nd_lldp_system_name"] = p.SystemName
	v["_nd_lldp_system_description"] = p.SystemDescr
	v["_nd_lldp_port_description"] = p.PortDescr
	v["_nd_lldp_ttl"] = ttl
	v["_nd_lldp_capabilities"] = caps
	v["_nd_lldp_enabled_capabilities"] = enabled
	v["_nd_lldp_mgmt_address"] = p.MgmtAddress
}

// Vars returns nil: a neighbour event has no ds_ variables.
func (Fire) Vars() map[string]string { return nil }

// EventTypeString is IOS's "nd".
func (Fire) EventTypeString() string { return "neighbor-discovery" }
