// Package snmp is the SNMP client of the EEM applet actions: a v2c get or
// getnext against an agent ("action info type snmp oid") and the v2c
// cEventMgrPolicyEvent notification of "action snmp-trap".
package snmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/dsengine/dsengine/ds"
)

// The default ports of an agent and of a trap receiver.
const (
	AgentPort = 161
	TrapPort  = 162
)

// Defaults of a Client: one request waits up to DefaultTimeout for its
// answer and is sent DefaultRetries more times, unless the context ends
// first.
const (
	DefaultTimeout = 2 * time.Second
	DefaultRetries = 1
)

// Target is an agent or a trap receiver.
type Target struct {
	Address   string // HOST:PORT
	Community string
}

// String is the address, for messages (never the community).
func (t Target) String() string { return t.Address }

// WithPort returns addr as HOST:PORT, adding port when addr is a bare host
// or IP address; it fails when addr is neither.
func WithPort(addr string, port int) (string, error) {
	if host, p, err := net.SplitHostPort(addr); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 || host == "" {
			return "", fmt.Errorf("%q is not HOST:PORT with a port 1-65535", addr)
		}
		return addr, nil
	}
	h := strings.Trim(addr, "[]")
	if h == "" || strings.ContainsAny(h, " /") || (strings.Contains(h, ":") && net.ParseIP(h) == nil) {
		return "", fmt.Errorf("%q is not a host, an IP address or HOST:PORT", addr)
	}
	return net.JoinHostPort(h, strconv.Itoa(port)), nil
}

// CheckOID says why oid is not a numeric OID (1.3.6.1.2.1.1.5.0, a
// leading dot allowed), or returns nil.
func CheckOID(oid string) error {
	s := strings.TrimPrefix(oid, ".")
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return fmt.Errorf("OID %q is not numeric (like 1.3.6.1.2.1.1.5.0); dsengine does not resolve MIB names", oid)
	}
	for _, p := range parts {
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return fmt.Errorf("OID %q is not numeric (like 1.3.6.1.2.1.1.5.0); dsengine does not resolve MIB names", oid)
		}
	}
	return nil
}

// Client sends SNMP requests and notifications. It keeps no connection:
// each call opens its own UDP socket. It is safe for concurrent use.
type Client struct {
	clock ds.Clock
	start time.Time // sysUpTime of the notifications counts from here
	// Timeout bounds one request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Retries is how many more times a request is sent; negative means none.
	Retries int
	events  atomic.Uint32 // the last ceemHistoryEventIndex sent
}

// New returns a Client whose notifications count sysUpTime on clock from
// now.
func New(clock ds.Clock) *Client {
	if clock == nil {
		clock = ds.RealClock{}
	}
	return &Client{clock: clock, start: clock.Now(), Retries: DefaultRetries}
}

// Value is one variable an agent returned.
type Value struct {
	OID   string // numeric, without a leading dot
	Type  string // the ASN.1 type, as gosnmp names it ("OctetString", "Integer", ...)
	Value string // text: a string as is, numbers in decimal, OIDs dotted
}

// ErrNoObject is returned when the agent has no such object (or nothing
// after it, for a getnext).
var ErrNoObject = errors.New("the agent has no such object")

// Get asks the agent for oid's value (get), or with next for the first
// variable after oid (getnext). It returns when the agent answers, after
// the timeout and retries, or when ctx ends.
func (c *Client) Get(ctx context.Context, agent Target, oid string, next bool) (Value, error) {
	if err := CheckOID(oid); err != nil {
		return Value{}, err
	}
	g, done, err := c.connect(ctx, agent)
	if err != nil {
		return Value{}, err
	}
	defer done()
	op, get := "get", g.Get
	if next {
		op, get = "getnext", g.GetNext
	}
	pkt, err := get([]string{"." + strings.TrimPrefix(oid, ".")})
	if err != nil {
		if ctx.Err() != nil {
			return Value{}, fmt.Errorf("snmp %s %s from %s: %w", op, oid, agent, context.Cause(ctx))
		}
		return Value{}, fmt.Errorf("snmp %s %s from %s: %w (is the agent running, and is the community right? an agent ignores a wrong community)", op, oid, agent, err)
	}
	if pkt.Error != gosnmp.NoError {
		return Value{}, fmt.Errorf("snmp %s %s from %s: the agent answered %s", op, oid, agent, pkt.Error)
	}
	if len(pkt.Variables) == 0 {
		return Value{}, fmt.Errorf("snmp %s %s from %s: the agent answered no variable", op, oid, agent)
	}
	v, err := value(pkt.Variables[0])
	if err != nil {
		return Value{}, fmt.Errorf("snmp %s %s from %s: %w", op, oid, agent, err)
	}
	return v, nil
}

// connect opens a socket to t whose requests end when ctx does; done
// closes it.
func (c *Client) connect(ctx context.Context, t Target) (g *gosnmp.GoSNMP, done func(), err error) {
	host, port, err := net.SplitHostPort(t.Address)
	if err != nil {
		return nil, nil, fmt.Errorf("snmp %s: not HOST:PORT", t.Address)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, nil, fmt.Errorf("snmp %s: bad port", t.Address)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	g = &gosnmp.GoSNMP{Target: host, Port: uint16(p), Transport: "udp", Community: t.Community,
		Version: gosnmp.Version2c, Timeout: timeout, Retries: max(c.Retries, 0), Context: ctx,
		MaxOids: gosnmp.MaxOids}
	if err := g.Connect(); err != nil {
		return nil, nil, fmt.Errorf("snmp %s: %w", t.Address, err)
	}
	// gosnmp reads the context's deadline but not its cancellation:
	// closing the socket ends a read in progress.
	conn := g.Conn
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	return g, func() { stop(); conn.Close() }, nil
}

// value converts a returned variable.
func value(pdu gosnmp.SnmpPDU) (Value, error) {
	v := Value{OID: strings.TrimPrefix(pdu.Name, "."), Type: pdu.Type.String()}
	switch pdu.Type {
	case gosnmp.NoSuchObject, gosnmp.NoSuchInstance:
		return v, fmt.Errorf("%w (%s)", ErrNoObject, v.OID)
	case gosnmp.EndOfMibView:
		return v, fmt.Errorf("%w: nothing after it (end of the MIB view)", ErrNoObject)
	case gosnmp.OctetString, gosnmp.Opaque, gosnmp.BitString:
		b, _ := pdu.Value.([]byte)
		v.Value = string(b)
	case gosnmp.ObjectIdentifier:
		s, _ := pdu.Value.(string)
		v.Value = strings.TrimPrefix(s, ".")
	case gosnmp.IPAddress:
		v.Value = fmt.Sprint(pdu.Value)
	case gosnmp.Null:
	default: // the integer types, Counter64 as a *big.Int: decimal
		v.Value = fmt.Sprint(pdu.Value)
	}
	return v, nil
}
