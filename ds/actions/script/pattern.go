package script

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua patterns, ported from C Lua's lstrlib.c (5.1 semantics, with the
// "pattern too complex" depth limit of 5.2 and later). gopher-lua's own
// matcher collects every match before returning (string.gmatch on a large
// string with an empty pattern allocates a record per byte), recurses once
// per character and never looks at the context, so a backtracking pattern
// would run on after the timeout; this one matches lazily, nests at most
// maxMatchDepth calls deep, and checks the run every patternCheck steps.

const (
	maxCaptures   = 32
	capUnfinished = -1
	capPosition   = -2
	maxMatchDepth = 200
	patternCheck  = 1 << 12
	patSpecials   = "^$*+?.([%-"
)

type capture struct{ init, len int }

type matchState struct {
	L       *lua.LState
	r       *run
	src     string
	pat     string
	level   int
	depth   int
	steps   int
	capture [maxCaptures]capture
}

func newMatchState(L *lua.LState, r *run, src, pat string) *matchState {
	return &matchState{L: L, r: r, src: src, pat: pat, depth: maxMatchDepth}
}

// step counts work and raises the run's stop when it has been stopped.
func (ms *matchState) step() {
	ms.steps++
	if ms.steps%patternCheck == 0 && ms.r.ctxDone() {
		ms.r.raiseStopped(ms.L)
	}
}

// at returns the pattern byte at i, or 0 past its end (C's terminator).
func (ms *matchState) at(i int) byte {
	if i < len(ms.pat) {
		return ms.pat[i]
	}
	return 0
}

func (ms *matchState) srcAt(i int) byte {
	if i < len(ms.src) {
		return ms.src[i]
	}
	return 0
}

