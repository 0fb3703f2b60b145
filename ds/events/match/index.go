package match

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxTable bounds the transition table of one automaton (entries of 4
// bytes); literals past it go to the always-run group instead.
const maxTable = 64 << 20

// Index holds many patterns, each registered under an int id. The zero
// value is not usable: call New.
type Index struct {
	mu       sync.Mutex // serialises writers
	patterns map[int]*regexp.Regexp
	analyses map[string]Prefilter // cache of Analyze by pattern source
	snap     atomic.Pointer[snapshot]
}

// snapshot is an immutable compiled state, read by Match without locks.
type snapshot struct {
	entries []entry
	keys    *automaton   // every key, lowered; nil when no pattern has one
	classes *classFilter // class sequences of entries without a key; nil when none
	always  []int32      // entries without a key or class sequence: run on every line
	stats   Stats
}

// entry is one distinct pattern and the ids registered with it.
type entry struct {
	re  *regexp.Regexp
	ids []int
	pf  Prefilter
	// keyLen[i] is the length of key literal i in the automaton, and
	// keyFull[i] the literal it stands for: as written (the automaton sees
	// lowered text) and untruncated. A hit is confirmed against it.
	keyLen  []int
	keyFull []Literal
	rest    [][]Literal // the other required sets
}

// truncatedKey reports whether pf.Required begins with the full literals
// a truncated key stands for (Analyze puts them there).
func (e *entry) truncatedKey() bool {
	key := e.pf.Key
	if len(e.pf.Required) == 0 || len(e.pf.Required[0]) != len(key) {
		return false
	}
	longer := false
	for i, l := range e.pf.Required[0] {
		if l.Fold != key[i].Fold || !strings.HasPrefix(l.Text, key[i].Text) {
			return false
		}
		longer = longer || len(l.Text) > len(key[i].Text)
	}
	return longer
}

// run reports whether e's pattern matches body, c being how it became a
// candidate: the anchored prefix, the key hit confirmed, the other required
// literals, then the regular expression.
func (e *entry) run(body string, c cand) bool {
	return e.confirm(body, c) && e.match(body)
}

// confirm checks the anchored prefix and confirms the key hit: a few
// byte comparisons.
func (e *entry) confirm(body string, c cand) bool {
	if e.pf.prefix != nil && !prefixOK(body, e.pf.prefix) {
		return false
	}
	if c.lit >= 0 {
		full := e.keyFull[c.lit]
		if !full.Fold || len(full.Text) > e.keyLen[c.lit] {
			start := int(c.end) + 1 - e.keyLen[c.lit]
			if !hasPrefixAt(body, start, full) && !containsAny(body, e.keyFull) {
				return false
			}
		}
	}
	return true
}

// match checks the other required literals, then runs the regular
// expression: what a pattern costs.
func (e *entry) match(body string) bool {
	for _, g := range e.rest {
		if !containsAny(body, g) {
			return false
		}
	}
	return e.re.MatchString(body)
}

// hasPrefixAt reports whether body holds l at index start.
func hasPrefixAt(body string, start int, l Literal) bool {
	if start < 0 || start+len(l.Text) > len(body) {
		return false
	}
	s := body[start : start+len(l.Text)]
	if !l.Fold {
		return s == l.Text
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != l.Text[i] {
			return false
		}
	}
	return true
}

// containsAny reports whether body holds a member of set.
func containsAny(body string, set []Literal) bool {
	for _, l := range set {
		if l.Fold && containsFold(body, l.Text) || !l.Fold && strings.Contains(body, l.Text) {
			return true
		}
	}
	return false
}

// containsFold reports whether s, with its ASCII letters lowered, contains
// lit (lower case).
func containsFold(s, lit string) bool {
	if lit == "" {
		return true
	}
	c0 := lit[0]
	for i := 0; i+len(lit) <= len(s); i++ {
		if lower(s[i]) != c0 {
			continue
		}
		j := 1
		for j < len(lit) && lower(s[i+j]) == lit[j] {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Stats describes the compiled index.
type Stats struct {
	IDs       int // registered ids
	Patterns  int // distinct patterns (ids with the same pattern share one)
	Indexed   int // distinct patterns found through a literal
	AlwaysRun int // distinct patterns without a usable literal (ClassFiltered of them checked by a class sequence first)
	// ClassFiltered counts the patterns without a literal that a
	// sequence of byte classes ("\s\d{6,}" → [\s][0-9]×6) screens before
	// they run.
	ClassFiltered int
	States        int // automaton states
	Bytes         int // size of the transition table
}

// New returns an empty index.
func New() *Index {
	x := &Index{patterns: map[int]*regexp.Regexp{}, analyses: map[string]Prefilter{}}
	x.snap.Store(&snapshot{})
	return x
}

// Batch collects changes that Apply makes together, with one rebuild.
// Building the automaton costs milliseconds for a thousand patterns, so
// register many patterns with one Batch rather than one Add each.
type Batch struct {
	ops []op
}

type op struct {
	id int
	re *regexp.Regexp // nil: remove
}

// Add compiles pattern (RE2 syntax) and stages registering it under id,
// replacing the pattern id had.
func (b *Batch) Add(id int, pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Errorf("match pattern %d: %w", id, err)
	}
	b.AddRegexp(id, re)
	return nil
}

// AddRegexp stages registering re under id, replacing the pattern id had.
func (b *Batch) AddRegexp(id int, re *regexp.Regexp) {
	b.ops = append(b.ops, op{id, re})
}

// Remove stages removing id.
func (b *Batch) Remove(id int) {
	b.ops = append(b.ops, op{id, nil})
}

// Len returns the number of staged changes.
func (b *Batch) Len() int { return len(b.ops) }

// Apply makes the batch's changes, in order, and publishes them at once:
// a concurrent Match sees either none or all of them.
func (x *Index) Apply(b *Batch) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, o := range b.ops {
		if o.re == nil {
			delete(x.patterns, o.id)
		} else {
			x.patterns[o.id] = o.re
		}
	}
	x.rebuild()
}

// Add compiles pattern (RE2 syntax) and registers it under id, replacing
// the pattern id had.
func (x *Index) Add(id int, pattern string) error {
	var b Batch
	if err := b.Add(id, pattern); err != nil {
		return err
	}
	x.Apply(&b)
	return nil
}

// AddRegexp registers re under id, replacing the pattern id had.
func (x *Index) AddRegexp(id int, re *regexp.Regexp) {
	var b Batch
	b.AddRegexp(id, re)
	x.Apply(&b)
}

// Remove unregisters id and reports whether it was registered.
func (x *Index) Remove(id int) bool {
	x.mu.Lock()
	_, ok := x.patterns[id]
	x.mu.Unlock()
	if !ok {
		return false
	}
	var b Batch
	b.Remove(id)
	x.Apply(&b)
	return true
}

// Stats describes the index as Match currently sees it.
func (x *Index) Stats() Stats { return x.snap.Load().stats }

// rebuild compiles x.patterns into a new snapshot; x.mu is held.
func (x *Index) rebuild() {
	bySrc := map[string]*entry{}
	for id, re := range x.patterns {
		src := re.String()
		e := bySrc[src]
		if e == nil {
			e = &entry{re: re}
			bySrc[src] = e
		}
		e.ids = append(e.ids, id)
	}
	s := &snapshot{entries: make([]entry, 0, len(bySrc))}
	for src, e := range bySrc {
		pf, ok := x.analyses[src]
		if !ok {
			pf = Analyze(e.re)
		}
		e.pf, e.rest = pf, pf.Required
		if pf.Key != nil {
			e.keyFull, e.keyLen = pf.Key, make([]int, len(pf.Key))
			for i, l := range pf.Key {
				e.keyLen[i] = len(l.Text)
			}
			if e.truncatedKey() {
				e.keyFull, e.rest = pf.Required[0], pf.Required[1:]
			}
		}
		slices.Sort(e.ids)
		s.entries = append(s.entries, *e)
	}
	// Prune the literal cache to the patterns still registered.
	cache := make(map[string]Prefilter, len(s.entries))
	for _, e := range s.entries {
		cache[e.re.String()] = e.pf
	}
	x.analyses = cache
	slices.SortFunc(s.entries, func(a, b entry) int { return cmp.Compare(a.re.String(), b.re.String()) })

	// One automaton over the lowered body serves every key; run confirms
	// a case-sensitive or truncated key at the hit, as written.
	var keys []lit
	var keyBytes int
	for i := range s.entries {
		e := &s.entries[i]
		if e.pf.Key == nil {
			if e.pf.seq != nil {
				if s.classes == nil {
					s.classes = &classFilter{}
				}
				s.classes.add(e.pf.seq, int32(i))
				s.stats.ClassFiltered++
			} else {
				s.always = append(s.always, int32(i))
			}
			continue
		}
		n := 0
		for _, l := range e.pf.Key {
			n += len(l.Text)
		}
		// 257 bounds the classes of a table from above.
		if (keyBytes+n+2)*257 > maxTable {
			s.always = append(s.always, int32(i))
			continue
		}
		keyBytes += n
		for k, l := range e.pf.Key {
			keys = append(keys, lit{lowerASCII(l.Text), int32(i), int16(k)})
		}
	}
	if len(keys) > 0 {
		s.keys = buildAutomaton(keys, true)
		s.stats.States = s.keys.states()
		s.stats.Bytes = 4 * len(s.keys.delta)
	}
	s.stats.IDs = len(x.patterns)
	s.stats.Patterns = len(s.entries)
	s.stats.AlwaysRun = len(s.always) + s.stats.ClassFiltered
	s.stats.Indexed = len(s.entries) - s.stats.AlwaysRun
	x.snap.Store(s)
}

// candBuf is how many candidates Match keeps on the stack; more spill to
// the heap.
const candBuf = 64

// Match calls fn with the id of every registered pattern that matches
// body, each once, in no particular order. It does not allocate unless more
// than 64 patterns are candidates for one body.
func (x *Index) Match(body string, fn func(id int)) { x.match(body, fn, nil) }

// Meter times the patterns MatchMetered runs.
type Meter struct {
	// Now is read before and after each pattern runs.
	Now func() time.Time
	// Spent is called after each run, before fn hears of a match, with
	// the ids registered with the pattern, how long it took, and when it
	// ended. ids is valid only during the call.
	Spent func(ids []int, d time.Duration, end time.Time)
}

// MatchMetered is Match, with the time each candidate pattern takes
// once its key is confirmed (its other literal checks and its regular
// expression) reported to m: what a pattern costs every line, so that one
// owner's patterns can be held to a budget. Candidates whose key or
// prefix does not hold cost a few comparisons and are not timed.
func (x *Index) MatchMetered(body string, m *Meter, fn func(id int)) { x.match(body, fn, m) }

func (x *Index) match(body string, fn func(id int), m *Meter) {
	s := x.snap.Load()
	var buf [candBuf]cand
	cands := s.candidates(body, buf[:0])
	for _, c := range cands {
		s.runEntry(body, c, fn, m)
	}
	for _, c := range s.always {
		s.runEntry(body, cand{entry: c, lit: -1}, fn, m)
	}
}

// runEntry runs the pattern of candidate c on body and calls fn with its
// ids when it matches, timed by m when m is not nil.
func (s *snapshot) runEntry(body string, c cand, fn func(id int), m *Meter) {
	e := &s.entries[c.entry]
	var ok bool
	switch {
	case m == nil:
		ok = e.run(body, c)
	case e.confirm(body, c):
		start := m.Now()
		ok = e.match(body)
		end := m.Now()
		m.Spent(e.ids, end.Sub(start), end)
	}
	if ok {
		for _, id := range e.ids {
			fn(id)
		}
	}
}

// MatchAppend appends to dst the id of every registered pattern that
// matches body, each once, in no particular order, and returns the
// extended slice.
func (x *Index) MatchAppend(dst []int, body string) []int {
	s := x.snap.Load()
	var buf [candBuf]cand
	cands := s.candidates(body, buf[:0])
	for _, c := range cands {
		e := &s.entries[c.entry]
		if e.run(body, c) {
			dst = append(dst, e.ids...)
		}
	}
	for _, c := range s.always {
		e := &s.entries[c]
		if e.run(body, cand{entry: c, lit: -1}) {
			dst = append(dst, e.ids...)
		}
	}
	return dst
}

// candidates appends the entries whose literal occurs in body.
func (s *snapshot) candidates(body string, cands []cand) []cand {
	switch {
	case s.keys != nil && s.classes != nil && len(s.classes.words) <= 2:
		return scanFused(s.keys, s.classes, body, cands)
	case s.keys != nil:
		cands = s.keys.scan(body, cands)
	}
	if s.classes != nil {
		cands = s.classes.scan(body, cands)
	}
	return cands
}
