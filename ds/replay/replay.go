package replay

import (
	"bufio"
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
)

// MaxLine caps one log line; longer lines are cut, as the daemon's inputs do.
const MaxLine = 64 << 10

// Options configure a replay.
type Options struct {
	Hostname string
	// Values are the --set answers: prompt and environment variables.
	Values map[string]string
	// Device is the directory of canned command outputs (--device); empty
	// means commands produce no output.
	Device string
	// Reference dates log lines whose timestamps have no year (the log
	// file's modification time is a good one) and starts the clock of a
	// log whose first lines have no timestamp.
	Reference time.Time
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
	Pending  map[string]string
	Start    time.Time
	End      time.Time
}

// Run replays log against sigs.
func Run(ctx context.Context, sigs []*ds.Signature, log io.Reader, opts Options) (Summary, error) {
	sum := Summary{Triggers: map[string]int{}, Pending: map[string]string{}}
	if opts.Reference.IsZero() {
		return sum, errors.New("replay: a reference time is needed to date the log")
	}
	report := opts.Report
	if report == nil {
		report = func(engine.Record) {}
	}
	lines := bufio.NewReaderSize(log, 64<<10)
	first, err := firstTime(lines, opts.Reference)
	if err != nil {
		return sum, err
	}
	clk := clock.NewVirtual(first)
	sum.Start = first

	var exec executor.Executor
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
	dry := &actions.Dry{Exec: exec, Config: cfg, Notify: n}
	acts := actions.New(dry, action.Deps{Clock: clk})
	known := func() vars.Known { return vars.Known{Environment: opts.Values} }
	eng := engine.New(engine.Options{Clock: clk, Actions: acts, Synchronous: true, Hostname: opts.Hostname, Known: known,
		Report: func(r engine.Record) {
			if r.Kind == "trigger" {
				sum.Triggers[r.DS]++
			}
			report(r)
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
		prompts := map[string]string{}
		for _, v := range sig.Variables {
			if val, ok := opts.Values[v.Name]; ok && v.Source == ds.SourcePrompt {
				prompts[v.Name] = val
			}
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
	p := pump.New(pump.Options{Hostname: opts.Hostname, Clock: clk, Deliver: hub.Deliver,
		BeforeDeliver: func(m *events.Message) {
			if m.TimeFrom != events.TimeReceived {
				clk.Set(dated(m.Time, clk.Now(), opts.Reference))
			}
		}})
	var m events.Message
	for {
		line, err := readLine(lines)
		if len(line) > 0 {
			sum.Lines++
			p.Line(&m, input.Item{Line: line, Received: clk.Now()})
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

// firstTime finds the time of the log's first dated line without
// consuming it, else the reference.
func firstTime(r *bufio.Reader, ref time.Time) (time.Time, error) {
	peek, _ := r.Peek(1 << 16)
	var m events.Message
	for _, line := range strings.Split(string(peek), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		syslogmsg.Parse([]byte(line), ref, &m)
		if m.TimeFrom != events.TimeReceived {
			return dated(m.Time, ref, ref), nil
		}
	}
	return ref, nil
}

// dated keeps the replay's time in order: a line stamped a year ahead of
// the reference had its year guessed wrong (a log that spans New Year).
func dated(t, now, ref time.Time) time.Time {
	if t.After(ref.Add(24*time.Hour)) && t.AddDate(-1, 0, 0).After(now.Add(-366*24*time.Hour)) {
		return t.AddDate(-1, 0, 0)
	}
	return t
}

// readLine reads one line, cutting lines over MaxLine.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line) < MaxLine {
			line = append(line, chunk[:min(len(chunk), MaxLine-len(line))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return []byte(strings.TrimRight(string(line), "\r\n")), err
	}
}
