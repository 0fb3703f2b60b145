package config

// SNMP is what the applets' SNMP actions reach, from the dsengine block:
// "snmp agent HOST[:PORT] community NAME" (the agent of "action info type
// snmp", port 161 by default) and "snmp trap-host HOST[:PORT] community
// NAME" lines (the receivers of "action snmp-trap", port 162 by default).
type SNMP struct {
	Agent     *SNMPTarget  // nil when there is no "snmp agent" line
	TrapHosts []SNMPTarget // in configuration order
}

// SNMPTarget is one "snmp agent" or "snmp trap-host" line.
type SNMPTarget struct {
	Address   string // HOST:PORT, the default port added
	Community string
	Line      int
}
