package script

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"

	lua "github.com/yuin/gopher-lua"

	"github.com/dsengine/dsengine/ds/engine"
)

// checkEvery is how many Lua instructions run between two checks of the
// instruction budget and the heap. One instruction allocates little: the
// most is a table built from maxRegistry values (a SETLIST after unpack
// or "..."), which takes a few instructions, so the heap grows by at most
// about checkEvery/4 × maxRegistry × 16 bytes = 16 MiB between checks.
const checkEvery = 256

// Allocations the library makes are charged as they happen; a single one
// of at least checkBytes, or checkBytes charged since the last check,
// triggers a heap check before the allocation is made.
const checkBytes = 64 << 10

// bytesPerSlot is what one array slot of a Lua table costs (an interface).
const bytesPerSlot = 16

// coroutineCost is what a coroutine costs before it runs: its registry
// and call stack.
const coroutineCost = registrySize*bytesPerSlot + callStackSize*96

// heapObjects is the metric the meter reads: the bytes of heap objects,
// live or not yet swept, now. After a full collection it is the live heap.
const heapObjects = "/memory/classes/heap/objects:bytes"

// meter watches the process's Go heap for one run. The baseline is the
// heap in use when the run starts (live objects and garbage not yet
// collected, so it is never below the live heap); when the heap passes
// trigger, the meter runs a full collection and measures the live heap:
// over baseline+limit, the run is stopped.
type meter struct {
	samples  [1]metrics.Sample
	baseline uint64
	limit    uint64
	trigger  uint64
	charged  int64 // bytes charged since the last check
}

func (m *meter) start(limit int64) {
	m.limit = uint64(limit)
	m.samples[0].Name = heapObjects
	metrics.Read(m.samples[:])
	m.baseline = m.read()
	m.trigger = m.baseline + m.limit
}

