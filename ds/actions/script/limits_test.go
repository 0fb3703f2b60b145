package script

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const testMemoryLimit = 32 << 20

// TestMemoryBombs runs scripts that try to exhaust memory. Each must end
// with a memory LimitError, the Go heap must not have grown by more than
// the limit plus a bounded slack, the bombs that ask for one huge block
// must be refused before anything is allocated, and the runner must work
// afterwards.
func TestMemoryBombs(t *testing.T) {
	r := NewRunner(Options{MemoryLimit: testMemoryLimit, Timeout: 20 * time.Second})
	const slack = testMemoryLimit // what may be allocated between two checks, plus the GC's lag
	tests := []struct {
		name    string
		src     string
		upfront bool // refused before allocating: almost nothing allocated in all
	}{
		{"string.rep 2e8", `local s = string.rep("x", 2e8)`, true},
		{"nested string.rep", `local s = string.rep(string.rep("x", 1e6), 1e3)`, true},
		{"string.rep with separator", `local s = string.rep("x", 1e4, string.rep("y", 1e4))`, true},
		{"concat doubling", `local s = "x" while true do s = s .. s end`, false},
		{"concat of many operands", `local s = string.rep("x", 4e6) s = s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s`, true},
		{"concat keeping pieces", `local s, t = string.rep("x", 1e6), {} for i = 1, 1e9 do t[i] = s .. i end`, false},
		{"table growth", `local t = {} while true do t[#t+1] = {} end`, false},
		{"table of strings", `local t, i = {}, 0 while true do i = i + 1 t[i] = tostring(i) .. "abcdefghijklmnop" end`, false},
		{"table of big strings", `local t = {} for i = 1, 1e9 do t[i] = string.rep("y", 1e6) .. i end`, false},
		{"table.insert growth", `local t = {} while true do table.insert(t, {1, 2, 3}) end`, false},
		{"sparse index", `local t = {} t[6e7] = 1`, true},
		{"sparse index, computed", `local t, k = {}, 1 for i = 1, 25 do k = k * 2 end t[k] = true`, true},
		{"sparse index in a constructor", `local k = 6e7 local t = {[k] = 1}`, true},
		{"sparse index through __newindex", `local raw = {} local t = setmetatable({}, {__newindex = raw}) t[6e7] = 1`, true},
		{"sparse rawset", `rawset({}, 6e7, 1)`, true},
		{"sparse table.insert", `table.insert({}, 6e7, 1)`, true},
		{"many 8 MiB arrays", `local keep = {} for i = 1, 1e6 do local t = {} t[5e5] = 1 keep[i] = t end`, false},
		{"gsub growth", `local s = string.rep("x", 1e5) while true do s = s:gsub("x", "xx") end`, false},
		{"gsub with a big replacement", `local s = string.gsub(string.rep("x", 1e4), "x", string.rep("y", 1e4))`, false},
		{"gsub with a function", `local big = string.rep("z", 1e5) local s = string.gsub(string.rep("x", 1e4), "x", function() return big end)`, false},
		{"table.concat", `local t = {} for i = 1, 100 do t[i] = string.rep("y", 1e6) end local s = table.concat(t)`, false},
		{"table.concat, same piece", `local p = string.rep("y", 4e6) local t = {} for i = 1, 100 do t[i] = p end local s = table.concat(t)`, true},
		{"string.format %s", `local p = string.rep("y", 4e6) local s = string.format("%s%s%s%s%s%s%s%s%s%s", p, p, p, p, p, p, p, p, p, p)`, false},
		{"varargs into tables", `local keep = {} local function f(...) while true do keep[#keep+1] = {...} end end f(unpack({}, 1, 8000))`, false},
		{"coroutines", `while true do coroutine.create(function() end) end`, false},
		{"kept coroutines", `local t = {} for i = 1, 1e9 do t[i] = coroutine.wrap(function() coroutine.yield(i) end) t[i]() end`, false},
		{"upper of big strings", `local s = string.rep("x", 4e6) local t = {} for i = 1, 100 do t[i] = s:upper() end`, false},
		{"closures", `local t = {} local i = 0 while true do i = i + 1 local j = i t[i] = function() return j end end`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			use := measureHeap(func() { _, err = runText(t, r, tt.src) })
			var le *LimitError
			if !errors.As(err, &le) || !errors.Is(err, ErrMemoryLimit) {
				t.Fatalf("err = %v, want a memory LimitError", err)
			}
			t.Logf("%v; heap peak +%d MiB, allocated %d MiB", err, use.peak>>20, use.total>>20)
			if use.peak > testMemoryLimit+slack {
				t.Errorf("heap grew by %d MiB, more than the %d MiB limit plus %d MiB", use.peak>>20, testMemoryLimit>>20, slack>>20)
			}
			if tt.upfront && use.total > 8<<20 {
				t.Errorf("%d MiB allocated: the request was not refused before allocating", use.total>>20)
			}
			stillWorks(t, r)
		})
	}
}

