package script

import (
	"fmt"
	"math"
	"runtime/metrics"
	"slices"

	lua "github.com/yuin/gopher-lua"
)

// The sizes of a Lua state. The call stack bounds recursion (C Lua's
// LUAI_MAXCCALLS is 200); the registry holds a thread's values and bounds
// how many one call can return (unpack, string.byte): 16 Ki values,
// 256 KiB, where C Lua allows 8000. It starts at 256 values and grows by
// 1 Ki: a pooled state clears its first registrySize values after each
// run, a cost on every start.
const (
	callStackSize    = 200
	registrySize     = 256
	maxRegistry      = 16 << 10
	registryGrowStep = 1024
	maxCoroutineNest = 32       // coroutines resuming coroutines
	maxLoadSize      = 64 << 10 // text a script may load()
)

// entry is one name of a library table.
type entry struct {
	name string
	v    lua.LValue
}

// state is a Lua state with the sandbox prepared: the library functions
// are built once; each run gets a fresh global table, and library tables
// that are exactly as built (see lib), so nothing a run changes is seen by
// the next.
type state struct {
	L                             *lua.LState
	base                          []entry
	str, tab, math, co            lib
	strMT                         *lua.LTable // the string metatable, protected; __index is set per run
	cliMT                         *lua.LTable // metatable of CLI handles, protected
	concat, setIndex, table, rest *lua.LFunction
	blank                         *lua.LTable // the globals between runs: empty

	// env is the last run's globals, kept for the next run while they
	// are exactly as built but for ds_ variables (see keepEnv): building
	// the table was half of a script's start. envVars are the ds_ keys in
	// it, deleted or set anew by the next newEnv; envDrops counts the keys
	// deleted from it, whose slots gopher-lua never frees.
	env      *lua.LTable
	envVars  []string
	envDrops int
	// What scanEnv found in the globals of the run that ended: the ds_
	// keys with a value but the API's, and whether any other key was added.
	dsKeys  []string
	foreign bool
	baseDS  []string // the API's ds_ globals (ds_stop): functions, not variables
}

// lastBuilt is the key newEnv sets last when it builds a globals table,
// before any variable: gopher-lua puts a new key after every key the
// table ever had, and a deleted key keeps its place, so every key but the
// base functions, _G and the libraries comes after it.
const lastBuilt = lua.LString("coroutine")

// maxEnvDrops is how many keys may be deleted from a kept globals table
// before it is built afresh.
const maxEnvDrops = 64

