package kmsg

import (
	"bytes"
	"strconv"
	"time"
)

// MaxLine is the longest message the source hands on; a longer one is cut
// there and counted.
const MaxLine = 8 << 10

// facilities are the syslog facilities' names, by number: the %TAG's
// facility of a record.
var facilities = []string{"KERN", "USER", "MAIL", "DAEMON", "AUTH", "SYSLOG", "LPR", "NEWS", "UUCP", "CRON",
	"AUTHPRIV", "FTP", "NTP", "SECURITY", "CONSOLE", "SOLARIS", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4",
	"LOCAL5", "LOCAL6", "LOCAL7"}

// record is one /dev/kmsg record.
type record struct {
	pri  int
	seq  uint64
	ts   time.Duration // since boot
	text string
	cut  bool // text was longer than MaxLine
}

// parseRecord reads "PRI,SEQ,TSUSEC,FLAGS[,…];MESSAGE" and the
// continuation lines (" KEY=VALUE", ignored) of Documentation/ABI/testing/
// dev-kmsg; ok is false when the header is not one.
func parseRecord(b []byte) (r record, ok bool) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	semi := bytes.IndexByte(b, ';')
	if semi < 0 {
		return r, false
	}
	fields := bytes.Split(b[:semi], []byte(","))
	if len(fields) < 3 {
		return r, false
	}
	pri, err1 := strconv.Atoi(string(fields[0]))
	seq, err2 := strconv.ParseUint(string(fields[1]), 10, 64)
	us, err3 := strconv.ParseInt(string(fields[2]), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || pri < 0 || pri > 191 {
		return r, false
	}
	msg := b[semi+1:]
	if len(msg) > MaxLine {
		msg, r.cut = msg[:MaxLine], true
	}
	r.pri, r.seq, r.ts, r.text = pri, seq, time.Duration(us)*time.Microsecond, string(msg)
	return r, true
}

// Line is the record's IOS-shaped line: "%KERN-3-MSG: TEXT", the facility
// of its priority (KERN for the kernel's own, USER for a line a program
// wrote to /dev/kmsg without a facility), the severity its level.
func (r record) Line() string {
	f := r.pri >> 3
	name := "FACILITY" + strconv.Itoa(f)
	if f < len(facilities) {
		name = facilities[f]
	}
	return "%" + name + "-" + strconv.Itoa(r.pri&7) + "-MSG: " + r.text
}
