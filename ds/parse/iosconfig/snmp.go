package iosconfig

import (
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/snmp"
)

const snmpUsage = "usage: snmp agent HOST[:PORT] {community NAME | user USER}, " +
	"or snmp trap-host HOST[:PORT] {community NAME | user USER noauth|auth|priv} [informs]"

// snmp reads the dsengine block's "snmp agent HOST[:PORT] community
// NAME|user USER" (the agent "action info type snmp" and "event snmp"
// ask, port 161 by default; a v3 user of "snmp-server user", at its
// group's security level) and "snmp trap-host HOST[:PORT] community
// NAME|user USER LEVEL [informs]" (a receiver of "action snmp-trap", port
// 162 by default; one line per receiver).
func (p *parser) snmp(n *node, args []string) {
	if len(args) < 4 || args[3] == "" {
		p.errorf(n.line, snmpUsage)
		return
	}
	kind, how := strings.ToLower(args[0]), strings.ToLower(args[2])
	port := snmp.AgentPort
	switch kind {
	case "agent":
	case "trap-host":
		port = snmp.TrapPort
	default:
		p.errorf(n.line, snmpUsage)
		return
	}
	t := config.SNMPTarget{Line: n.line}
	rest := args[4:]
	switch how {
	case "community":
		t.Community = args[3]
	case "user":
		t.User = args[3]
		if kind == "trap-host" {
			if len(rest) == 0 || !isLevel(rest[0]) {
				p.errorf(n.line, "snmp trap-host %s user %s: needs the security level noauth, auth or priv; %s", args[1], args[3], snmpUsage)
				return
			}
			t.Level, rest = strings.ToLower(rest[0]), rest[1:]
		}
	default:
		p.errorf(n.line, snmpUsage)
		return
	}
	if kind == "trap-host" && len(rest) == 1 && strings.EqualFold(rest[0], "informs") {
		t.Inform, rest = true, nil
	}
	if len(rest) > 0 {
		p.errorf(n.line, snmpUsage)
		return
	}
	addr, err := snmp.WithPort(args[1], port)
	if err != nil {
		p.errorf(n.line, "snmp %s: %v", kind, err)
		return
	}
	t.Address = addr
	s := &p.cfg.Host.SNMP
	if kind == "trap-host" {
		addTrapHost(s, t)
		return
	}
	s.Agent = &t
}

// addTrapHost adds t, or as IOS replaces the receiver at its address.
func addTrapHost(s *config.SNMP, t config.SNMPTarget) {
	if i := slices.IndexFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == t.Address }); i >= 0 {
		s.TrapHosts[i] = t
		return
	}
	s.TrapHosts = append(s.TrapHosts, t)
}

func isLevel(w string) bool {
	switch strings.ToLower(w) {
	case config.SNMPNoAuth, config.SNMPAuth, config.SNMPPriv:
		return true
	}
	return false
}

// levelRank orders the security levels.
func levelRank(l string) int {
	return map[string]int{config.SNMPNoAuth: 0, config.SNMPAuth: 1, config.SNMPPriv: 2}[l]
}

// snmpNo handles "no snmp agent [...]" (there is one agent) and "no snmp
// trap-host HOST[:PORT] [community NAME]" (the receiver at that address).
func (p *parser) snmpNo(n *node, args []string) {
	s := &p.cfg.Host.SNMP
	kind := ""
	if len(args) > 0 {
		kind = strings.ToLower(args[0])
	}
	switch {
	case kind == "agent":
		s.Agent = nil
	case kind == "trap-host" && len(args) >= 2:
		addr, err := snmp.WithPort(args[1], snmp.TrapPort)
		if err != nil {
			p.errorf(n.line, "no snmp trap-host: %v", err)
			return
		}
		s.TrapHosts = slices.DeleteFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == addr })
	default:
		p.errorf(n.line, "usage: no snmp agent, or no snmp trap-host HOST[:PORT]")
	}
}

