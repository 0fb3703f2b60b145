package match

import "math/bits"

// scanFused runs the key automaton and up to two class-filter words in one
// pass over s. The automaton's step waits on a load that depends on the
// previous step; the Shift-And steps do not depend on it, so the processor
// runs them in the gaps and they cost almost nothing.
func scanFused(a *automaton, f *classFilter, s string, cands []cand) []cand {
	// With one word, the second chain repeats the first and is ignored.
	w0, w1 := &f.words[0], &f.words[len(f.words)-1]
	delta, class, nc := a.delta, &a.class, a.nclass
	st := uint32(0)
	var d0, d1, seen0, seen1 uint64
	var at []int32
	for i := 0; i < len(s); i++ {
		b := s[i]
		st = delta[st+uint32(class[b])]
		d0 = (d0<<1 | w0.start) & w0.mask[b]
		d1 = (d1<<1 | w1.start) & w1.mask[b]
		seen0 |= d0
		seen1 |= d1
		if st&outBit != 0 {
			st &^= outBit
			cands = a.emit(st/nc, i, cands, &at)
		}
	}
	for m := seen0 & w0.end; m != 0; m &= m - 1 {
		cands = appendOnce(cands, w0.entry[bits.TrailingZeros64(m)])
	}
	if len(f.words) == 1 {
		return cands
	}
	for m := seen1 & w1.end; m != 0; m &= m - 1 {
		cands = appendOnce(cands, w1.entry[bits.TrailingZeros64(m)])
	}
	return cands
}

// appendOnce appends a candidate without a key hit unless e is there.
func appendOnce(cands []cand, e int32) []cand {
	for _, c := range cands {
		if c.entry == e {
			return cands
		}
	}
	return append(cands, cand{entry: e, lit: -1})
}
