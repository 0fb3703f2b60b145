package journal

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/events/source/crash"
)

// CoredumpMessageID is the MESSAGE_ID of systemd-coredump's records.
const CoredumpMessageID = "fc2e22bc6ee647b6b90729ab34a250b1"

// MaxLine is the longest message the source hands on; a longer one is cut.
const MaxLine = 8 << 10

// fields is one journal record: its fields' values as text.
type fields map[string]string

// parseRecord reads one line of `journalctl --output=json`. A value is a
// string, an array of numbers (a field that is not UTF-8 text, as bytes),
// null (a field journalctl did not print), or an array of those (a field
// the record has several times: the first is kept).
func parseRecord(line []byte) (fields, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, err
	}
	f := make(fields, len(raw))
	for k, v := range raw {
		s, err := value(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		f[k] = s
	}
	return f, nil
}

func value(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(v, &arr); err != nil {
		if string(v) == "null" {
			return "", nil
		}
		return "", err
	}
	if len(arr) == 0 {
		return "", nil
	}
	var b []byte
	for _, e := range arr {
		n, err := strconv.ParseUint(string(e), 10, 8)
		if err != nil { // not bytes: several values, keep the first
			return value(arr[0])
		}
		b = append(b, byte(n))
	}
	return string(b), nil
}

// time is when the record happened: _SOURCE_REALTIME_TIMESTAMP, else
// __REALTIME_TIMESTAMP (microseconds since the epoch); ok is false when
// it has neither.
func (f fields) time() (time.Time, bool) {
	for _, k := range []string{"_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP"} {
		if us, err := strconv.ParseInt(f[k], 10, 64); err == nil && us > 0 {
			return time.UnixMicro(us), true
		}
	}
	return time.Time{}, false
}

// ident is the record's facility in the %TAG: SYSLOG_IDENTIFIER, else
// _COMM, else JOURNAL, in upper case with what is not a letter, a digit
// or _ as _ ("systemd-coredump" → SYSTEMD_COREDUMP).
func (f fields) ident() string {
	id := f["SYSLOG_IDENTIFIER"]
	if id == "" {
		id = f["_COMM"]
	}
	if id == "" {
		return "JOURNAL"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			return r
		}
		return '_'
	}, id)
}

// Line is the record's IOS-shaped line: "%IDENT-SEV-LOG: MESSAGE", SEV the
// PRIORITY (6, informational, when it has none), MESSAGE's first line
// (cut at MaxLine); cut reports a cut.
func (f fields) Line() (line string, cut bool) {
	sev := 6
	if p, err := strconv.Atoi(f["PRIORITY"]); err == nil && p >= 0 && p <= 7 {
		sev = p
	}
	msg := f["MESSAGE"]
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > MaxLine {
		msg, cut = msg[:MaxLine], true
	}
	return "%" + f.ident() + "-" + strconv.Itoa(sev) + "-LOG: " + strings.TrimRight(msg, "\r"), cut
}

// crash returns the crash the record reports: a systemd-coredump record,
// or a kernel record (_TRANSPORT=kernel) with a crash line.
func (f fields) crash(at time.Time) (crash.Event, bool) {
	if f["MESSAGE_ID"] == CoredumpMessageID {
		pid, _ := strconv.Atoi(f["COREDUMP_PID"])
		sig, _ := strconv.Atoi(f["COREDUMP_SIGNAL"])
		name := f["COREDUMP_COMM"]
		if name == "" {
			name = filepath.Base(f["COREDUMP_EXE"])
		}
		msg := f["MESSAGE"]
		e := crash.Event{Time: at, Kind: crash.KindProcess, Source: "journal", Process: name, PID: pid, Signal: sig,
			CoreFile: f["COREDUMP_FILENAME"], Text: msg}
		if i := strings.Index(msg, "Stack trace of thread"); i >= 0 {
			e.Backtrace, e.Text = msg[i:], strings.TrimSpace(msg[:i])
		}
		if exe := f["COREDUMP_EXE"]; exe != "" {
			e.Text = strings.TrimSpace(e.Text + "\nExecutable: " + exe)
		}
		if e.CoreFile != "" {
			e.CoreNote = "not attached (source coredump attaches core files)"
		}
		return e, true
	}
	if f["_TRANSPORT"] == "kernel" {
		return crash.FromKernel(f["MESSAGE"], at, "journal")
	}
	return crash.Event{}, false
}