// newState builds a sandboxed Lua state: gopher-lua's base, string, table,
// math and coroutine libraries with the unsafe parts removed and the
// allocating parts replaced, plus the EEM API.
func newState() *state {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:     true,
		CallStackSize:    callStackSize,
		RegistrySize:     registrySize,
		RegistryMaxSize:  maxRegistry,
		RegistryGrowStep: registryGrowStep,
	})
	st := &state{L: L}
	for _, open := range []lua.LGFunction{lua.OpenBase, lua.OpenString, lua.OpenTable, lua.OpenMath, lua.OpenCoroutine} {
		L.Push(L.NewFunction(open))
		L.Call(0, 0)
	}
	g := L.G.Global
	opened := func(name string) *lua.LTable { return g.RawGetString(name).(*lua.LTable) }
	fn := func(t *lua.LTable, name string) *lua.LFunction { return t.RawGetString(name).(*lua.LFunction) }
	newFn := func(f lua.LGFunction) lua.LValue { return L.NewFunction(f) }

	// Base: only what cannot reach outside the run. Gone: dofile,
	// loadfile, getfenv, setfenv (getfenv(0) is the state's real global
	// table), require, module, newproxy, _printregs.
	for _, name := range []string{"assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
		"rawequal", "rawget", "select", "setmetatable", "tonumber", "tostring", "type", "xpcall"} {
		st.base = append(st.base, entry{name, g.RawGetString(name)})
	}
	unpack := fn(g, "unpack").GFunction
	st.base = append(st.base,
		entry{"_VERSION", lua.LString(lua.LuaVersion)},
		entry{"print", newFn(basePrint)},
		entry{"puts", newFn(basePrint)},
		entry{"load", newFn(st.baseLoad)},
		entry{"loadstring", newFn(st.baseLoad)},
		entry{"collectgarbage", newFn(baseCollectGarbage)},
		entry{"rawset", newFn(baseRawSet)},
		entry{"unpack", newFn(func(L *lua.LState) int { return baseUnpack(L, unpack) })},
	)
	st.base = append(st.base, st.api()...)
	for _, e := range st.base {
		if isDSVar(e.name) {
			st.baseDS = append(st.baseDS, e.name)
		}
	}

	// string: the pattern functions, format, rep and the case functions
	// are ours (size-checked, interruptible); dump is gone.
	s := opened("string")
	for _, name := range []string{"len", "sub", "char"} {
		st.str.entries = append(st.str.entries, entry{name, s.RawGetString(name)})
	}
	strByte := fn(s, "byte").GFunction
	gmatch := newFn(strGmatch)
	st.str.entries = append(st.str.entries,
		entry{"byte", newFn(func(L *lua.LState) int { return strByteChecked(L, strByte) })},
		entry{"find", newFn(strFind)},
		entry{"match", newFn(strMatch)},
		entry{"gmatch", gmatch},
		entry{"gfind", gmatch},
		entry{"gsub", newFn(strGsub)},
		entry{"format", newFn(strFormat)},
		entry{"rep", newFn(strRep)},
		entry{"upper", newFn(strUpper)},
		entry{"lower", newFn(strLower)},
		entry{"reverse", newFn(strReverse)},
	)
	st.strMT = L.NewTable()
	st.strMT.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(lua.LString(""), st.strMT)

	t := opened("table")
	for _, name := range []string{"remove", "sort", "getn", "maxn"} {
		st.tab.entries = append(st.tab.entries, entry{name, t.RawGetString(name)})
	}
	st.tab.entries = append(st.tab.entries, entry{"concat", newFn(tabConcat)}, entry{"insert", newFn(tabInsert)})

	m := opened("math")
	m.ForEach(func(k, v lua.LValue) {
		if name := k.String(); name != "random" && name != "randomseed" {
			st.math.entries = append(st.math.entries, entry{name, v})
		}
	})
	st.math.entries = append(st.math.entries, entry{"random", newFn(mathRandom)}, entry{"randomseed", newFn(mathRandomseed)})

	co := opened("coroutine")
	for _, name := range []string{"running", "status", "yield"} {
		st.co.entries = append(st.co.entries, entry{name, co.RawGetString(name)})
	}
	create, resume := fn(co, "create").GFunction, fn(co, "resume").GFunction
	st.co.entries = append(st.co.entries,
		entry{"create", newFn(func(L *lua.LState) int { return coCreate(L, create) })},
		entry{"resume", newFn(func(L *lua.LState) int { return coResume(L, resume) })},
		entry{"wrap", newFn(func(L *lua.LState) int { return coWrap(L, create, resume) })},
	)

	st.concat = L.NewFunction(hiddenConcat)
	st.setIndex = L.NewFunction(hiddenSetIndex)
	st.table = L.NewFunction(hiddenTable)
	st.rest = L.NewFunction(hiddenRest)
	st.cliMT = L.NewTable()
	st.cliMT.RawSetString("__metatable", lua.LFalse)
	st.cliMT.RawSetString("__tostring", L.NewFunction(cliHandleString))

	// Nothing of what the libraries registered stays reachable: the
	// globals and the loaded-modules table are emptied.
	st.blank = L.NewTable()
	L.G.Global = st.blank
	L.Env = st.blank
	L.G.Registry.RawSetString("_LOADED", lua.LNil)
	return st
}

