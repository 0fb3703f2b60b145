package alertgroup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/actions/executor"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/notify"
	"github.com/dsengine/dsengine/ds/notify/callhome"
	"github.com/dsengine/dsengine/ds/notify/outbox"
)

// Errors of the sends, for errors.Is.
var (
	// ErrDisabled: "service call-home" is not set, so no message is sent.
	ErrDisabled = errors.New("call-home is disabled; enable it with `service call-home`")
	// ErrNoProfile: no profile receives the message.
	ErrNoProfile = errors.New("no destination profile")
	// ErrAnonymous: the profile is anonymous-reporting-only and the message
	// is not a crash, inventory or test message.
	ErrAnonymous = errors.New("the profile is anonymous-reporting-only: it gets only crash, inventory and test messages")
)

// Options configure a Sender.
type Options struct {
	// Config returns the running configuration, never nil (required). Each
	// send reads it once.
	Config func() *config.Config
	// Exec runs the groups' IOS commands (required).
	Exec executor.Executor
	// Notify composes the messages and hands them to the rate limiter in
	// front of the outbox (required); share it with the DS call-home
	// action, so that message numbers do not repeat.
	Notify *notify.Notifier
	// Clock times the events, the periodic schedules and the syslog
	// throttle (required).
	Clock ds.Clock
	// ExtraCommands returns the commands the diagnostic signatures'
	// call-home events add to a group's messages (the registered DS's
	// command actions); nil adds none. They follow the group's own. It is
	// called at most once per message, when its outputs are collected, so
	// the caller may count the call as a trigger of those DS.
	ExtraCommands func(g config.AlertGroup) []string
	// Throttle is syslog-throttling's limit; zero fields take the defaults.
	Throttle Throttle
	// Queue bounds the event-triggered sends (syslog, environment,
	// inventory, configuration) waiting for the worker; 0 means
	// DefaultQueue. Beyond it a send is dropped, logged and counted
	// (Dropped).
	Queue int
	// Logger receives what the asynchronous sends (events, periodic) did;
	// nil discards.
	Logger *slog.Logger
}

// DefaultQueue is how many event-triggered sends may wait.
const DefaultQueue = 256

// Sender builds alert-group and manual messages and has the notifier
// compose and enqueue them. Its methods may be called from several
// goroutines.
type Sender struct {
	cfg    func() *config.Config
	exec   executor.Executor
	notify *notify.Notifier
	clock  ds.Clock
	extra  func(config.AlertGroup) []string
	log    *slog.Logger

	throttle *throttle
	lines    recentLines // the syslog group's recent lines

	subMu sync.Mutex // serialises Subscribe and Close
	hub   Hub
	regs  []detect.Registration

	ctx     context.Context
	cancel  context.CancelFunc
	jobs    chan *job
	pending pendingCount // queued jobs
	dropped atomic.Uint64
	worker  sync.WaitGroup
	closeMu sync.RWMutex
	closed  bool
}

