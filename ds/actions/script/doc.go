// Package script runs the Lua scripts of DS script actions in a sandbox
// with time, memory and output limits, through an API that mirrors the EEM
// Tcl policy API.
//
// # The sandbox
//
// A script sees Lua 5.1 (gopher-lua) with the base library minus
// everything that reaches outside the run (no dofile, loadfile, require,
// module, getfenv, setfenv, newproxy), and the string, table, math and
// coroutine libraries; there is no os, io, debug, package or channel.
// load and loadstring accept text only: a chunk starting with "\x1bLua"
// is refused, and loaded text is compiled and checked like a script
// (string.dump does not exist either). collectgarbage controls nothing
// ("count" returns how much the heap grew during the run). print and puts
// write to Result.Output. The string metatable is protected: getmetatable("")
// returns false and setmetatable("", ...) fails.
//
// Every run gets a fresh global table, and string, table, math and
// coroutine tables exactly as built (after a run, a library table that is
// not entry for entry what was built, or has a metatable, is dropped and
// built afresh), so what one run changes (globals, library functions,
// metatables) is never seen by the next; the string metatable's __index is
// the run's string table. The ds_ variables are globals;
// the ones a script creates or changes (strings and numbers) are returned
// in Result.Vars for the actions that follow.
//
// # The API
//
// The EEM Tcl policy commands, as Lua functions that call the Host:
// event_reqinfo, event_reqinfo_multi, cli_open, cli_exec, cli_close,
// cli_run, action_syslog, smtp_send_email, smtp_subst, appl_setinfo,
// appl_reqinfo, call_home_send, context_save and context_retrieve, and
// ds_stop, which ends the DS's run (as a top-level return false does:
// Result.Stopped; the action returns *engine.SuppressError). A
// failure raises a Lua error named after the API ("CLI_ERR: cli_exec:
// ..."), which pcall catches; uncaught, Run returns a *ScriptError that
// wraps the Host's error. CLI sessions a script leaves open are closed when
// the run ends. See README.md for each function.
//
// # Limits
//
// Time. The run's context has a deadline (Script.Timeout, else
// Options.Timeout, 5s by default). gopher-lua checks the context before
// every instruction; this package's library loops that can run long in Go
// (pattern matching: a backtracking pattern is exponential) check it every
// 4096 steps, and every other library call is bounded by the size limits
// below (the slowest, table.sort of the largest table memory allows,
// takes a fraction of a second), so a run ends soon after its deadline. Host methods
// get the same context and must return when it ends: a Host that ignores
// it holds the run. Options.MaxInstructions adds an instruction budget.
//
// Memory. gopher-lua has no allocator hook, and its Go built-ins ignore the
// context, so the limit is built from three parts:
//
//  1. Everything in the library that builds a string refuses a result over
//     Options.MaxString (MemoryLimit/4 by default) before allocating it:
//     string.rep, upper, lower, reverse, table.concat and concatenation
//     compute the result's size first, gsub, format, cli_run and smtp_subst
//     check each piece before appending it, and the outputs of Host calls
//     are checked as they arrive. The VM's own concatenation and table stores cannot be hooked, so
//     the compiler's syntax tree is rewritten before compiling: a .. b ..
//     c becomes a call of a hidden, size-checked concatenation, and a store
//     t[k] = v whose key is not a string or a small integer constant
//     becomes a call that first checks how many array slots the store would
//     add (gopher-lua fills an array with nils up to the index: t[6e7] = 1
//     would allocate 1 GiB in one instruction). The hidden functions are
//     locals whose names are not Lua identifiers, so scripts cannot reach
//     or replace them.
//  2. A heap meter. gopher-lua calls the context's Done method before every
//     instruction; the run's context turns that into an instruction
//     counter that, every 256 instructions, reads the Go heap
//     (runtime/metrics, ~0.2µs). Library allocations of 64 KiB or more
//     (or 64 KiB in all since the last check) check it before they
//     happen. When the heap in use passes the level at the start of the
//     run plus Options.MemoryLimit, the meter forces a collection and
//     measures the live heap; still over, the run is stopped.
//  3. Counts that bound what one instruction can allocate: a thread's
//     registry holds at most 16 Ki values (unpack, string.byte and varargs
//     cannot fill a table with more in one step), a run creates at most
//     Options.MaxCoroutines coroutines, nested at most 32 deep, and the call
//     stack is 200 frames (recursion, including through pcall, metamethods,
//     sort and gsub callbacks, ends in "stack overflow", not in a Go stack
//     overflow). Nesting deeper than 200 syntax levels is a compile error.
//
// What this guarantees: no string over MaxString is ever built; a single
// request for more than the limit (string.rep("x", 2e8), t[6e7] = 1) is
// refused without allocating; and the live Go heap does not grow during a
// run by more than MemoryLimit plus what can be allocated between two
// checks (256 instructions of at most one 16 Ki-value table each, or one
// array growth of a table already within the limit). The tests hold a
// 32 MiB limit to a peak of about 45 MiB over the starting heap for every
// bomb they try. What it does not: the meter sees the whole process, so
// runs that overlap share the budget (a run can be stopped because
// another one grew the heap), and memory the Go runtime keeps from the
// operating system after a collection is not returned at once. Running
// scripts in a child process under RLIMIT_AS would bound the operating
// system's view too, at the cost of a process per run or a pool of workers
// and a protocol for every Host call; the in-process design keeps a start
// latency of ~20µs.
//
// A limit cannot be caught for good: the first error it raises may be
// caught by pcall, but the run's context is cancelled, so the next
// instruction fails too. Run returns a *LimitError (errors.Is matches
// ErrTimeLimit, ErrMemoryLimit or ErrInstructionLimit), and the state is
// discarded.
//
// Output. print output beyond Options.OutputLimit (64 KiB) is dropped,
// once noted as "[output truncated at N bytes]"; the script runs on and
// Result.Truncated is set. An error message is cut to the same size
// (ScriptError.Message), and a run may log at most
// Options.MaxSyslogLines lines and Options.MaxSyslogBytes bytes with
// action_syslog (256 and 256 KiB); a call past them fails with SYSLOG_ERR.
// Options.OnCap counts each of these.
//
// # Pool and cache
//
// A Runner keeps Options.PoolSize prepared states (the libraries and the
// API built once) and Options.CacheSize compiled scripts by a hash of name
// and text; prototypes are immutable and shared between states. A state
// whose run failed in any way is closed, never reused. Starting a trivial
// script from the pool takes ~20µs (a fresh state ~60µs), most of it
// filling the run's global table.
package script
