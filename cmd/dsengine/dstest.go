package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/lifecycle"
	"github.com/dsengine/dsengine/ds/replay"
	"github.com/dsengine/dsengine/internal/english"
)

func dstestFlags(fs *flag.FlagSet) {
	fs.String("syslog", "", "replay this syslog `LOG` file (RFC 3164/5424 or IOS lines); - for standard input")
	fs.String("device", "", "`DIR` of canned command outputs: DIR/show_interfaces_Gi1_0_5.txt for `show interfaces Gi1/0/5`")
	fs.Var(setFlag{}, "set", "a prompt or environment variable: `ds_x=value` (repeatable)")
	fs.Bool("json", false, "one JSON object a line: time, ds, kind, type, detail")
	fs.Int("expect", -1, "exit 1 unless each DS triggered exactly `N` times")
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
	values := map[string]string(fs.Lookup("set").Value.(setFlag))

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
	ref := e.now()
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
			ref = st.ModTime()
		}
		log = f
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	host := lifecycle.HostOf(cfg)
	opts := replay.Options{
		Hostname: host.Hostname, Values: values, Device: fs.Lookup("device").Value.String(), Reference: ref,
		Config: cfg, Tracks: cfg.Tracks,
		Report: func(r engine.Record) { printRecord(e.stdout, r, asJSON) },
	}
	start := time.Now()
	sum, err := replay.Run(e.ctx, sigs, log, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	ids := make([]string, 0, len(sum.Triggers))
	for id := range sum.Triggers {
		ids = append(ids, id)
	}
	ds.SortIDs(ids)
	failed := false
	for _, id := range ids {
		n := sum.Triggers[id]
		status := ""
		if why, ok := sum.Pending[id]; ok {
			status = " (pending: " + why + ")"
		}
		if expect >= 0 && n != expect {
			failed = true
			status += fmt.Sprintf(" — expected %d", expect)
		}
		if !asJSON {
			fmt.Fprintf(e.stdout, "DS %s %s: triggered %s%s\n", id, names[id], english.Plural(n, "time"), status)
		}
	}
	fmt.Fprintf(e.stderr, "replayed %s (%s to %s of log time) in %s\n", english.Plural(sum.Lines, "line"),
		sum.Start.UTC().Format(time.DateTime), sum.End.UTC().Format(time.DateTime), elapsed.Round(time.Millisecond))
	if failed {
		return errSilent
	}
	return nil
}

func printRecord(w io.Writer, r engine.Record, asJSON bool) {
	if asJSON {
		out, _ := json.Marshal(struct {
			Time   string `json:"time"`
			DS     string `json:"ds"`
			Kind   string `json:"kind"`
			Type   string `json:"type"`
			Detail string `json:"detail"`
		}{r.Time.UTC().Format(time.RFC3339Nano), r.DS, r.Kind, r.Type, r.Detail})
		fmt.Fprintln(w, string(out))
		return
	}
	fmt.Fprintf(w, "%s  %-5s %-8s %-10s %s\n", r.Time.UTC().Format(time.DateTime), r.DS, r.Kind, r.Type, r.Detail)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
