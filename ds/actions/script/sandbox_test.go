package script

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSandboxEscapes tries the ways out of a Lua sandbox. Each script
// must either fail with the given error or print the given output; none
// may touch the file system or the process.
func TestSandboxEscapes(t *testing.T) {
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	r := NewRunner(Options{Timeout: 2 * time.Second})
	tests := []struct {
		name, src string
		err       string // a ScriptError containing this, or
		out       string // this output
	}{
		{"os.execute", `os.execute("touch ` + pwned + `")`, "attempt to index a non-table object(nil)", ""},
		{"io.open", `io.open("` + pwned + `", "w"):write("x")`, "attempt to index a non-table object(nil)", ""},
		{"io.popen", `io.popen("touch ` + pwned + `")`, "attempt to index a non-table object(nil)", ""},
		{"require", `require("os")`, "attempt to call a non-function object", ""},
		{"dofile", `dofile("/etc/passwd")`, "attempt to call a non-function object", ""},
		{"loadfile", `loadfile("/etc/passwd")`, "attempt to call a non-function object", ""},
		{"module", `module("x")`, "attempt to call a non-function object", ""},
		{"package.loadlib", `package.loadlib("libc.so.6", "system")`, "attempt to index a non-table object(nil)", ""},
		{"debug", `debug.getregistry()`, "attempt to index a non-table object(nil)", ""},
		{"channel", `channel.make()`, "attempt to index a non-table object(nil)", ""},
		{"absent names", `print(os, io, debug, package, require, dofile, loadfile, getfenv, setfenv, newproxy, module, _printregs, gcinfo, string.dump, _GOPHER_LUA_VERSION, channel)`, "",
			"nil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\n"},
		{"bytecode", `local f, e = load("\27LuaQ\0\1\4\8\4\8\0") print(f, e)`, "", "nil\t=(load): attempt to load a binary chunk (only text is accepted)\n"},
		{"bytecode via loadstring", `local f, e = loadstring(string.char(27) .. "Lua") print(f == nil, (e:find("binary chunk")) ~= nil)`, "", "true\ttrue\n"},
		{"load with a reader function", `print(load(function() return nil end))`, "", "nil\tload: only a string chunk can be loaded\n"},
		{"loaded text is sandboxed", `local f = load("return os, io, _G == ...") print(f(_G))`, "", "nil\tnil\ttrue\n"},
		{"loaded text sees the run's globals", `x = 5 print(load("return x")())`, "", "5\n"},
		{"string metatable", `getmetatable("").__index.upper = nil`, "attempt to index a non-table object(boolean)", ""},
		{"set the string metatable", `setmetatable("", {})`, "cannot change a protected metatable", ""},
		{"getmetatable of a string", `print(getmetatable("abc"), getmetatable(string))`, "", "false\tnil\n"},
		{"no getfenv(0)", `getfenv(0).x = 1`, "attempt to call a non-function object", ""},
		{"hidden functions", `print(rawget(_G, "(concat)"), select("#", ...))`, "", "nil\t0\n"},
		{"collectgarbage does not collect", `for i = 1, 50 do collectgarbage("collect") collectgarbage("step") end print(collectgarbage("stop"))`, "", "0\n"},
		{"error value with a looping __tostring", `error(setmetatable({}, {__tostring = function() while true do end end}))`, "table: 0x", ""},
		{"coroutine.running in the main chunk", `print(coroutine.running())`, "", "nil\n"},
		{"rawset on the globals", `rawset(_G, "ds_x", "1") print(ds_x)`, "", "1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gcs := numGC()
			res, err := runText(t, r, tt.src)
			if tt.err != "" {
				var se *ScriptError
				if !errors.As(err, &se) || !strings.Contains(se.Message, tt.err) {
					t.Fatalf("err = %v, want a ScriptError with %q", err, tt.err)
				}
			} else if err != nil || res.Output != tt.out {
				t.Fatalf("output %q, err %v; want %q", res.Output, err, tt.out)
			}
			if n := numGC() - gcs; n > 2 {
				t.Errorf("%d collections while the script ran", n)
			}
			if _, err := os.Stat(pwned); err == nil {
				t.Fatalf("the script created %s", pwned)
			}
			stillWorks(t, r)
		})
	}
}

func numGC() uint32 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.NumGC
}

// TestLibrariesAreFreshEachRun: a run that rewrites the libraries, the
// string metatable's target or the globals changes nothing for the next.
func TestLibrariesAreFreshEachRun(t *testing.T) {
	r := NewRunner(Options{PoolSize: 1})
	res := mustRun(t, r, `
		string.rep = function() return "pwned" end
		string.upper = function() return "pwned" end
		table.concat = nil
		math.floor = function() return 42 end
		coroutine.create = nil
		setmetatable(string, {__index = function() return "pwned" end})
		table.extra = "leak"
		math[1] = "leak"
		coroutine[true] = "leak"
		print = function() end
		_G.pairs = nil
		tostring = nil
		x = "leak"
		ds_hostname = "changed"
		puts(("a"):upper(), string.anything)`)
	if res.Output != "pwned\tpwned\n" {
		t.Fatalf("within the run, the changes should hold: %q", res.Output)
	}
	res = mustRun(t, r, `print(string.rep("a", 2), ("a"):upper(), table.concat({1, 2}), math.floor(1.5),
		type(coroutine.create), getmetatable(string), type(pairs), tostring(x), ds_hostname, string.anything,
		table.extra, math[1], coroutine[true])`)
	if want := "aa\tA\t12\t1\tfunction\tnil\tfunction\tnil\tnil\tnil\tnil\tnil\tnil\n"; res.Output != want {
		t.Fatalf("the next run saw the changes: %q, want %q", res.Output, want)
	}
	// Each change alone is noticed too.
	for _, change := range []string{`string.x = 1`, `table[1] = 1`, `math.pi = 3`, `coroutine.wrap = nil`,
		`setmetatable(math, {})`, `local f = string.rep string.rep = nil string.sub = f`,
		`local f = string.reverse string.reverse = nil string.x = 1 string.reverse = f`, `table[2] = 1 table[1] = 1`,
		`math[1] = 1 math[1] = nil math.pi = 3`} {
		mustRun(t, r, change)
		res := mustRun(t, r, `print(string.x, table[1], math.pi, type(coroutine.wrap), getmetatable(math), string.rep("a", 2), string.sub("ab", 2))`)
		if want := "nil\tnil\t3.141592653589793\tfunction\tnil\taa\tb\n"; res.Output != want {
			t.Errorf("after %s, the next run printed %q", change, res.Output)
		}
	}
}

// TestCompileErrorsAreNotRun: a syntax error is a CompileError and runs
// nothing.
func TestCompileErrorsAreNotRun(t *testing.T) {
	r := NewRunner(Options{})
	_, err := runText(t, r, "print('x')\nlocal = 1")
	var ce *CompileError
	if !errors.As(err, &ce) || ce.Line != 2 {
		t.Fatalf("err = %v, want a CompileError on line 2", err)
	}
}
