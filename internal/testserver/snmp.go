package testserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// SNMPD is a net-snmp agent started for a test: v2c, read-only community
// "public" from 127.0.0.1.
type SNMPD struct {
	*Process
	Addr      string // 127.0.0.1:PORT (UDP)
	Community string
}

// SNMPDSysName is the sysName.0 (1.3.6.1.2.1.1.5.0) a test agent serves;
// its sysLocation.0, the next object, is SNMPDSysLocation.
const (
	SNMPDSysName     = "dsengine-test-agent"
	SNMPDSysLocation = "rack 7, lab"
)

// StartSNMPD starts snmpd on a free UDP port of 127.0.0.1, its state in a
// new temporary directory, and waits until it serves. It loads no MIB
// files (numeric OIDs only, and none of the noise of missing ones). It is
// stopped when the test ends.
func StartSNMPD(t testing.TB) *SNMPD {
	t.Helper()
	return startSNMPD(t, t.TempDir(), "")
}

// SNMPDPassOID is the object StartSNMPDPass's agent serves through a
// `pass` script, under 1.3.6.1.4.1.99999 (a getnext of that base or of
// .1 returns it).
const SNMPDPassOID = "1.3.6.1.4.1.99999.1.0"

// StartSNMPDPass starts an agent as StartSNMPD does that also serves
// SNMPDPassOID through a `pass_persist` script; set changes what it answers from
// the next request on: a net-snmp pass type ("integer", "string",
// "counter", "gauge") and a value.
func StartSNMPDPass(t testing.TB) (a *SNMPD, set func(typ, value string)) {
	t.Helper()
	dir := t.TempDir()
	value := filepath.Join(dir, "value")
	set = func(typ, v string) {
		// Written whole by a rename, so a request never reads half a value.
		WriteFile(t, value+".new", typ+"\n"+v+"\n", 0o644)
		if err := os.Rename(value+".new", value); err != nil {
			t.Fatal(err)
		}
	}
	set("integer", "0")
	// pass_persist, not pass: snmpd caches a pass script's answers for
	// 30 s, and a test changes the value between polls.
	script := filepath.Join(dir, "pass.sh")
	WriteFile(t, script, `#!/bin/sh
oid=.`+SNMPDPassOID+`
while read -r cmd; do
  case "$cmd" in
  PING) echo PONG; continue ;;
  get|getnext) read -r req ;;
  set) read -r req; read -r val; echo not-writable; continue ;;
  *) continue ;;
  esac
  case "$cmd $req" in
  "get $oid"|"getnext .1.3.6.1.4.1.99999"|"getnext .1.3.6.1.4.1.99999.1") echo $oid; cat `+value+` ;;
  *) echo NONE ;;
  esac
done
`, 0o755)
	return startSNMPD(t, dir, "pass_persist .1.3.6.1.4.1.99999 /bin/sh "+script+"\n"), set
}

// SNMPv3User is a USM user of a test agent or trap receiver, in net-snmp's
// words: Auth "MD5", "SHA" or "SHA-256" ("" for noAuthNoPriv), Priv "AES"
// or "DES" ("" for none). Passwords have at least 8 characters.
type SNMPv3User struct {
	Name, Auth, AuthPass, Priv, PrivPass string
}

// createUser is net-snmp's line for u, with engine ID -e HEX when given.
func (u SNMPv3User) createUser(engineID string) string {
	l := "createUser "
	if engineID != "" {
		l += "-e 0x" + engineID + " "
	}
	l += u.Name
	if u.Auth != "" {
		l += " " + u.Auth + " " + u.AuthPass
		if u.Priv != "" {
			l += " " + u.Priv + " " + u.PrivPass
		}
	}
	return l + "\n"
}

// StartSNMPDV3 starts an agent as StartSNMPD does that also answers the
// SNMPv3 users, read-only (rouser, at the level of each user's keys).
func StartSNMPDV3(t testing.TB, users ...SNMPv3User) *SNMPD {
	t.Helper()
	var extra strings.Builder
	for _, u := range users {
		level := "noauth"
		switch {
		case u.Priv != "":
			level = "priv"
		case u.Auth != "":
			level = "auth"
		}
		extra.WriteString(u.createUser(""))
		extra.WriteString("rouser " + u.Name + " " + level + "\n")
	}
	return startSNMPD(t, t.TempDir(), extra.String())
}