func (m *meter) read() uint64 {
	if m.samples[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m.samples[0].Value.Uint64()
}

// fits reports whether extra more bytes keep the live heap within the
// limit, collecting garbage first when the heap looks too big.
func (m *meter) fits(extra uint64) bool {
	if extra > m.limit {
		return false
	}
	metrics.Read(m.samples[:])
	if m.read()+extra <= m.trigger {
		return true
	}
	runtime.GC()
	metrics.Read(m.samples[:])
	h := m.read() + extra
	if h > m.baseline+m.limit {
		return false
	}
	// Collect again only after the heap has grown by another quarter of
	// the limit, so garbage alone cannot make every check collect.
	m.trigger = max(m.baseline+m.limit, h+m.limit/4)
	return true
}

// run is the state of one script run. Its methods are called only from
// the goroutine running the script.
type run struct {
	name   string
	opts   *Options
	ctx    context.Context // the run's context, with its deadline: what Host methods get
	cancel context.CancelCauseFunc
	host   Host
	stop   *LimitError // the first limit hit
	// suppress is the reason the script ended the DS's run (ds_stop or
	// return false), nil if it did not.
	suppress *string

	steps     int64
	nextCheck int64
	mem       meter

	out       []byte
	truncated bool

	syslogLines, syslogBytes int // logged with action_syslog

	coroutines int
	coDepth    int
	sessions   []*cliHandle
	commands   []engine.CommandOutput // what cli_exec and cli_run ran, in order
	hostErrs   []hostErr

	env     *lua.LTable
	event   EventInfo
	events  []EventInfo
	rngSeed [2]uint64
	rng     *luaRand
}

// hostErr remembers the Lua message a Host error was raised as.
type hostErr struct {
	msg string
	err error
}

// hookCtx is the context the Lua VM sees. gopher-lua calls Done before
// every instruction, which makes Done the VM's instruction hook: it counts
// instructions and, every checkEvery of them, checks the instruction
// budget and the heap. Value and Done are those of the run's context, so
// the contexts gopher-lua derives for coroutines attach to it directly.
type hookCtx struct {
	context.Context
	done <-chan struct{}
	r    *run
}

// Done counts one instruction and returns the run's done channel.
func (h *hookCtx) Done() <-chan struct{} {
	r := h.r
	r.steps++
	if r.steps >= r.nextCheck {
		r.tick()
	}
	return h.done
}

// Err returns the limit that stopped the run, or the context's error:
// gopher-lua raises it as the Lua error of the interrupted instruction.
func (h *hookCtx) Err() error {
	err := h.Context.Err()
	if err == nil {
		return nil
	}
	if r := h.r; r.stop != nil {
		return r.stop
	}
	if c := context.Cause(h.Context); c != nil {
		return c
	}
	return err
}

// tick runs every checkEvery instructions.
func (r *run) tick() {
	r.nextCheck = r.steps + checkEvery
	if r.stop != nil {
		return
	}
	if max := r.opts.MaxInstructions; max > 0 && r.steps > max {
		r.fail(LimitInstructions, fmt.Sprintf("more than %d instructions", max))
		return
	}
	if !r.mem.fits(0) {
		r.fail(LimitMemory, fmt.Sprintf("the live heap grew by more than %d bytes", r.mem.limit))
	}
}

// fail records the first limit hit and cancels the run's context, so every
// further instruction raises.
func (r *run) fail(kind LimitKind, detail string) *LimitError {
	if r.stop == nil {
		r.stop = &LimitError{Script: r.name, Kind: kind, Detail: detail}
		r.cancel(r.stop)
	}
	return r.stop
}

// raiseLimit records a limit and raises it as a Lua error.
func (r *run) raiseLimit(L *lua.LState, kind LimitKind, detail string) {
	le := r.fail(kind, detail)
	L.RaiseError("%s limit: %s", le.Kind, le.Detail)
}

// allocString is called before the library builds a string of n bytes:
// it refuses strings over MaxString and checks the heap for big ones.
func (r *run) allocString(L *lua.LState, n int, what string) {
	if n > r.opts.MaxString || n < 0 {
		r.raiseLimit(L, LimitMemory, fmt.Sprintf("%s: result of %d bytes is over the %d-byte string limit", what, n, r.opts.MaxString))
	}
	r.reserve(L, int64(n), what)
}

// allocStringF is allocString for a size computed in floating point, which
// may be beyond what an int holds.
func (r *run) allocStringF(L *lua.LState, n float64, what string) int {
	if n > float64(r.opts.MaxString) {
		r.raiseLimit(L, LimitMemory, fmt.Sprintf("%s: result of %.0f bytes is over the %d-byte string limit", what, n, r.opts.MaxString))
	}
	if n < 0 {
		n = 0
	}
	r.allocString(L, int(n), what)
	return int(n)
}

// reserve is called before the library allocates n bytes.
func (r *run) reserve(L *lua.LState, n int64, what string) {
	r.mem.charged += n
	if n < checkBytes && r.mem.charged < checkBytes {
		return
	}
	r.mem.charged = 0
	if !r.mem.fits(uint64(max(n, 0))) {
		r.raiseLimit(L, LimitMemory, fmt.Sprintf("%s: %d more bytes would grow the live heap by more than %d bytes", what, n, r.mem.limit))
	}
}

// ctxDone reports whether the run has been stopped or timed out; the
// library's long loops (pattern matching) call it.
func (r *run) ctxDone() bool {
	select {
	case <-r.ctx.Done():
		return true
	default:
		return false
	}
}

// raiseStopped raises the error that stopped the run.
func (r *run) raiseStopped(L *lua.LState) {
	if r.stop != nil {
		L.RaiseError("%s limit: %s", r.stop.Kind, r.stop.Detail)
	}
	if c := context.Cause(r.ctx); c != nil {
		L.RaiseError("%s", c.Error())
	}
	L.RaiseError("%s", r.ctx.Err().Error())
}
