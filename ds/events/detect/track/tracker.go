package track

import (
	"context"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsengine/dsengine/internal/lazyre"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/detect/detector"
)

// IP SLA defaults of IOS, used when the configuration leaves them zero.
const (
	DefaultFrequency = 60 * time.Second
	DefaultTimeout   = 5 * time.Second
)

// Dialer opens the TCP connections of IP SLA tcp-connect probes;
// *net.Dialer is one.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Tracker keeps the state of the configured tracked objects and reports
// their changes. Every object starts unknown; the first observation is a
// change (from unknown). It is safe for concurrent use.
type Tracker struct {
	clock  ds.Clock
	dialer Dialer
	log    *slog.Logger
	emit   func(detector.TrackChange)

	mu      sync.Mutex
	ctx     context.Context // set by Start; nil before
	stopped bool            // Stop was called: no operation runs again
	objects map[int]*object
	byIntf  map[string][]*object // by CanonicalInterface
	probes  map[int]*probe       // by IP SLA number
}

// object is one tracked object.
type object struct {
	cfg      config.Track
	state    string   // reported: up, down or unknown
	observed string   // last observed, which a delay may not have reported yet
	delay    ds.Timer // pending delayed report of observed
}

// probe is one IP SLA tcp-connect operation.
type probe struct {
	cfg     config.IPSLA
	timer   ds.Timer
	stopped bool
}

// NewTracker returns a tracker that reports changes to emit, probes
// through dialer (a *net.Dialer when nil) and schedules probes on clock.
// emit is called without the tracker's lock held, from the goroutine
// that observed the change (Line's, or the clock's for probes and
// delays). A nil log discards.
func NewTracker(clock ds.Clock, dialer Dialer, log *slog.Logger, emit func(detector.TrackChange)) *Tracker {
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tracker{
		clock: clock, dialer: dialer, log: log, emit: emit,
		objects: map[int]*object{}, byIntf: map[string][]*object{}, probes: map[int]*probe{},
	}
}

// Configure replaces the tracked objects and IP SLA operations. An object
// whose definition is unchanged keeps its state; a new or changed one
// starts unknown. Operations are restarted (at once if the tracker has
// started). Only tcp-connect operations run; others are logged and
// ignored.
func (t *Tracker) Configure(tracks []config.Track, slas []config.IPSLA) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.objects
	t.objects = make(map[int]*object, len(tracks))
	t.byIntf = map[string][]*object{}
	for _, c := range tracks {
		o := &object{cfg: c, state: detector.StateUnknown, observed: detector.StateUnknown}
		if prev := old[c.Number]; prev != nil && sameTrack(prev.cfg, c) {
			o.state, o.observed = prev.state, prev.state
		}
		t.objects[c.Number] = o
		if c.Kind == config.TrackInterface {
			k := CanonicalInterface(c.Interface)
			t.byIntf[k] = append(t.byIntf[k], o)
		}
	}
	for _, o := range old {
		if o.delay != nil {
			o.delay.Stop()
		}
	}
	for _, p := range t.probes {
		t.stopProbe(p)
	}
	t.probes = make(map[int]*probe, len(slas))
	for _, c := range slas {
		if c.Operation != "" && c.Operation != "tcp-connect" {
			t.log.Warn("ip sla operation not supported; only tcp-connect runs", "sla", c.Number, "operation", c.Operation)
			continue
		}
		if c.Frequency <= 0 {
			c.Frequency = DefaultFrequency
		}
		if c.Timeout <= 0 {
			c.Timeout = DefaultTimeout
		}
		p := &probe{cfg: c}
		t.probes[c.Number] = p
		if t.ctx != nil && !t.stopped {
			t.armProbe(p, t.clock.Now(), t.clock.Now())
		}
	}
}

// sameTrack reports whether two definitions follow the same thing.
func sameTrack(a, b config.Track) bool {
	return a.Kind == b.Kind && CanonicalInterface(a.Interface) == CanonicalInterface(b.Interface) &&
		a.SLA == b.SLA && a.SLAMode == b.SLAMode
}

// Start starts the IP SLA operations: each runs at once, then every
// frequency. Their connections end with ctx.
func (t *Tracker) Start(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ctx != nil || t.stopped {
		return
	}
	t.ctx = ctx
	now := t.clock.Now()
	for _, p := range t.probes {
		t.armProbe(p, now, now)
	}
}

// Stop stops the IP SLA operations and pending delays for good.
func (t *Tracker) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	for _, p := range t.probes {
		t.stopProbe(p)
	}
	for _, o := range t.objects {
		if o.delay != nil {
			o.delay.Stop()
			o.delay = nil
		}
	}
}

// State returns the state of object n ("up", "down" or "unknown") and
// whether the object is configured.
func (t *Tracker) State(n int) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.objects[n]
	if o == nil {
		return detector.StateUnknown, false
	}
	return o.state, true
}

// Line follows a %LINEPROTO-5-UPDOWN message ("Line protocol on Interface
// GigabitEthernet1/0/1, changed state to down") and reports whether m was
// one. The objects tracking that interface's line protocol take the
// state.
func (t *Tracker) Line(m *events.Message) bool {
	return t.line(m)
}

// lineProtoMessages finds the messages Line reads in a syslog index.
var lineProtoMessages = regexp.MustCompile(`^%LINEPROTO-(?:[A-Z0-9_]+-)*[0-7]-UPDOWN`)

// Regexp finds the line-protocol messages Line reads, for the Hub's
// syslog index.
func (t *Tracker) Regexp() *lazyre.Regexp { return lineProtoPattern }

// lineProtoPattern is lineProtoMessages for the hub's index.
var lineProtoPattern = lazyre.Of(lineProtoMessages)

