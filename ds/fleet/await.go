package fleet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrRefused marks a JetStream that answers but that dsengine must not use
// as it is (a stream it did not create, another partition count): waiting
// does not change it.
var ErrRefused = errors.New("refused")

// Await runs step until it succeeds, ctx ends or it is refused. JetStream
// answers nothing while its cluster elects a leader, a node restarts or
// the relay has not created the streams yet; a worker that starts then
// waits for it instead of exiting. Each failure is logged with the wait
// before the next try, which doubles from 100 ms to 5 s.
func Await(ctx context.Context, log *slog.Logger, what string, step func(context.Context) error) error {
	wait := 100 * time.Millisecond
	for {
		err := step(ctx)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrRefused):
			return err
		case ctx.Err() != nil:
			return fmt.Errorf("%s: %w", what, err)
		}
		log.Warn(what+": JetStream not ready, retrying", "in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w", what, err)
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}
