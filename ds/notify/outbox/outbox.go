package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/notify/transport"
)

// Store is where the outbox keeps its messages, and the rate limiter in
// front of it the admissions of the last minute: *bootflash.Store. The
// Puts must be durable when they return.
type Store interface {
	OutboxPut(name string, data []byte) error
	OutboxList() ([]string, error)
	OutboxGet(name string) ([]byte, error)
	OutboxRemove(name string) error
	// RateLimitGet returns what RateLimitPut stored, or an error wrapping
	// bootflash.ErrNotFound.
	RateLimitGet() ([]byte, error)
	RateLimitPut(data []byte) error
}

// Options configure an Outbox.
type Options struct {
	// Transports deliver the messages, found by Name (required).
	Transports []transport.Transport
	// Clock times retries and ages (required).
	Clock ds.Clock
	// Stats receives the counters; nil means NewStats(). Share it with the
	// RateLimiter in front.
	Stats *Stats
	// Backoff spaces the retries; zero fields take the defaults.
	Backoff Backoff
	// MaxAge is how long after it was made a message is still retried; 0
	// means DefaultMaxAge.
	MaxAge time.Duration
	// Workers is how many sends may run at once; 0 means DefaultWorkers.
	Workers int
	// Rand returns a uniform number in [0, 1) for the jitter; nil means
	// math/rand/v2.
	Rand func() float64
	// Logger receives delivery failures; nil discards.
	Logger *slog.Logger
}

// Outbox is the durable stage: it stores messages in the bootflash outbox
// and delivers them through the transports, retrying what may succeed
// later. See the package comment.
type Outbox struct {
	store Store
	trMu  sync.RWMutex // guards trs, which a reload replaces
	trs   map[string]transport.Transport
	opts  Options
	stats *Stats
	log   *slog.Logger

	ctx    context.Context // ends at Close; every send runs under it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond
	items    map[string]*item // every message in the outbox, by file name
	ready    []*item          // due for sending, oldest first
	timers   map[*item]ds.Timer
	started  bool
	closed   bool
	warnings []string

	admitMu  sync.Mutex
	admitted []time.Time // a RateLimiter's admissions, as last loaded or saved
}

// item is one outbox file in memory.
type item struct {
	name      string
	typ       MessageType
	transport string
	attempts  int // sends that failed since this process took the item
}

// transport returns the transport of that name, nil if there is none.
func (o *Outbox) transport(name string) transport.Transport {
	o.trMu.RLock()
	defer o.trMu.RUnlock()
	return o.trs[name]
}

// SetTransports replaces the transports (a reloaded configuration's mail
// servers, sender, proxy or source binding); the messages waiting in the
// outbox go out through the new ones. A send under way finishes on the
// old one.
func (o *Outbox) SetTransports(ts []transport.Transport) error {
	if len(ts) == 0 {
		return errors.New("outbox: transports are required")
	}
	trs := make(map[string]transport.Transport, len(ts))
	for _, t := range ts {
		trs[t.Name()] = t
	}
	o.trMu.Lock()
	defer o.trMu.Unlock()
	o.trs = trs
	return nil
}

// New opens the outbox on store and takes over every message already in
// it (from before a crash or a restart), oldest first; they are sent once
// Start runs. A file it cannot read is left in place and reported by
// Warnings.
func New(store Store, opts Options) (*Outbox, error) {
	if store == nil || opts.Clock == nil || len(opts.Transports) == 0 {
		return nil, errors.New("outbox: a store, a clock and transports are required")
	}
	if opts.Stats == nil {
		opts.Stats = NewStats()
	}
	opts.Backoff = opts.Backoff.withDefaults()
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	o := &Outbox{
		store:  store,
		trs:    map[string]transport.Transport{},
		opts:   opts,
		stats:  opts.Stats,
		log:    opts.Logger,
		items:  map[string]*item{},
		timers: map[*item]ds.Timer{},
	}
	o.cond = sync.NewCond(&o.mu)
	for _, t := range opts.Transports {
		o.trs[t.Name()] = t
	}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	o.loadAdmissions()
	names, err := store.OutboxList()
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	for _, name := range names {
		data, err := store.OutboxGet(name)
		if err != nil {
			o.warnings = append(o.warnings, fmt.Sprintf("outbox %s: %v; left in place", name, err))
			continue
		}
		rec, err := decode(data)
		if err == nil && rec.name() != name {
			err = fmt.Errorf("holds message %s", rec.name())
		}
		if err != nil {
			o.warnings = append(o.warnings, fmt.Sprintf("outbox %s: unreadable (%v); left in place", name, err))
			continue
		}
		it := &item{name: name, typ: rec.Type, transport: rec.Transport}
		o.items[name] = it
		o.ready = append(o.ready, it)
		o.stats.add(inQueue, it.typ, it.transport, 1)
	}
	return o, nil
}