// New returns a Sender and starts its worker; Subscribe connects it to
// the events, Close stops it.
func New(opts Options) (*Sender, error) {
	switch {
	case opts.Config == nil:
		return nil, errors.New("alertgroup: Options.Config is required")
	case opts.Exec == nil:
		return nil, errors.New("alertgroup: Options.Exec is required")
	case opts.Notify == nil:
		return nil, errors.New("alertgroup: Options.Notify is required")
	case opts.Clock == nil:
		return nil, errors.New("alertgroup: Options.Clock is required")
	}
	s := &Sender{cfg: opts.Config, exec: opts.Exec, notify: opts.Notify, clock: opts.Clock, extra: opts.ExtraCommands,
		log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.throttle = newThrottle(opts.Throttle)
	q := opts.Queue
	if q <= 0 {
		q = DefaultQueue
	}
	s.jobs = make(chan *job, q)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.worker.Add(1)
	go s.work()
	return s, nil
}

// Close deregisters the Sender's detectors from the hub it subscribed to
// and stops the worker, cancelling a send in progress and dropping those
// still queued; stop the Scheduler first. Manual sends called afterwards
// still work; events are ignored.
func (s *Sender) Close() {
	s.subMu.Lock()
	s.closeMu.Lock()
	if !s.closed {
		s.closed = true
		s.cancel()
		close(s.jobs)
	}
	s.closeMu.Unlock()
	if s.hub != nil {
		_, _ = s.hub.Replace(s.regs, nil) // fails only on a closed hub, whose detectors are gone
		s.hub, s.regs = nil, nil
	}
	s.subMu.Unlock()
	s.worker.Wait()
}

// Alert is one alert-group message: what happened and what it carries.
// NewAlert fills the defaults of a group.
type Alert struct {
	Group config.AlertGroup
	// SubType is ch:Event/ch:SubType: "full" or "delta" for inventory and
	// configuration, the mnemonic for syslog and environment.
	SubType string
	// Name is the event's name ("SYSLOG", "HARDWARE_REMOVAL"); empty means
	// the group's in upper case.
	Name        string
	Severity    config.AlertSeverity
	Description string
	// EventTime is when it happened; zero means now.
	EventTime time.Time
	// Commands are the IOS commands whose outputs the message carries; nil
	// means Commands(cfg, Group, SubType) (for an anonymous-reporting-only
	// profile, inventory always takes the delta set).
	Commands []string
	// Attachments are outputs already at hand; they come first.
	Attachments []callhome.Attachment
}

// NewAlert returns the alert of a group with its defaults: subtype full for
// configuration and inventory, severity normal (fatal for crash), and a
// description.
func NewAlert(g config.AlertGroup) Alert {
	a := Alert{Group: g, Severity: config.SeverityNormal}
	switch g {
	case config.GroupConfiguration:
		a.SubType, a.Description = SubTypeFull, "Configuration info message"
	case config.GroupInventory:
		a.SubType, a.Description = SubTypeFull, "Inventory info message"
	case config.GroupCrash:
		a.Name, a.Severity, a.Description = "SYSTEM_CRASH", config.SeverityFatal, "Crash info message"
	case config.GroupSnapshot:
		a.Description = "Snapshot info message"
	case config.GroupEnvironment:
		a.Description = "Environment info message"
	case config.GroupSyslog:
		a.Name, a.Description = "SYSLOG", "Syslog info message"
	}
	return a
}

// Alert sends an event's message to the profiles that subscribe to its
// group: active, subscribed without "periodic", at or above the
// subscription's severity for environment and syslog (any syslog
// subscription, whatever its pattern: the patterns are matched by the
// detectors Subscribe registers), not anonymous-reporting-only unless the
// group is crash or inventory. The group must be enabled. It runs the
// commands and enqueues before it returns.
func (s *Sender) Alert(ctx context.Context, a Alert) Result {
	cfg := s.cfg()
	res := Result{Type: string(a.Group), SubType: a.SubType}
	if !groupEnabled(cfg, a.Group) {
		res.Err = fmt.Errorf("the %s alert group is disabled; enable it with `alert-group %s`", a.Group, a.Group)
		return res
	}
	return s.deliver(ctx, cfg, a.spec(), eventProfiles(cfg, a.Group, a.Severity))
}

// ConfigChanged sends a delta configuration message to the profiles
// subscribed to configuration without "periodic": the configuration
// change event of the configuration alert group. It runs the commands and
// enqueues before it returns; the configuration changes the hub reports
// to a subscribed Sender go through its queue instead.
func (s *Sender) ConfigChanged(ctx context.Context) Result {
	return s.Alert(ctx, configChange())
}

// configChange is the alert of a configuration change.
func configChange() Alert {
	a := NewAlert(config.GroupConfiguration)
	a.SubType, a.Description = SubTypeDelta, "Configuration change event"
	return a
}

// eventProfiles returns the profiles an event of group g and severity sev
// goes to.
func eventProfiles(cfg *config.Config, g config.AlertGroup, sev config.AlertSeverity) []*config.Profile {
	var out []*config.Profile
	for _, p := range cfg.CallHome.Profiles {
		if !p.Active || (p.AnonymousReportingOnly && !anonymousAllowed(string(g))) {
			continue
		}
		for _, sub := range p.Subscriptions {
			if sub.Group == g && sub.Periodic == nil && (!g.HasSeverity() || sub.Severity.Admits(sev)) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// groupEnabled reports whether "alert-group G" is on (the default).
func groupEnabled(cfg *config.Config, g config.AlertGroup) bool {
	on, ok := cfg.CallHome.AlertGroups[g]
	return on || !ok
}

// anonymousAllowed reports whether an anonymous-reporting-only profile
// gets messages of the type: "only crash, inventory, and test messages".
func anonymousAllowed(typ string) bool {
	return typ == string(config.GroupCrash) || typ == string(config.GroupInventory) || typ == callhome.TypeTest
}

// spec is a message to build: an alert, a test, a request or a send-cli.
type spec struct {
	typ, subType, name string
	severity           config.AlertSeverity
	description        string
	eventTime          time.Time
	// commands returns the commands for a profile.
	commands    func(cfg *config.Config, p *config.Profile) []string
	attachments []callhome.Attachment
	ccoid       string
	// subject replaces the subtype or name in the mail subject.
	subject string
}

// spec turns an alert into the message to build.
func (a Alert) spec() spec {
	sp := spec{typ: string(a.Group), subType: a.SubType, name: a.Name, severity: a.Severity,
		description: a.Description, eventTime: a.EventTime, attachments: a.Attachments}
	sp.commands = func(cfg *config.Config, p *config.Profile) []string {
		if a.Commands != nil {
			return a.Commands
		}
		sub := a.SubType
		if a.Group == config.GroupInventory && p.AnonymousReportingOnly {
			sub = SubTypeDelta
		}
		return Commands(cfg, a.Group, sub)
	}
	return sp
}

// Delivery is what became of a message for one profile.
type Delivery struct {
	Profile string
	Format  config.MessageFormat
	Bytes   int
	// To are the destinations by transport ("email", "http").
	To  map[string][]string
	Err error
}

// String is "PROFILE: queued N bytes (FORMAT) for DEST, DEST" or
// "PROFILE: ERROR".
func (d Delivery) String() string {
	prefix := ""
	if d.Profile != "" {
		prefix = d.Profile + ": "
	}
	if d.Err != nil {
		return fmt.Sprintf("%s%v", prefix, d.Err)
	}
	return fmt.Sprintf("%squeued %d bytes (%s) for %s", prefix, d.Bytes, d.Format, notify.ListDestinations(d.To))
}

// Result is what a send did.
type Result struct {
	Type, SubType string
	Deliveries    []Delivery
	// Err is why nothing was attempted (Call Home disabled, no profile,
	// bad arguments); per-profile failures are in Deliveries.
	Err error
}

// Queued returns how many profiles' messages were enqueued.
func (r Result) Queued() int {
	n := 0
	for _, d := range r.Deliveries {
		if d.Err == nil {
			n++
		}
	}
	return n
}

// Error returns nil when at least one profile's message was enqueued,
// otherwise why none was.
func (r Result) Error() error {
	if r.Err != nil {
		return r.Err
	}
	if r.Queued() > 0 {
		return nil
	}
	if len(r.Deliveries) == 0 {
		return ErrNoProfile
	}
	errs := make([]error, 0, len(r.Deliveries))
	for _, d := range r.Deliveries {
		if d.Profile == "" {
			errs = append(errs, d.Err)
		} else {
			errs = append(errs, fmt.Errorf("%s: %w", d.Profile, d.Err))
		}
	}
	return errors.Join(errs...)
}

// String is one line for the CLI and the log: "TYPE[/SUBTYPE] message:
// DELIVERY; DELIVERY" or "TYPE message not sent: ERROR".
func (r Result) String() string {
	what := r.Type
	if r.SubType != "" {
		what += "/" + r.SubType
	}
	if r.Err != nil {
		return fmt.Sprintf("%s message not sent: %v", what, r.Err)
	}
	if len(r.Deliveries) == 0 {
		return fmt.Sprintf("%s message not sent: %v", what, ErrNoProfile)
	}
	parts := make([]string, len(r.Deliveries))
	for i, d := range r.Deliveries {
		parts[i] = d.String()
	}
	return fmt.Sprintf("%s message: %s", what, strings.Join(parts, "; "))
}

// deliver builds sp once, runs its commands once, and renders and
// enqueues it for each profile.
func (s *Sender) deliver(ctx context.Context, cfg *config.Config, sp spec, profiles []*config.Profile) Result {
	res := Result{Type: sp.typ, SubType: sp.subType}
	if !cfg.ServiceCallHome {
		res.Err = ErrDisabled
		return res
	}
	if len(profiles) == 0 {
		res.Err = ErrNoProfile
		return res
	}
	now := s.clock.Now()
	if sp.eventTime.IsZero() {
		sp.eventTime = now
	}
	outputs := map[string]callhome.Attachment{}
	// The DS call-home events' commands are asked for once per message,
	// when the first profile that carries outputs needs them: the owner
	// counts each as a trigger of its DS.
	var extra []string
	extraAsked := false
	extraFor := func(g config.AlertGroup) []string {
		if !extraAsked && s.extra != nil {
			extra, extraAsked = s.extra(g), true
		}
		return extra
	}
	for _, p := range profiles {
		d := Delivery{Profile: p.Name, Format: notify.Format(p), To: outbox.Destinations(p)}
		if p.AnonymousReportingOnly && !anonymousAllowed(sp.typ) {
			d.Err = ErrAnonymous
			res.Deliveries = append(res.Deliveries, d)
			continue
		}
		var atts []callhome.Attachment
		if d.Format != config.FormatShortText { // short text carries no output
			atts = append(atts, sp.attachments...)
			for _, c := range s.commandsFor(cfg, sp, p, extraFor) {
				a, ok := outputs[c]
				if !ok {
					a = s.run(ctx, c)
					outputs[c] = a
				}
				atts = append(atts, a)
			}
		}
		d.Bytes, d.Err = s.send(ctx, cfg, sp, p, atts, now)
		res.Deliveries = append(res.Deliveries, d)
	}
	return res
}

// commandsFor returns the commands of sp for p, with those the DS
// call-home events add to an alert group, each once.
func (s *Sender) commandsFor(cfg *config.Config, sp spec, p *config.Profile, extra func(config.AlertGroup) []string) []string {
	var cmds []string
	if sp.commands != nil {
		cmds = sp.commands(cfg, p)
	}
	if g, ok := config.ParseAlertGroup(sp.typ); ok && !p.AnonymousReportingOnly {
		cmds = append(slices.Clone(cmds), extra(g)...)
	}
	seen := map[string]bool{}
	out := cmds[:0:0]
	for _, c := range cmds {
		if k := config.NormalizeCommand(c); k != "" && !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			out = append(out, c)
		}
	}
	return out
}

// run runs one command; a failure is noted at the end of its output, as
// the DS call-home action does.
func (s *Sender) run(ctx context.Context, command string) callhome.Attachment {
	out, err := s.exec.Run(ctx, command)
	text := out.Text
	if err != nil {
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		text += "*** " + err.Error() + " ***\n"
	}
	return callhome.Attachment{Command: command, Output: text}
}

// send builds the message for one profile and has the notifier compose
// and enqueue it. It returns the rendered size.
func (s *Sender) send(ctx context.Context, cfg *config.Config, sp spec, p *config.Profile,
	atts []callhome.Attachment, now time.Time) (int, error) {
	m := &callhome.Message{Type: sp.typ, SubType: sp.subType, Name: sp.name, Severity: sp.severity,
		EventTime: sp.eventTime, CreationTime: now, Description: sp.description, Attachments: atts}
	m.Customer.CCOID = sp.ccoid
	msg, err := s.notify.Send(ctx, cfg, p, m, sp.subject)
	if err != nil {
		return 0, err
	}
	return len(msg.Body), nil
}
