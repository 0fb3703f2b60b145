// Package snmp is the SNMP client of the EEM applet actions and of "event
// snmp": a get or getnext against an agent ("action info type snmp oid"),
// and the cEventMgrPolicyEvent notification of "action snmp-trap", as a
// trap or an inform; SNMPv2c with a community or SNMPv3 with a USM user.
package snmp

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
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
	Community string // v2c, when USM is nil
	USM       *USM   // v3
	Inform    bool   // a receiver: send informs, which wait for the ack
}

// USM is an SNMPv3 user and the security level of its messages.
type USM struct {
	User      string
	Level     string // config.SNMPNoAuth, SNMPAuth or SNMPPriv
	AuthProto string // "md5", "sha" or "sha256"
	AuthPass  string
	PrivProto string // "aes" (AES-128) or "des"
	PrivPass  string
	// EngineID is the local snmpEngineID (raw bytes) a trap is sent
	// with (TargetsOf sets it); the Client's when empty.
	EngineID []byte
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
	// EngineID is the local snmpEngineID (raw bytes) of v3 traps, whose
	// sender is the authoritative engine; DefaultEngineID when empty.
	EngineID []byte
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
	g, done, err := c.connect(ctx, agent, false)
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
		return Value{}, fmt.Errorf("snmp %s %s from %s: %w (%s)", op, oid, agent, err, hint(agent))
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
// closes it. A v3 trap (not an inform) is sent with this client's engine
// ID; a request and an inform discover the receiver's first.
func (c *Client) connect(ctx context.Context, t Target, trap bool) (g *gosnmp.GoSNMP, done func(), err error) {
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
	if t.USM != nil {
		if err := c.setUSM(g, t.USM, trap); err != nil {
			return nil, nil, fmt.Errorf("snmp %s: %w", t.Address, err)
		}
	}
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

// hint says what to check when an agent does not answer: a wrong
// community or v3 password is ignored or refused.
func hint(t Target) string {
	if t.USM != nil {
		return "is the agent running, and are the v3 user " + t.USM.User + " and its passwords right? an agent refuses a wrong password"
	}
	return "is the agent running, and is the community right? an agent ignores a wrong community"
}

// setUSM makes g an SNMPv3 session of u.
func (c *Client) setUSM(g *gosnmp.GoSNMP, u *USM, trap bool) error {
	sp := &gosnmp.UsmSecurityParameters{UserName: u.User}
	flags := gosnmp.NoAuthNoPriv
	if u.Level == config.SNMPAuth || u.Level == config.SNMPPriv {
		flags = gosnmp.AuthNoPriv
		switch strings.ToLower(u.AuthProto) {
		case "md5":
			sp.AuthenticationProtocol = gosnmp.MD5
		case "sha":
			sp.AuthenticationProtocol = gosnmp.SHA
		case "sha256":
			sp.AuthenticationProtocol = gosnmp.SHA256
		default:
			return fmt.Errorf("v3 user %s: security level %s needs an auth protocol (md5, sha or sha256)", u.User, u.Level)
		}
		sp.AuthenticationPassphrase = u.AuthPass
	}
	if u.Level == config.SNMPPriv {
		flags = gosnmp.AuthPriv
		switch strings.ToLower(u.PrivProto) {
		case "aes":
			sp.PrivacyProtocol = gosnmp.AES
		case "des":
			sp.PrivacyProtocol = gosnmp.DES
		default:
			return fmt.Errorf("v3 user %s: security level priv needs a priv protocol (aes 128 or des)", u.User)
		}
		sp.PrivacyPassphrase = u.PrivPass
	}
	if trap {
		id := u.EngineID
		if len(id) == 0 {
			id = c.EngineID
		}
		if len(id) == 0 {
			id = DefaultEngineID("")
		}
		sp.AuthoritativeEngineID = string(id)
		sp.AuthoritativeEngineBoots = 1
		sp.AuthoritativeEngineTime = uint32(c.clock.Now().Sub(c.start) / time.Second)
	}
	g.Version, g.SecurityModel, g.MsgFlags, g.SecurityParameters = gosnmp.Version3, gosnmp.UserSecurityModel, flags, sp
	return nil
}

// DefaultEngineID is the snmpEngineID of a host without "snmp-server
// engineID local": RFC 3411's text format under Cisco's enterprise
// number (80:00:00:09, 04) followed by the hostname (at most 27 bytes),
// "dsengine" when there is none.
func DefaultEngineID(hostname string) []byte {
	if hostname == "" {
		hostname = "dsengine"
	}
	return append([]byte{0x80, 0x00, 0x00, 0x09, 0x04}, hostname[:min(len(hostname), 27)]...)
}

// ParseEngineID reads "snmp-server engineID local HEX": 10 to 64 hex
// digits (5 to 32 bytes, RFC 3411), an even count.
func ParseEngineID(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < 5 || len(b) > 32 {
		return nil, fmt.Errorf("engineID %q is not 10 to 64 hexadecimal digits (5 to 32 bytes, an even count)", s)
	}
	return b, nil
}

// Of the configuration: AgentOf is the "snmp agent" (nil when there is
// none), TargetsOf the trap receivers, EngineIDOf the local engine ID of
// the host called hostname. A v3 line's user is looked up in s; the
// parser has checked that it exists.
func AgentOf(s config.SNMP) *Target {
	if s.Agent == nil {
		return nil
	}
	t := targetOf(s, *s.Agent)
	return &t
}

// TargetsOf: see AgentOf; a v3 trap's engine ID is EngineIDOf.
func TargetsOf(s config.SNMP, hostname string) []Target {
	var out []Target
	for _, h := range s.TrapHosts {
		t := targetOf(s, h)
		if t.USM != nil {
			t.USM.EngineID = EngineIDOf(s, hostname)
		}
		out = append(out, t)
	}
	return out
}

// EngineIDOf: see AgentOf.
func EngineIDOf(s config.SNMP, hostname string) []byte {
	if b, err := ParseEngineID(s.EngineID); err == nil {
		return b
	}
	return DefaultEngineID(hostname)
}

func targetOf(s config.SNMP, h config.SNMPTarget) Target {
	t := Target{Address: h.Address, Community: h.Community, Inform: h.Inform}
	if h.User == "" {
		return t
	}
	u := s.User(h.User)
	if u == nil {
		u = &config.SNMPUser{Name: h.User}
	}
	level := h.Level
	if level == "" {
		level = u.Level()
	}
	t.USM = &USM{User: u.Name, Level: level, AuthProto: u.AuthProto, AuthPass: u.AuthPass,
		PrivProto: u.PrivProto, PrivPass: u.PrivPass}
	return t
}