func (ms *matchState) classEnd(p int) int {
	c := ms.at(p)
	p++
	switch c {
	case '%':
		if p >= len(ms.pat) {
			ms.L.RaiseError("%s", "malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if ms.at(p) == '^' {
			p++
		}
		for {
			if p >= len(ms.pat) {
				ms.L.RaiseError("malformed pattern (missing ']')")
			}
			c := ms.pat[p]
			p++
			if c == '%' && p < len(ms.pat) {
				p++
			}
			if ms.at(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func isalpha(c byte) bool  { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isdigit(c byte) bool  { return c >= '0' && c <= '9' }
func islower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isupper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isspace(c byte) bool  { return c == ' ' || c >= '\t' && c <= '\r' }
func iscntrl(c byte) bool  { return c < 32 || c == 127 }
func ispunct(c byte) bool  { return c > 32 && c < 127 && !isalpha(c) && !isdigit(c) }
func isxdigit(c byte) bool { return isdigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func matchClass(c, cl byte) bool {
	var res bool
	switch cl | 0x20 {
	case 'a':
		res = isalpha(c)
	case 'c':
		res = iscntrl(c)
	case 'd':
		res = isdigit(c)
	case 'g':
		res = c > 32 && c < 127
	case 'l':
		res = islower(c)
	case 'p':
		res = ispunct(c)
	case 's':
		res = isspace(c)
	case 'u':
		res = isupper(c)
	case 'w':
		res = isalpha(c) || isdigit(c)
	case 'x':
		res = isxdigit(c)
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if isupper(cl) {
		return !res
	}
	return res
}

// matchBracketClass matches c against the set [..] from p (at '[') to ec
// (at ']').
func (ms *matchState) matchBracketClass(c byte, p, ec int) bool {
	sig := true
	if ms.at(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case ms.pat[p] == '%':
			p++
			if matchClass(c, ms.at(p)) {
				return sig
			}
		case ms.at(p+1) == '-' && p+2 < ec:
			p += 2
			if ms.pat[p-2] <= c && c <= ms.pat[p] {
				return sig
			}
		case ms.pat[p] == c:
			return sig
		}
	}
	return !sig
}

func (ms *matchState) singleMatch(s, p, ep int) bool {
	if s >= len(ms.src) {
		return false
	}
	c := ms.src[s]
	switch ms.pat[p] {
	case '.':
		return true
	case '%':
		return matchClass(c, ms.at(p+1))
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.pat[p] == c
}

func (ms *matchState) matchBalance(s, p int) int {
	if p+1 >= len(ms.pat) {
		ms.L.RaiseError("%s", "malformed pattern (missing arguments to '%b')")
	}
	if s >= len(ms.src) || ms.src[s] != ms.pat[p] {
		return -1
	}
	b, e, cont := ms.pat[p], ms.pat[p+1], 1
	for s++; s < len(ms.src); s++ {
		ms.step()
		switch ms.src[s] {
		case e:
			cont--
			if cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0
	for ms.singleMatch(s+i, p, ep) {
		ms.step()
		i++
	}
	for ; i >= 0; i-- {
		ms.step()
		if res := ms.match(s+i, ep+1); res != -1 {
			return res
		}
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		ms.step()
		if res := ms.match(s, ep+1); res != -1 {
			return res
		}
		if !ms.singleMatch(s, p, ep) {
			return -1
		}
		s++
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	if ms.level >= maxCaptures {
		ms.L.RaiseError("too many captures")
	}
	ms.capture[ms.level] = capture{s, what}
	ms.level++
	res := ms.match(s, p)
	if res == -1 {
		ms.level--
	}
	return res
}

func (ms *matchState) endCapture(s, p int) int {
	l := ms.captureToClose()
	ms.capture[l].len = s - ms.capture[l].init
	res := ms.match(s, p)
	if res == -1 {
		ms.capture[l].len = capUnfinished
	}
	return res
}

func (ms *matchState) captureToClose() int {
	for level := ms.level - 1; level >= 0; level-- {
		if ms.capture[level].len == capUnfinished {
			return level
		}
	}
	ms.L.RaiseError("invalid pattern capture")
	return 0
}

func (ms *matchState) checkCapture(l byte) int {
	i := int(l) - '1'
	if i < 0 || i >= ms.level || ms.capture[i].len == capUnfinished {
		ms.L.RaiseError("invalid capture index %%%d", i+1)
	}
	return i
}

func (ms *matchState) matchCapture(s int, l byte) int {
	i := ms.checkCapture(l)
	c := ms.capture[i]
	if c.len >= 0 && len(ms.src)-s >= c.len && ms.src[c.init:c.init+c.len] == ms.src[s:s+c.len] {
		return s + c.len
	}
	return -1
}

// match returns the end of the match of the pattern from p against the
// subject from s, or -1.
func (ms *matchState) match(s, p int) int {
	ms.depth--
	if ms.depth == 0 {
		ms.L.RaiseError("pattern too complex")
	}
	ms.step()
	defer func() { ms.depth++ }()
	for p < len(ms.pat) {
		switch ms.pat[p] {
		case '(':
			if ms.at(p+1) == ')' {
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')':
			return ms.endCapture(s, p+1)
		case '$':
			if p+1 == len(ms.pat) {
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		case '%':
			switch c := ms.at(p + 1); {
			case c == 'b':
				s = ms.matchBalance(s, p+2)
				if s == -1 {
					return -1
				}
				p += 4
				continue
			case c == 'f':
				p += 2
				if ms.at(p) != '[' {
					ms.L.RaiseError("%s", "missing '[' after '%f' in pattern")
				}
				ep := ms.classEnd(p)
				var prev byte
				if s > 0 {
					prev = ms.src[s-1]
				}
				if !ms.matchBracketClass(prev, p, ep-1) && ms.matchBracketClass(ms.srcAt(s), p, ep-1) {
					p = ep
					continue
				}
				return -1
			case isdigit(c):
				s = ms.matchCapture(s, c)
				if s == -1 {
					return -1
				}
				p += 2
				continue
			}
		}
		// default: a single class with an optional repetition suffix.
		ep := ms.classEnd(p)
		suffix := ms.at(ep)
		if !ms.singleMatch(s, p, ep) {
			if suffix == '*' || suffix == '?' || suffix == '-' {
				p = ep + 1
				continue
			}
			return -1
		}
		switch suffix {
		case '?':
			if res := ms.match(s+1, ep+1); res != -1 {
				return res
			}
			p = ep + 1
			continue
		case '+':
			return ms.maxExpand(s+1, p, ep)
		case '*':
			return ms.maxExpand(s, p, ep)
		case '-':
			return ms.minExpand(s, p, ep)
		}
		s++
		p = ep
	}
	return s
}

// pushCapture pushes capture i of the match s..e (the whole match when the
// pattern has no captures and i is 0).
func (ms *matchState) pushCapture(i, s, e int) {
	ms.L.Push(ms.captureValue(i, s, e))
}

func (ms *matchState) captureValue(i, s, e int) lua.LValue {
	if i >= ms.level {
		if i != 0 {
			ms.L.RaiseError("invalid capture index")
		}
		return lua.LString(ms.src[s:e])
	}
	c := ms.capture[i]
	switch c.len {
	case capUnfinished:
		ms.L.RaiseError("unfinished capture")
	case capPosition:
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(ms.src[c.init : c.init+c.len])
}

// pushCaptures pushes every capture, or the whole match (when whole and the
// pattern has none); it returns how many it pushed.
func (ms *matchState) pushCaptures(s, e int, whole bool) int {
	n := ms.level
	if n == 0 && whole {
		n = 1
	}
	for i := 0; i < n; i++ {
		ms.pushCapture(i, s, e)
	}
	return n
}

// strFindAux is string.find (find) and string.match.
func strFindAux(L *lua.LState, find bool) int {
	r := runOf(L)
	s := L.CheckString(1)
	p := L.CheckString(2)
	init := posrelat(float64(L.OptNumber(3, 1)), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > len(s) {
		init = len(s)
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(p, patSpecials)) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(init + i + 1))
			L.Push(lua.LNumber(init + i + len(p)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	anchor := len(p) > 0 && p[0] == '^'
	if anchor {
		p = p[1:]
	}
	ms := newMatchState(L, r, s, p)
	for s1 := init; ; s1++ {
		ms.level = 0
		if e := ms.match(s1, 0); e != -1 {
			if find {
				L.Push(lua.LNumber(s1 + 1))
				L.Push(lua.LNumber(e))
				return ms.pushCaptures(-1, -1, false) + 2
			}
			return ms.pushCaptures(s1, e, true)
		}
		if s1 >= len(s) || anchor {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

func strFind(L *lua.LState) int  { return strFindAux(L, true) }
func strMatch(L *lua.LState) int { return strFindAux(L, false) }

// strGmatch is string.gmatch: an iterator that finds one match per call.
func strGmatch(L *lua.LState) int {
	s := L.CheckString(1)
	p := L.CheckString(2)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		ms := newMatchState(L, runOf(L), s, p)
		for src := pos; src <= len(s); src++ {
			ms.level = 0
			if e := ms.match(src, 0); e != -1 {
				pos = e
				if e == src {
					pos++
				}
				return ms.pushCaptures(src, e, true)
			}
		}
		pos = len(s) + 1
		return 0
	}))
	return 1
}

// strGsub is string.gsub, building the result with its size checked as it
// grows.
func strGsub(L *lua.LState) int {
	r := runOf(L)
	src := L.CheckString(1)
	p := L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTFunction, lua.LTTable:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := len(src) + 1
	if L.Get(4) != lua.LNil {
		maxN = int(min(float64(L.CheckNumber(4)), float64(len(src)+1)))
	}
	anchor := len(p) > 0 && p[0] == '^'
	if anchor {
		p = p[1:]
	}
	ms := newMatchState(L, r, src, p)
	var b []byte
	add := func(s string) {
		if len(b)+len(s) > r.opts.MaxString {
			r.allocString(L, len(b)+len(s), "string.gsub")
		}
		if len(b)+len(s) > cap(b) {
			r.reserve(L, int64(2*(len(b)+len(s))), "string.gsub")
		}
		b = append(b, s...)
	}
	s, n := 0, 0
	for n < maxN {
		ms.level = 0
		e := ms.match(s, 0)
		if e != -1 {
			n++
			ms.addReplacement(add, repl, s, e)
		}
		if e != -1 && e > s {
			s = e
		} else if s < len(src) {
			add(src[s : s+1])
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	if s < len(src) {
		add(src[s:])
	}
	L.Push(lua.LString(b))
	L.Push(lua.LNumber(n))
	return 2
}

// addReplacement adds what replaces the match s..e: repl with %0-%9
// expanded, the value of the function or table for the first capture, or
// the match itself when that value is false or nil.
func (ms *matchState) addReplacement(add func(string), repl lua.LValue, s, e int) {
	L := ms.L
	var v lua.LValue
	switch rv := repl.(type) {
	case lua.LString, lua.LNumber:
		news := lua.LVAsString(rv)
		for i := 0; i < len(news); i++ {
			c := news[i]
			if c != '%' {
				add(news[i : i+1])
				continue
			}
			i++
			switch {
			case i == len(news):
				L.RaiseError("%s", "invalid use of '%' in replacement string")
			case news[i] == '0':
				add(ms.src[s:e])
			case isdigit(news[i]):
				add(lua.LVAsString(ms.captureValue(int(news[i]-'1'), s, e)))
			default:
				add(news[i : i+1])
			}
		}
		return
	case *lua.LFunction:
		L.Push(rv)
		n := ms.pushCaptures(s, e, true)
		L.Call(n, 1)
		v = L.Get(-1)
		L.Pop(1)
	case *lua.LTable:
		v = L.GetTable(rv, ms.captureValue(0, s, e))
	}
	switch {
	case !lua.LVAsBool(v):
		add(ms.src[s:e])
	case stringish(v):
		add(lua.LVAsString(v))
	default:
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	}
}
