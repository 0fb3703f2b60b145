package script

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/dsengine/dsengine/internal/english"
)

// Runner runs scripts in sandboxed Lua states. It keeps a pool of prepared
// states and a cache of compiled scripts; it is safe for concurrent use.
type Runner struct {
	opts  Options
	pool  chan *state
	cache *protoCache
}

// NewRunner returns a Runner with opts (zero fields take the defaults).
func NewRunner(opts Options) *Runner {
	o := opts.withDefaults()
	return &Runner{opts: o, pool: make(chan *state, max(o.PoolSize, 0)), cache: newProtoCache(o.CacheSize)}
}

// Options returns the options in effect, defaults filled in.
func (r *Runner) Options() Options { return r.opts }

// Compile checks and caches a script, so its first Run does not pay for
// compiling it. It returns a *CompileError for a syntax error.
func (r *Runner) Compile(s Script) error {
	_, err := r.cache.get(chunkOf(s), s.Text, s.Line, r.opts.MaxScriptSize)
	return err
}

func nameOf(s Script) string {
	if s.Name == "" {
		return "script"
	}
	return s.Name
}

// chunkOf is the name Lua gives the chunk in error messages and
// tracebacks ("name:line:"): the DS file when the script says where it
// is, so an error reads file:line.
func chunkOf(s Script) string {
	if s.File != "" {
		return s.File
	}
	return nameOf(s)
}

// get takes a prepared state from the pool, or builds one.
func (r *Runner) get() *state {
	select {
	case st := <-r.pool:
		return st
	default:
		return newState()
	}
}

// put returns a state to the pool, or drops it when the pool is full.
func (r *Runner) put(st *state) {
	st.reset()
	select {
	case r.pool <- st:
	default:
		st.L.Close()
	}
}

// Run runs a script with env's variables and events, its API calls going
// to host. It returns what the script printed and the ds_ variables it
// set, and an error that is a *LimitError (a limit stopped it), a
// *ScriptError (it raised an error), a *CompileError, or the context's
// error when ctx ended first. The Result is filled in also on error. A
// script that ends the DS's run (ds_stop, or return false at its top
// level) returns no error and Result.Stopped.
func (r *Runner) Run(ctx context.Context, s Script, env Env, host Host) (Result, error) {
	start := r.opts.Clock.Now()
	name := nameOf(s)
	proto, err := r.cache.get(chunkOf(s), s.Text, s.Line, r.opts.MaxScriptSize)
	if err != nil {
		return Result{}, err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = r.opts.Timeout
	}
	cctx, cancel := context.WithCancelCause(ctx)
	tctx, tcancel := context.WithTimeoutCause(cctx, timeout,
		&LimitError{Script: name, Kind: LimitTime, Detail: fmt.Sprintf("ran longer than %v", timeout)})
	ru := &run{
		name: name, opts: &r.opts, ctx: tctx, cancel: cancel, host: host,
		nextCheck: checkEvery, event: env.Event, events: env.Events,
		rngSeed: [2]uint64{rand.Uint64(), rand.Uint64()},
	}
	ru.mem.start(r.opts.MemoryLimit)

	st := r.get()
	L := st.L
	st.newEnv(ru, env.Vars)
	fn := L.NewFunctionFromProto(proto)
	fn.Env = ru.env
	L.SetContext(&hookCtx{Context: tctx, done: tctx.Done(), r: ru})
	L.Push(fn)
	L.Push(st.concat)
	L.Push(st.setIndex)
	L.Push(st.table)
	L.Push(st.rest)
	perr := L.PCall(4, 2, nil)
	L.RemoveContext()
	if perr == nil && L.Get(-2) == lua.LFalse && ru.suppress == nil {
		// return false [, reason]: the script ends the DS's run.
		reason := "the script returned false"
		if s, ok := L.Get(-1).(lua.LString); ok && s != "" {
			reason = "returned false: " + english.Cut(string(s), maxStopReason)
		}
		ru.suppress = &reason
	}

	for _, h := range ru.sessions {
		_ = h.close() // sessions the script left open; their errors are not the script's
	}
	st.scanEnv(ru.env)
	res := Result{
		Output:    string(ru.out),
		Truncated: ru.truncated,
		Vars:      changedVars(ru.env, env.Vars, st.baseDS, st.dsKeys),
		Steps:     ru.steps,
	}
	if ru.suppress != nil {
		res.Stopped, res.StopReason = true, *ru.suppress
	}
	err = ru.outcome(tctx, perr)
	tcancel()
	cancel(nil)
	if err == nil && ru.suppress == nil {
		r.put(st)
	} else {
		// A state that failed or was stopped by ds_stop (an error unwound
		// it) may be in any state: it is never reused.
		st.L.Close()
	}
	res.Duration = r.opts.Clock.Now().Sub(start)
	return res, err
}

// outcome classifies how a run ended: a limit first (the script may have
// caught the first error of a limit with pcall, not the run's end); a run
// that returned is a success even if its deadline passed just after; then
// the caller's context or the deadline; then the script's own error.
func (ru *run) outcome(tctx context.Context, perr error) error {
	if ru.stop != nil {
		return ru.stop
	}
	if ru.suppress != nil {
		return nil // ds_stop unwound the script on purpose
	}
	if perr == nil {
		return nil
	}
	if tctx.Err() != nil {
		var le *LimitError
		if c := context.Cause(tctx); errors.As(c, &le) {
			return le
		}
		return fmt.Errorf("script %s: %w", ru.name, context.Cause(tctx))
	}
	se := &ScriptError{Script: ru.name, Message: perr.Error()}
	var ae *lua.ApiError
	if errors.As(perr, &ae) {
		se.Message = ae.Object.String()
		se.Traceback = ae.StackTrace
	}
	for _, he := range ru.hostErrs {
		if strings.HasSuffix(se.Message, he.msg) {
			se.Err = he.err
		}
	}
	// An error message is output too: error(string.rep("x", 16e6)) must
	// not write 16 MiB to the log.
	if len(se.Message) > ru.opts.OutputLimit {
		se.Message = english.Cut(se.Message, ru.opts.OutputLimit)
		ru.opts.OnCap(CapError)
	}
	se.Traceback = english.Cut(se.Traceback, ru.opts.OutputLimit)
	return se
}

// changedVars returns the ds_ globals of g named in keys (the API's and
// scanEnv's) that are strings or numbers and are new or differ from the
// values the run started with.
func changedVars(g *lua.LTable, initial map[string]string, keys ...[]string) map[string]string {
	var out map[string]string
	for _, names := range keys {
		for _, k := range names {
			v := g.RawGetString(k)
			if !stringish(v) {
				continue
			}
			s := lua.LVAsString(v)
			if old, ok := initial[k]; ok && old == s {
				continue
			}
			if out == nil {
				out = map[string]string{}
			}
			out[k] = s
		}
	}
	return out
}