// Warnings lists the outbox files New could not take over.
func (o *Outbox) Warnings() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.warnings)
}

// Stats returns the statistics the outbox counts into.
func (o *Outbox) Stats() *Stats { return o.stats }

// Len returns how many messages (one per transport) the outbox holds.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.items)
}

// Start starts the workers; what was enqueued or found at New is sent
// from now on.
func (o *Outbox) Start() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.started || o.closed {
		return
	}
	o.started = true
	for range o.opts.Workers {
		o.wg.Add(1)
		go o.work()
	}
	o.cond.Broadcast()
}

// Close stops the workers and the retry timers, cancelling sends in
// progress; every message not yet delivered stays in the outbox for the
// next New. Enqueue fails with ErrClosed afterwards.
func (o *Outbox) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	for it, t := range o.timers {
		t.Stop()
		delete(o.timers, it)
	}
	o.cond.Broadcast()
	o.mu.Unlock()
	o.cancel()
	o.wg.Wait()
	return nil
}

// Enqueue stores msg in the outbox, one file per transport that has
// destinations, and returns once they are durable; no send is attempted
// before. If a file cannot be written, those already written are removed
// and the error returned.
func (o *Outbox) Enqueue(ctx context.Context, msg Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if msg.Type == "" {
		return errors.New("outbox: message without a type")
	}
	o.mu.Lock()
	closed := o.closed
	o.mu.Unlock()
	if closed {
		return ErrClosed
	}
	now := o.opts.Clock.Now()
	created := msg.Time
	if created.IsZero() {
		created = now
	}
	id := transport.NewID(now)
	trs := make([]string, 0, len(msg.To))
	for tr, to := range msg.To {
		if len(to) == 0 {
			continue
		}
		if o.transport(tr) == nil {
			return fmt.Errorf("outbox: unknown transport %q", tr)
		}
		trs = append(trs, tr)
	}
	if len(trs) == 0 {
		return fmt.Errorf("outbox: %w", ErrNoDestination)
	}
	sort.Strings(trs) // "email" before "http"
	var written []*item
	for _, tr := range trs {
		rec := &record{
			ID: id, Transport: tr, Type: msg.Type, To: slices.Clone(msg.To[tr]),
			Subject: msg.Subject, ContentType: msg.ContentType, Created: created, body: msg.Body,
		}
		data, err := rec.encode()
		if err == nil {
			err = o.store.OutboxPut(rec.name(), data)
		}
		if err != nil {
			for _, it := range written {
				_ = o.store.OutboxRemove(it.name)
			}
			return fmt.Errorf("outbox: %w", err)
		}
		written = append(written, &item{name: rec.name(), typ: msg.Type, transport: tr})
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, it := range written {
		o.items[it.name] = it
		o.stats.add(inQueue, it.typ, it.transport, 1)
		if !o.closed {
			o.ready = append(o.ready, it)
		}
	}
	o.cond.Broadcast()
	return nil
}

// work is one worker: it sends ready items until Close.
func (o *Outbox) work() {
	defer o.wg.Done()
	for {
		o.mu.Lock()
		for !o.closed && len(o.ready) == 0 {
			o.cond.Wait()
		}
		if o.closed {
			o.mu.Unlock()
			return
		}
		it := o.ready[0]
		o.ready[0] = nil
		o.ready = o.ready[1:]
		o.mu.Unlock()
		o.deliver(it)
	}
}

// deliver sends one item and decides what comes next: removal, a retry,
// or giving up.
func (o *Outbox) deliver(it *item) {
	data, err := o.store.OutboxGet(it.name)
	if errors.Is(err, bootflash.ErrNotFound) {
		o.log.Warn("call-home message vanished from the outbox", "message", it.name)
		o.finish(it, nil, false)
		return
	}
	if err != nil {
		o.retryLater(it, nil, 0, fmt.Errorf("read: %w", err))
		return
	}
	rec, err := decode(data)
	if err != nil {
		o.log.Error("call-home message unreadable; left in the outbox", "message", it.name, "err", err)
		o.finish(it, nil, true)
		return
	}
	tr := o.transport(rec.Transport)
	if tr == nil {
		o.log.Error("call-home message failed", "message", it.name, "err", "no transport "+rec.Transport)
		o.finish(it, rec, true)
		return
	}
	err = tr.Send(o.ctx, rec.envelope())
	if o.ctx.Err() != nil {
		return // closing: the file stays for the next start
	}
	retry, failedNow := transport.Undelivered(err, rec.To)
	rec.Failed = append(rec.Failed, failedNow...)
	if len(retry) == 0 {
		if len(rec.Failed) > 0 {
			o.log.Error("call-home message failed", "message", it.name, "type", rec.Type,
				"transport", rec.Transport, "destinations", rec.Failed, "err", err)
		}
		o.finish(it, rec, len(rec.Failed) > 0)
		return
	}
	if len(retry) < len(rec.To) {
		// Only the destinations still to serve are retried.
		rec.To = retry
		if data, err := rec.encode(); err == nil {
			if err := o.store.OutboxPut(it.name, data); err != nil {
				o.log.Error("outbox rewrite failed; a retry may reach some destinations twice", "message", it.name, "err", err)
			}
		}
	}
	o.retryLater(it, rec, transport.RetryAfter(err), err)
}

// retryLater schedules the next attempt, or gives up when it would fall
// after the message's MaxAge.
func (o *Outbox) retryLater(it *item, rec *record, after time.Duration, cause error) {
	now := o.opts.Clock.Now()
	it.attempts++
	delay := o.opts.Backoff.Delay(it.attempts, o.opts.Rand())
	if after > delay {
		delay = min(after, o.opts.Backoff.Max)
	}
	if rec != nil && now.Add(delay).After(rec.Created.Add(o.opts.MaxAge)) {
		rec.Failed = append(rec.Failed, rec.To...)
		o.log.Error("call-home message failed; giving up", "message", it.name, "type", rec.Type,
			"transport", rec.Transport, "destinations", rec.To, "attempts", it.attempts,
			"age", now.Sub(rec.Created).String(), "err", cause)
		o.finish(it, rec, true)
		return
	}
	o.log.Warn("call-home message not delivered; will retry", "message", it.name,
		"attempt", it.attempts, "in", delay.String(), "err", cause)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.timers[it] = o.opts.Clock.AfterFunc(delay, func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if _, ok := o.timers[it]; !ok {
			return // stopped by Close
		}
		delete(o.timers, it)
		o.ready = append(o.ready, it)
		o.cond.Signal()
	})
}

// finish ends an item: its file is removed (unless rec is nil, when the
// file is gone or unreadable) and it is counted Success or Failed.
func (o *Outbox) finish(it *item, rec *record, failedForGood bool) {
	if rec != nil {
		if err := o.store.OutboxRemove(it.name); err != nil && !errors.Is(err, bootflash.ErrNotFound) {
			o.log.Error("outbox remove failed; the message will be sent again at the next start", "message", it.name, "err", err)
		}
	}
	o.mu.Lock()
	delete(o.items, it.name)
	o.mu.Unlock()
	switch {
	case failedForGood:
		o.stats.add(inQueue, it.typ, it.transport, -1)
		o.stats.add(failed, it.typ, it.transport, 1)
	case rec != nil:
		o.stats.sent(it.typ, it.transport, o.opts.Clock.Now())
	default:
		o.stats.add(inQueue, it.typ, it.transport, -1)
	}
}
