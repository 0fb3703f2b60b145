package snmp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gosnmp/gosnmp"

	"github.com/dsengine/dsengine/ds"
)

// The OIDs of "action snmp-trap": the cEventMgrPolicyEvent notification of
// CISCO-EMBEDDED-EVENT-MGR-MIB and the ceemHistoryEventEntry columns it
// carries (its OBJECTS clause, in that order), each followed by the
// event's index (ceemHistoryEventIndex).
const (
	OIDSysUpTime       = "1.3.6.1.2.1.1.3.0"
	OIDSnmpTrapOID     = "1.3.6.1.6.3.1.1.4.1.0"
	OIDPolicyEvent     = "1.3.6.1.4.1.9.10.134.0.2"        // cEventMgrPolicyEvent
	OIDEventType1      = "1.3.6.1.4.1.9.10.134.1.2.3.1.2"  // ceemHistoryEventType1 (.3, .4, .5: Type2-4)
	OIDPolicyPath      = "1.3.6.1.4.1.9.10.134.1.2.3.1.6"  // ceemHistoryPolicyPath
	OIDPolicyName      = "1.3.6.1.4.1.9.10.134.1.2.3.1.7"  // ceemHistoryPolicyName
	OIDPolicyExit      = "1.3.6.1.4.1.9.10.134.1.2.3.1.8"  // ceemHistoryPolicyExitStatus
	OIDPolicyIntData1  = "1.3.6.1.4.1.9.10.134.1.2.3.1.9"  // ceemHistoryPolicyIntData1
	OIDPolicyIntData2  = "1.3.6.1.4.1.9.10.134.1.2.3.1.10" // ceemHistoryPolicyIntData2
	OIDPolicyStrData   = "1.3.6.1.4.1.9.10.134.1.2.3.1.11" // ceemHistoryPolicyStrData
	OIDNotifyType      = "1.3.6.1.4.1.9.10.134.1.2.3.1.12" // ceemHistoryNotifyType
	maxStrData         = 255                               // SnmpAdminString (SIZE (0..255))
	maxPolicyNameBytes = 128
	notifyPolicy       = 2 // NotifySource policy(2): the policy asked for the notification
)

// EventTypes numbers dsengine's event types for ceemHistoryEventType1-4:
// the MIB says these are rows of the agent's ceemEventMapTable, whose
// numbers each IOS image assigns itself and no public document lists, so
// dsengine uses its own table (documented in docs/operations.md); 0 is
// "no event" (the unused EventType2-4 of a one-event applet, and a type
// missing here).
var EventTypes = map[ds.EventType]uint32{
	ds.EventNone: 1, ds.EventSyslog: 2, ds.EventSNMP: 3, "timer": 4, ds.EventCounter: 5,
	ds.EventInterface: 6, ds.EventOIR: 7, ds.EventCLI: 8, ds.EventConfig: 9, ds.EventTrack: 10,
	ds.EventRouting: 11, ds.EventNeighbor: 12, "ipsla": 13, ds.EventPeriodic: 14,
	ds.EventImmediate: 15, ds.EventCallHome: 16, ds.EventEEM: 17,
}

// PolicyEvent is what "action snmp-trap" sends: the applet's name, its
// event types (up to 4: a correlated applet's), the exit status so far
// and the optional data of the action. Unset data is left out of the
// notification, as the MIB says ("not instantiated").
type PolicyEvent struct {
	Policy     string
	Path       string // ceemHistoryPolicyPath: "" for an applet, which has no file
	EventTypes []ds.EventType
	ExitStatus int32
	IntData1   *int32
	IntData2   *int32
	StrData    *string
}

