package input

import (
	"context"
	"net/netip"
	"time"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/events"
)

// MaxLine is the default longest line an input delivers whole: 64 KiB.
const MaxLine = 64 << 10

// DefaultWait is how long a stream input (tcp, file, stdin) waits for space
// in a full Queue before it drops a line.
const DefaultWait = 500 * time.Millisecond

// Input is one source of syslog lines.
type Input interface {
	// Name identifies the input in statistics and logs ("udp:127.0.0.1:5514").
	Name() string
	// Run reads lines and offers them to q until ctx is done (or, for
	// stdin, until end of input); it closes its sockets and files before
	// it returns. It returns nil when it stopped because ctx was done and
	// an error only when the input could not go on. Run is called at most
	// once.
	Run(ctx context.Context, q Sink) error
	// Stats returns a snapshot of the input's counters; it is safe to call
	// at any time, from any goroutine.
	Stats() Stats
}

// Item is one received line on its way from an input to the detectors.
type Item struct {
	// Line is the line as received, without its framing (the datagram's
	// trailing newline, the octet count, the LF or CRLF). The Item owns it:
	// it is a copy, never the input's read buffer. Lines of one reader may
	// share a backing array (see Copier), each capped at its length.
	Line []byte
	// Received is when the input read the line, from Options.Now.
	Received time.Time
	// Peer is the sender of a UDP datagram or TCP connection; the zero
	// AddrPort for the other inputs.
	Peer netip.AddrPort
	// Input is the Name of the input that read the line.
	Input string
	// Truncated is set when the line was longer than the input's MaxLine
	// and Line holds only its first MaxLine bytes.
	Truncated bool
	// Local marks a line the host itself raised (a native event source's,
	// ds/events/source): it takes the device's host name, as the engine's
	// own lines do.
	Local bool
	// Origin marks one of the engine's own lines (the pump's echo queue):
	// the run that logged it. Zero for a line from outside.
	Origin events.Origin
}

// Options are the settings every input takes.
type Options struct {
	// Name overrides the input's name; the default is "udp:ADDRESS",
	// "tcp:ADDRESS", "unix:PATH", "file:PATH" or "stdin".
	Name string
	// Now stamps Item.Received; the default is the wall clock. Pass the
	// engine's ds.Clock Now so replays and tests control time.
	Now func() time.Time
	// MaxLine is the longest line delivered whole (default MaxLine); longer
	// lines are cut to it and counted as oversize.
	MaxLine int
	// Wait is how long a stream input waits for queue space before it drops
	// a line (default DefaultWait; negative: never wait). Datagram inputs
	// never wait and ignore it.
	Wait time.Duration
}

// WithDefaults returns o with its zero fields set: name as Name, the wall
// clock as Now, MaxLine and DefaultWait.
func (o Options) WithDefaults(name string) Options {
	if o.Name == "" {
		o.Name = name
	}
	if o.Now == nil {
		o.Now = ds.RealClock{}.Now
	}
	if o.MaxLine <= 0 {
		o.MaxLine = MaxLine
	}
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	return o
}