const snmpServerUsage = "usage: snmp-server host ADDRESS [traps|informs] [version 2c] COMMUNITY [udp-port PORT] [event-manager], " +
	"snmp-server host ADDRESS [traps|informs] version 3 noauth|auth|priv USER [udp-port PORT] [event-manager], " +
	"snmp-server group GROUP v3 noauth|auth|priv, " +
	"snmp-server user USER GROUP v3 [auth md5|sha|sha256 PASSWORD [priv aes 128|des PASSWORD]], " +
	"snmp-server engineID local HEX, or snmp-server enable traps event-manager"

// minPassword is net-snmp's shortest v3 password (IOS takes shorter ones,
// which a net-snmp receiver or agent then refuses).
const minPassword = 8

// snmpServer reads IOS's global snmp-server lines: "snmp-server host
// ADDRESS [traps|informs] [version 2c|3 LEVEL] COMMUNITY|USER [udp-port N]
// [NOTIFICATION-TYPE ...]" into the same list as the dsengine block's
// "snmp trap-host" (which is how the configuration is written back), the
// SNMPv3 "snmp-server group", "snmp-server user" and "snmp-server engineID
// local", and accepts "snmp-server enable traps event-manager". Version 1
// is refused. A host whose notification types leave out event-manager
// gets no EEM traps on IOS, and none here: the line is accepted and
// warned about.
func (p *parser) snmpServer(n *node, args []string, neg bool) {
	low := func(i int) string {
		if i < len(args) {
			return strings.ToLower(args[i])
		}
		return ""
	}
	switch low(0) {
	case "enable":
		if len(args) != 3 || low(1) != "traps" || low(2) != "event-manager" {
			p.errorf(n.line, snmpServerUsage)
		}
		return
	case "group":
		p.snmpGroup(n, args, neg)
		return
	case "user":
		p.snmpUser(n, args, neg)
		return
	case "engineid":
		p.snmpEngineID(n, args, neg)
		return
	}
	if low(0) != "host" || len(args) < 2 {
		p.errorf(n.line, snmpServerUsage)
		return
	}
	addr, i := args[1], 2
	port := snmp.TrapPort
	for k := 2; k+1 < len(args); k++ {
		if strings.EqualFold(args[k], "udp-port") {
			v, err := strconv.Atoi(args[k+1])
			if err != nil || v < 1 || v > 65535 {
				p.errorf(n.line, "snmp-server host %s: udp-port %q is not a port 1-65535", addr, args[k+1])
				return
			}
			port = v
		}
	}
	full, err := snmp.WithPort(addr, port)
	if err != nil {
		p.errorf(n.line, "snmp-server host: %v", err)
		return
	}
	s := &p.cfg.Host.SNMP
	if neg {
		// The other words of a no line do not matter.
		s.TrapHosts = slices.DeleteFunc(s.TrapHosts, func(h config.SNMPTarget) bool { return h.Address == full })
		return
	}
	t := config.SNMPTarget{Address: full, Line: n.line}
	switch low(i) {
	case "informs":
		t.Inform = true
		i++
	case "traps":
		i++
	}
	v3 := false
	if low(i) == "version" {
		switch low(i + 1) {
		case "2c":
		case "3":
			v3 = true
		case "1":
			p.errorf(n.line, "snmp-server host %s version 1: refused: dsengine sends SNMPv2c or SNMPv3 notifications; write version 2c, or version 3 LEVEL USER", addr)
			return
		default:
			p.errorf(n.line, snmpServerUsage)
			return
		}
		i += 2
	}
	if v3 {
		if !isLevel(low(i)) {
			p.errorf(n.line, "snmp-server host %s version 3: needs the security level noauth, auth or priv, then the user", addr)
			return
		}
		t.Level = low(i)
		i++
	}
	if i >= len(args) || args[i] == "" || strings.EqualFold(args[i], "udp-port") {
		what := "community"
		if v3 {
			what = "user"
		}
		p.errorf(n.line, "snmp-server host %s: missing the %s; %s", addr, what, snmpServerUsage)
		return
	}
	if v3 {
		t.User = args[i]
	} else {
		t.Community = args[i]
	}
	eem, types := true, false // no notification type: every type, as IOS
	for i++; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "udp-port":
			i++
		case "event-manager":
			types, eem = true, true
		default:
			if !types {
				types, eem = true, false
			}
		}
	}
	if !eem {
		p.warnf(n.line, "snmp-server host %s names notification types without event-manager: it gets no EEM traps", addr)
		return
	}
	addTrapHost(s, t)
}