// PolicyEventVars are the variables of ev's notification with event
// index n, after sysUpTime.0 and snmpTrapOID.0.
func PolicyEventVars(ev PolicyEvent, n uint32) []gosnmp.SnmpPDU {
	idx := "." + strconv.FormatUint(uint64(n), 10)
	name := ev.Policy
	if len(name) > maxPolicyNameBytes {
		name = name[:maxPolicyNameBytes]
	}
	path := ev.Path
	if len(path) > maxPolicyNameBytes {
		path = path[:maxPolicyNameBytes]
	}
	vars := []gosnmp.SnmpPDU{{Name: OIDSnmpTrapOID, Type: gosnmp.ObjectIdentifier, Value: OIDPolicyEvent}}
	for i := range 4 {
		var t uint32
		if i < len(ev.EventTypes) {
			t = EventTypes[baseType(ev.EventTypes[i])]
		}
		vars = append(vars, gosnmp.SnmpPDU{Name: "1.3.6.1.4.1.9.10.134.1.2.3.1." + strconv.Itoa(2+i) + idx, Type: gosnmp.Gauge32, Value: uint(t)})
	}
	vars = append(vars,
		gosnmp.SnmpPDU{Name: OIDPolicyPath + idx, Type: gosnmp.OctetString, Value: []byte(path)},
		gosnmp.SnmpPDU{Name: OIDPolicyName + idx, Type: gosnmp.OctetString, Value: []byte(name)},
		gosnmp.SnmpPDU{Name: OIDPolicyExit + idx, Type: gosnmp.Integer, Value: int(ev.ExitStatus)})
	if ev.IntData1 != nil {
		vars = append(vars, gosnmp.SnmpPDU{Name: OIDPolicyIntData1 + idx, Type: gosnmp.Integer, Value: int(*ev.IntData1)})
	}
	if ev.IntData2 != nil {
		vars = append(vars, gosnmp.SnmpPDU{Name: OIDPolicyIntData2 + idx, Type: gosnmp.Integer, Value: int(*ev.IntData2)})
	}
	if ev.StrData != nil {
		vars = append(vars, gosnmp.SnmpPDU{Name: OIDPolicyStrData + idx, Type: gosnmp.OctetString, Value: []byte(*ev.StrData)})
	}
	return append(vars, gosnmp.SnmpPDU{Name: OIDNotifyType + idx, Type: gosnmp.Integer, Value: notifyPolicy})
}

// baseType is an event type's detector: "timer watchdog" is a timer.
func baseType(t ds.EventType) ds.EventType {
	if s, _, ok := strings.Cut(string(t), " "); ok {
		return ds.EventType(s)
	}
	return t
}

// CheckStrData says why s cannot be a ceemHistoryPolicyStrData.
func CheckStrData(s string) error {
	if len(s) > maxStrData {
		return fmt.Errorf("strdata is %d bytes; the MIB allows %d", len(s), maxStrData)
	}
	return nil
}

// ParseIntData reads an intdata value: an Integer32.
func ParseIntData(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, fmt.Errorf("%q is not an integer %d to %d", s, math.MinInt32, math.MaxInt32)
	}
	return int32(n), nil
}

// SendPolicyEvent sends ev as a cEventMgrPolicyEvent notification to
// every receiver: a trap, or an inform to a receiver that asks for them.
// A trap is not acknowledged: its error means it could not be sent (no
// route, a bad address), never that it was not received. An inform waits
// for the receiver's acknowledgement, sent again Retries times: its error
// means no acknowledgement came (a wrong v3 password, no receiver). It
// returns the errors of every receiver that failed, joined.
func (c *Client) SendPolicyEvent(ctx context.Context, receivers []Target, ev PolicyEvent) error {
	if len(receivers) == 0 {
		return errors.New("snmp-trap: no trap receiver is configured: add `snmp trap-host HOST[:PORT] community NAME` to the dsengine block, or IOS's `snmp-server host ADDRESS version 2c COMMUNITY` or `snmp-server host ADDRESS version 3 priv USER`")
	}
	if ev.StrData != nil {
		if err := CheckStrData(*ev.StrData); err != nil {
			return fmt.Errorf("snmp-trap: %w", err)
		}
	}
	n := c.events.Add(1)
	// sysUpTime in hundredths of a second since the client started.
	up := uint32(c.clock.Now().Sub(c.start).Milliseconds() / 10)
	vars := append([]gosnmp.SnmpPDU{{Name: OIDSysUpTime, Type: gosnmp.TimeTicks, Value: up}}, PolicyEventVars(ev, n)...)
	var errs []error
	for _, r := range receivers {
		if err := c.sendTrap(ctx, r, vars); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Client) sendTrap(ctx context.Context, r Target, vars []gosnmp.SnmpPDU) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("snmp trap to %s: %w", r, context.Cause(ctx))
	}
	kind := "trap"
	if r.Inform {
		kind = "inform"
	}
	g, done, err := c.connect(ctx, r, !r.Inform)
	if err != nil {
		return fmt.Errorf("snmp %s: %w", kind, err)
	}
	defer done()
	if _, err := g.SendTrap(gosnmp.SnmpTrap{Variables: vars, IsInform: r.Inform}); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("snmp %s to %s: %w", kind, r, context.Cause(ctx))
		}
		if r.Inform {
			return fmt.Errorf("snmp inform to %s: not acknowledged: %w (is the receiver running, and %s)", r, err, receiverHint(r))
		}
		return fmt.Errorf("snmp trap to %s: %w", r, err)
	}
	return nil
}

func receiverHint(r Target) string {
	if r.USM != nil {
		return "does it know the v3 user " + r.USM.User + " with these passwords? a receiver drops a wrong password"
	}
	return "is the community right?"
}
