package match

import "slices"

// automaton is a dense Aho–Corasick DFA over byte classes. Each transition
// holds the next state's row offset (state × nclass), with outBit set when
// that state ends a literal (its own or, through the dictionary links, a
// suffix's): the common step is one load and one add.
type automaton struct {
	class  [256]uint8 // byte → class; for a fold automaton 'A'-'Z' share the class of 'a'-'z'
	nclass uint32
	delta  []uint32
	// For state s: outs[outStart[s]:outStart[s+1]] are the entries whose
	// literal ends at s; dict[s] is the next state on the suffix chain
	// with outputs, or -1.
	outStart []int32
	outs     []out
	dict     []int32
	entries  int32 // above the highest entry of outs
}

// out is a literal that ends at a state: key literal lit of entry.
type out struct {
	entry int32
	lit   int16
}

// cand is a candidate entry: for a key hit, which of its key literals and
// the index of the hit's last byte; lit is -1 for other candidates.
type cand struct {
	entry int32
	end   int32
	lit   int16
	// again: the entry's key was hit more than once, so the full literal
	// may be at another hit than end's.
	again bool
}

// outBit marks a transition to a state with outputs.
const outBit = 1 << 31

// lit is one literal of one entry.
type lit struct {
	text  string
	entry int32
	index int16 // in the entry's key
}

// buildAutomaton compiles the literals; fold lowers the body's ASCII
// letters while scanning (the literals are lower case already). entries is
// above the highest entry of lits: the candidates of the automaton and of
// the tag route share one numbering.
func buildAutomaton(lits []lit, fold bool, entries int32) *automaton {
	a := &automaton{entries: entries}
	for _, l := range lits {
		a.entries = max(a.entries, l.entry+1)
	}
	// Byte classes: one per byte value used in a literal, 0 for the rest.
	var used [256]bool
	for _, l := range lits {
		for i := 0; i < len(l.text); i++ {
			used[l.text[i]] = true
		}
	}
	n := uint8(1)
	for b := 0; b < 256; b++ {
		if used[b] {
			a.class[b] = n
			n++
		}
	}
	if fold {
		for b := 'A'; b <= 'Z'; b++ {
			a.class[b] = a.class[b+'a'-'A']
		}
	}
	a.nclass = uint32(n)
	nc := int(n)

	// Trie. Children are few except at the root: a small slice each.
	type child struct {
		c uint8
		t int32
	}
	type node struct {
		next []child
		outs []out
	}
	nodes := []node{{}}
	for _, l := range lits {
		s := int32(0)
	walk:
		for i := 0; i < len(l.text); i++ {
			c := a.class[l.text[i]]
			for _, ch := range nodes[s].next {
				if ch.c == c {
					s = ch.t
					continue walk
				}
			}
			t := int32(len(nodes))
			nodes[s].next = append(nodes[s].next, child{c, t})
			nodes = append(nodes, node{})
			s = t
		}
		if o := (out{l.entry, l.index}); !slices.Contains(nodes[s].outs, o) {
			nodes[s].outs = append(nodes[s].outs, o)
		}
	}

	// Number the states depth-first, so that the states along one literal
	// lie in consecutive rows of the table: walking a long key then reads
	// memory in order instead of jumping across the table.
	ns := len(nodes)
	{
		renum := make([]int32, ns)
		next := int32(0)
		stack := []int32{0}
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			renum[s] = next
			next++
			for i := len(nodes[s].next) - 1; i >= 0; i-- {
				stack = append(stack, nodes[s].next[i].t)
			}
		}
		renumbered := make([]node, ns)
		for old, n := range nodes {
			for i := range n.next {
				n.next[i].t = renum[n.next[i].t]
			}
			renumbered[renum[old]] = n
		}
		nodes = renumbered
	}

	// Breadth-first: failure links, dictionary links, and the table in
	// state numbers (tgt): a state's row is its failure state's row with
	// its own children written over it.
	fail := make([]int32, ns)
	a.dict = make([]int32, ns)
	tgt := make([]int32, ns*nc)
	hasOut := make([]bool, ns)
	order := make([]int32, 0, ns)
	order = append(order, 0)
	a.dict[0] = -1
	for qi := 0; qi < len(order); qi++ {
		s := order[qi]
		row := tgt[int(s)*nc : int(s+1)*nc]
		if s != 0 {
			f := fail[s]
			if len(nodes[f].outs) > 0 {
				a.dict[s] = f
			} else {
				a.dict[s] = a.dict[f]
			}
			copy(row, tgt[int(f)*nc:int(f+1)*nc])
		}
		hasOut[s] = len(nodes[s].outs) > 0 || a.dict[s] >= 0
		for _, ch := range nodes[s].next {
			if s != 0 {
				fail[ch.t] = row[ch.c] // the failure state's transition
			}
			row[ch.c] = ch.t
			order = append(order, ch.t)
		}
	}
	a.delta = make([]uint32, ns*nc)
	for i, t := range tgt {
		v := uint32(t) * uint32(nc)
		if hasOut[t] {
			v |= outBit
		}
		a.delta[i] = v
	}
	a.outStart = make([]int32, ns+1)
	for s := 0; s < ns; s++ {
		a.outStart[s] = int32(len(a.outs))
		a.outs = append(a.outs, nodes[s].outs...)
	}
	a.outStart[ns] = int32(len(a.outs))
	return a
}