// Syslog is Line, as the Hub's syslog index calls it.
func (t *Tracker) Syslog(m *events.Message) { t.line(m) }

func (t *Tracker) line(m *events.Message) bool {
	if m.Facility != "LINEPROTO" || m.Mnemonic != "UPDOWN" {
		return false
	}
	name, state, ok := parseLineProto(m.Text)
	if !ok {
		return true
	}
	t.Observe(name, state, m)
	return true
}

// Observe sets the line-protocol state ("up" or "down") of an interface
// (any spelling), as a LINEPROTO message m (nil if none) reported it.
// An interface no object tracks costs no allocation.
func (t *Tracker) Observe(intf, state string, m *events.Message) {
	var buf [64]byte
	key := appendCanonical(buf[:0], intf)
	t.mu.Lock()
	objs := t.byIntf[string(key)]
	if len(objs) == 0 {
		t.mu.Unlock()
		return
	}
	now := t.clock.Now()
	var changes []detector.TrackChange
	for _, o := range objs {
		changes = t.observe(changes, o, state, now, m)
	}
	t.mu.Unlock()
	t.send(changes)
}

// parseLineProto reads the interface and state of a LINEPROTO text.
func parseLineProto(text string) (intf, state string, ok bool) {
	const on, to = "Interface ", "changed state to "
	i := strings.Index(text, on)
	if i < 0 {
		return "", "", false
	}
	rest := text[i+len(on):]
	comma := strings.IndexByte(rest, ',')
	if comma < 0 {
		return "", "", false
	}
	intf = strings.TrimSpace(rest[:comma])
	j := strings.Index(rest, to)
	if j < 0 {
		return "", "", false
	}
	state = strings.TrimSpace(rest[j+len(to):])
	if k := strings.IndexAny(state, " ,;"); k >= 0 {
		state = state[:k]
	}
	switch strings.ToLower(state) {
	case "up":
		return intf, detector.StateUp, true
	case "down":
		return intf, detector.StateDown, true
	}
	return "", "", false
}

// observe records an observed state of o; t.mu is held. A change is
// reported at once, or after the object's delay for that state if it
// still holds then, by appending it to changes.
func (t *Tracker) observe(changes []detector.TrackChange, o *object, state string, now time.Time, m *events.Message) []detector.TrackChange {
	if state == o.observed && (o.delay != nil || state == o.state) {
		return changes // nothing new, or already waiting for this state
	}
	o.observed = state
	if o.delay != nil {
		o.delay.Stop()
		o.delay = nil
	}
	if state == o.state {
		return changes // flapped back before the delay ended
	}
	delay := o.cfg.DelayDown
	if state == detector.StateUp {
		delay = o.cfg.DelayUp
	}
	if delay > 0 {
		var tm ds.Timer
		tm = t.clock.AfterFunc(delay, func() {
			t.mu.Lock()
			var ch []detector.TrackChange
			if o.delay == tm && o.observed == state {
				o.delay = nil
				ch = t.commit(nil, o, state, t.clock.Now(), nil)
			}
			t.mu.Unlock()
			t.send(ch)
		})
		o.delay = tm
		return changes
	}
	return t.commit(changes, o, state, now, m)
}

// commit makes state o's reported state; t.mu is held.
func (t *Tracker) commit(changes []detector.TrackChange, o *object, state string, now time.Time, m *events.Message) []detector.TrackChange {
	prev := o.state
	o.state = state
	return append(changes, detector.TrackChange{Time: now, Object: o.cfg.Number, State: state, Prev: prev, Message: m})
}

func (t *Tracker) send(changes []detector.TrackChange) {
	for _, c := range changes {
		t.emit(c)
	}
}

// armProbe schedules p's run planned for at; t.mu is held.
func (t *Tracker) armProbe(p *probe, now, at time.Time) {
	p.timer = t.clock.AfterFunc(at.Sub(now), func() { t.runProbe(p, at) })
}

func (t *Tracker) stopProbe(p *probe) {
	p.stopped = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
}

// runProbe runs p's connection planned for at, updates the objects that
// track it, and arms the next run at at plus the frequency (skipping runs
// the clock has passed), so the schedule does not drift.
func (t *Tracker) runProbe(p *probe, at time.Time) {
	t.mu.Lock()
	if p.stopped || t.ctx == nil {
		t.mu.Unlock()
		return
	}
	ctx := t.ctx
	t.mu.Unlock()

	ok := t.connect(ctx, p.cfg)

	t.mu.Lock()
	if p.stopped {
		t.mu.Unlock()
		return
	}
	now := t.clock.Now()
	state := detector.StateDown
	if ok {
		state = detector.StateUp
	}
	var changes []detector.TrackChange
	for _, o := range t.objects {
		if o.cfg.Kind == config.TrackIPSLA && o.cfg.SLA == p.cfg.Number {
			changes = t.observe(changes, o, state, now, nil)
		}
	}
	next := at.Add(p.cfg.Frequency)
	if !next.After(now) {
		next = next.Add(p.cfg.Frequency * (now.Sub(next)/p.cfg.Frequency + 1))
	}
	if ctx.Err() == nil {
		t.armProbe(p, now, next)
	}
	t.mu.Unlock()
	t.send(changes)
}

// connect opens and closes one TCP connection within the operation's
// timeout. The timeout bounds real network I/O, so it is a context
// deadline on the wall clock, not a timer of the (possibly virtual)
// clock that schedules the runs.
func (t *Tracker) connect(ctx context.Context, c config.IPSLA) bool {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	conn, err := t.dialer.DialContext(ctx, "tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	if err != nil {
		t.log.Debug("ip sla tcp-connect failed", "sla", c.Number, "err", err)
		return false
	}
	conn.Close()
	return true
}