// snmpGroup reads "snmp-server group NAME v3 noauth|auth|priv" (IOS's
// read, write, notify and access words after it are accepted and warned
// about: dsengine serves no MIB views), and "no snmp-server group NAME
// [v3 ...]".
func (p *parser) snmpGroup(n *node, args []string, neg bool) {
	usage := "usage: snmp-server group GROUP v3 noauth|auth|priv"
	if len(args) < 2 {
		p.errorf(n.line, "%s", usage)
		return
	}
	s := &p.cfg.Host.SNMP
	name := args[1]
	if neg {
		s.Groups = slices.DeleteFunc(s.Groups, func(g config.SNMPGroup) bool { return g.Name == name })
		return
	}
	if len(args) < 4 || !strings.EqualFold(args[2], "v3") {
		if len(args) >= 3 && (args[2] == "v1" || args[2] == "v2c") {
			p.errorf(n.line, "snmp-server group %s %s: refused: only v3 groups have users; write snmp-server group %s v3 noauth|auth|priv", name, args[2], name)
			return
		}
		p.errorf(n.line, "%s", usage)
		return
	}
	if !isLevel(args[3]) {
		p.errorf(n.line, "snmp-server group %s v3: %q is not a security level; expected noauth, auth or priv", name, args[3])
		return
	}
	if len(args) > 4 {
		p.warnf(n.line, "snmp-server group %s: dsengine serves no MIB views; the words after %s are ignored", name, args[3])
	}
	g := config.SNMPGroup{Name: name, Level: strings.ToLower(args[3]), Line: n.line}
	if i := slices.IndexFunc(s.Groups, func(x config.SNMPGroup) bool { return x.Name == name }); i >= 0 {
		s.Groups[i] = g
		return
	}
	s.Groups = append(s.Groups, g)
}

// snmpUser reads "snmp-server user USER GROUP v3 [auth md5|sha|sha256
// PASSWORD [priv aes 128|des PASSWORD]]" and "no snmp-server user USER
// [GROUP v3]". Passwords have at least 8 characters, as net-snmp wants.
func (p *parser) snmpUser(n *node, args []string, neg bool) {
	usage := "usage: snmp-server user USER GROUP v3 [auth md5|sha|sha256 PASSWORD [priv aes 128|des PASSWORD]]"
	if len(args) < 2 {
		p.errorf(n.line, "%s", usage)
		return
	}
	s := &p.cfg.Host.SNMP
	name := args[1]
	if neg {
		s.Users = slices.DeleteFunc(s.Users, func(u config.SNMPUser) bool { return u.Name == name })
		return
	}
	if len(args) < 4 || !strings.EqualFold(args[3], "v3") {
		p.errorf(n.line, "%s", usage)
		return
	}
	u := config.SNMPUser{Name: name, Group: args[2], Line: n.line}
	rest := args[4:]
	password := func(what, pw string) bool {
		if len(pw) < minPassword {
			p.errorf(n.line, "snmp-server user %s: the %s password has %d characters; net-snmp refuses fewer than %d: give a longer one", name, what, len(pw), minPassword)
			return false
		}
		return true
	}
	if len(rest) > 0 {
		if len(rest) < 3 || !strings.EqualFold(rest[0], "auth") {
			p.errorf(n.line, "%s", usage)
			return
		}
		switch proto := strings.ToLower(rest[1]); proto {
		case "md5", "sha", "sha256":
			u.AuthProto = proto
		default:
			p.errorf(n.line, "snmp-server user %s: auth %q: expected md5, sha or sha256", name, rest[1])
			return
		}
		if u.AuthPass = rest[2]; !password("auth", u.AuthPass) {
			return
		}
		rest = rest[3:]
	}
	if len(rest) > 0 {
		if !strings.EqualFold(rest[0], "priv") || len(rest) < 3 {
			p.errorf(n.line, "%s", usage)
			return
		}
		switch strings.ToLower(rest[1]) {
		case "aes":
			if rest[2] != "128" || len(rest) < 4 {
				p.errorf(n.line, "snmp-server user %s: priv aes %s: dsengine has AES-128 only: write priv aes 128 PASSWORD", name, rest[2])
				return
			}
			u.PrivProto, rest = "aes", rest[1:]
		case "des":
			u.PrivProto = "des"
		default:
			p.errorf(n.line, "snmp-server user %s: priv %q: expected aes 128 or des", name, rest[1])
			return
		}
		if u.PrivPass = rest[2]; !password("priv", u.PrivPass) {
			return
		}
		rest = rest[3:]
	}
	if len(rest) > 0 {
		p.errorf(n.line, "snmp-server user %s: %q after the passwords; %s", name, rest[0], usage)
		return
	}
	if i := slices.IndexFunc(s.Users, func(x config.SNMPUser) bool { return x.Name == name }); i >= 0 {
		s.Users[i] = u
		return
	}
	s.Users = append(s.Users, u)
}

