package script

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// strRep is string.rep(s, n [, sep]), refused before it allocates when the
// result would be over MaxString.
func strRep(L *lua.LState) int {
	r := runOf(L)
	s := L.CheckString(1)
	n := math.Floor(float64(L.CheckNumber(2)))
	sep := L.OptString(3, "")
	if n <= 0 || math.IsNaN(n) {
		L.Push(lua.LString(""))
		return 1
	}
	size := r.allocStringF(L, n*float64(len(s))+(n-1)*float64(len(sep)), "string.rep")
	if size == 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if sep == "" {
		L.Push(lua.LString(strings.Repeat(s, int(n))))
		return 1
	}
	var b strings.Builder
	b.Grow(size)
	for i := 0; i < int(n); i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// strUpper, strLower and strReverse work on bytes, as C Lua in the C
// locale, so the result is exactly as long as the argument.
func strUpper(L *lua.LState) int { return mapBytes(L, "string.upper", upper) }
func strLower(L *lua.LState) int { return mapBytes(L, "string.lower", lower) }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func mapBytes(L *lua.LState, what string, f func(byte) byte) int {
	s := L.CheckString(1)
	runOf(L).allocString(L, len(s), what)
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = f(s[i])
	}
	L.Push(lua.LString(b))
	return 1
}

func strReverse(L *lua.LState) int {
	s := L.CheckString(1)
	runOf(L).allocString(L, len(s), "string.reverse")
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[len(s)-1-i] = s[i]
	}
	L.Push(lua.LString(b))
	return 1
}

// strFormat is string.format as in C Lua: flags "-+ #0", a width and a
// precision of at most two digits each (so no item is wider than 99
// characters plus its value), and the conversions c d i o u x X e E f g G
// q s. The result's size is checked as it grows.
func strFormat(L *lua.LState) int {
	r := runOf(L)
	f := L.CheckString(1)
	top := L.GetTop()
	arg := 1
	var b []byte
	add := func(s string) {
		if len(b)+len(s) > r.opts.MaxString {
			r.allocString(L, len(b)+len(s), "string.format")
		}
		if len(b)+len(s) > cap(b) {
			r.reserve(L, int64(2*(len(b)+len(s))), "string.format")
		}
		b = append(b, s...)
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			j := strings.IndexByte(f[i:], '%')
			if j < 0 {
				j = len(f) - i
			}
			add(f[i : i+j])
			i += j - 1
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			add("%")
			continue
		}
		arg++
		if arg > top {
			L.ArgError(arg, "no value")
		}
		spec, next := scanFormat(L, f, i)
		i = next
		if i >= len(f) {
			L.RaiseError("%s", "invalid option '%' to 'format'")
		}
		switch conv := f[i]; conv {
		case 'c':
			add(pad(spec, string([]byte{byte(int64(L.CheckNumber(arg)))})))
		case 'd', 'i':
			add(formatNumber(spec, 'd', clampInt(float64(L.CheckNumber(arg)))))
		case 'o', 'u', 'x', 'X':
			v := uint64(clampInt(float64(L.CheckNumber(arg))))
			if conv == 'u' {
				conv = 'd'
			}
			add(formatNumber(spec, conv, v))
		case 'e', 'E', 'f', 'g', 'G':
			add(formatFloat(spec, conv, float64(L.CheckNumber(arg))))
		case 'q':
			addQuoted(add, L.CheckString(arg))
		case 's':
			s := L.ToStringMeta(L.Get(arg)).String()
			if spec.prec < 0 && len(s) >= 100 {
				add(s) // too long to pad; kept as is, as C Lua does
			} else {
				add(pad(spec, s))
			}
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
	}
	L.Push(lua.LString(b))
	return 1
}

// formatSpec is one parsed conversion: its flags, width and precision.
type formatSpec struct {
	flags string
	width int
	prec  int // -1 when absent
}

// scanFormat parses the flags, width and precision at f[i:], returning the
// index of the conversion character.
func scanFormat(L *lua.LState, f string, i int) (formatSpec, int) {
	spec := formatSpec{prec: -1}
	start := i
	for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
		i++
	}
	if i-start >= 6 {
		L.RaiseError("invalid format (repeated flags)")
	}
	spec.flags = f[start:i]
	digits := func() int {
		n, d := 0, 0
		for i < len(f) && isdigit(f[i]) && d < 2 {
			n = n*10 + int(f[i]-'0')
			i++
			d++
		}
		return n
	}
	spec.width = digits()
	if i < len(f) && f[i] == '.' {
		i++
		spec.prec = digits()
	}
	if i < len(f) && isdigit(f[i]) {
		L.RaiseError("invalid format (width or precision too long)")
	}
	return spec, i
}

// verb returns the Go fmt verb for the spec and conversion.
func (s formatSpec) verb(conv byte) string {
	v := "%" + s.flags
	if s.width > 0 {
		v += strconv.Itoa(s.width)
	}
	if s.prec >= 0 {
		v += "." + strconv.Itoa(s.prec)
	}
	return v + string(conv)
}