// newEnv makes the globals of one run: the base functions, the API, the
// libraries and the ds_ variables, in the last run's table when reset kept
// it, else in a fresh one.
func (st *state) newEnv(r *run, vars map[string]string) *lua.LTable {
	L := st.L
	g := st.env
	if g == nil {
		g = L.CreateTable(0, len(st.base)+len(vars)+8)
		for _, e := range st.base {
			g.RawSetString(e.name, e.v)
		}
		g.RawSetString("_G", g)
		st.envVars, st.envDrops = st.envVars[:0], 0
	}
	for _, k := range st.envVars {
		if _, ok := vars[k]; !ok {
			g.RawSetString(k, lua.LNil)
			st.envDrops++
		}
	}
	st.envVars = st.envVars[:0]
	strT := st.str.table(L)
	g.RawSetString("string", strT)
	g.RawSetString("table", st.tab.table(L))
	g.RawSetString("math", st.math.table(L))
	g.RawSetString(string(lastBuilt), st.co.table(L))
	for k, v := range vars {
		if isDSVar(k) {
			g.RawSetString(k, lua.LString(v))
			st.envVars = append(st.envVars, k)
		}
	}
	st.strMT.RawSetString("__index", strT)
	L.G.Global = g
	L.Env = g
	r.env = g
	st.env = nil // until reset finds it as built
	return g
}

// scanEnv records, for changedVars and keepEnv, the ds_ keys of g with a
// value but the API's, and whether the run added another key. It walks
// only the keys after lastBuilt: the variables, and what scripts added.
func (st *state) scanEnv(g *lua.LTable) {
	st.dsKeys = st.dsKeys[:0]
	st.foreign = g.Len() != 0 // integer keys from 1 go to an array part
	for k, _ := g.Next(lastBuilt); k != lua.LNil; k, _ = g.Next(k) {
		if ks, ok := k.(lua.LString); ok && isDSVar(string(ks)) && !slices.Contains(st.baseDS, string(ks)) {
			st.dsKeys = append(st.dsKeys, string(ks))
		} else {
			st.foreign = true
		}
	}
}

// keepEnv reports whether the globals g of the run that ended, as scanEnv
// found them, are as newEnv built them but for the ds_ variables, so that
// the next run may have them: no metatable, every base function and _G in
// place, and nothing added but ds_ keys, which it records in envVars for
// newEnv to delete or set. newEnv sets the libraries anew.
func (st *state) keepEnv(g *lua.LTable) bool {
	if g == nil || g.Metatable != lua.LNil || st.envDrops > maxEnvDrops || st.foreign || g.RawGetString("_G") != g {
		return false
	}
	for _, e := range st.base {
		if g.RawGetString(e.name) != e.v {
			return false
		}
	}
	st.envVars = append(st.envVars[:0], st.dsKeys...)
	return true
}

// reset makes the state ready for the next run: no globals, nothing left
// on the stack, no reference to what the last run built, and any library
// table the run changed dropped, to be built afresh.
func (st *state) reset() {
	L := st.L
	for _, l := range []*lib{&st.str, &st.tab, &st.math, &st.co} {
		l.check()
	}
	L.SetTop(0)
	L.SetTop(registrySize) // clears the values the run left above the top
	L.SetTop(0)
	st.strMT.RawSetString("__index", lua.LNil)
	if st.keepEnv(L.G.Global) {
		st.env = L.G.Global
	}
	L.G.Global = st.blank
	L.Env = st.blank
}

// lib is a library table. Building one costs a map insert per function,
// so a table is kept from run to run while it is exactly as built: after
// each run, check compares it with its entries (every name bound to the
// same value, nothing else in it, no metatable) and drops it if a script
// changed anything. A table holds nothing else, so a table that compares
// equal is indistinguishable from a fresh one.
type lib struct {
	entries []entry
	t       *lua.LTable
}

func (l *lib) table(L *lua.LState) *lua.LTable {
	if l.t == nil {
		l.t = L.CreateTable(0, len(l.entries))
		for _, e := range l.entries {
			l.t.RawSetString(e.name, e.v)
		}
	}
	return l.t
}

