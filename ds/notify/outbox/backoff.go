package outbox

import (
	"math"
	"time"
)

// Defaults of Backoff and Options.
const (
	DefaultInitialBackoff = 30 * time.Second
	DefaultMaxBackoff     = 30 * time.Minute
	DefaultMultiplier     = 2.0
	DefaultJitter         = 0.2
	DefaultMaxAge         = 24 * time.Hour
	DefaultWorkers        = 4
)

// Backoff says how long to wait before each retry. Zero fields take the
// defaults.
type Backoff struct {
	Initial    time.Duration // before the first retry
	Max        time.Duration // the longest wait
	Multiplier float64       // growth per attempt
	// Jitter spreads each wait uniformly over ±Jitter of its value (0 to
	// 1), so that messages that failed together do not retry together.
	Jitter float64
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = DefaultInitialBackoff
	}
	if b.Max <= 0 {
		b.Max = DefaultMaxBackoff
	}
	if b.Max < b.Initial {
		b.Max = b.Initial
	}
	if b.Multiplier < 1 {
		b.Multiplier = DefaultMultiplier
	}
	if b.Jitter <= 0 || b.Jitter > 1 {
		b.Jitter = DefaultJitter
	}
	return b
}

// Delay returns the wait before retry number attempt (1 for the first),
// given r uniform in [0, 1): Initial × Multiplier^(attempt-1), capped at
// Max, times 1 ± Jitter (r = 0.5 gives the value itself), and never above
// Max.
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	b = b.withDefaults()
	if attempt < 1 {
		attempt = 1
	}
	d := float64(b.Initial) * math.Pow(b.Multiplier, float64(attempt-1))
	d = math.Min(d, float64(b.Max))
	d *= 1 + b.Jitter*(2*r-1)
	return time.Duration(math.Min(d, float64(b.Max)))
}
