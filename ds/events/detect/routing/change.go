package routing

import (
	"net/netip"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The change types of a route (Change.Type), as EEM names them.
const (
	TypeAdd    = "add"
	TypeRemove = "remove"
	TypeModify = "modify"
	typeAll    = "all"
)

// Change is a route added to, removed from or changed in the host's route
// table: the typed host event (detector.HostEvent) the netlink source
// publishes for `event routing`.
type Change struct {
	Time    time.Time    // when the source saw it
	Network netip.Prefix // the route's destination, masked
	Type    string       // TypeAdd, TypeRemove or TypeModify
	// Protocol is EEM's name of who installed the route: "connected",
	// "static", "bgp", "ospf", "ospfv3", "isis", "rip", "eigrp", or the
	// kernel's protocol number ("16") for the others.
	Protocol  string
	Gateway   string // the next hop, "" when the route has none
	Interface string // the outgoing interface, "" when the route names none
	Metric    int    // the route's metric (the kernel's priority)
}

var _ detector.HostEvent = Change{}

// EventType is ds.EventRouting.
func (Change) EventType() ds.EventType { return ds.EventRouting }
