package config

import "slices"

// SNMP is what the applets' SNMP actions reach, from the dsengine block:
// "snmp agent HOST[:PORT] community NAME|user USER" (the agent of "action
// info type snmp" and "event snmp", port 161 by default) and "snmp
// trap-host HOST[:PORT] community NAME [informs]" lines (the receivers of
// "action snmp-trap", port 162 by default), and from IOS's global lines:
// "snmp-server engineID local HEX", "snmp-server group", "snmp-server
// user" and "snmp-server host ... version 3 LEVEL USER".
type SNMP struct {
	Agent     *SNMPTarget  // nil when there is no "snmp agent" line
	TrapHosts []SNMPTarget // in configuration order
	// EngineID is snmpEngineID of "snmp-server engineID local HEX" in hex
	// (lower case), "" for the default (derived from the hostname); it
	// keys the v3 users' passwords of traps.
	EngineID     string
	EngineIDLine int
	Groups       []SNMPGroup // in configuration order
	Users        []SNMPUser  // in configuration order
}

// SNMPTarget is one "snmp agent" or "snmp trap-host" line (or IOS's
// "snmp-server host"): SNMPv2c with Community, or SNMPv3 with User.
type SNMPTarget struct {
	Address   string // HOST:PORT, the default port added
	Community string // v2c; "" with User
	User      string // v3: a "snmp-server user" name; "" with Community
	// Level is the v3 security level: "noauth", "auth" or "priv" ("" for
	// v2c, and for an agent line: the highest its user's keys give).
	Level  string
	Inform bool // trap hosts: send informs, which wait for an acknowledgement
	Line   int
}

// The v3 security levels, as IOS writes them.
const (
	SNMPNoAuth = "noauth"
	SNMPAuth   = "auth"
	SNMPPriv   = "priv"
)

// SNMPGroup is a "snmp-server group NAME v3 noauth|auth|priv" line: the
// least security level of its users' messages.
type SNMPGroup struct {
	Name  string
	Level string
	Line  int
}

// SNMPUser is a "snmp-server user NAME GROUP v3 [auth md5|sha|sha256 PASS
// [priv aes 128|des PASS]]" line.
type SNMPUser struct {
	Name      string
	Group     string
	AuthProto string // "", "md5", "sha" or "sha256"
	AuthPass  string
	PrivProto string // "", "aes" (AES-128) or "des"
	PrivPass  string
	Line      int
}

// User returns the user called name, or nil.
func (s *SNMP) User(name string) *SNMPUser {
	for i := range s.Users {
		if s.Users[i].Name == name {
			return &s.Users[i]
		}
	}
	return nil
}

// Group returns the group called name, or nil.
func (s *SNMP) Group(name string) *SNMPGroup {
	for i := range s.Groups {
		if s.Groups[i].Name == name {
			return &s.Groups[i]
		}
	}
	return nil
}

// Level is the highest security level the user's keys allow.
func (u *SNMPUser) Level() string {
	switch {
	case u.PrivProto != "":
		return SNMPPriv
	case u.AuthProto != "":
		return SNMPAuth
	}
	return SNMPNoAuth
}

// Clone returns a deep copy.
func (s SNMP) Clone() SNMP {
	if s.Agent != nil {
		a := *s.Agent
		s.Agent = &a
	}
	s.TrapHosts = slices.Clone(s.TrapHosts)
	s.Groups = slices.Clone(s.Groups)
	s.Users = slices.Clone(s.Users)
	return s
}
