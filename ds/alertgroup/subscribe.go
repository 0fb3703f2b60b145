package alertgroup

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events/detect"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
	"github.com/dsengine/dsengine/ds/events/detect/oir"
)

// Hub is where a Sender subscribes to the events its groups send on:
// *detect.Hub, whose Replace swaps one set of registrations for another
// in one change (on an error nothing changes).
type Hub interface {
	Replace(old []detect.Registration, specs []detect.Spec) ([]detect.Registration, error)
}

// Owner is the hub owner of a group's detectors: "alertgroup:GROUP".
func Owner(g config.AlertGroup) string { return "alertgroup:" + string(g) }

// environmentMnemonics are the environment events of the guide's table
// ("Alert Group trigger events and commands"), as alternatives.
const environmentMnemonics = "SHUT|ENVCRIT|BLOWER|ENVWARN|RPSFAIL|PSCHANGE|PSLEV|PSOK"

// environmentPattern matches the body of an environment event: one of
// environmentMnemonics in the tag of a facility that contains ENV in any
// case (ENVM, ENVIRONMENT, C6KENV), with or without sub-facilities:
// "%ENVM-4-ENVWARN: …".
const environmentPattern = `^%[A-Za-z0-9_]*(?i:env)[A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*?-[0-7]-(?:` +
	environmentMnemonics + `)(?:[^A-Za-z0-9_-]|$)`

// Subscribe registers on hub the detectors of the events the groups of
// the running configuration send on, replacing those of an earlier call;
// call it at start and after each reload. With `service call-home`, for
// each enabled group that an active profile subscribes to without
// "periodic" (not anonymous-reporting-only, except for inventory):
//
//   - syslog: a syslog detector per distinct pattern of the syslog
//     subscriptions, indexed by the hub with every DS pattern (a regular
//     expression, RE2, as the predefined ".*CALL_LOOP.*", matched in the
//     message from its %TAG; one that does not compile is matched as text;
//     an empty one matches every message). A line goes, once, to each
//     profile one of whose patterns it matches at a severity the
//     subscription admits (config.FromSyslog of the syslog severity);
//     subtype the mnemonic, description the line;
//   - environment: a syslog detector on the guide's environment events
//     (SHUT, ENVCRIT, BLOWER, ENVWARN, RPSFAIL, PSCHANGE, PSLEV, PSOK of a
//     facility such as ENVM or ENVIRONMENT); to the environment
//     subscribers whose severity admits the event's;
//   - inventory: the hub's OIR detector (slot any, action any), so %OIR
//     messages and injected events (`dsengine event oir`) alike send a
//     delta inventory message, HARDWARE_REMOVAL or HARDWARE_INSERTION;
//   - configuration: the hub's config detector (%SYS-5-CONFIG_I/P,
//     watched files): a delta configuration message.
//
// With syslog-throttling (the default) each group sends at most
// Throttle.Limit messages for the same syslog text (the body from its
// %TAG) per Throttle.Window. The fires only decide and queue (the hub
// calls them on the goroutine that delivered the event): the commands run
// and the messages are enqueued by the Sender's worker, in order (Flush
// waits for them), and a full queue drops (Dropped).
//
// The detectors are the hub owners Owner(group). On a registration error
// the previous detectors stay.
func (s *Sender) Subscribe(hub Hub) error {
	specs := s.specs(s.cfg())
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.closeMu.RLock()
	closed := s.closed
	s.closeMu.RUnlock()
	if closed {
		return errors.New("alertgroup: subscribe: the sender is closed")
	}
	if s.hub != nil && s.hub != hub {
		_, _ = s.hub.Replace(s.regs, nil)
		s.hub, s.regs = nil, nil
	}
	regs, err := hub.Replace(s.regs, specs)
	if err != nil {
		return fmt.Errorf("alertgroup: subscribe to the events: %w", err)
	}
	s.hub, s.regs = hub, regs
	return nil
}

// specs returns the detectors of cfg's groups.
func (s *Sender) specs(cfg *config.Config) []detect.Spec {
	if cfg == nil || !cfg.ServiceCallHome {
		return nil
	}
	var specs []detect.Spec
	if wanted(cfg, config.GroupSyslog) {
		var patterns []string
		seen := map[string]bool{}
		for _, p := range cfg.CallHome.Profiles {
			if !p.Active || p.AnonymousReportingOnly {
				continue
			}
			for _, sub := range p.Subscriptions {
				if sub.Group == config.GroupSyslog && sub.Periodic == nil && !seen[sub.Pattern] {
					seen[sub.Pattern] = true
					patterns = append(patterns, sub.Pattern)
				}
			}
		}
		for i, pattern := range patterns {
			specs = append(specs, detect.Spec{Owner: Owner(config.GroupSyslog),
				Event: ds.Event{ID: fmt.Sprintf("pattern-%d", i+1), Type: ds.EventSyslog, Pattern: detectorPattern(pattern),
					Severity: ds.SeverityAny},
				Fire: func(f detect.Fired) { s.syslogFired(pattern, f) }})
		}
	}
	if wanted(cfg, config.GroupEnvironment) {
		specs = append(specs, detect.Spec{Owner: Owner(config.GroupEnvironment),
			Event: ds.Event{ID: "environment", Type: ds.EventSyslog, Pattern: environmentPattern, Severity: ds.SeverityAny},
			Fire:  s.environmentFired})
	}
	if wanted(cfg, config.GroupInventory) {
		specs = append(specs, detect.Spec{Owner: Owner(config.GroupInventory),
			Event: ds.Event{ID: "oir", Type: ds.EventOIR, Slot: ds.SlotAny, OIRAction: detector.ActionAny},
			Fire:  s.inventoryFired})
	}
	if wanted(cfg, config.GroupConfiguration) {
		specs = append(specs, detect.Spec{Owner: Owner(config.GroupConfiguration),
			Event: ds.Event{ID: "change", Type: ds.EventConfig},
			Fire:  s.configurationFired})
	}
	return specs
}