// snmpEngineID reads "snmp-server engineID local HEX" and "no
// snmp-server engineID local".
func (p *parser) snmpEngineID(n *node, args []string, neg bool) {
	s := &p.cfg.Host.SNMP
	if len(args) < 2 || !strings.EqualFold(args[1], "local") || (!neg && len(args) != 3) {
		p.errorf(n.line, "usage: snmp-server engineID local HEX (10 to 64 hexadecimal digits)")
		return
	}
	if neg {
		s.EngineID, s.EngineIDLine = "", 0
		return
	}
	b, err := snmp.ParseEngineID(args[2])
	if err != nil {
		p.errorf(n.line, "snmp-server %v", err)
		return
	}
	s.EngineID, s.EngineIDLine = hex.EncodeToString(b), n.line
}

// finishSNMP checks what the v3 lines name, once every line is read (IOS
// takes them in any order): a user's group, and a host's or the agent's
// user and level.
func (p *parser) finishSNMP() {
	s := &p.cfg.Host.SNMP
	for _, u := range s.Users {
		g := s.Group(u.Group)
		if g == nil {
			p.errorf(u.Line, "snmp-server user %s: there is no group %s; add snmp-server group %s v3 noauth|auth|priv", u.Name, u.Group, u.Group)
			continue
		}
		if levelRank(g.Level) > levelRank(u.Level()) {
			p.errorf(u.Line, "snmp-server user %s: group %s needs %s, and the user's keys give %s; add the auth (and priv) passwords, or lower the group's level", u.Name, g.Name, g.Level, u.Level())
		}
	}
	check := func(t *config.SNMPTarget, what string) {
		if t.User == "" {
			return
		}
		u := s.User(t.User)
		if u == nil {
			p.errorf(t.Line, "%s %s: there is no SNMPv3 user %s; add snmp-server user %s GROUP v3 ...", what, t.Address, t.User, t.User)
			return
		}
		if t.Level != "" && levelRank(t.Level) > levelRank(u.Level()) {
			p.errorf(t.Line, "%s %s: security level %s is above what user %s's keys give (%s); lower it, or give the user the passwords", what, t.Address, t.Level, t.User, u.Level())
		}
	}
	if s.Agent != nil {
		check(s.Agent, "snmp agent")
	}
	for i := range s.TrapHosts {
		check(&s.TrapHosts[i], "trap host")
	}
}

// snmpWho is the end of an agent or trap-host line: the community, or
// the v3 user (and a trap host's level), then informs.
func snmpWho(t config.SNMPTarget) string {
	w := " community " + formatWord(t.Community)
	if t.User != "" {
		w = " user " + formatWord(t.User)
		if t.Level != "" {
			w += " " + t.Level
		}
	}
	if t.Inform {
		w += " informs"
	}
	return w
}

// snmpServer writes the v3 lines as IOS's global commands, passwords in
// clear. IOS keeps its v3 users out of running-config (they live in its
// SNMP engine's own store); dsengine's configuration file is their only
// store, so show running-config writes them, as it writes the
// communities: protect the file as you protect them.
func (f *formatter) snmpServer(s *config.SNMP) {
	if s.EngineID != "" {
		f.line(0, "snmp-server engineID local "+s.EngineID)
	}
	for _, g := range s.Groups {
		f.line(0, "snmp-server group "+formatWord(g.Name)+" v3 "+g.Level)
	}
	for _, u := range s.Users {
		l := "snmp-server user " + formatWord(u.Name) + " " + formatWord(u.Group) + " v3"
		if u.AuthProto != "" {
			l += " auth " + u.AuthProto + " " + formatWord(u.AuthPass)
			switch u.PrivProto {
			case "aes":
				l += " priv aes 128 " + formatWord(u.PrivPass)
			case "des":
				l += " priv des " + formatWord(u.PrivPass)
			}
		}
		f.line(0, l)
	}
}

