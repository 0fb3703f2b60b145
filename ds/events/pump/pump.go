package pump

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
	"github.com/dsengine/dsengine/ds/events/input"
	"github.com/dsengine/dsengine/ds/events/syslogmsg"
)

// DefaultEchoQueue is how many of the engine's own lines may wait for the
// detectors.
const DefaultEchoQueue = 256

// EchoInput names the engine's own lines in the input statistics.
const EchoInput = "engine messages"

// DefaultLocalQueue is how many lines of the host's native event sources
// may wait for the detectors: a burst of 10,000 link flaps in a second
// loses none while the detectors keep up.
const DefaultLocalQueue = 16384

// LocalInput names the native event sources' lines in the input
// statistics.
const LocalInput = "host events"

// Options configure a Pump.
type Options struct {
	// Deliver hands a parsed message to the detectors (required); m is
	// valid only during the call. It may be called from several
	// goroutines at once (one per queue Run reads).
	Deliver func(m *events.Message)
	// BeforeDeliver, when set, sees each message after parsing and before
	// Deliver: a replay moves its virtual clock to the line's time there.
	BeforeDeliver func(m *events.Message)
	// Hostname is the host of the engine's own lines.
	Hostname string
	// Clock stamps the engine's own lines; ds.RealClock{} when nil.
	Clock ds.Clock
	// Location is the zone of the devices' clocks (config.Clock.Location:
	// clock timezone, clock summer-time), which reads their stamps; nil
	// reads them as syslogmsg.Parse does. SetLocation changes it.
	Location *time.Location
	// EchoQueue bounds the engine's own lines waiting for the detectors;
	// 0 means DefaultEchoQueue. Beyond it, Echo drops and counts.
	EchoQueue int
}

// Pump parses lines and delivers them to the detectors.
type Pump struct {
	opts     Options
	loc      atomic.Pointer[time.Location]
	echo     *input.Queue
	counters input.Counters // of the echo queue
	local    *input.Queue
	localC   input.Counters // of the local queue
}

// New returns a Pump.
func New(opts Options) *Pump {
	if opts.Clock == nil {
		opts.Clock = ds.RealClock{}
	}
	if opts.EchoQueue <= 0 {
		opts.EchoQueue = DefaultEchoQueue
	}
	if opts.Deliver == nil {
		opts.Deliver = func(*events.Message) {}
	}
	p := &Pump{opts: opts, echo: input.NewQueue(opts.EchoQueue, 0), local: input.NewQueue(DefaultLocalQueue, 0)}
	p.loc.Store(opts.Location)
	return p
}

// SetLocation changes the zone of the devices' clocks (a reload's new
// clock lines) for the lines parsed from now on.
func (p *Pump) SetLocation(loc *time.Location) { p.loc.Store(loc) }

// Line parses one line and delivers it in the caller's goroutine. m is
// the caller's scratch message, reused from line to line. A line with no
// host takes the peer's address, and the engine's own lines the local
// host name.
func (p *Pump) Line(m *events.Message, it input.Item) {
	syslogmsg.ParseIn(it.Line, it.Received, p.loc.Load(), m)
	m.Origin = it.Origin
	if m.Host == "" {
		switch {
		case it.Peer.IsValid():
			m.Host = it.Peer.Addr().String()
		case it.Input == EchoInput || it.Local:
			m.Host = p.opts.Hostname
		}
	}
	if p.opts.BeforeDeliver != nil {
		p.opts.BeforeDeliver(m)
	}
	p.opts.Deliver(m)
}

// Echo queues one of the engine's own syslog lines for the detectors, as
// IOS EEM sees the lines of its logging buffer; the message carries from,
// the run that logged it (events.Message.Origin). It never blocks: when
// the queue is full the line is dropped, counted, and Echo returns false.
func (p *Pump) Echo(line string, from events.Origin) bool {
	return p.counters.Offer(p.echo, input.Item{Line: []byte(line), Received: p.opts.Clock.Now(), Input: EchoInput, Origin: from})
}

// EchoStats are the echo queue's counters, shown with the inputs'.
func (p *Pump) EchoStats() input.Stats { return p.counters.Snapshot(EchoInput) }

// Local queues one line the host raised (a native event source's, such as
// "%LINK-3-UPDOWN: Interface veth1, changed state to down") for the
// detectors, received at: the source's own time. It takes the device's
// host name. It never blocks: when the queue is full the line is dropped,
// counted, and Local returns false.
func (p *Pump) Local(at time.Time, line string) bool {
	return p.localC.Offer(p.local, input.Item{Line: []byte(line), Received: at, Input: LocalInput, Local: true})
}

// LocalStats are the local queue's counters, shown with the inputs'.
func (p *Pump) LocalStats() input.Stats { return p.localC.Snapshot(LocalInput) }

// Run delivers the lines of each queue, of the echo queue and of the
// local queue, one goroutine per queue, until ctx ends.
func (p *Pump) Run(ctx context.Context, queues ...*input.Queue) {
	var wg sync.WaitGroup
	for _, q := range append(queues, p.echo, p.local) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.drain(ctx, q)
		}()
	}
	wg.Wait()
}

func (p *Pump) drain(ctx context.Context, q *input.Queue) {
	var m events.Message
	for {
		it, err := q.Get(ctx)
		if err != nil {
			return
		}
		p.Line(&m, it)
	}
}
