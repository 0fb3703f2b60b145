package match

import (
	"math"
	"math/bits"
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

const (
	// minSeqBits is the least selectivity (bits of information: a literal
	// byte is 8, a digit class 4.7) a class sequence needs to be worth
	// checking.
	minSeqBits = 14.0
	// maxSeq bounds a sequence, so that a few share a 64-bit word.
	maxSeq = 24
)

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) len() int {
	return bits.OnesCount64(s[0]) + bits.OnesCount64(s[1]) + bits.OnesCount64(s[2]) + bits.OnesCount64(s[3])
}
func (s *byteSet) union(o byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|o[0], s[1]|o[1], s[2]|o[2], s[3]|o[3]
}
func single(b byte) (s byteSet) { s.add(b); return s }
func seqBits(seq []byteSet) (sum float64) {
	for i := range seq {
		sum += 8 - math.Log2(float64(seq[i].len()))
	}
	return sum
}

// classSequence returns the most selective sequence of byte sets that every
// match of re contains at consecutive bytes, or nil. It is the prefilter of
// a pattern without a literal: "\s\d{6,}\s" gives [\s][0-9]×6.
func classSequence(re *syntax.Regexp) []byteSet {
	_, best := seqOf(re)
	if seqBits(best) < minSeqBits {
		return nil
	}
	return best
}

// seqOf returns, for a node, the byte sequence it always matches exactly
// (exact, when it matches a fixed number of single bytes; ok false
// otherwise) and the best sequence required inside it.
func seqOf(re *syntax.Regexp) (exact seqResult, best []byteSet) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return seqResult{ok: true}, nil
	case syntax.OpLiteral:
		var seq []byteSet
		fold := re.Flags&syntax.FoldCase != 0
		for _, r := range re.Rune {
			lead := func() (seqResult, []byteSet) {
				// The rune may take several bytes (or match an invalid
				// byte): only its first byte is known, and nothing after.
				p := append(slices.Clip(seq), leadSet(r, fold))
				return seqResult{prefix: p}, p
			}
			switch {
			case r == utf8.RuneError:
				return lead() // matches invalid bytes too
			case r >= utf8.RuneSelf && fold:
				return lead()
			case r >= utf8.RuneSelf:
				var buf [utf8.UTFMax]byte
				for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
					seq = append(seq, single(b))
				}
				continue
			case fold && (r|0x20 == 'k' || r|0x20 == 's'):
				return lead() // fold to U+212A, U+017F
			}
			s := single(byte(r))
			if fold && isLetter(byte(r)) {
				s.add(byte(r) ^ 0x20)
			}
			seq = append(seq, s)
		}
		return seqResult{seq: seq, ok: true}, seq
	case syntax.OpCharClass:
		var s byteSet
		multi := false
		for i := 0; i < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1] && r < utf8.RuneSelf; r++ {
				s.add(byte(r))
			}
			multi = multi || re.Rune[i+1] >= utf8.RuneSelf
		}
		if multi {
			addHigh(&s)
			return seqResult{prefix: []byteSet{s}}, nil
		}
		seq := []byteSet{s}
		return seqResult{seq: seq, ok: true}, seq
	case syntax.OpCapture:
		return seqOf(re.Sub[0])
	case syntax.OpPlus:
		e, b := seqOf(re.Sub[0])
		if e.ok {
			return seqResult{prefix: e.seq, suffix: e.seq}, better(b, e.seq)
		}
		return seqResult{prefix: e.prefix, suffix: e.suffix}, b
	case syntax.OpRepeat:
		if re.Min >= 1 {
			e, b := seqOf(re.Sub[0])
			if e.ok {
				return seqResult{prefix: e.seq, suffix: e.seq}, b
			}
			return seqResult{prefix: e.prefix, suffix: e.suffix}, b
		}
		return seqResult{}, nil
	case syntax.OpConcat:
		var run, best, prefix []byteSet
		exact := true
		for _, sub := range re.Sub {
			e, b := seqOf(sub)
			best = better(best, b)
			if e.ok {
				run = append(run, e.seq...)
				continue
			}
			joined := append(slices.Clip(run), e.prefix...)
			best = better(best, joined)
			if exact {
				prefix = joined
			}
			run = append([]byteSet(nil), e.suffix...)
			exact = false
		}
		best = better(best, run)
		if exact {
			return seqResult{seq: run, ok: true}, best
		}
		return seqResult{prefix: prefix, suffix: run}, best
	case syntax.OpAlternate:
		// A choice of single bytes is one position: (a|b|[0-9]).
		var s byteSet
		for _, sub := range re.Sub {
			e, _ := seqOf(sub)
			if !e.ok || len(e.seq) != 1 {
				return seqResult{}, nil
			}
			s.union(e.seq[0])
		}
		seq := []byteSet{s}
		return seqResult{seq: seq, ok: true}, seq
	}
	return seqResult{}, nil
}

