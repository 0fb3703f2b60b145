package script

import (
	"errors"
	"strings"
	"testing"
)

// TestLuaSemantics checks the library functions this package replaces
// (string patterns, format, rep, concatenation, table stores) against
// what C Lua 5.1 prints.
func TestLuaSemantics(t *testing.T) {
	r := NewRunner(Options{})
	tests := []struct{ src, want string }{
		// find
		{`print(string.find("hello world", "o w"))`, "5\t7"},
		{`print(string.find("hello", "l"))`, "3\t3"},
		{`print(string.find("hello", "xyz"))`, "nil"},
		{`print(string.find("a+b", "+", 1, true))`, "2\t2"},
		{`print(string.find("abc", "b", -1), string.find("abc", "c", -1))`, "nil\t3\t3"},
		{`print(string.find("", ""))`, "1\t0"},
		{`print(string.find("abc", "", 10))`, "4\t3"},
		{`print(string.find("key=val", "(%w+)=(%w+)"))`, "1\t7\tkey\tval"},
		// match
		{`print(string.match("hello 123", "%d+"))`, "123"},
		{`print(string.match("key = value", "(%w+)%s*=%s*(%w+)"))`, "key\tvalue"},
		{`print(string.match("  trim  ", "^%s*(.-)%s*$") .. "|")`, "trim|"},
		{`print(string.match("2024-01-05", "(%d+)-(%d+)-(%d+)"))`, "2024\t01\t05"},
		{`print(string.match("hello", "()ll()"))`, "3\t5"},
		{`print(string.match("f(a(b)c)d", "%b()"))`, "(a(b)c)"},
		{`print(string.match("THE (quick) fox", "%f[%a]%a+", 5))`, "quick"},
		{`print(("abc"):match("^b"), ("abc"):match("^a"))`, "nil\ta"},
		{`print(("aaa"):match("a-b"), ("aaab"):match("a-b"))`, "nil\taaab"},
		{`print(("hello"):match("(h)(e)(l)(l)(o)"))`, "h\te\tl\tl\to"},
		{`print(("abab"):match("(ab)%1"), ("abac"):match("(ab)%1"))`, "ab\tnil"},
		{`print(("[test]"):match("%[(.*)%]"), ("a.b"):match("^(.-)%."))`, "test\ta"},
		{`print(("192.168.1.1"):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$"))`, "192\t168\t1\t1"},
		{`print(("Gi1/0/5 up"):match("^(%S+)%s+(%a+)"))`, "Gi1/0/5\tup"},
		{`print(("a]b"):match("[]]"), ("-a"):match("[a-]"), ("^x"):match("[%^x]+"), ("x5"):match("[^%a]"))`, "]\t-\t^x\t5"},
		{`print(("a1_B"):match("^[%w_]+$"), ("ab"):match("a?b"), ("b"):match("a?b"), ("aab"):match("a*b"), ("b"):match("a+b"))`, "a1_B\tab\tb\taab\tnil"},
		{`print(("abc"):match(".$"), ("a$c"):match("a$c"), ("x\0y"):match("%z"))`, "c\ta$c\t\x00"},
		// gsub
		{`print(string.gsub("hello world", "(%w+)", "%1 %1"))`, "hello hello world world\t2"},
		{`print(string.gsub("hello world", "%w+", "%0 %0", 1))`, "hello hello world\t1"},
		{`print(string.gsub("hello", "", "-"))`, "-h-e-l-l-o-\t6"},
		{`print(string.gsub("abc", "%w", "%%"))`, "%%%\t3"},
		{`print(string.gsub("$name is $age", "%$(%w+)", {name = "Bob", age = 3}))`, "Bob is 3\t2"},
		{`print(string.gsub("abc", "(b)", function(x) return nil end))`, "abc\t1"},
		{`print(string.gsub("  x  ", "^%s+", ""))`, "x  \t1"},
		{`print(string.gsub("abc", "b*", "-"))`, "-a--c-\t4"}, // 5.1 to 5.3; 5.4 prints -a-c- 3
		{`print(string.gsub("one two", "(%w+) (%w+)", "%2 %1"))`, "two one\t1"},
		{`print(pcall(string.gsub, "abc", ".", {a = true}))`, "false\tt:1: invalid replacement value (a boolean)"},
		// gmatch
		{`for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do io = nil print(k, v) end`, "a\t1\nb\t2"},
		{`local n = 0 for m in ("abc"):gmatch("") do n = n + 1 end print(n)`, "4"},
		{`for w in ("one two  three"):gmatch("%S+") do print(w) end`, "one\ntwo\nthree"},
		// pattern errors
		{`print(pcall(string.find, "a", "("))`, "false\tt:1: unfinished capture"},
		{`print(pcall(string.match, "a", "%"))`, "false\tt:1: malformed pattern (ends with '%')"},
		{`print(pcall(string.match, "a", "[a"))`, "false\tt:1: malformed pattern (missing ']')"},
		{`print(pcall(string.gsub, "a", "a", "%2"))`, "false\tt:1: invalid capture index"},
		{`print(pcall(string.match, "a", "a)"))`, "false\tt:1: invalid pattern capture"},
		{`print(pcall(string.match, string.rep("a", 300), string.rep("(a)", 40)))`, "false\tt:1: too many captures"},
		{`print(pcall(string.match, string.rep("a", 300), string.rep("a?", 300)))`, "false\tt:1: pattern too complex"},
		// format
		{`print(("%5.2f|%-5d|%05.1f"):format(3.14159, 42, -2.5))`, " 3.14|42   |-02.5"},
		{`print(("%x %X %o %e"):format(255, 255, 8, 12345.678))`, "ff FF 10 1.234568e+04"},
		{`print(("%g %g %g %g %.3g"):format(1e-5, 100000, 1e6, 0.0001, 2/3))`, "1e-05 100000 1e+06 0.0001 0.667"},
		{`print(("%c%c|%3c|"):format(72, 105, 65))`, "Hi|  A|"},
		{`print(("%q"):format('he said "hi"\n\\'))`, "\"he said \\\"hi\\\"\\\n\\\\\""},
		{`print(("%d %d %i"):format(3.9, -3.9, 7))`, "3 -3 7"},
		{`print(("%5s|%-5s|%.2s|%s"):format("ab", "cd", "abc", 12))`, "   ab|cd   |ab|12"},
		{`print(("%d%% %+d % d %#x %#o"):format(50, 5, 5, 255, 8))`, "50% +5  5 0xff 010"},
		{`print(("%s"):format(setmetatable({}, {__tostring = function() return "T" end})))`, "T"},
		{`print(select(2, pcall(string.format, "%d")):match("bad argument #2 .*%(no value%)") ~= nil)`, "true"},
		{`print(pcall(string.format, "%y", 1))`, "false\tt:1: invalid option '%y' to 'format'"},
		{`print(pcall(string.format, "%123d", 1))`, "false\tt:1: invalid format (width or precision too long)"},
		{`print(pcall(string.format, "%.123f", 1))`, "false\tt:1: invalid format (width or precision too long)"},
		// rep, case, reverse
		{`print(#string.rep("", 1e300), #string.rep("", 2^40, ""), #string.rep("x", 2, ""))`, "0\t0\t2"},
		{`print(string.rep("ab", 3), string.rep("x", 0) .. "|", string.rep("x", -1) .. "|", string.rep("ab", 3, ","))`, "ababab\t|\t|\tab,ab,ab"},
		{`print(("Héllo"):upper(), ("ÀB"):lower(), ("abc"):reverse())`, "HéLLO\tÀb\tcba"},
		// table
		{`print(table.concat({1, 2, 3}, ", ", 2, 3), table.concat({}) .. "|")`, "2, 3\t|"},
		{`print(pcall(table.concat, {1, {}, 3}))`, "false\tt:1: invalid value (at index 2) in table for 'concat'"},
		{`local t = {"a"} table.insert(t, "c") table.insert(t, 2, "b") table.insert(t, 5, "e") print(t[1], t[2], t[3], t[4], t[5])`, "a\tb\tc\tnil\te"},
		// concatenation
		{`print(1 .. 2, 1.5 .. "", "a" .. "b" .. "c" .. 1)`, "12\t1.5\tabc1"},
		{`print(pcall(function() return "a" .. nil end))`, "false\tt:1: attempt to concatenate a nil value"},
		{`local t = setmetatable({}, {__concat = function(a, b) return "T" end}) print(t .. "x", "x" .. t, "a" .. "b" .. t)`, "T\tT\taT"},
		{`local function f(x) return function(y) return x .. y end end print(f("a")("b"), ("a" .. "b"):upper())`, "ab\tAB"},
		// stores the rewriter guards
		{`local t = {} local i = 1 i, t[i] = i + 1, 20 print(i, t[1], t[2])`, "2\t20\tnil"},
		{`local t = {} local i = 3000 i, t[i] = i + 1, 20 print(i, t[3000], t[3001])`, "3001\t20\tnil"},
		{`local a = {1, 2} local i, j = 1, 2 a[i], a[j] = a[j], a[i] print(a[1], a[2])`, "2\t1"},
		{`local log = {} local t = setmetatable({}, {__newindex = function(t, k, v) log[#log+1] = k end}) t[5000] = 1 t.x = 2 print(#log, log[1], log[2], rawget(t, 5000))`, "2\t5000\tx\tnil"},
		{`local k = 2 local t = {10, 20, [k] = 99, [5000] = 1, x = 3} print(t[1], t[2], t[5000], t.x)`, "10\t20\t1\t3"},
		{`local order = {} local function f(x) order[#order+1] = x return x end local t = {} t[f(1)] = f(2) print(order[1], order[2], t[1])`, "1\t2\t2"},
		{`local t = {} for i = 1, 5 do t[i * 1000] = i end print(t[5000], t[3000])`, "5\t3"},
		{`print(pcall(function() local t = {} t[nil] = 1 end))`, "false\tt:1: table index is nil"},
		{`print(pcall(function() local t = {} t[0/0] = 1 end))`, "false\tt:1: table index is NaN"},
		{`print(pcall(function() local x = nil x[5000] = 1 end))`, "false\tt:1: attempt to index a non-table object(nil) with key '5000'"},
		// load and varargs
		{`print(load("return select('#', ...)")(1, 2, 3), select("#", ...))`, "3\t0"},
		{`local f, e = load("x = ") print(f, e)`, "nil\t=(load):1: syntax error near '='"},
		// math.random is per run and seedable
		{`math.randomseed(42) local a = math.random(1000) math.randomseed(42) print(a == math.random(1000))`, "true"},
		{`print(select(2, pcall(math.random, 0)):match("bad argument #1 .*%(interval is empty%)") ~= nil)`, "true"},
	}
	for _, tt := range tests {
		res, err := runText(t, r, tt.src)
		if err != nil {
			t.Errorf("%s\n=> %v", tt.src, err)
			continue
		}
		if got := strings.TrimSuffix(res.Output, "\n"); got != tt.want {
			t.Errorf("%s\n got %q\nwant %q", tt.src, got, tt.want)
		}
	}
}