func (l *lib) check() {
	if l.t == nil {
		return
	}
	if l.t.Metatable != lua.LNil {
		l.t = nil
		return
	}
	for _, e := range l.entries {
		if l.t.RawGetString(e.name) != e.v {
			l.t = nil
			return
		}
	}
	// Nothing else: gopher-lua appends a new key after every key it
	// holds, and an integer key from 1 goes to the array part, so with
	// every entry in place (above) a key after the last entry's, or an
	// array, is all an addition can be. One step instead of a walk.
	last := lua.LString(l.entries[len(l.entries)-1].name)
	if k, _ := l.t.Next(last); k != lua.LNil || l.t.Len() != 0 {
		l.t = nil
	}
}

func isDSVar(name string) bool { return len(name) > 3 && name[:3] == "ds_" }

// runOf returns the run a Go function is called for: the VM's context is
// the run's hookCtx, in the main state and in every coroutine.
func runOf(L *lua.LState) *run {
	if h, ok := L.Context().(*hookCtx); ok {
		return h.r
	}
	L.RaiseError("the script API is only available while a script runs")
	return nil
}

// basePrint writes its arguments, tab-separated, and a newline to the
// run's output (print, puts).
func basePrint(L *lua.LState) int {
	r := runOf(L)
	top := L.GetTop()
	for i := 1; i <= top; i++ {
		if i > 1 {
			r.write("\t")
		}
		r.write(L.ToStringMeta(L.Get(i)).String())
	}
	r.write("\n")
	return 0
}

// write appends to the output, up to OutputLimit, then a note once.
func (r *run) write(s string) {
	if r.truncated {
		return
	}
	room := r.opts.OutputLimit - len(r.out)
	if len(s) <= room {
		r.out = append(r.out, s...)
		return
	}
	r.out = append(r.out, s[:room]...)
	r.out = append(r.out, fmt.Sprintf("\n[output truncated at %d bytes]\n", r.opts.OutputLimit)...)
	r.truncated = true
	r.opts.OnCap(CapOutput)
}

// baseLoad is load and loadstring for text only: the chunk is compiled
// like a script (bytecode refused, size and nesting checked) and runs
// with the run's globals. Errors are returned as nil, message.
func (st *state) baseLoad(L *lua.LState) int {
	r := runOf(L)
	s, ok := L.Get(1).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		L.Push(lua.LString("load: only a string chunk can be loaded"))
		return 2
	}
	name := L.OptString(2, "=(load)")
	r.reserve(L, int64(len(s))*8, "load")
	proto, err := compileChunk(name, string(s), 1, maxLoadSize)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = r.env
	L.Push(L.NewClosure(st.callLoaded, fn))
	return 1
}

// callLoaded calls a loaded chunk with the hidden functions before its
// arguments, as Run calls a script.
func (st *state) callLoaded(L *lua.LState) int {
	fn := L.Get(lua.UpvalueIndex(1)).(*lua.LFunction)
	nargs := L.GetTop()
	L.Insert(fn, 1)
	L.Insert(st.rest, 2)
	L.Insert(st.table, 2)
	L.Insert(st.setIndex, 2)
	L.Insert(st.concat, 2)
	L.Call(nargs+4, lua.MultRet)
	return L.GetTop()
}

// hiddenRest returns its arguments after the first four: the chunk passes
// its own "..." through it, so the script body gets the arguments without
// the hidden functions.
func hiddenRest(L *lua.LState) int { return max(L.GetTop()-4, 0) }

// baseCollectGarbage controls nothing: a script must not make the whole
// process collect. "count" returns the growth of the heap since the run
// started, in KiB.
func baseCollectGarbage(L *lua.LState) int {
	r := runOf(L)
	if L.OptString(1, "collect") != "count" {
		L.Push(lua.LNumber(0))
		return 1
	}
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	var kb float64
	if s[0].Value.Kind() == metrics.KindUint64 {
		if h := s[0].Value.Uint64(); h > r.mem.baseline {
			kb = float64(h-r.mem.baseline) / 1024
		}
	}
	L.Push(lua.LNumber(kb))
	return 1
}