// wanted reports whether group g is enabled and an active profile
// subscribes to it without "periodic" (and may get it: an
// anonymous-reporting-only profile gets only crash and inventory).
func wanted(cfg *config.Config, g config.AlertGroup) bool {
	if !groupEnabled(cfg, g) {
		return false
	}
	for _, p := range cfg.CallHome.Profiles {
		if !p.Active || (p.AnonymousReportingOnly && !anonymousAllowed(string(g))) {
			continue
		}
		for _, sub := range p.Subscriptions {
			if sub.Group == g && sub.Periodic == nil {
				return true
			}
		}
	}
	return false
}

// detectorPattern is the syslog detector's pattern for a subscription's:
// ".*" for an empty one, the text quoted when it is not a regular
// expression the detector can compile (${…} would be read as a DS
// variable).
func detectorPattern(pattern string) string {
	if pattern == "" {
		return ".*"
	}
	if _, err := detector.CompilePattern(pattern, nil); err != nil {
		return regexp.QuoteMeta(pattern)
	}
	return pattern
}

// syslogFired is a syslog subscription's pattern matching a line.
func (s *Sender) syslogFired(pattern string, f detect.Fired) {
	m := f.Message
	if m == nil {
		return
	}
	cfg := s.cfg()
	if !cfg.ServiceCallHome || !groupEnabled(cfg, config.GroupSyslog) {
		return
	}
	sev := config.FromSyslog(int(m.Severity))
	profiles := syslogProfiles(cfg, pattern, sev)
	if len(profiles) == 0 {
		return
	}
	s.lines.mu.Lock()
	defer s.lines.mu.Unlock()
	l := s.lines.find(m.Raw, m.Received, pattern)
	if l == nil {
		l = s.lines.add(m.Raw, m.Received)
		l.allowed = s.allow(cfg, config.GroupSyslog, m.Body)
	}
	l.patterns[pattern] = true
	if !l.allowed {
		return
	}
	if profiles = l.unsent(profiles); len(profiles) == 0 || (l.job != nil && l.job.join(profiles)) {
		return
	}
	a := NewAlert(config.GroupSyslog)
	a.SubType, a.Severity, a.Description, a.EventTime = m.Mnemonic, sev, logLine(m.Raw), eventTime(f)
	j := &job{cfg: cfg, alert: a, profiles: profiles}
	if s.queue(j) {
		l.job = j
	}
}

// environmentFired is an environment event.
func (s *Sender) environmentFired(f detect.Fired) {
	m := f.Message
	if m == nil {
		return
	}
	cfg := s.cfg()
	sev := config.FromSyslog(int(m.Severity))
	a := NewAlert(config.GroupEnvironment)
	a.Name, a.SubType, a.Severity, a.Description, a.EventTime = m.Mnemonic, m.Mnemonic, sev, logLine(m.Raw), eventTime(f)
	s.event(cfg, a, eventProfiles(cfg, config.GroupEnvironment, sev), m.Body)
}

// inventoryFired is a card inserted or removed, reported by a message or
// injected.
func (s *Sender) inventoryFired(f detect.Fired) {
	cfg := s.cfg()
	card, _ := f.Payload.(oir.Fire)
	a := NewAlert(config.GroupInventory)
	a.Name, a.SubType, a.EventTime = "HARDWARE_REMOVAL", SubTypeDelta, eventTime(f)
	a.Description = "Card removed from slot " + card.SlotName
	if card.Action == detector.ActionInsert {
		a.Name, a.Description = "HARDWARE_INSERTION", "Card inserted in slot "+card.SlotName
	}
	key := "" // an injected event is no syslog message: not throttled
	if m := f.Message; m != nil {
		a.Description, key = logLine(m.Raw), m.Body
	}
	s.event(cfg, a, eventProfiles(cfg, config.GroupInventory, a.Severity), key)
}

// configurationFired is a configuration change.
func (s *Sender) configurationFired(f detect.Fired) {
	cfg := s.cfg()
	a := configChange()
	a.EventTime = f.Time
	s.event(cfg, a, eventProfiles(cfg, config.GroupConfiguration, a.Severity), "")
}