// TestCompile checks the syntax checks lint relies on.
func TestCompile(t *testing.T) {
	if err := Compile("local x = 1\nprint(x .. 'a')"); err != nil {
		t.Fatalf("valid script: %v", err)
	}
	var ce *CompileError
	err := Compile("print(1)\n\nlocal x = = 2")
	if !errors.As(err, &ce) || ce.Line != 3 || ce.Col == 0 || !strings.Contains(ce.Msg, "syntax error") {
		t.Errorf("syntax error: %#v", err)
	}
	if err := Compile("x = "); !errors.As(err, &ce) || ce.Line != 1 {
		t.Errorf("unexpected EOF: %#v", err)
	}
	if err := Compile("\x1bLuaQ\x00\x01"); !errors.As(err, &ce) || !strings.Contains(ce.Msg, "binary chunk") {
		t.Errorf("bytecode: %v", err)
	}
	if err := Compile("x = 1 --" + strings.Repeat("x", DefaultMaxScriptSize)); !errors.As(err, &ce) || !strings.Contains(ce.Msg, "limit") {
		t.Errorf("size: %v", err)
	}
	for _, deep := range []string{
		"x = " + strings.Repeat("{", 300) + strings.Repeat("}", 300),
		"x = " + strings.Repeat("- ", 300) + "1",
		strings.Repeat("do ", 300) + strings.Repeat("end ", 300),
		strings.Repeat("x = function() ", 300) + strings.Repeat("end ", 300),
		"x = " + strings.Repeat("{", 100000) + strings.Repeat("}", 100000),
		"x = " + strings.Repeat("f(", 50000) + strings.Repeat(")", 50000),
	} {
		if err := Compile(deep); !errors.As(err, &ce) || !strings.Contains(ce.Msg, "too many syntax levels") {
			t.Errorf("nesting %.20s...: %.200v", deep, err)
		}
	}
	r := NewRunner(Options{})
	// Long chains of one operator are not deep nesting.
	res := mustRun(t, r, "local x = 1"+strings.Repeat(" + 1", 1000)+" print(x)")
	if res.Output != "1001\n" {
		t.Errorf("sum: %q", res.Output)
	}
	// A chain of concatenations takes a register per operand, as in C
	// Lua: up to about 190 operands.
	res = mustRun(t, r, "local s = 'a'"+strings.Repeat(" .. 'a'", 180)+" print(#s)")
	if res.Output != "181\n" {
		t.Errorf("concatenation chain: %q", res.Output)
	}
	res = mustRun(t, r, "local x = true"+strings.Repeat(" and true", 1000)+" print(x)")
	if res.Output != "true\n" {
		t.Errorf("and chain: %q", res.Output)
	}
}
