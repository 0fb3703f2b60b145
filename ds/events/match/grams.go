package match

import "math/bits"

// gramTable finds the keys of a small layer (the delta) in a body without
// an automaton, so that building it costs O(keys): each key is filed under
// a hash of its first 8 bytes (first 3 when shorter), and a scan probes the
// table at each position with the lowered window ending there, confirming
// the key at the hit. Building an automaton costs milliseconds; a change
// rebuilds the delta.
type gramTable struct {
	short, long gramHash // keys of 3 to 7 bytes; of 8 and more
}

// gramHash is a hash table of keys by their lowered first w bytes.
type gramHash struct {
	shift uint8     // 64 - log2(buckets)
	start []int32   // bucket b holds items[start[b]:start[b+1]]; nil when empty
	items []gramKey // by bucket
}

type gramKey struct {
	text  string // lowered
	entry int32
	lit   int16
}

const gramMul = 0x9E3779B97F4A7C15

// lowerTab lowers ASCII letters.
var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = lower(byte(i))
	}
	return t
}()

// gramOf packs the first w bytes of t (lowered already).
func gramOf(t string, w int) uint64 {
	var g uint64
	for i := 0; i < w; i++ {
		g = g<<8 | uint64(t[i])
	}
	return g
}

func buildGramHash(keys []gramKey, w int) gramHash {
	if len(keys) == 0 {
		return gramHash{}
	}
	lg := max(4, bits.Len(uint(2*len(keys))))
	h := gramHash{shift: uint8(64 - lg), start: make([]int32, 1<<lg+1), items: make([]gramKey, len(keys))}
	for _, k := range keys {
		h.start[(gramOf(k.text, w)*gramMul)>>h.shift+1]++
	}
	for b := 1; b < len(h.start); b++ {
		h.start[b] += h.start[b-1]
	}
	fill := append([]int32(nil), h.start[:len(h.start)-1]...)
	for _, k := range keys {
		b := (gramOf(k.text, w) * gramMul) >> h.shift
		h.items[fill[b]] = k
		fill[b]++
	}
	return h
}

// buildGrams files the lowered keys.
func buildGrams(keys []lit) *gramTable {
	var short, long []gramKey
	for _, k := range keys {
		g := gramKey{k.text, k.entry, k.index}
		if len(k.text) >= 8 {
			long = append(long, g)
		} else {
			short = append(short, g)
		}
	}
	return &gramTable{short: buildGramHash(short, 3), long: buildGramHash(long, 8)}
}

// scan appends to cands, once each, the entries whose key occurs in s,
// with a hit; entries is above the highest entry (see addCand).
func (t *gramTable) scan(s string, cands []cand, entries int32) []cand {
	var g uint64
	var at []int32
	for i := 0; i < len(s); i++ {
		g = g<<8 | uint64(lowerTab[s[i]])
		if i >= 2 && t.short.start != nil {
			cands = t.short.probe(s, (g&0xFFFFFF)*gramMul, i-2, cands, &at, entries)
		}
		if i >= 7 && t.long.start != nil {
			cands = t.long.probe(s, g*gramMul, i-7, cands, &at, entries)
		}
	}
	return cands
}

// probe confirms the keys in the bucket of hash h at index at of s and
// adds their candidates (index and entries as addCand's).
func (h *gramHash) probe(s string, hash uint64, at int, cands []cand, index *[]int32, entries int32) []cand {
	b := hash >> h.shift
	lo, hi := h.start[b], h.start[b+1]
	for _, k := range h.items[lo:hi] {
		if hasPrefixAt(s, at, Literal{Text: k.text, Fold: true}) {
			cands = addCand(cands, cand{entry: k.entry, end: int32(min(at+len(k.text)-1, maxEnd)), lit: k.lit}, index, entries)
		}
	}
	return cands
}