// snmpSyntax is the dsengine block's snmp line, for ? and Tab.
func snmpSyntax() *syn {
	levels := func(next ...*syn) []*syn {
		return []*syn{k("noauth", "No authentication", next...), k("auth", "Authentication, no privacy", next...),
			k("priv", "Authentication and privacy (encryption)", next...)}
	}
	informs := k("informs", "Send informs, acknowledged by the receiver", cr)
	return k("snmp", "The SNMP agent and trap receivers of the applets' SNMP actions",
		k("agent", "The agent action info type snmp and event snmp ask (one)",
			word("HOST[:PORT], port 161 by default",
				k("community", "SNMPv2c community of the agent", word("Community name")),
				k("user", "SNMPv3 user (snmp-server user) of the agent", word("User name")))),
		k("trap-host", "A receiver of action snmp-trap (one line each)",
			word("HOST[:PORT], port 162 by default",
				k("community", "SNMPv2c community of the traps", word("Community name", cr, informs)),
				k("user", "SNMPv3 user (snmp-server user) of the traps", word("User name", levels(cr, informs)...)))))
}

// snmpServerSyntax is IOS's global snmp-server lines dsengine models.
func snmpServerSyntax() *syn {
	levels := func(next ...*syn) []*syn {
		return []*syn{k("noauth", "No authentication", next...), k("auth", "Authentication, no privacy", next...),
			k("priv", "Authentication and privacy (encryption)", next...)}
	}
	hostEnd := []*syn{cr, k("udp-port", "The notification host's UDP port number", num("<1-65535>", "Port", cr,
		k("event-manager", "Allow SNMP Embedded Event Manager traps", cr))),
		k("event-manager", "Allow SNMP Embedded Event Manager traps", cr)}
	version := k("version", "SNMP version to use for notification messages",
		k("2c", "Use SNMPv2c", word("SNMPv2c community string", hostEnd...)),
		k("3", "Use the SNMPv3 security model", levels(word("SNMPv3 user name", hostEnd...))...))
	privPass := word("Privacy password (at least 8 characters)")
	authPass := word("Authentication password (at least 8 characters)", cr,
		k("priv", "Encryption parameters for the user",
			k("aes", "Use 128 bit AES algorithm for encryption", k("128", "Use 128 bit AES algorithm for encryption", privPass)),
			k("des", "Use 56 bit DES algorithm for encryption", privPass)))
	return k("snmp-server", "Modify SNMP engine parameters",
		k("host", "Specify hosts to receive SNMP notifications", word("IP address or host name of the notification host",
			k("traps", "Send Trap messages to this host", version, word("SNMPv2c community string", hostEnd...)),
			k("informs", "Send Inform messages to this host", version, word("SNMPv2c community string", hostEnd...)),
			version, word("SNMPv2c community string", hostEnd...))),
		k("group", "Define a User Security Model group", word("Name of the group", k("v3", "group using the User Security Model (SNMPv3)", levels(cr)...))),
		k("user", "Define a user who can access the SNMP engine", word("Name of the user", word("Group to which the user belongs",
			k("v3", "user using the v3 security model", cr, k("auth", "authentication parameters for the user",
				k("md5", "Use HMAC MD5 algorithm for authentication", authPass),
				k("sha", "Use HMAC SHA algorithm for authentication", authPass),
				k("sha256", "Use HMAC SHA256 algorithm for authentication", authPass)))))),
		k("engineID", "Configure a local or remote SNMPv3 engineID", k("local", "engineID of the local agent",
			word("engine ID octet string (10 to 64 hexadecimal digits)"))),
		k("enable", "Enable SNMP Traps or Informs", k("traps", "Enable SNMP Traps", k("event-manager", "Allow SNMP Embedded Event Manager traps", cr))))
}
