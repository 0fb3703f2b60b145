package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/dsengine/dsengine/ds/config"
)

// Defaults of Options.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxOutput   = 1 << 20 // 1 MiB
	DefaultDialTimeout = 10 * time.Second
)

// Executor runs IOS CLI commands. Run may be called from several
// goroutines at once.
type Executor interface {
	// Run runs one command and returns what it printed. On ErrExit and
	// ErrTimeout the output is returned along with the error.
	Run(ctx context.Context, command string) (Output, error)
	// Close releases the executor (the SSH connection); Run fails with
	// ErrClosed afterwards.
	Close() error
}

// Output is what a command printed.
type Output struct {
	Text string // stdout and stderr interleaved, at most Options.MaxOutput bytes
	// Truncated: the command printed more than MaxOutput bytes; the rest
	// was discarded and the command stopped.
	Truncated bool
	// ExitCode is the command's exit status; -1 when it was stopped (cap
	// reached, timeout) or the device did not report one.
	ExitCode int
	Duration time.Duration
}

// Options tune every executor.
type Options struct {
	Timeout     time.Duration    // per command; 0 means DefaultTimeout
	MaxOutput   int              // bytes kept per command; 0 means DefaultMaxOutput
	DialTimeout time.Duration    // ssh: connect and handshake; 0 means DefaultDialTimeout
	Now         func() time.Time // measures Output.Duration; nil means time.Now
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxOutput <= 0 {
		o.MaxOutput = DefaultMaxOutput
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// constructor builds one kind of executor.
type constructor func(cfg config.Executor, commandMap []config.CommandMapping, opts Options) (Executor, error)

// kinds is the table of executors, one per config.ExecutorKind.
func kinds() map[config.ExecutorKind]constructor {
	return map[config.ExecutorKind]constructor{
		config.ExecutorLocal: newLocal,
		config.ExecutorSim:   newSim,
		config.ExecutorSSH:   newSSH,
	}
}

// New builds the executor cfg names (local when cfg.Kind is empty).
// commandMap is the configuration's command-map lines; only the local
// executor reads them. It validates the configuration: a bad command-map
// line, a missing sim directory, an unreadable SSH key or known_hosts file
// is an error here rather than at the first command.
func New(cfg config.Executor, commandMap []config.CommandMapping, opts Options) (Executor, error) {
	kind := cfg.Kind
	if kind == "" {
		kind = config.ExecutorLocal
	}
	build, ok := kinds()[kind]
	if !ok {
		return nil, fmt.Errorf("executor %q: unknown kind; expected local, sim or ssh", kind)
	}
	return build(cfg, commandMap, opts.withDefaults())
}
