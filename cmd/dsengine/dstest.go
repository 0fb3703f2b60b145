package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	// ds test reads --tz zones the same on any machine, with or without
	// the system's zoneinfo.
	_ "time/tzdata"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/replay"
	"github.com/dsengine/dsengine/internal/english"
)

func dstestFlags(fs *flag.FlagSet) {
	fs.String("syslog", "", "replay this syslog `LOG` file (RFC 3164/5424 or IOS lines); - for standard input")
	fs.String("device", "", "`DIR` of canned command outputs: DIR/show_interfaces_Gi1_0_5.txt for `show interfaces Gi1/0/5`")
	fs.Var(setFlag{}, "set", "a prompt or environment variable: `ds_x=value` (repeatable); a prompt without one takes its default")
	fs.Bool("json", false, "one JSON object a line: time, ds, kind, type, detail")
	fs.Int("expect", -1, "exit 1 unless each DS completed exactly `N` runs (a pending DS fails)")
	fs.Int("expect-triggers", -1, "exit 1 unless each DS triggered exactly `N` times (a pending DS fails)")
	fs.String("hostname", "", "the device's host `NAME` (ds_hostname, lines without a host); default the configuration's hostname")
	fs.String("tz", "", "the device's time `ZONE` (an IANA name such as Europe/Paris): stamps without a zone are read in it, cron runs in it, times are printed in it; default UTC")
}

// runDSTest replays a syslog file against DS files and prints what would
// fire and what each action would do. Nothing leaves the machine.
func runDSTest(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) == 0 {
		return usagef("name at least one DS file")
	}
	logPath := fs.Lookup("syslog").Value.String()
	asJSON := fs.Lookup("json").Value.(flag.Getter).Get().(bool)
	expect := fs.Lookup("expect").Value.(flag.Getter).Get().(int)
	expectTriggers := fs.Lookup("expect-triggers").Value.(flag.Getter).Get().(int)
	values := map[string]string(fs.Lookup("set").Value.(setFlag))
	loc := time.UTC
	if tz := fs.Lookup("tz").Value.String(); tz != "" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil {
			return usagef("--tz %s refused: %v; give an IANA zone name such as Europe/Paris, or UTC", tz, err)
		}
	}

	var sigs []*ds.Signature
	names := map[string]string{}
	for _, path := range args {
		sig, err := lintFile(path)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			return errSilent
		}
		if _, dup := names[sig.ID]; dup {
			return fmt.Errorf("%s: DS %s is given twice", path, sig.ID)
		}
		names[sig.ID] = sig.Name
		sigs = append(sigs, sig)
	}

	var log io.Reader = eofReader{}
	ref, refIs := e.now(), "now"
	switch logPath {
	case "":
	case "-":
		log = e.stdin
	default:
		f, err := os.Open(logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			ref, refIs = st.ModTime(), "the log file's modification time"
		}
		log = f
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	// Without --tz, the zone of the configuration's `clock timezone` and
	// `clock summer-time`, as the daemon reads its devices' stamps.
	if fs.Lookup("tz").Value.String() == "" && !cfg.Clock.IsZero() {
		loc = cfg.Clock.Location()
	}
	host := lifecycle.HostOf(cfg)
	if name := fs.Lookup("hostname").Value.String(); name != "" {
		host.Hostname = name
	}
	// The records are buffered: a replay that fires on most lines spent a
	// quarter of its time in one write per record.
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	opts := replay.Options{
		Hostname: host.Hostname, Values: values, Device: fs.Lookup("device").Value.String(), Reference: ref,
		Location: loc, Config: cfg, Tracks: cfg.Tracks,
		Report: func(r engine.Record) { printRecord(out, r, loc, asJSON) },
	}
	start := time.Now()
	sum, err := replay.Run(e.ctx, sigs, log, opts)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	ids := make([]string, 0, len(sigs))
	for _, sig := range sigs {
		ids = append(ids, sig.ID)
	}
	ds.SortIDs(ids)
	failed := false
	for _, id := range ids {
		status := ""
		why, pending := sum.Pending[id]
		if pending {
			status = " (pending: " + why + ")"
		}
		for _, x := range []struct {
			flag      string
			want, got int
			what      string
		}{{"--expect", expect, sum.Runs[id], "completed run"}, {"--expect-triggers", expectTriggers, sum.Triggers[id], "trigger"}} {
			switch {
			case x.want < 0:
			case pending:
				failed = true
				status += fmt.Sprintf(" — %s %d fails: the DS is pending, so it never ran", x.flag, x.want)
			case x.got != x.want:
				failed = true
				status += " — expected " + english.Plural(x.want, x.what)
			}
		}
		// With --json, standard output holds only the records.
		w := e.stdout
		if asJSON {
			w = e.stderr
		}
		suppressed := ""
		if n := sum.Suppressed[id]; n > 0 {
			suppressed = fmt.Sprintf(", %d suppressed by a script", n)
		}
		fmt.Fprintf(w, "DS %s %s: triggered %s, %s completed%s%s\n", id, names[id],
			english.Plural(sum.Triggers[id], "time"), english.Plural(sum.Runs[id], "run"), suppressed, status)
	}
	reportLog(e.stderr, sum, ref, refIs, loc)
	fmt.Fprintf(e.stderr, "replayed %s (%s to %s of log time) in %s\n", english.Plural(sum.Lines, "line"),
		sum.Start.In(loc).Format(time.DateTime), sum.End.In(loc).Format(time.DateTime), elapsed.Round(time.Millisecond))
	if failed {
		return errSilent
	}
	return nil
}

