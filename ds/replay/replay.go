package replay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/actions/message"
	"github.com/dsengine/dsengine/ds/actions/script"
	"github.com/dsengine/dsengine/ds/clock"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/engine"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/pump"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/callhome"
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
	n, err := notify.New(notify.Options{Device: TestDevice, Hostname: opts.Hostname, Clock: clk})
	if err != nil {
		return sum, err
	}
	fx := &dryRun{cfg: cfg, notify: n, exec: exec, scripts: script.NewRunner(script.Options{Clock: clk}),
		appl: map[string]map[string]string{}}
	known := func() vars.Known { return vars.Known{Environment: opts.Values} }
	eng := engine.New(engine.Options{Clock: clk, Effects: fx, Synchronous: true, Hostname: opts.Hostname, Known: known,
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

// TestDevice is the device the would-be call-home messages describe: the
// replay runs offline, away from the device the DS will run on.
var TestDevice = callhome.Device{Product: "dsengine", BuilderVersion: callhome.AMLBuilderVersion, Brand: "Linux",
	Series: "Linux host", PID: "Linux", Serial: "DSTEST", SoftwareVersion: actions.Version}

// dryRun performs no action: each says what it would do.
type dryRun struct {
	cfg     *config.Config
	notify  *notify.Notifier // composes only
	exec    executor.Executor
	scripts *script.Runner
	appl    map[string]map[string]string
}

func (d *dryRun) Command(ctx context.Context, run *engine.Run, command string) (string, error) {
	if d.exec == nil {
		return "", nil
	}
	out, err := d.exec.Run(ctx, command)
	return out.Text, err
}

// CallHome composes the message the daemon would send to the DS profile
// (a profile with the defaults when the configuration has none).
func (d *dryRun) CallHome(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	p := d.cfg.DSProfile()
	if p == nil {
		p = config.NewProfile("", 0)
	}
	m := actions.DSMessage(run)
	msg, err := d.notify.Compose(d.cfg, p, m, "")
	if err != nil {
		return "", fmt.Errorf("call-home: %w", err)
	}
	return fmt.Sprintf("would send %s/%s (%s, %d bytes, %s)", m.Type, m.SubType, notify.Format(p), len(msg.Body),
		plural(len(m.Attachments), "attachment")), nil
}

func (d *dryRun) EmailTo(ctx context.Context, run *engine.Run, a ds.Action, to, subject, body string) (string, error) {
	return fmt.Sprintf("would mail %s: %q (%d bytes)", to, subject, len(body)), nil
}

func (d *dryRun) Script(ctx context.Context, run *engine.Run, a ds.Action) (string, error) {
	host := &dryHost{d: d, run: run}
	res, err := d.scripts.Run(ctx, script.Script{Name: actions.ScriptName(run, a), Text: a.Text}, actions.ScriptEnv(run), host)
	maps.Copy(run.Values, res.Vars)
	detail := strings.Join(host.did, "; ")
	if out := strings.TrimSpace(res.Output); out != "" {
		detail = strings.TrimPrefix(detail+"; printed "+fmt.Sprintf("%q", out), "; ")
	}
	if detail == "" {
		detail = "ran"
	}
	if err != nil {
		return "", fmt.Errorf("script: %w (%s)", err, detail)
	}
	return "lua: " + detail, nil
}

func (d *dryRun) Message(ctx context.Context, run *engine.Run, a ds.Action, text string) (string, error) {
	if a.To == "terminals" {
		return "would broadcast to terminals: " + text, nil
	}
	return "would log " + message.Line(a.Severity, text), nil
}

// dryHost is what a script's API does in a replay: CLI from the canned
// outputs, everything else recorded.
type dryHost struct {
	d   *dryRun
	run *engine.Run
	did []string
}

func (h *dryHost) CLIOpen(ctx context.Context) (script.CLISession, error) {
	if h.d.exec == nil {
		return nil, errors.New("no --device directory for the script's commands")
	}
	return actions.Session{Executor: h.d.exec}, nil
}

func (h *dryHost) Syslog(ctx context.Context, m script.SyslogMessage) error {
	h.did = append(h.did, fmt.Sprintf("would log %%HA_EM-%d-LOG: %s: %s", m.Severity, h.run.Sig.ID, m.Msg))
	return nil
}

func (h *dryHost) SendMail(ctx context.Context, m script.Mail) error {
	h.did = append(h.did, fmt.Sprintf("would mail %s: %q", strings.Join(m.To, ","), m.Subject))
	return nil
}

func (h *dryHost) CallHome(ctx context.Context, m script.CallHomeMessage) error {
	h.did = append(h.did, fmt.Sprintf("would send call-home %q", m.Subject))
	return nil
}

func (h *dryHost) ApplGet(ctx context.Context, key string) (string, bool, error) {
	v, ok := h.d.appl[h.run.Sig.ID][key]
	return v, ok, nil
}

func (h *dryHost) ApplSet(ctx context.Context, key, data string) error {
	if h.d.appl[h.run.Sig.ID] == nil {
		h.d.appl[h.run.Sig.ID] = map[string]string{}
	}
	h.d.appl[h.run.Sig.ID][key] = data
	return nil
}

func (h *dryHost) ContextSave(ctx context.Context, name string, v map[string]string) error {
	h.d.appl["context:"+name] = maps.Clone(v)
	return nil
}

func (h *dryHost) ContextRetrieve(ctx context.Context, name string) (map[string]string, bool, error) {
	v, ok := h.d.appl["context:"+name]
	delete(h.d.appl, "context:"+name)
	return v, ok, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
