package applet

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// stringOps are the "action string" operations, Tcl's string command
// without its dashes: IOS writes "string equal nocase length 3 A B".
var stringOps = []string{"compare", "equal", "first", "index", "last", "length", "match", "range", "replace",
	"tolower", "toupper", "trim", "trimleft", "trimright"}

// compileString checks "string OP ARGS..." and returns what runs it; the
// result goes to $_string_result. Indexes count characters from 0 and may
// be written end, end-N or end+N; out of range they are clamped as Tcl
// clamps them.
func compileString(args []string) (func(r *run) error, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("usage: string %s ...", strings.Join(stringOps, "|"))
	}
	sub := strings.ToLower(args[0])
	if !slices.Contains(stringOps, sub) {
		return nil, fmt.Errorf("unknown string operation %q; expected %s", args[0], strings.Join(stringOps, ", "))
	}
	rest := args[1:]
	// Options (nocase, length N) come before the two operands; a word that
	// must be an operand is one, whatever it reads.
	nocase, hasLen, lenArg := false, false, ""
	if sub == "compare" || sub == "equal" || sub == "match" {
		for len(rest) > 2 {
			switch strings.ToLower(strings.TrimPrefix(rest[0], "-")) {
			case "nocase":
				nocase, rest = true, rest[1:]
				continue
			case "length":
				if sub != "match" && len(rest) > 3 {
					hasLen, lenArg, rest = true, rest[1], rest[2:]
					continue
				}
			}
			break
		}
	}
	lo, hi := 1, 1
	switch sub {
	case "compare", "equal", "match":
		lo, hi = 2, 2
	case "first", "last":
		lo, hi = 2, 3
	case "index":
		lo, hi = 2, 2
	case "range":
		lo, hi = 3, 3
	case "replace":
		lo, hi = 3, 4
	case "tolower", "toupper":
		lo, hi = 1, 3
	case "trim", "trimleft", "trimright":
		lo, hi = 1, 2
	}
	if len(rest) < lo || len(rest) > hi {
		return nil, fmt.Errorf("string %s takes %s", sub, plural(lo, hi))
	}
	return func(r *run) error {
		v := make([]string, len(rest))
		for i, a := range rest {
			var err error
			if v[i], err = r.expand(a); err != nil {
				return err
			}
		}
		limit := -1
		if hasLen {
			n, err := r.integer(lenArg)
			if err != nil {
				return err
			}
			limit = int(max(n, -1))
		}
		res, err := stringOp(r.ctx, sub, v, nocase, limit)
		if err != nil {
			return fmt.Errorf("string %s: %w", sub, err)
		}
		return r.set("_string_result", res)
	}, nil
}

func plural(lo, hi int) string {
	word := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	if lo == hi {
		return word(lo)
	}
	return fmt.Sprintf("%d to %s", lo, word(hi))
}