func startSNMPD(t testing.TB, dir, extra string) *SNMPD {
	t.Helper()
	Require(t, "snmpd")
	conf := filepath.Join(dir, "snmpd.conf")
	WriteFile(t, conf, fmt.Sprintf("rocommunity public 127.0.0.1\nsysName %s\nsysLocation %s\nsysContact tests\nsysServices 72\n%s",
		SNMPDSysName, SNMPDSysLocation, extra), 0o644)
	addr := Addr(FreeUDPPort(t))
	// -Lo logs to stdout, where "NET-SNMP version" says it is serving.
	// Its persistent state (v3 users, engine boots) stays in dir, not in
	// the host's /var/lib/snmp.
	p := Start(t, dir, "env", "SNMP_PERSISTENT_DIR="+dir, "snmpd", "-f", "-Lo", "-C", "-c", conf, "-M", dir, "-m", "", "-p",
		filepath.Join(dir, "snmpd.pid"), "udp:"+addr)
	waitOutput(t, p, func() string { return p.Output() }, "NET-SNMP version")
	return &SNMPD{Process: p, Addr: addr, Community: "public"}
}

// SNMPTrapd is a net-snmp trap receiver started for a test: it accepts
// every notification and logs each as one line of Log, numeric OIDs and
// varbinds ("... .1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3... <TAB> ...").
type SNMPTrapd struct {
	*Process
	Addr string // 127.0.0.1:PORT (UDP)
	Log  string // the log file
}

// StartSNMPTrapd starts snmptrapd on a free UDP port of 127.0.0.1, its
// state in a new temporary directory, and waits until it receives. It is
// stopped when the test ends.
func StartSNMPTrapd(t testing.TB) *SNMPTrapd {
	t.Helper()
	return startSNMPTrapd(t, "disableAuthorization yes\n")
}

// StartSNMPTrapdV3 starts a trap receiver that accepts only SNMPv3
// notifications of users: traps from the sender engine engineID (hex,
// `createUser -e`), whose passwords are keyed with it, and informs (keyed
// with the receiver's own engine ID); each user is `authUser log`. A
// notification with a wrong password is dropped, and not logged.
func StartSNMPTrapdV3(t testing.TB, engineID string, users ...SNMPv3User) *SNMPTrapd {
	t.Helper()
	var conf strings.Builder
	for _, u := range users {
		conf.WriteString(u.createUser(engineID))
		conf.WriteString(u.createUser(""))
		level := ""
		if u.Auth == "" {
			level = " noauth"
		}
		conf.WriteString("authUser log " + u.Name + level + "\n")
	}
	return startSNMPTrapd(t, conf.String())
}

func startSNMPTrapd(t testing.TB, config string) *SNMPTrapd {
	t.Helper()
	Require(t, "snmptrapd")
	dir := t.TempDir()
	conf := filepath.Join(dir, "snmptrapd.conf")
	WriteFile(t, conf, config, 0o644)
	logFile := filepath.Join(dir, "traps.log")
	addr := Addr(FreeUDPPort(t))
	p := Start(t, dir, "env", "SNMP_PERSISTENT_DIR="+dir, "snmptrapd", "-f", "-Lf", logFile, "-C", "-c", conf, "-On", "-M", dir, "-m", "",
		"-p", filepath.Join(dir, "snmptrapd.pid"), "udp:"+addr)
	read := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	waitOutput(t, p, read, "NET-SNMP version")
	return &SNMPTrapd{Process: p, Addr: addr, Log: logFile}
}

// Traps returns the traps logged so far, one string each.
func (s *SNMPTrapd) Traps() []string {
	b, _ := os.ReadFile(s.Log)
	var traps []string
	// Each trap is a header line ("DATE HOST [UDP: ...]:") and a line
	// of varbinds separated by tabs.
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, " = ") {
			traps = append(traps, l)
		}
	}
	return traps
}

// waitOutput waits until read() holds want, failing the test with the
// server's output if the server exits or StartTimeout passes first.
func waitOutput(t testing.TB, p *Process, read func() string, want string) {
	t.Helper()
	ok := Poll(StartTimeout, 10*time.Millisecond, func() bool {
		return strings.Contains(read(), want) || rsyslogExited(p)
	})
	if !ok || !strings.Contains(read(), want) {
		t.Fatalf("%s did not start within %s:\n%s\n%s", p.Name, StartTimeout, p.Output(), read())
	}
}