func formatNumber[T int64 | uint64](spec formatSpec, conv byte, v T) string {
	return fmt.Sprintf(spec.verb(conv), v)
}

// formatFloat formats like C: precision 6 by default (Go's %g would print
// the shortest representation), "inf" and "nan" spelled as glibc does.
func formatFloat(spec formatSpec, conv byte, v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		s := "nan"
		switch {
		case math.IsInf(v, 1):
			s = "inf"
			if strings.ContainsRune(spec.flags, '+') {
				s = "+inf"
			}
		case math.IsInf(v, -1):
			s = "-inf"
		}
		if conv == 'E' || conv == 'G' {
			s = strings.ToUpper(s)
		}
		return pad(formatSpec{flags: strings.ReplaceAll(spec.flags, "0", ""), width: spec.width, prec: -1}, s)
	}
	if spec.prec < 0 {
		spec.prec = 6
	}
	return fmt.Sprintf(spec.verb(conv), v)
}

// pad pads s to the spec's width (left-justified with "-"), after cutting
// it to the precision: bytes, as C does.
func pad(spec formatSpec, s string) string {
	if spec.prec >= 0 && len(s) > spec.prec {
		s = s[:spec.prec]
	}
	if len(s) >= spec.width {
		return s
	}
	fill := strings.Repeat(" ", spec.width-len(s))
	if strings.ContainsRune(spec.flags, '-') {
		return s + fill
	}
	return fill + s
}

func addQuoted(add func(string), s string) {
	add(`"`)
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\n':
			esc = "\\\n"
		case '\r':
			esc = `\r`
		case 0:
			esc = `\000`
		default:
			continue
		}
		add(s[start:i])
		add(esc)
		start = i + 1
	}
	add(s[start:])
	add(`"`)
}

// clampInt converts a Lua number to an integer as C's cast would for
// values in range, saturating outside it.
func clampInt(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// tabConcat is table.concat(t [, sep [, i [, j]]]): the size of the result
// is computed and checked before it is built.
func tabConcat(L *lua.LState) int {
	r := runOf(L)
	tb := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := float64(L.OptNumber(3, 1))
	j := float64(tb.Len())
	if L.Get(4) != lua.LNil {
		j = float64(L.CheckNumber(4))
	}
	if i > j {
		L.Push(lua.LString(""))
		return 1
	}
	size := 0.0
	var parts []string
	for k := i; k <= j; k++ {
		v := tb.RawGet(lua.LNumber(k))
		if !stringish(v) {
			L.RaiseError("invalid value (at index %d) in table for 'concat'", int64(k))
		}
		s := lua.LVAsString(v)
		parts = append(parts, s)
		size += float64(len(s))
		if k < j {
			size += float64(len(sep))
		}
		if size > float64(r.opts.MaxString) {
			r.allocStringF(L, size, "table.concat")
		}
	}
	r.allocStringF(L, size, "table.concat")
	L.Push(lua.LString(strings.Join(parts, sep)))
	return 1
}

// tabInsert is table.insert(t, [pos,] v), with a position far beyond the
// array checked like a store (see guardIndex).
func tabInsert(L *lua.LState) int {
	tb := L.CheckTable(1)
	switch L.GetTop() {
	case 2:
		tb.Append(L.Get(2))
	case 3:
		pos := L.CheckNumber(2)
		guardIndex(L, runOf(L), tb, pos)
		tb.Insert(int(clampInt(float64(pos))), L.Get(3))
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	return 0
}

// luaRand is a run's random generator: math.randomseed affects only the
// run that calls it.
type luaRand = rand.Rand

func (r *run) random() *luaRand {
	if r.rng == nil {
		r.rng = rand.New(rand.NewPCG(r.rngSeed[0], r.rngSeed[1]))
	}
	return r.rng
}

// mathRandom is math.random([m [, n]]).
func mathRandom(L *lua.LState) int {
	rng := runOf(L).random()
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(rng.Float64()))
		return 1
	case 1:
		u := clampInt(float64(L.CheckNumber(1)))
		if u < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(rng.Int64N(u) + 1))
	default:
		l, u := clampInt(float64(L.CheckNumber(1))), clampInt(float64(L.CheckNumber(2)))
		if l > u {
			L.ArgError(2, "interval is empty")
		}
		n := u - l + 1
		if n <= 0 {
			L.ArgError(2, "interval too large")
		}
		L.Push(lua.LNumber(l + rng.Int64N(n)))
	}
	return 1
}

// mathRandomseed is math.randomseed(x), for this run only.
func mathRandomseed(L *lua.LState) int {
	x := clampInt(float64(L.CheckNumber(1)))
	runOf(L).rng = rand.New(rand.NewPCG(uint64(x), 0))
	return 0
}
