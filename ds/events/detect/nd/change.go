package nd

import (
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// The protocols and notifications of a Change.
const (
	ProtocolLLDP = "lldp"
	ProtocolCDP  = "cdp"

	Add    = "add"
	Delete = "delete"
	Update = "update"
)

// Change is a neighbour added, deleted or updated on a local interface, as
// a source (ds/events/source/lldp) saw it; Publish hands it to the
// neighbor-discovery detectors.
type Change struct {
	Time         time.Time
	Protocol     string // ProtocolLLDP or ProtocolCDP
	Notification string // Add, Delete or Update
	Interface    string // the local interface
	ChassisID    string
	PortID       string
	PortDescr    string
	SystemName   string
	SystemDescr  string
	Capabilities []string // the system capabilities ("Bridge", "Router", "Station")
	Enabled      []string // the enabled ones among them
	MgmtAddress  string   // the first management address, "" when none
	TTL          int      // seconds; 0 when the neighbour sent none
}

var _ detector.HostEvent = Change{}

// EventType is ds.EventNeighbor.
func (Change) EventType() ds.EventType { return ds.EventNeighbor }