// reportLog says which lines of the log were replayed at a time other
// than their own: without a readable timestamp, or going back in time.
func reportLog(w io.Writer, sum replay.Summary, ref time.Time, refIs string, loc *time.Location) {
	switch {
	case sum.Undated == 0:
	case sum.Undated == sum.Lines:
		were := " were"
		if sum.Lines == 1 {
			were = " was"
		}
		fmt.Fprintf(w, "no line of the log has a timestamp ds test can read, so its %s%s replayed at %s (%s); log with `service timestamps log datetime msec` and replay again\n",
			english.Plural(sum.Lines, "line"), were, ref.In(loc).Format(time.DateTime), refIs)
	default:
		fmt.Fprintf(w, "%s of %d had no timestamp ds test can read; each was replayed at the time of the dated line before it:\n",
			english.Plural(sum.Undated, "line"), sum.Lines)
		for _, l := range sum.FirstUndated {
			fmt.Fprintf(w, "  line %d: %s\n", l.N, l.Text)
		}
		if more := sum.Undated - len(sum.FirstUndated); more > 0 {
			fmt.Fprintf(w, "  and %d more\n", more)
		}
	}
	if sum.Backwards > 0 {
		fmt.Fprintf(w, "the log goes back in time on %s; the replay clock does not go back, so each was replayed at the time it had reached:\n",
			english.Plural(sum.Backwards, "line"))
		for _, l := range sum.FirstBackwards {
			fmt.Fprintf(w, "  line %d, %s back: %s\n", l.N, l.Back, l.Text)
		}
		if more := sum.Backwards - len(sum.FirstBackwards); more > 0 {
			fmt.Fprintf(w, "  and %d more\n", more)
		}
	}
}

func printRecord(w io.Writer, r engine.Record, loc *time.Location, asJSON bool) {
	if asJSON {
		out, _ := json.Marshal(struct {
			Time   string `json:"time"`
			DS     string `json:"ds"`
			Kind   string `json:"kind"`
			Type   string `json:"type"`
			Detail string `json:"detail"`
		}{r.Time.In(loc).Format(time.RFC3339Nano), r.DS, r.Kind, r.Type, r.Detail})
		fmt.Fprintln(w, string(out))
		return
	}
	// As fmt's "%s  %-5s %-8s %-10s %s\n" would, appended into one
	// buffer: fmt's interface conversions were a seventh of a replay.
	var buf [256]byte
	b := r.Time.In(loc).AppendFormat(buf[:0], time.DateTime)
	b = append(b, "  "...)
	b = appendPadded(b, r.DS, 5)
	b = appendPadded(append(b, ' '), r.Kind, 8)
	b = appendPadded(append(b, ' '), r.Type, 10)
	b = append(b, ' ')
	for i := 0; i < len(r.Detail); i++ {
		if c := r.Detail[i]; c == '\n' {
			b = append(b, ' ')
		} else {
			b = append(b, c)
		}
	}
	w.Write(append(b, '\n'))
}

// appendPadded appends s and spaces up to width runes, as fmt's %-Ns.
func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