// baseRawSet is rawset with the check of (setindex).
func baseRawSet(L *lua.LState) int {
	tb := L.CheckTable(1)
	k, v := L.CheckAny(2), L.CheckAny(3)
	guardIndex(L, runOf(L), tb, k)
	L.RawSet(tb, k, v)
	L.SetTop(1)
	return 1
}

// baseUnpack refuses more results than the registry holds before pushing
// any of them.
func baseUnpack(L *lua.LState, orig lua.LGFunction) int {
	tb := L.CheckTable(1)
	i := float64(L.OptNumber(2, 1))
	j := float64(tb.Len())
	if L.Get(3) != lua.LNil {
		j = float64(L.CheckNumber(3))
	}
	if n := j - i + 1; n > maxRegistry/2 {
		L.RaiseError("too many results to unpack")
	}
	return orig(L)
}

// strByteChecked is string.byte refusing slices longer than the registry.
func strByteChecked(L *lua.LState, orig lua.LGFunction) int {
	s := L.CheckString(1)
	i := posrelat(float64(L.OptNumber(2, 1)), len(s))
	j := posrelat(float64(L.OptNumber(3, lua.LNumber(i))), len(s))
	if j-i+1 > maxRegistry/2 {
		L.RaiseError("string slice too long")
	}
	return orig(L)
}

// guardIndex checks a store of key into t (following __newindex tables as
// the VM does) before it happens: an integer key beyond a table's array
// makes gopher-lua append nils up to it, so a gap of more than smallIndex
// slots is charged against the memory limit first.
func guardIndex(L *lua.LState, r *run, t lua.LValue, key lua.LValue) {
	n, ok := key.(lua.LNumber)
	if !ok {
		return
	}
	f := float64(n)
	if f <= smallIndex || f >= float64(lua.MaxArrayIndex) || f != math.Trunc(f) {
		return
	}
	cur := t
	for range lua.MaxTableGetLoop {
		tb, isTable := cur.(*lua.LTable)
		if isTable && tb.RawGet(key) != lua.LNil {
			return
		}
		meta := L.GetMetaField(cur, "__newindex")
		if meta == lua.LNil {
			if isTable {
				if gap := int64(f) - int64(tb.MaxN()); gap > smallIndex {
					r.reserve(L, 2*gap*bytesPerSlot, "table index")
				}
			}
			return
		}
		if meta.Type() == lua.LTFunction {
			return
		}
		cur = meta
	}
}

// hiddenSetIndex is (setindex)(t, k, v): t[k] = v after guardIndex.
func hiddenSetIndex(L *lua.LState) int {
	t, k, v := L.Get(1), L.Get(2), L.Get(3)
	guardIndex(L, runOf(L), t, k)
	L.SetTable(t, k, v)
	return 0
}

// hiddenTable is (table)(t, k1, v1, ...): the keyed fields of a
// constructor whose keys needed guardIndex. As in Lua, a positional field
// wins over a keyed one for the same index.
func hiddenTable(L *lua.LState) int {
	r := runOf(L)
	tb := L.CheckTable(1)
	npos := tb.Len()
	top := L.GetTop()
	for i := 2; i+1 <= top; i += 2 {
		k, v := L.Get(i), L.Get(i+1)
		if n, ok := k.(lua.LNumber); ok && float64(n) >= 1 && float64(n) <= float64(npos) && float64(n) == math.Trunc(float64(n)) {
			continue
		}
		guardIndex(L, r, tb, k)
		L.RawSet(tb, k, v)
	}
	L.SetTop(1)
	return 1
}