// TestStringLimit: results over MaxString are refused even when memory
// would allow them; smaller ones are fine.
func TestStringLimit(t *testing.T) {
	r := NewRunner(Options{MaxString: 1 << 20})
	if _, err := runText(t, r, `local s = string.rep("x", 2^20 + 1)`); !errors.Is(err, ErrMemoryLimit) || !contains(err.Error(), "string.rep") {
		t.Errorf("over MaxString: err = %v", err)
	}
	mustRun(t, r, `local s = string.rep("x", 2^20) assert(#s == 2^20)`)
	res := mustRun(t, r, `local s = ("x"):rep(1000) .. ("y"):rep(1000) print(#s)`)
	if res.Output != "2000\n" {
		t.Errorf("output %q", res.Output)
	}
}

// TestLimitCannotBeCaught: pcall catches the first error of a limit, but
// the run is stopped for good: the next instruction fails too.
func TestLimitCannotBeCaught(t *testing.T) {
	r := NewRunner(Options{MemoryLimit: testMemoryLimit})
	for _, src := range []string{
		`local ok = pcall(string.rep, "x", 1e9) print("after", ok)`,
		`for i = 1, 10 do pcall(function() local s = string.rep("x", 1e9) end) end print("after")`,
		`local ok, e = xpcall(function() return string.rep("x", 1e9) end, function(e) print("handler") return e end) print("after")`,
		`local co = coroutine.create(function() return string.rep("x", 1e9) end) print(coroutine.resume(co)) print("after")`,
	} {
		res, err := runText(t, r, src)
		if !errors.Is(err, ErrMemoryLimit) {
			t.Errorf("%s: err = %v, want the memory limit", src, err)
		}
		if contains(res.Output, "after") {
			t.Errorf("%s: the script went on after the limit: %q", src, res.Output)
		}
	}
	stillWorks(t, r)
}

// TestTimeouts: loops in Lua, in pcall, in coroutines, in a pattern
// match (Go code) and in a Host call all end at the timeout.
func TestTimeouts(t *testing.T) {
	r := NewRunner(Options{Timeout: 10 * time.Second})
	const timeout = 150 * time.Millisecond
	for _, tt := range []struct{ name, src string }{
		{"while", `while true do end`},
		{"repeat", `local i = 0 repeat i = i + 1 until false`},
		{"pcall in a loop", `while true do pcall(function() while true do end end) end`},
		{"error handler", `xpcall(function() while true do end end, function() while true do end end)`},
		{"coroutine", `local co = coroutine.wrap(function() while true do end end) co()`},
		{"coroutine in pcall", `while true do pcall(coroutine.wrap(function() while true do end end)) end`},
		{"metamethod", `local t = setmetatable({}, {__index = function() while true do end end}) local x = t.x`},
		{"tostring metamethod", `print(setmetatable({}, {__tostring = function() while true do end end}))`},
		{"sort comparator", `local t = {3, 2, 1} table.sort(t, function(a, b) while true do end end)`},
		{"gsub callback", `string.gsub("abc", "%w", function() while true do end end)`},
		{"backtracking pattern", `string.find(string.rep("a", 30000), ".-.-.-.-.-.-.-.-b")`},
		{"gmatch", `for x in string.gmatch(string.rep("a", 3000), "(.-)(.-)(.-)b") do end`},
		{"host call", `local h = cli_open() cli_exec(h, "block")`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := r.Run(context.Background(), Script{Name: "t", Text: tt.src, Timeout: timeout}, Env{}, newFakeHost())
			took := time.Since(start)
			if !errors.Is(err, ErrTimeLimit) {
				t.Fatalf("err = %v, want the time limit", err)
			}
			if took > timeout+2*time.Second { // generous: the test machine may be busy
				t.Errorf("took %v for a %v timeout", took, timeout)
			}
			t.Logf("stopped after %v, %d instructions", took.Round(time.Millisecond), res.Steps)
		})
	}
	stillWorks(t, r)
}

