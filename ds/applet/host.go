package applet

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync"
)

// Host is what an applet's actions reach: the device's CLI, its syslog,
// mail, and the counters and saved contexts that outlive one run. Every
// method gets the run's context, which ends at the applet's maxrun; a Host
// must return when it ends.
type Host interface {
	// CLI runs one exec command ("action cli command") and returns what it
	// printed; the run adds the prompt to make $_cli_result. An error goes
	// into $_cli_result too, and the run goes on, as on IOS.
	CLI(ctx context.Context, command string) (string, error)
	// Syslog logs msg, already formatted as IOS logs it
	// ("%HA_EM-6-LOG: APPLET: text"), at severity 0 (emergencies) to 7
	// (debugging).
	Syslog(ctx context.Context, severity int, msg string) error
	// Mail sends an e-mail ("action mail").
	Mail(ctx context.Context, m Mail) error
	// Reload reloads the device ("action reload").
	Reload(ctx context.Context) error
	// OpenFile opens a file of "action file open", its name as written
	// ("flash:NAME") and its IOS mode (r, r+, w, w+, a, a+); DeleteFile
	// removes one. DirFiles implements both, confined to a directory.
	OpenFile(ctx context.Context, name, mode string) (File, error)
	DeleteFile(ctx context.Context, name string) error
	State
}

// Mail is one "action mail" e-mail, its fields as written on the action
// line after variable substitution. To and Cc may hold several addresses;
// the Host splits them.
type Mail struct {
	Server  string // mail server host, optionally host:port
	From    string
	To      string
	Cc      string // optional
	Subject string
	Body    string
}

// CounterOp is the operation of an "action counter" line.
type CounterOp int

// The counter operations, as IOS names them: op inc|dec|set|nop.
const (
	CounterNop CounterOp = iota // read the counter only
	CounterInc                  // add the value
	CounterDec                  // subtract the value
	CounterSet                  // replace with the value
)

// String returns the IOS keyword of the operation.
func (o CounterOp) String() string {
	switch o {
	case CounterInc:
		return "inc"
	case CounterDec:
		return "dec"
	case CounterSet:
		return "set"
	case CounterNop:
		return "nop"
	}
	return fmt.Sprintf("CounterOp(%d)", int(o))
}

// Apply returns old changed by the operation with value v, or an error when
// the result does not fit an int64.
func (o CounterOp) Apply(old, v int64) (int64, error) {
	switch o {
	case CounterInc:
		return addInt(old, v)
	case CounterDec:
		return subInt(old, v)
	case CounterSet:
		return v, nil
	case CounterNop:
		return old, nil
	}
	return 0, fmt.Errorf("unknown counter operation %d", int(o))
}

// State is what applet runs share: the named counters of "action counter"
// and the variables of "action context save|retrieve".
type State interface {
	// UpdateCounter applies op with value v to the named counter (0 when
	// it was never set), atomically, and returns the new value.
	UpdateCounter(ctx context.Context, name string, op CounterOp, v int64) (int64, error)
	// ContextSave saves variables under a name, replacing what was there,
	// for a later run (of any applet) to retrieve.
	ContextSave(ctx context.Context, name string, vars map[string]string) error
	// ContextRetrieve returns the variables saved under name and forgets
	// them, as EEM does; ok is false when there are none.
	ContextRetrieve(ctx context.Context, name string) (vars map[string]string, ok bool, err error)
}

// MemoryState is a State kept in memory, safe for concurrent runs. The
// zero value is ready to use.
type MemoryState struct {
	mu       sync.Mutex
	counters map[string]int64
	contexts map[string]map[string]string
}

// UpdateCounter implements State.
func (s *MemoryState) UpdateCounter(_ context.Context, name string, op CounterOp, v int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := op.Apply(s.counters[name], v)
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", name, err)
	}
	if s.counters == nil {
		s.counters = map[string]int64{}
	}
	s.counters[name] = n
	return n, nil
}

// Counter returns the value of the named counter, 0 when it was never set.
func (s *MemoryState) Counter(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counters[name]
}

// ContextSave implements State.
func (s *MemoryState) ContextSave(_ context.Context, name string, vars map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.contexts == nil {
		s.contexts = map[string]map[string]string{}
	}
	s.contexts[name] = maps.Clone(vars)
	return nil
}

// ContextRetrieve implements State.
func (s *MemoryState) ContextRetrieve(_ context.Context, name string) (map[string]string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vars, ok := s.contexts[name]
	delete(s.contexts, name)
	return vars, ok, nil
}

func addInt(a, b int64) (int64, error) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, fmt.Errorf("%d + %d overflows a long integer", a, b)
	}
	return a + b, nil
}

func subInt(a, b int64) (int64, error) {
	if (b < 0 && a > math.MaxInt64+b) || (b > 0 && a < math.MinInt64+b) {
		return 0, fmt.Errorf("%d - %d overflows a long integer", a, b)
	}
	return a - b, nil
}

func mulInt(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, fmt.Errorf("%d * %d overflows a long integer", a, b)
	}
	return c, nil
}

func divInt(a, b int64) (q, r int64, err error) {
	if b == 0 {
		return 0, 0, fmt.Errorf("%d / 0: division by zero", a)
	}
	if a == math.MinInt64 && b == -1 {
		return 0, 0, fmt.Errorf("%d / -1 overflows a long integer", a)
	}
	return a / b, a % b, nil
}
