package replay

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/action"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/pump"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/registry"
	"github.com/dsengine/dsengine/ds/vars"
	"github.com/dsengine/dsengine/internal/english"
)

// MaxLine caps one log line; longer lines are cut, as the daemon's inputs do.
const MaxLine = 64 << 10

// Options configure a replay.
type Options struct {
	Hostname string
	// Values are the --set answers: prompt and environment variables. A
	// prompt variable without one takes its default, and says so.
	Values map[string]string
	// Device is the directory of canned command outputs (--device); empty
	// means commands produce no output.
	Device string
	// Reference dates log lines whose timestamps have no year (the log
	// file's modification time is a good one) and starts the clock of a
	// log whose first lines have no timestamp.
	Reference time.Time
	// Location is the device's time zone (--tz, `clock timezone`): stamps
	// without a zone are read in it, cron schedules run in it and the
	// records' times are in it; nil means UTC.
	Location *time.Location
	// Config is the configuration the would-be call-home messages are
	// composed with, as the daemon composes them (notify.Notifier.Compose):
	// its DS profile's format, message-size-limit and destinations, its
	// customer data and its data-privacy; nil means config.Default().
	Config *config.Config
	// Tracks are the configuration's tracked objects. Only interface
	// tracks are followed (from the log's line-protocol messages): an IP
	// SLA probe would reach out of the machine.
	Tracks []config.Track
	// Report receives every record, in order.
	Report func(engine.Record)
}

// Summary is what a replay did.
type Summary struct {
	Lines    int
	Triggers map[string]int // per DS id
	// Runs counts the completed runs per DS id: runs whose actions all
	// ran (a failing action ran; one cut by maxrun did not).
	Runs map[string]int
	// Suppressed counts the runs a script ended (ds_stop, return false).
	Suppressed map[string]int
	Pending    map[string]string
	Start      time.Time
	End        time.Time
	// Undated counts the lines without a timestamp the parser can read:
	// each was replayed at the time of the dated line before it (the
	// first dated line's, or the reference when none has a time).
	// FirstUndated holds the first MaxShown of them.
	Undated      int
	FirstUndated []Line
	// Backwards counts the lines stamped before the line before them: the
	// clock does not go back, so each was replayed at the time it had
	// reached. FirstBackwards holds the first MaxShown of them.
	Backwards      int
	FirstBackwards []Line
}

// Line is a line of the log a replay reports on.
type Line struct {
	N    int    // line number in the log, from 1
	Text string // cut to 200 bytes
	// Back is how far a line that goes back in time is behind the clock.
	Back time.Duration
}

// MaxShown is how many undated or backward lines a Summary keeps.
const MaxShown = 3

// YearlessBack is how far before the replay clock a timestamp without a
// year may lie and still be read in the clock's year: further back, it is
// read as next year's (the log went on past New Year, or jumped forward by
// months). A log read by the daemon is dated by when it arrives; a replay
// has only the line before.
const YearlessBack = 31 * 24 * time.Hour

