package daemon

import (
	"context"
	"sync"

	"github.com/dsengine/dsengine/ds/actions/executor"
)

// swapExecutor is the executor DS actions, scripts, applets and alert
// groups share: a reload swaps in one built from the new `executor` and
// `command-map` lines, and the old one closes once the commands running on
// it end.
type swapExecutor struct {
	mu     sync.RWMutex
	cur    *generation
	closed sync.WaitGroup // old generations closing
}

// generation is one executor and the commands running on it.
type generation struct {
	exec    executor.Executor
	running sync.WaitGroup
}

func newSwapExecutor(e executor.Executor) *swapExecutor {
	return &swapExecutor{cur: &generation{exec: e}}
}

// Run runs command on the current executor.
func (s *swapExecutor) Run(ctx context.Context, command string) (executor.Output, error) {
	s.mu.RLock()
	g := s.cur
	g.running.Add(1)
	s.mu.RUnlock()
	defer g.running.Done()
	return g.exec.Run(ctx, command)
}

// swap makes e the executor of every later command; the previous one is
// closed when its running commands end.
func (s *swapExecutor) swap(e executor.Executor) {
	s.mu.Lock()
	old := s.cur
	s.cur = &generation{exec: e}
	s.mu.Unlock()
	s.closed.Add(1)
	go func() {
		defer s.closed.Done()
		old.running.Wait()
		old.exec.Close()
	}()
}

// Close closes the current executor and waits for the old ones to close.
func (s *swapExecutor) Close() error {
	s.mu.Lock()
	g := s.cur
	s.mu.Unlock()
	err := g.exec.Close()
	s.closed.Wait()
	return err
}
