package download

import (
	"log/slog"
	"math"
	"os"
	"time"

	"github.com/dsengine/dsengine/bootflash"
	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/verify"
)

// Defaults of Options.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultDialTimeout = 10 * time.Second
	DefaultAttempts    = 3
	DefaultParallel    = 4
	DefaultInitial     = time.Second
	DefaultMaxBackoff  = 30 * time.Second
	DefaultJitter      = 0.2
	// MaxCAFileSize caps the repository-ca file.
	MaxCAFileSize = 1 << 20
)

// VersionStore keeps store-wide values; the client keeps there the
// highest index version it accepted, per repository, to refuse older
// ones. *bootflash.Store implements it.
type VersionStore interface {
	Value(key string) (string, bool)
	SetValue(key, value string) error
}

// Options configure a Client. Repository, Keyring, Versions and Install
// are required.
type Options struct {
	// Repository is the https:// URL of the repository (the
	// "repository" line); http:// is refused.
	Repository string
	// CAFile is a PEM file of the CA(s) of the repository's TLS
	// certificate ("repository-ca"); empty means the system roots.
	CAFile string
	// Proxy is the call-home "http-proxy"; nil connects directly (the
	// environment's proxy variables are not used).
	Proxy *config.HTTPProxy
	// Keyring holds the trusted publisher keys ("trust-key"); the index
	// and every DS must be signed by one of them.
	Keyring *verify.Keyring
	// Versions keeps the highest index version accepted.
	Versions VersionStore
	// Install receives the verified DS of a download, in batches of at
	// most BatchBytes. An error marks that batch's DS failed.
	Install func(items []Item) error

	// Hostname, Serial and Profile describe the device in the request;
	// Profile (the DS profile) also selects the index's assignments.
	Hostname, Serial, Profile string

	// Progress, if set, is called after each DS fetched or failed, one
	// call at a time.
	Progress func(Progress)
	// Clock gives the time for signature and expiry checks and the waits
	// between retries; ds.RealClock if nil.
	Clock ds.Clock
	// Rand returns a uniform number in [0, 1) for the retry jitter;
	// math/rand/v2 if nil.
	Rand func() float64
	// Timeout bounds each HTTP request, body included; DefaultTimeout if
	// zero. DialTimeout bounds a connection and its TLS handshake.
	Timeout, DialTimeout time.Duration
	// Attempts is how often a file is tried when the failure may pass
	// (network errors, timeouts, 5xx, 408, 429); DefaultAttempts if zero.
	Attempts int
	// Backoff spaces the attempts: Initial, doubling up to Max, ±Jitter.
	Backoff Backoff
	// Parallel is how many DS are fetched at once; DefaultParallel if zero.
	Parallel int
	// BatchBytes caps the files of one Install call;
	// bootflash.MaxBatchBytes if zero.
	BatchBytes int64
	// Logger gets a line per failure and per download; nil discards.
	Logger *slog.Logger
}

// Backoff says how long to wait before each retry.
type Backoff struct {
	Initial time.Duration // before the first retry; DefaultInitial if zero
	Max     time.Duration // the longest wait; DefaultMaxBackoff if zero
	// Jitter spreads each wait uniformly over ±Jitter of its value (0 to
	// 1); DefaultJitter if zero.
	Jitter float64
}

// Delay returns the wait before retry number n (1 for the first), given r
// uniform in [0, 1): Initial × 2^(n-1), capped at Max, times 1 ± Jitter.
func (b Backoff) Delay(n int, r float64) time.Duration {
	if b.Initial <= 0 {
		b.Initial = DefaultInitial
	}
	if b.Max <= 0 {
		b.Max = DefaultMaxBackoff
	}
	if b.Jitter <= 0 || b.Jitter > 1 {
		b.Jitter = DefaultJitter
	}
	n = max(n, 1)
	d := math.Min(float64(b.Initial)*math.Pow(2, float64(n-1)), float64(b.Max))
	d *= 1 + b.Jitter*(2*r-1)
	return time.Duration(d)
}

// OptionsFromConfig fills the options a configuration gives: repository,
// repository-ca, http-proxy, hostname (the host's own name when the
// configuration has none) and the DS profile. The caller adds the keyring,
// the version store, Install and the serial number.
func OptionsFromConfig(cfg *config.Config) Options {
	o := Options{
		Repository: cfg.DiagnosticSignature.Repository,
		CAFile:     cfg.DiagnosticSignature.RepositoryCA,
		Proxy:      cfg.CallHome.HTTPProxy,
		Hostname:   cfg.Hostname,
		Profile:    cfg.DiagnosticSignature.Profile,
	}
	if o.Hostname == "" {
		o.Hostname, _ = os.Hostname()
	}
	return o
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = ds.RealClock{}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = bootflash.MaxBatchBytes
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
