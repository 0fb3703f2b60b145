package bootflash

import (
	"fmt"
	"path/filepath"
	"time"
)

// RateLimitGet returns what RateLimitPut stored last: the call-home rate
// limiter's recent admissions, kept beside the outbox so that a restart
// does not reset the limit. It returns an error wrapping ErrNotFound if
// nothing was stored.
func (s *Store) RateLimitGet() ([]byte, error) {
	return s.readSmall(filepath.Join(s.dir, RateLimitFile), MaxRateLimitSize, RateLimitFile)
}

// RateLimitPut replaces the rate limiter's record, atomically and
// durably.
func (s *Store) RateLimitPut(data []byte) error {
	if len(data) > MaxRateLimitSize {
		return fmt.Errorf("bootflash: %s: %w (over %d bytes)", RateLimitFile, errTooLarge, MaxRateLimitSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("bootflash: %w", ErrClosed)
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("bootflash: %w", ErrReadOnly)
	}
	if err := writeFileAtomic(s.dir, RateLimitFile, data, time.Time{}); err != nil {
		return fmt.Errorf("bootflash: %s: %w", RateLimitFile, err)
	}
	return nil
}