// hiddenConcat is (concat)(a, b, ...): a .. b .. ..., with the size of the
// result checked before it is built. Strings and numbers are joined in one
// step; other values go through their __concat metamethods right to left,
// as in Lua.
func hiddenConcat(L *lua.LState) int {
	r := runOf(L)
	top := L.GetTop()
	total, plain := 0, true
	for i := 1; i <= top; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			total += len(v)
		case lua.LNumber:
			total += len(v.String())
		default:
			plain = false
		}
	}
	if plain {
		r.allocString(L, total, "concatenation")
		buf := make([]byte, 0, total)
		for i := 1; i <= top; i++ {
			buf = append(buf, lua.LVAsString(L.Get(i))...)
		}
		L.Push(lua.LString(buf))
		return 1
	}
	vals := make([]lua.LValue, top)
	for i := range vals {
		vals[i] = L.Get(i + 1)
	}
	for len(vals) > 1 {
		n := len(vals)
		a, b := vals[n-2], vals[n-1]
		if !stringish(a) || !stringish(b) {
			mm := L.GetMetaField(a, "__concat")
			if mm == lua.LNil {
				mm = L.GetMetaField(b, "__concat")
			}
			if mm == lua.LNil {
				bad := a
				if stringish(a) {
					bad = b
				}
				L.RaiseError("attempt to concatenate a %s value", bad.Type().String())
			}
			L.Push(mm)
			L.Push(a)
			L.Push(b)
			L.Call(2, 1)
			vals = append(vals[:n-2], L.Get(-1))
			L.Pop(1)
			continue
		}
		k, size := n-2, len(lua.LVAsString(a))+len(lua.LVAsString(b))
		for k > 0 && stringish(vals[k-1]) {
			k--
			size += len(lua.LVAsString(vals[k]))
		}
		r.allocString(L, size, "concatenation")
		buf := make([]byte, 0, size)
		for _, v := range vals[k:] {
			buf = append(buf, lua.LVAsString(v)...)
		}
		vals = append(vals[:k], lua.LString(buf))
	}
	L.Push(vals[0])
	return 1
}

func stringish(v lua.LValue) bool {
	switch v.(type) {
	case lua.LString, lua.LNumber:
		return true
	}
	return false
}

// coCreate is coroutine.create: counted against MaxCoroutines and charged
// against the memory limit; the new thread gets the run's hookCtx, so its
// instructions are counted and checked like the main chunk's.
func coCreate(L *lua.LState, orig lua.LGFunction) int {
	r := runOf(L)
	r.coroutines++
	if r.coroutines > r.opts.MaxCoroutines {
		r.raiseLimit(L, LimitMemory, fmt.Sprintf("more than %d coroutines", r.opts.MaxCoroutines))
	}
	r.reserve(L, coroutineCost, "coroutine.create")
	n := orig(L)
	if th, ok := L.Get(-1).(*lua.LState); ok {
		th.SetContext(L.Context())
	}
	return n
}

// coResume is coroutine.resume, refusing to nest deeper than
// maxCoroutineNest: each nested resume recurses on the Go stack.
func coResume(L *lua.LState, orig lua.LGFunction) int {
	r := runOf(L)
	if r.coDepth >= maxCoroutineNest {
		L.RaiseError("coroutines nested too deeply (more than %d)", maxCoroutineNest)
	}
	r.coDepth++
	defer func() { r.coDepth-- }()
	return orig(L)
}

// coWrap is coroutine.wrap built on coCreate and coResume: calling the
// returned function resumes the coroutine and raises its error.
func coWrap(L *lua.LState, create, resume lua.LGFunction) int {
	coCreate(L, create)
	th := L.Get(-1)
	L.Push(L.NewClosure(func(L *lua.LState) int {
		L.Insert(L.Get(lua.UpvalueIndex(1)), 1)
		n := coResume(L, resume)
		base := L.GetTop() - n + 1
		if L.Get(base) == lua.LFalse {
			L.Error(L.Get(base+1), 0)
		}
		return n - 1
	}, th))
	return 1
}

// posrelat turns a Lua string position (negative from the end) into a
// 1-based position, as C Lua's posrelat.
func posrelat(pos float64, n int) int {
	if pos < 0 {
		pos += float64(n) + 1
	}
	if pos < 0 {
		return 0
	}
	if pos > float64(math.MaxInt32) {
		return math.MaxInt32
	}
	return int(pos)
}