// Crashed queues the crash message a (group crash; see
// crash.Event.Alert) of a crash the host's event sources saw, for the
// profiles subscribed to crash without "periodic" (anonymous ones too). It
// never blocks: the worker runs the commands and enqueues; a full queue
// drops (Dropped).
func (s *Sender) Crashed(a Alert) {
	cfg := s.cfg()
	a.Group = config.GroupCrash
	s.event(cfg, a, eventProfiles(cfg, config.GroupCrash, a.Severity), "")
}

// event queues a for profiles, unless Call Home or the group is off, no
// profile takes it, or the throttle holds back the syslog text key ("" is
// not throttled).
func (s *Sender) event(cfg *config.Config, a Alert, profiles []*config.Profile, key string) {
	if !cfg.ServiceCallHome || !groupEnabled(cfg, a.Group) || len(profiles) == 0 {
		return
	}
	if key != "" && !s.allow(cfg, a.Group, key) {
		return
	}
	s.queue(&job{cfg: cfg, alert: a, profiles: profiles})
}

// allow applies syslog-throttling to a message of group g with text key.
func (s *Sender) allow(cfg *config.Config, g config.AlertGroup, key string) bool {
	if !cfg.CallHome.SyslogThrottling || s.throttle.allow(string(g)+"\x00"+key, s.clock.Now()) {
		return true
	}
	s.log.Debug("call-home syslog throttling", "group", g, "message", key)
	return false
}

// eventTime is when a fired event happened: the message's time, else the
// time it fired.
func eventTime(f detect.Fired) time.Time {
	if f.Message != nil && !f.Message.Time.IsZero() {
		return f.Message.Time
	}
	return f.Time
}

// syslogProfiles returns the profiles a line of severity sev goes to when
// pattern matched it: active, not anonymous-reporting-only, with a syslog
// subscription of that pattern, without "periodic", whose severity admits
// sev.
func syslogProfiles(cfg *config.Config, pattern string, sev config.AlertSeverity) []*config.Profile {
	var out []*config.Profile
	for _, p := range cfg.CallHome.Profiles {
		if !p.Active || p.AnonymousReportingOnly {
			continue
		}
		for _, sub := range p.Subscriptions {
			if sub.Group == config.GroupSyslog && sub.Periodic == nil && sub.Pattern == pattern && sub.Severity.Admits(sev) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// logLine is the line as the logging buffer shows it: without the <PRI>
// of the envelope.
func logLine(raw string) string {
	if strings.HasPrefix(raw, "<") {
		if i := strings.IndexByte(raw, '>'); i > 1 && i <= 4 && strings.Trim(raw[1:i], "0123456789") == "" {
			raw = strings.TrimLeft(raw[i+1:], " ")
		}
	}
	return raw
}

// recentLinesN is how many syslog lines the syslog group remembers.
const recentLinesN = 16

// recentLines remembers the last lines the syslog group's detectors fired
// for. Each distinct pattern has its detector, so a line that several
// subscriptions' patterns match fires several times; what is remembered
// makes it one message per profile, counted once by the throttle, and
// joins the profiles of the later fires to the first fire's job while it
// waits for the worker (so that the commands run once). A fire is for a
// remembered line when the text and reception time are the same and its
// pattern has not fired for it yet.
type recentLines struct {
	mu    sync.Mutex
	lines [recentLinesN]recentLine
	next  int
}

// recentLine is one remembered line.
type recentLine struct {
	raw      string
	received time.Time
	allowed  bool            // by the throttle
	patterns map[string]bool // the patterns that fired for it
	sent     map[string]bool // the profiles given the line, by name
	job      *job            // its queued job
}

// find returns the latest remembered record of the line that pattern has
// not fired for yet, or nil; r.mu is held. A pattern fires once per
// delivery, so a record it has fired for is an earlier delivery of the
// same line.
func (r *recentLines) find(raw string, received time.Time, pattern string) *recentLine {
	for k := 1; k <= recentLinesN; k++ {
		l := &r.lines[(r.next-k+recentLinesN)%recentLinesN]
		if l.sent != nil && l.raw == raw && l.received.Equal(received) && !l.patterns[pattern] {
			return l
		}
	}
	return nil
}

// add remembers a line in place of the oldest; r.mu is held.
func (r *recentLines) add(raw string, received time.Time) *recentLine {
	l := &r.lines[r.next]
	r.next = (r.next + 1) % recentLinesN
	*l = recentLine{raw: raw, received: received, sent: map[string]bool{}, patterns: map[string]bool{}}
	return l
}

// unsent returns the profiles that have not had the line yet and marks
// them as having had it.
func (l *recentLine) unsent(profiles []*config.Profile) []*config.Profile {
	var out []*config.Profile
	for _, p := range profiles {
		if !l.sent[p.Name] {
			l.sent[p.Name] = true
			out = append(out, p)
		}
	}
	return out
}
