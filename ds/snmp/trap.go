package snmp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/gosnmp/gosnmp"
)

// The OIDs of "action snmp-trap": the cEventMgrPolicyEvent notification of
// CISCO-EMBEDDED-EVENT-MGR-MIB and the ceemHistoryEventEntry columns it
// carries, each followed by the event's index (ceemHistoryEventIndex).
const (
	OIDSysUpTime       = "1.3.6.1.2.1.1.3.0"
	OIDSnmpTrapOID     = "1.3.6.1.6.3.1.1.4.1.0"
	OIDPolicyEvent     = "1.3.6.1.4.1.9.10.134.0.2"        // cEventMgrPolicyEvent
	OIDPolicyName      = "1.3.6.1.4.1.9.10.134.1.2.3.1.7"  // ceemHistoryPolicyName
	OIDPolicyIntData1  = "1.3.6.1.4.1.9.10.134.1.2.3.1.9"  // ceemHistoryPolicyIntData1
	OIDPolicyIntData2  = "1.3.6.1.4.1.9.10.134.1.2.3.1.10" // ceemHistoryPolicyIntData2
	OIDPolicyStrData   = "1.3.6.1.4.1.9.10.134.1.2.3.1.11" // ceemHistoryPolicyStrData
	maxStrData         = 255                               // SnmpAdminString (SIZE (0..255))
	maxPolicyNameBytes = 128
)

// PolicyEvent is what "action snmp-trap" sends: the applet's name and the
// optional data of the action. Unset data is left out of the
// notification, as the MIB says ("not instantiated").
type PolicyEvent struct {
	Policy   string
	IntData1 *int32
	IntData2 *int32
	StrData  *string
}

// PolicyEventVars are the variables of ev's notification with event
// index n, after sysUpTime.0 and snmpTrapOID.0.
func PolicyEventVars(ev PolicyEvent, n uint32) []gosnmp.SnmpPDU {
	idx := "." + strconv.FormatUint(uint64(n), 10)
	name := ev.Policy
	if len(name) > maxPolicyNameBytes {
		name = name[:maxPolicyNameBytes]
	}
	vars := []gosnmp.SnmpPDU{
		{Name: OIDSnmpTrapOID, Type: gosnmp.ObjectIdentifier, Value: OIDPolicyEvent},
		{Name: OIDPolicyName + idx, Type: gosnmp.OctetString, Value: []byte(name)},
	}
	if ev.IntData1 != nil {
		vars = append(vars, gosnmp.SnmpPDU{Name: OIDPolicyIntData1 + idx, Type: gosnmp.Integer, Value: int(*ev.IntData1)})
	}
	if ev.IntData2 != nil {
		vars = append(vars, gosnmp.SnmpPDU{Name: OIDPolicyIntData2 + idx, Type: gosnmp.Integer, Value: int(*ev.IntData2)})
	}
	if ev.StrData != nil {
		vars = append(vars, gosnmp.SnmpPDU{Name: OIDPolicyStrData + idx, Type: gosnmp.OctetString, Value: []byte(*ev.StrData)})
	}
	return vars
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

// SendPolicyEvent sends ev as a v2c cEventMgrPolicyEvent trap to every
// receiver. A trap is not acknowledged: an error means it could not be
// sent (no route, a bad address), never that it was not received. It
// returns the errors of every receiver that failed, joined.
func (c *Client) SendPolicyEvent(ctx context.Context, receivers []Target, ev PolicyEvent) error {
	if len(receivers) == 0 {
		return errors.New("snmp-trap: no trap receiver is configured: add `snmp trap-host HOST[:PORT] community NAME` to the dsengine block, or IOS's `snmp-server host ADDRESS version 2c COMMUNITY`")
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
	g, done, err := c.connect(ctx, r)
	if err != nil {
		return fmt.Errorf("snmp trap: %w", err)
	}
	defer done()
	if _, err := g.SendTrap(gosnmp.SnmpTrap{Variables: vars}); err != nil {
		return fmt.Errorf("snmp trap to %s: %w", r, err)
	}
	return nil
}