// seqResult is what seqOf knows about the exact shape of a node.
type seqResult struct {
	seq []byteSet // the node matches exactly these bytes, one from each set
	ok  bool      // seq is valid
	// Otherwise, every match starts with bytes from prefix and ends with
	// bytes from suffix (either may be empty).
	prefix, suffix []byteSet
}

// leadSet returns the bytes a match of rune r can start with: r itself
// when it is ASCII (both cases with fold), and every byte from 0x80 on for
// the leading byte of a longer rune or an invalid byte.
func leadSet(r rune, fold bool) byteSet {
	var s byteSet
	if r < utf8.RuneSelf {
		s.add(byte(r))
		if fold && isLetter(byte(r)) {
			s.add(byte(r) ^ 0x20)
		}
	}
	addHigh(&s)
	return s
}

// addHigh adds the bytes 0x80-0xFF.
func addHigh(s *byteSet) { s[2], s[3] = ^uint64(0), ^uint64(0) }

func isLetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// better returns the more selective of two sequences, each cut to its
// most selective window of maxSeq positions.
func better(a, b []byteSet) []byteSet {
	a, b = window(a), window(b)
	if seqBits(b) > seqBits(a) {
		return b
	}
	return a
}

// window returns the most selective run of at most maxSeq positions.
func window(s []byteSet) []byteSet {
	if len(s) <= maxSeq {
		return s
	}
	bestAt, bestBits := 0, -1.0
	for i := 0; i+maxSeq <= len(s); i++ {
		if b := seqBits(s[i : i+maxSeq]); b > bestBits {
			bestAt, bestBits = i, b
		}
	}
	return s[bestAt : bestAt+maxSeq]
}

// classFilter runs the class sequences of many patterns over a body at
// once (bit-parallel Shift-And), a few sequences to each 64-bit word.
type classFilter struct {
	words []filterWord
}

type filterWord struct {
	mask  [256]uint64 // bit i set when byte b is in position i's set
	start uint64      // the first position of each sequence
	end   uint64      // the last position of each sequence
	entry [64]int32   // at an end bit: the entry whose sequence ends there
}

// add places a sequence for entry e.
func (f *classFilter) add(seq []byteSet, e int32) {
	n := len(f.words)
	if n == 0 || bits.Len64(f.words[n-1].end)+len(seq) > 64 {
		f.words = append(f.words, filterWord{})
		n++
	}
	w := &f.words[n-1]
	at := bits.Len64(w.end)
	w.start |= 1 << at
	for i, set := range seq {
		for k, m := range set {
			for ; m != 0; m &= m - 1 {
				w.mask[k*64+bits.TrailingZeros64(m)] |= 1 << (at + i)
			}
		}
	}
	last := at + len(seq) - 1
	w.end |= 1 << last
	w.entry[last] = e
}

// scan appends to cands, once each, the entries whose sequence occurs in s.
// Up to four words run side by side in one pass over s: their update chains
// are independent, so the processor overlaps them.
func (f *classFilter) scan(s string, cands []cand) []cand {
	for wi := 0; wi < len(f.words); wi += 4 {
		ws := f.words[wi:min(wi+4, len(f.words))]
		var seen [4]uint64
		switch len(ws) {
		case 1:
			seen[0] = ws[0].run(s)
		case 2:
			w0, w1 := &ws[0], &ws[1]
			var d0, d1 uint64
			for i := 0; i < len(s); i++ {
				b := s[i]
				d0 = (d0<<1 | w0.start) & w0.mask[b]
				d1 = (d1<<1 | w1.start) & w1.mask[b]
				seen[0] |= d0
				seen[1] |= d1
			}
			seen[0] &= w0.end
			seen[1] &= w1.end
		default:
			for k := range ws {
				seen[k] = ws[k].run(s)
			}
		}
		for k := range ws {
			for m := seen[k]; m != 0; m &= m - 1 {
				cands = appendOnce(cands, ws[k].entry[bits.TrailingZeros64(m)])
			}
		}
	}
	return cands
}

// run returns the end bits of the word's sequences that occur in s.
func (w *filterWord) run(s string) uint64 {
	d, seen := uint64(0), uint64(0)
	for i := 0; i < len(s); i++ {
		d = (d<<1 | w.start) & w.mask[s[i]]
		seen |= d
	}
	return seen & w.end
}

// prefixOK reports whether s can start with a match of a pattern whose
// matches start with bytes from p (the anchored-prefix check).
func prefixOK(s string, p []byteSet) bool {
	if len(s) < len(p) {
		return false
	}
	for i := range p {
		if !p[i].has(s[i]) {
			return false
		}
	}
	return true
}

// anchoredPrefix returns, for a pattern anchored at the start of the text,
// the byte sets its matches start with; nil otherwise.
func anchoredPrefix(re *syntax.Regexp) []byteSet {
	if !anchoredAtStart(re) {
		return nil
	}
	e, _ := seqOf(re)
	p := e.prefix
	if e.ok {
		p = e.seq
	}
	for i := range p {
		if p[i].len() == 256 {
			return p[:i]
		}
	}
	return p
}