// stringOp runs one string operation on expanded operands. limit is the
// "length" option of compare and equal, -1 for none.
func stringOp(ctx context.Context, sub string, v []string, nocase bool, limit int) (string, error) {
	bool01 := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	switch sub {
	case "compare", "equal":
		a, b := v[0], v[1]
		if limit >= 0 {
			a, b = prefix(a, limit), prefix(b, limit)
		}
		if nocase {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		if sub == "equal" {
			return bool01(a == b), nil
		}
		return strconv.Itoa(strings.Compare(a, b)), nil
	case "match":
		ok, err := globMatch(ctx, v[0], v[1], nocase)
		return bool01(ok), err
	case "length":
		return strconv.Itoa(len([]rune(v[0]))), nil
	case "first", "last":
		needle, hay := []rune(v[0]), []rune(v[1])
		start := 0
		if sub == "last" {
			start = len(hay) - 1
		}
		if len(v) == 3 {
			n, err := index(v[2], len(hay))
			if err != nil {
				return "", err
			}
			start = n
		}
		return strconv.Itoa(findRunes(hay, needle, start, sub == "last")), nil
	case "index":
		s := []rune(v[0])
		n, err := index(v[1], len(s))
		if err != nil {
			return "", err
		}
		if n < 0 || n >= len(s) {
			return "", nil
		}
		return string(s[n]), nil
	case "range", "replace":
		s := []rune(v[0])
		first, err := index(v[1], len(s))
		if err != nil {
			return "", err
		}
		last, err := index(v[2], len(s))
		if err != nil {
			return "", err
		}
		first, last = max(first, 0), min(last, len(s)-1)
		if sub == "range" {
			if first > last {
				return "", nil
			}
			return string(s[first : last+1]), nil
		}
		if first > last {
			return v[0], nil
		}
		repl := ""
		if len(v) == 4 {
			repl = v[3]
		}
		return string(s[:first]) + repl + string(s[last+1:]), nil
	case "tolower", "toupper":
		s := []rune(v[0])
		first, last := 0, len(s)-1
		var err error
		if len(v) > 1 {
			if first, err = index(v[1], len(s)); err != nil {
				return "", err
			}
			last = first
		}
		if len(v) > 2 {
			if last, err = index(v[2], len(s)); err != nil {
				return "", err
			}
		}
		first, last = max(first, 0), min(last, len(s)-1)
		conv := unicode.ToLower
		if sub == "toupper" {
			conv = unicode.ToUpper
		}
		for i := first; i <= last; i++ {
			s[i] = conv(s[i])
		}
		return string(s), nil
	case "trim", "trimleft", "trimright":
		cut := " \t\n\r\v\f"
		if len(v) == 2 {
			cut = v[1]
		}
		switch sub {
		case "trimleft":
			return strings.TrimLeft(v[0], cut), nil
		case "trimright":
			return strings.TrimRight(v[0], cut), nil
		}
		return strings.Trim(v[0], cut), nil
	}
	return "", fmt.Errorf("unknown operation")
}

// prefix returns the first n characters of s.
func prefix(s string, n int) string {
	r := []rune(s)
	if n < len(r) {
		return string(r[:n])
	}
	return s
}

// index reads a Tcl string index for a string of n characters: an
// integer I, I+K, I-K, end, end+K or end-K.
func index(s string, n int) (int, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("bad index %q: expected an integer, end or end-N", s)
	num := func(x string) (int64, bool) {
		v, err := strconv.ParseInt(x, 10, 64)
		return min(max(v, -1<<40), 1<<40), err == nil
	}
	var base int64
	off := ""
	switch {
	case len(t) >= 3 && strings.EqualFold(t[:3], "end"):
		base, off = int64(n-1), t[3:]
	case t != "":
		k := strings.IndexAny(t[1:], "+-") // a leading sign is the integer's
		if k < 0 {
			v, ok := num(t)
			if !ok {
				return 0, bad
			}
			return clampIndex(v), nil
		}
		v, ok := num(t[:k+1])
		if !ok {
			return 0, bad
		}
		base, off = v, t[k+1:]
		if off == "" {
			return 0, bad
		}
	default:
		return 0, bad
	}
	if off == "" {
		return clampIndex(base), nil
	}
	if off[0] != '+' && off[0] != '-' {
		return 0, bad
	}
	k, ok := num(off)
	if !ok {
		return 0, bad
	}
	return clampIndex(base + k), nil
}

// clampIndex keeps an index within ±2^31, beyond any string a run holds.
func clampIndex(i int64) int {
	return int(min(max(i, -1<<31), 1<<31))
}

// findRunes returns the index of needle in hay at or after start (at or
// before it when last), -1 when it is not there.
func findRunes(hay, needle []rune, start int, last bool) int {
	if len(needle) == 0 || len(needle) > len(hay) {
		return -1
	}
	if last {
		for i := min(start, len(hay)-len(needle)); i >= 0; i-- {
			if slices.Equal(hay[i:i+len(needle)], needle) {
				return i
			}
		}
		return -1
	}
	for i := max(start, 0); i+len(needle) <= len(hay); i++ {
		if slices.Equal(hay[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// globMatch reports whether s matches the Tcl glob pattern: * any
// characters, ? one, [abc] and [a-z] a set, \x the character x. It checks
// ctx as it goes, a pattern with many stars taking time on a long string.
func globMatch(ctx context.Context, pattern, s string, nocase bool) (bool, error) {
	if nocase {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	starP, starT := -1, 0
	for steps := 0; ti < len(t); steps++ {
		if steps&4095 == 4095 && ctx.Err() != nil {
			return false, context.Cause(ctx)
		}
		if pi < len(p) && p[pi] == '*' {
			starP, starT = pi, ti
			pi++
			continue
		}
		if pi < len(p) {
			if n, ok := matchOne(p[pi:], t[ti]); ok {
				pi += n
				ti++
				continue
			}
		}
		if starP < 0 {
			return false, nil
		}
		starT++
		pi, ti = starP+1, starT
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p), nil
}

// matchOne matches one character c against the start of pattern p (not a
// star) and returns how many pattern runes it used.
func matchOne(p []rune, c rune) (int, bool) {
	switch p[0] {
	case '?':
		return 1, true
	case '\\':
		if len(p) > 1 {
			return 2, p[1] == c
		}
		return 1, c == '\\'
	case '[':
		end := slices.Index(p[1:], ']')
		if end < 0 {
			return 1, c == '['
		}
		set := p[1 : 1+end]
		for i := 0; i < len(set); i++ {
			if i+2 < len(set) && set[i+1] == '-' {
				lo, hi := min(set[i], set[i+2]), max(set[i], set[i+2])
				if c >= lo && c <= hi {
					return end + 2, true
				}
				i += 2
				continue
			}
			if set[i] == c {
				return end + 2, true
			}
		}
		return end + 2, false
	}
	return 1, p[0] == c
}