// scan appends to cands, once each, the entries whose key occurs in s,
// with their first hit.
func (a *automaton) scan(s string, cands []cand) []cand {
	delta, class, nc := a.delta, &a.class, a.nclass
	st := uint32(0)
	var at []int32
	for i := 0; i < len(s); i++ {
		st = delta[st+uint32(class[s[i]])]
		if st&outBit != 0 {
			st &^= outBit
			cands = a.emit(st/nc, i, cands, &at)
		}
	}
	return cands
}

// emit appends the outputs of state s and of its dictionary chain, for a
// hit ending at index end, each entry once: a repeat marks its candidate
// again. at is the scan's index of candidates by entry: nil until there
// are more candidates than a look at each of them should cost.
func (a *automaton) emit(s uint32, end int, cands []cand, at *[]int32) []cand {
	for t := int32(s); t >= 0; t = a.dict[t] {
		for _, o := range a.outs[a.outStart[t]:a.outStart[t+1]] {
			cands = addCand(cands, cand{entry: o.entry, end: int32(min(end, maxEnd)), lit: o.lit}, at, a.entries)
		}
	}
	return cands
}

// linearFind is how many candidates find compares one by one; past it an
// index by entry answers (a key shared by 10,000 patterns made the
// comparisons quadratic: 50 million for one line).
const linearFind = candBuf

// addCand appends c to cands unless its entry is a candidate already,
// which a repeat hit marks again: the one way every scan (automaton, tag
// route, gram table) adds a candidate. at is the scan's index of
// candidates by entry (see find), entries above the highest entry.
func addCand(cands []cand, c cand, at *[]int32, entries int32) []cand {
	if j := find(cands, c.entry, at, entries); j >= 0 {
		cands[j].again = true
		return cands
	}
	if *at != nil {
		(*at)[c.entry] = int32(len(cands)) + 1
	}
	return append(cands, c)
}

// find returns the index in cands of entry e's candidate, or -1, making
// the index *at (of entries entries) once cands outgrows linearFind.
func find(cands []cand, e int32, at *[]int32, entries int32) int {
	if *at == nil {
		if len(cands) < linearFind {
			for j := range cands {
				if cands[j].entry == e {
					return j
				}
			}
			return -1
		}
		*at = make([]int32, entries)
		for j, c := range cands {
			(*at)[c.entry] = int32(j) + 1
		}
	}
	return int((*at)[e]) - 1
}

// maxEnd caps a recorded hit position; run falls back to a search past it.
const maxEnd = 1<<31 - 1

// states returns the number of states.
func (a *automaton) states() int { return len(a.dict) }