// TestDefaultTimeout: Options.Timeout applies when the action has none.
func TestDefaultTimeout(t *testing.T) {
	r := NewRunner(Options{Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := runText(t, r, `while true do end`)
	var le *LimitError
	if !errors.As(err, &le) || le.Kind != LimitTime || le.Script != "t" {
		t.Fatalf("err = %v, want a time LimitError of script t", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestCallerCancel: the caller's context ending is reported as such, not
// as a limit.
func TestCallerCancel(t *testing.T) {
	r := NewRunner(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := r.Run(ctx, Script{Text: `while true do end`}, Env{}, newFakeHost())
	var le *LimitError
	if !errors.Is(err, context.Canceled) || errors.As(err, &le) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	stillWorks(t, r)
}

// TestInstructionLimit stops a script after MaxInstructions.
func TestInstructionLimit(t *testing.T) {
	r := NewRunner(Options{MaxInstructions: 100000})
	res, err := runText(t, r, `local i = 0 while true do i = i + 1 end`)
	if !errors.Is(err, ErrInstructionLimit) {
		t.Fatalf("err = %v", err)
	}
	if res.Steps < 100000 || res.Steps > 100000+2*checkEvery {
		t.Errorf("stopped after %d instructions", res.Steps)
	}
	mustRun(t, r, `for i = 1, 1000 do end`)
}

// TestDeepRecursion: every way to recurse ends in a "stack overflow" (or
// nesting) error, not a crash of the process. An error handler that
// recurses again at every level makes the work exponential: the timeout
// ends it (C Lua reports "error in error handling").
func TestDeepRecursion(t *testing.T) {
	r := NewRunner(Options{Timeout: time.Second})
	for _, tt := range []struct{ src, want string }{
		{`local function f() return f() + 1 end f()`, "stack overflow"},
		{`local function f(n) return 1 + f(n + 1) end f(1)`, "stack overflow"},
		{`local function f() local ok, e = pcall(f) error(e, 0) end f()`, "stack overflow"},
		{`local function f() return (string.gsub("x", "x", f)) end f()`, "stack overflow"},
		{`local t = setmetatable({}, {__index = function(t, k) return t[k] end}) local x = t.x`, "stack overflow"},
		{`local t = setmetatable({}, {__tostring = function(t) return tostring(t) end}) tostring(t)`, "stack overflow"},
		{`local t = setmetatable({}, {__concat = function(a, b) return a .. b end}) local x = t .. "x"`, "stack overflow"},
		{`local function f() xpcall(f, f) error("x") end f()`, ""},
		{`local t = {1, 2, 3} local function cmp(a, b) table.sort(t, cmp) return a < b end table.sort(t, cmp)`, "stack overflow"},
		{`local function f() local co = coroutine.wrap(f) co() end f()`, "coroutines nested too deeply"},
		{`local function f() local co = coroutine.create(f) local ok, e = coroutine.resume(co) error(e, 0) end f()`, "coroutines nested too deeply"},
		{`local t = setmetatable({}, {}) getmetatable(t).__index = t local x = t.x`, "too many recursions"},
		{`local f = load(string.rep("(", 500) .. "1" .. string.rep(")", 500)) assert(f == nil) error("refused")`, "refused"},
	} {
		_, err := runText(t, r, tt.src)
		if tt.want == "" {
			if !errors.Is(err, ErrTimeLimit) && !contains(err.Error(), "stack overflow") {
				t.Errorf("%s\n=> %v, want a stack overflow or the time limit", tt.src, err)
			}
			continue
		}
		var se *ScriptError
		if !errors.As(err, &se) || !contains(se.Message, tt.want) {
			t.Errorf("%s\n=> %v, want a ScriptError with %q", tt.src, err, tt.want)
		}
	}
	stillWorks(t, r)
}

// TestOutputCap: print output beyond OutputLimit is dropped with a note;
// the script runs on.
func TestOutputCap(t *testing.T) {
	r := NewRunner(Options{OutputLimit: 1000})
	res, err := runText(t, r, `for i = 1, 1e5 do print(string.rep("x", 99)) end ds_done = "yes"`)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || !strings.HasSuffix(res.Output, "\n[output truncated at 1000 bytes]\n") {
		t.Errorf("output not truncated with a note: %d bytes, %q...", len(res.Output), res.Output[len(res.Output)-60:])
	}
	if len(res.Output) > 1000+64 {
		t.Errorf("output of %d bytes", len(res.Output))
	}
	if res.Vars["ds_done"] != "yes" {
		t.Errorf("the script did not run to its end after the cap: %v", res.Vars)
	}
	res = mustRun(t, r, `puts("short")`)
	if res.Truncated || res.Output != "short\n" {
		t.Errorf("next run: %q truncated=%v", res.Output, res.Truncated)
	}
}

// TestFormatWidthBomb: a format item is at most 99 wide, as in C Lua, so
// "%99999999d" is an error, not a 100 MB string.
func TestFormatWidthBomb(t *testing.T) {
	r := NewRunner(Options{})
	for _, f := range []string{"%99999999d", "%.99999999f", "%099999999s", "%-99999999c"} {
		var err error
		use := measureHeap(func() { _, err = runText(t, r, `local s = string.format("`+f+`", 1)`) })
		var se *ScriptError
		if !errors.As(err, &se) || !contains(se.Message, "invalid format (width or precision too long)") {
			t.Errorf("%s: err = %v", f, err)
		}
		if use.total > 4<<20 {
			t.Errorf("%s: %d MiB allocated", f, use.total>>20)
		}
	}
}