// Run replays log against sigs.
func Run(ctx context.Context, sigs []*ds.Signature, log io.Reader, opts Options) (Summary, error) {
	sum := Summary{Triggers: map[string]int{}, Runs: map[string]int{}, Suppressed: map[string]int{}, Pending: map[string]string{}}
	if opts.Reference.IsZero() {
		return sum, errors.New("replay: a reference time is needed to date the log")
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	report := opts.Report
	if report == nil {
		report = func(engine.Record) {}
	}
	lines := bufio.NewReaderSize(log, 64<<10)
	first := firstTime(lines, opts.Reference.In(loc))
	clk := clock.NewVirtual(first)
	sum.Start = first

	var exec executor.Executor
	var err error
	if opts.Device != "" {
		exec, err = executor.New(config.Executor{Kind: config.ExecutorSim, Dir: opts.Device}, nil, executor.Options{Now: clk.Now})
		if err != nil {
			return sum, err
		}
		defer exec.Close()
	}
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	// The dry run composes with its own device and enqueues nothing.
	n, err := notify.New(notify.Options{Device: actions.TestDevice, Hostname: opts.Hostname, Clock: clk})
	if err != nil {
		return sum, err
	}
	dev := &effects{Dry: &actions.Dry{Exec: exec, Config: cfg, Notify: n}, clock: clk, report: report}
	acts := markScripts{actions.New(dev, action.Deps{Clock: clk})}
	known := func() vars.Known { return vars.Known{Environment: opts.Values} }
	eng := engine.New(engine.Options{Clock: clk, Actions: acts, Synchronous: true, Hostname: opts.Hostname, Known: known,
		Report: func(r engine.Record) {
			if r.Kind == "trigger" {
				sum.Triggers[r.DS]++
			}
			report(r)
		},
		OnRunDone: func(id string, st engine.RunStats) {
			switch st.Outcome {
			case engine.Completed:
				sum.Runs[id]++
			case engine.Suppressed:
				sum.Suppressed[id]++
			}
		}})
	var tracks []config.Track
	for _, t := range opts.Tracks {
		if t.Kind == config.TrackInterface {
			tracks = append(tracks, t)
		}
	}
	hub := detect.NewHub(ctx, detect.Options{Clock: clk, Host: opts.Hostname, Tracks: tracks})
	defer hub.Close()
	reg := registry.New(ctx, registry.Options{Hub: hub, Engine: eng, Clock: clk, Hostname: opts.Hostname, Known: known})
	defer reg.Close()

	var want []registry.Want
	for _, sig := range sigs {
		sum.Triggers[sig.ID] += 0
		sum.Runs[sig.ID] += 0
		prompts, defaults := promptAnswers(sig, opts.Values)
		for _, d := range defaults {
			report(engine.Record{Time: first, DS: sig.ID, Kind: "note", Type: "variables", Detail: d})
		}
		missing := vars.Unresolved(sig, vars.Known{Environment: opts.Values, Prompts: prompts})
		if len(missing) > 0 {
			var why []string
			for _, m := range missing {
				why = append(why, fmt.Sprintf("%s variable %s has no value; give it with --set %s=VALUE", m.Source, m.Name, m.Name))
			}
			sum.Pending[sig.ID] = strings.Join(why, "; ")
			report(engine.Record{Time: first, DS: sig.ID, Kind: "pending", Type: "variables", Detail: sum.Pending[sig.ID]})
			continue
		}
		want = append(want, registry.Want{Sig: sig, Prompts: prompts})
	}
	for id, err := range reg.Sync(want) {
		report(engine.Record{Time: first, DS: id, Kind: "error", Type: "register", Detail: err.Error(), Failed: true})
	}
	clk.Set(first) // immediate events fire now

	// The daemon's pump, in the caller's goroutine: each dated line moves
	// the virtual clock to its time before the detectors see it.
	lineNo := 0
	var scratch events.Message
	p := pump.New(pump.Options{Hostname: opts.Hostname, Clock: clk, Deliver: hub.Deliver, Location: loc,
		BeforeDeliver: func(m *events.Message) {
			now := clk.Now()
			if m.TimeFrom == events.TimeReceived {
				sum.Undated++
				if len(sum.FirstUndated) < MaxShown {
					sum.FirstUndated = append(sum.FirstUndated, Line{N: lineNo, Text: strings.Clone(english.Cut(m.Raw, 200))})
				}
				return
			}
			t := m.Time
			if t.Before(now.Add(-YearlessBack)) {
				// A stamp without a year was put in the year before the
				// clock's (the parser's rule for a line just received);
				// a replay's log goes forward.
				syslogmsg.ParseStringIn(m.Raw, now.AddDate(1, 0, 0), loc, &scratch)
				if !scratch.Time.Equal(t) && !scratch.Time.Before(now.Add(-YearlessBack)) {
					t = scratch.Time
					m.Time = t
				}
			}
			if t.Before(now) {
				sum.Backwards++
				if len(sum.FirstBackwards) < MaxShown {
					sum.FirstBackwards = append(sum.FirstBackwards, Line{N: lineNo, Text: strings.Clone(english.Cut(m.Raw, 200)), Back: now.Sub(t)})
				}
			}
			clk.Set(t.In(loc))
		}})
	var m events.Message
	var long []byte
	for {
		line, err := readLine(lines, &long)
		lineNo++
		if len(line) > 0 {
			sum.Lines++
			p.Line(&m, input.Item{Line: line, Received: clk.Now().In(loc)})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("replay: %w", err)
		}
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
	}
	sum.End = clk.Now()
	return sum, nil
}

// promptAnswers returns the prompt answers of sig: the --set values, else
// the defaults, each default with a note saying so (install without a
// terminal does the same).
func promptAnswers(sig *ds.Signature, values map[string]string) (prompts map[string]string, notes []string) {
	prompts = map[string]string{}
	for _, v := range sig.Variables {
		if v.Source != ds.SourcePrompt {
			continue
		}
		if val, ok := values[v.Name]; ok {
			prompts[v.Name] = val
		} else if v.Default != "" {
			prompts[v.Name] = v.Default
			notes = append(notes, fmt.Sprintf("prompt variable %s takes its default %q; answer it with --set %s=VALUE", v.Name, v.Default, v.Name))
		}
	}
	return prompts, notes
}

// firstTime finds the time of the log's first dated line without
// consuming it, else the reference; ref's location is the device's.
func firstTime(r *bufio.Reader, ref time.Time) time.Time {
	peek, _ := r.Peek(1 << 16)
	var m events.Message
	for _, line := range strings.Split(string(peek), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		syslogmsg.ParseIn([]byte(line), ref, ref.Location(), &m)
		if m.TimeFrom != events.TimeReceived {
			return m.Time.In(ref.Location())
		}
	}
	return ref
}

// readLine reads one line, cutting lines over MaxLine. The line is the
// reader's own buffer, or buf's for a line longer than the reader's
// buffer: it is valid until the next call. Nothing keeps it longer: the
// parsed message's strings point into it, and the hub's detectors keep
// clones (detect.Hub.Deliver); a copy a line was a third of the loop.
func readLine(r *bufio.Reader, buf *[]byte) ([]byte, error) {
	chunk, err := r.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return bytes.TrimRight(chunk[:min(len(chunk), MaxLine)], "\r\n"), err
	}
	line := append((*buf)[:0], chunk[:min(len(chunk), MaxLine)]...)
	for err == bufio.ErrBufferFull {
		chunk, err = r.ReadSlice('\n')
		if len(line) < MaxLine {
			line = append(line, chunk[:min(len(chunk), MaxLine-len(line))]...)
		}
	}
	*buf = line
	return bytes.TrimRight(line, "\r\n"), err
}
