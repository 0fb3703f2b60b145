package match

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsengine/dsengine/internal/lazyre"
)

// maxTable bounds the transition table of one automaton (entries of 4
// bytes); literals past it go to the always-run group instead.
const maxTable = 64 << 20

// Index holds many patterns, each registered under an int id. The zero
// value is not usable: call New.
//
// A change does not rebuild everything: the big base layer stays, the
// patterns added or changed since it was built go to a small delta layer
// (rebuilt when a change enters or leaves it), and the base entries
// removed or changed are tombstones skipped at match time: removing a
// base pattern builds nothing. Past mergeAt(N) of those, everything
// is merged into a new base: a change costs amortised O(build(N)/mergeAt(N)
// + build(delta)).
type Index struct {
	mu       sync.Mutex // serialises writers
	patterns map[int]*lazyre.Regexp
	sources  map[string]*source // by pattern source: the distinct patterns
	// delta are the sources whose entry is in the delta layer, and
	// baseSrcs those the base layer was built from (base entry i is
	// baseSrcs[i]'s while its base is i), each sorted by pattern source
	// as the layers are: a change or a merge sorts nothing.
	delta    []*source
	baseSrcs []*source
	// While a large batch applies, the delta is appended to and sorted
	// once at its end (deltaUnsorted); sources removed from it are marked
	// gone and dropped then (deltaGone counts them).
	bulk          bool
	deltaUnsorted bool
	deltaGone     int
	// deltaLayer is the delta's compiled layer, built again only when a
	// change entered or left the delta (deltaChanged): a removal of a
	// base pattern only adds a tombstone.
	deltaLayer   *layer
	deltaChanged bool
	base         *layer
	dead         []uint64 // tombstones of base entries, shared with the published snapshot
	deadOwn      bool     // dead is not published yet: it may be written in place
	ndead        int
	deadSt       Stats // what the tombstoned entries counted in base.stats
	snap         atomic.Pointer[snapshot]
}

// source is one distinct pattern as the writers see it.
type source struct {
	e       entry // prepared once; e.ids is the current ids, sorted
	base    int32 // its live entry in the base layer, or -1
	inDelta bool
	gone    bool     // no id has it any more
	low     []string // its key literals lowered, as the automaton holds them
}

// bySource orders sources as the layers hold them: by pattern source.
func bySource(a, b *source) int { return strings.Compare(a.e.re.String(), b.e.re.String()) }

// snapshot is an immutable compiled state, read by Match without locks.
type snapshot struct {
	base  *layer
	dead  []uint64 // base entries to skip; nil when none
	delta *layer   // nil when empty
	stats Stats
}

// layer is a set of entries compiled together.
type layer struct {
	entries []entry
	keys    *automaton   // the keys but the tagged entries', lowered; nil when there are none
	tags    *tagRoute    // the tagged entries; nil when there are none
	grams   *gramTable   // instead of keys in the delta layer
	classes *classFilter // class sequences of entries without a key; nil when none
	always  []int32      // entries without a key or class sequence: run on every line
	groups  []keyGroup   // automaton entries len(entries)+i: see keyGroup
	stats   Stats        // without IDs
}

// keyGroup is many entries whose one key is the same case-sensitive cut of
// longer literals ("%LINK-3-UPDOWN: Interface Gigab" of 10,000 interface
// DS): the automaton (or the tag route) has the key once, for the group,
// and a hit checks the members' common prefix, looks the window of text
// where the members differ most up, then compares the literals of the
// members found there, instead of confirming each member (half a
// millisecond a line with 10,000 of them).
type keyGroup struct {
	key    string             // as written
	prefix string             // that every member's literal begins with: the key or longer
	at     int                // where the window begins in a literal, from its start
	byWin  map[string][]int32 // the members whose literal holds the window, by its maxWin bytes
	short  []int32            // the members whose literal ends before the window's end
	tagged bool               // a tag's group, in the tag route, not in the automaton
}

// maxWin is a keyGroup's window: 8 bytes where the members differ ("1/0/17,
// " of interface DS, an address's last digits) tell most of them apart in
// one lookup.
const maxWin = 8

// maxSample bounds the members newKeyGroup weighs windows on.
const maxSample = 512

// newKeyGroup makes a group of key of members, the entries of s whose one
// key literal (keyFull[0]) begins with key, and marks them grouped.
func (s *layer) newKeyGroup(key string, tagged bool, members []int32) keyGroup {
	g := keyGroup{key: key, tagged: tagged, byWin: map[string][]int32{}}
	lit := func(i int32) string { return s.entries[i].keyFull[0].Text }
	g.prefix = lit(members[0])
	longest := 0
	for _, i := range members {
		full := lit(i)
		n := 0
		for n < len(g.prefix) && n < len(full) && g.prefix[n] == full[n] {
			n++
		}
		g.prefix = g.prefix[:n]
		longest = max(longest, len(full))
	}
	shorter := make([]int, longest+2) // shorter[n]: members whose literal is shorter than n
	for _, i := range members {
		shorter[len(lit(i))+1]++
	}
	for n := 1; n < len(shorter); n++ {
		shorter[n] += shorter[n-1]
	}
	// The window goes where a hit compares the fewest members: those of
	// the bucket it finds (a member's chance to be hit times its bucket's
	// size, over a sample of at most maxSample members) and every literal
	// that ends before the window (short). Bytes that vary alone can vary
	// together (Gigabit/TenGigabit/FastEthernet): the windows are counted.
	sample := members
	if len(members) > maxSample {
		sample = make([]int32, 0, maxSample)
		for k := range maxSample {
			sample = append(sample, members[k*len(members)/maxSample])
		}
	}
	scale := float64(len(members)) / float64(len(sample))
	best := math.Inf(1)
	g.at = len(g.prefix)
	counts := map[string]int{}
	for at := len(g.prefix); at+maxWin <= longest; at++ {
		clear(counts)
		long := 0
		for _, i := range sample {
			if full := lit(i); len(full) >= at+maxWin {
				counts[full[at:at+maxWin]]++
				long++
			}
		}
		short := shorter[at+maxWin]
		bucket := 0.0
		for _, c := range counts {
			bucket += float64(c*c) / float64(max(long, 1))
		}
		if cost := bucket*scale + float64(short); cost < best {
			best, g.at = cost, at
		}
	}
	for _, i := range members {
		if full := lit(i); len(full) >= g.at+maxWin {
			w := full[g.at : g.at+maxWin]
			g.byWin[w] = append(g.byWin[w], i)
		} else {
			g.short = append(g.short, i)
		}
		s.entries[i].grouped = true
	}
	return g
}

// minGroup is how many entries share a key before they form a keyGroup.
const minGroup = 16

// Kinds of entry, for Stats.
const (
	kindIndexed = iota
	kindClass
	kindAlways
)

// entry is one distinct pattern and the ids registered with it.
type entry struct {
	re  *lazyre.Regexp // compiled when a line first gets past the literals
	ids []int
	pf  Prefilter
	// keyLen[i] is the length of key literal i in the automaton, and
	// keyFull[i] the literal it stands for: as written (the automaton sees
	// lowered text) and untruncated. A hit is confirmed against it.
	keyLen  []int
	keyFull []Literal
	rest    [][]Literal // the other required sets
	kind    uint8       // kindIndexed, kindClass or kindAlways, in its layer
	grouped bool        // in a keyGroup of its layer: its key is the group's
	tagged  bool        // found through the tag route, not the automaton
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
			// The full literal elsewhere in body counts only when the key
			// was hit elsewhere too (or past maxEnd): the search was a
			// second pass over the body for every candidate that fails.
			if !hasPrefixAt(body, start, full) && (!c.again && c.end < maxEnd || !containsAny(body, e.keyFull)) {
				return false
			}
		}
	}
	return true
}

// match checks the other required literals, then runs the regular
// expression: what a pattern costs.
func (e *entry) match(body string) bool {
	if e.pf.literal != "" {
		return strings.Contains(body, e.pf.literal)
	}
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
	x := &Index{patterns: map[int]*lazyre.Regexp{}, sources: map[string]*source{}, base: &layer{}}
	x.snap.Store(&snapshot{base: x.base})
	return x
}

// Batch collects changes that Apply makes together, published at once.
// A large batch rebuilds the index once (milliseconds for a thousand
// patterns) instead of going through the delta pattern by pattern.
type Batch struct {
	ops []op
}

type op struct {
	id int
	re *lazyre.Regexp // nil: remove
	pf *Prefilter     // AnalyzeExpr(re.String()) when the caller has it
}

// Add checks pattern (RE2 syntax) and stages registering it under id,
// replacing the pattern id had.
func (b *Batch) Add(id int, pattern string) error {
	re, err := lazyre.Compile(pattern)
	if err != nil {
		return fmt.Errorf("match pattern %d: %w", id, err)
	}
	b.AddPattern(id, re)
	return nil
}

// AddRegexp stages registering re under id, replacing the pattern id had.
func (b *Batch) AddRegexp(id int, re *regexp.Regexp) { b.AddPattern(id, lazyre.Of(re)) }

// AddPattern stages registering re, compiled when a line first needs it,
// under id, replacing the pattern id had.
func (b *Batch) AddPattern(id int, re *lazyre.Regexp) {
	b.ops = append(b.ops, op{id: id, re: re})
}

// AddAnalyzed is AddPattern with the pattern's prefilter, AnalyzeExpr of
// re.String(), which the caller already computed (to count literal-free
// patterns): the index does not parse the pattern again.
func (b *Batch) AddAnalyzed(id int, re *lazyre.Regexp, pf Prefilter) {
	b.ops = append(b.ops, op{id: id, re: re, pf: &pf})
}

// Remove stages removing id.
func (b *Batch) Remove(id int) {
	b.ops = append(b.ops, op{id: id})
}

// Len returns the number of staged changes.
func (b *Batch) Len() int { return len(b.ops) }

// Apply makes the batch's changes, in order, and publishes them at once:
// a concurrent Match sees either none or all of them.
func (x *Index) Apply(b *Batch) {
	x.mu.Lock()
	defer x.mu.Unlock()
	// One change keeps the delta sorted by inserting in place; a large
	// batch would move the delta once per change (quadratic).
	x.bulk = len(b.ops) > 64
	for _, o := range b.ops {
		if old, ok := x.patterns[o.id]; ok {
			x.detach(o.id, old.String())
		}
		if o.re == nil {
			delete(x.patterns, o.id)
			continue
		}
		x.patterns[o.id] = o.re
		x.attach(o.id, o.re, o.pf)
	}
	x.tidyDelta()
	if len(x.delta)+x.ndead > mergeAt(len(x.sources)) {
		x.merge()
	}
	x.publish()
}

// mergeAt returns how many delta entries and tombstones an index of n
// patterns holds before they are merged into a new base: a fraction of n,
// so that the merges (O(n) each) cost O(1) per change amortised.
func mergeAt(n int) int { return max(64, n/16) }

// detach takes id off the pattern src.
func (x *Index) detach(id int, src string) {
	s := x.sources[src]
	if i, ok := slices.BinarySearch(s.e.ids, id); ok {
		s.e.ids = slices.Delete(slices.Clone(s.e.ids), i, i+1)
	}
	if len(s.e.ids) > 0 {
		x.touch(s)
		return
	}
	delete(x.sources, src)
	s.gone = true
	x.bury(s)
	if s.inDelta {
		x.deltaGone++
		x.deltaChanged = true
	}
}

// attach registers id with re, analysing re when it is a new pattern.
func (x *Index) attach(id int, re *lazyre.Regexp, pf *Prefilter) {
	src := re.String()
	s := x.sources[src]
	if s == nil {
		if pf == nil {
			p := AnalyzeExpr(src)
			pf = &p
		}
		s = &source{e: prepare(re, *pf), base: -1}
		s.low = make([]string, len(s.e.pf.Key))
		for i, l := range s.e.pf.Key {
			s.low[i] = lowerASCII(l.Text)
		}
		x.sources[src] = s
	}
	if i, ok := slices.BinarySearch(s.e.ids, id); !ok {
		s.e.ids = slices.Insert(slices.Clone(s.e.ids), i, id)
	}
	x.touch(s)
}

// touch moves s, a pattern added or whose ids changed, to the delta: its
// base entry, if any, becomes a tombstone.
func (x *Index) touch(s *source) {
	x.bury(s)
	x.deltaChanged = true
	if s.inDelta {
		return
	}
	s.inDelta = true
	if x.bulk || x.deltaUnsorted {
		x.delta = append(x.delta, s)
		x.deltaUnsorted = true
		return
	}
	i, _ := slices.BinarySearchFunc(x.delta, s, bySource)
	x.delta = slices.Insert(x.delta, i, s)
}

// bury makes s's base entry, if it has one, a tombstone.
func (x *Index) bury(s *source) {
	if s.base >= 0 {
		if !x.deadOwn {
			x.dead = slices.Clone(x.dead)
			if x.dead == nil {
				x.dead = make([]uint64, (len(x.base.entries)+63)/64)
			}
			x.deadOwn = true
		}
		x.dead[s.base/64] |= 1 << (s.base % 64)
		x.ndead++
		e := &x.base.entries[s.base]
		x.deadSt.add(e.kind, -1)
		s.base = -1
	}
}

// tidyDelta sorts the delta after a large batch and drops the sources
// removed from it; x.mu is held.
func (x *Index) tidyDelta() {
	if x.deltaGone > 0 {
		x.delta = slices.DeleteFunc(x.delta, func(s *source) bool { return s.gone })
		x.deltaGone = 0
	}
	if x.deltaUnsorted {
		slices.SortFunc(x.delta, bySource)
		x.deltaUnsorted = false
	}
}

// add counts n entries of kind k.
func (st *Stats) add(k uint8, n int) {
	st.Patterns += n
	switch k {
	case kindIndexed:
		st.Indexed += n
	case kindClass:
		st.ClassFiltered += n
		st.AlwaysRun += n
	default:
		st.AlwaysRun += n
	}
}

// merge builds a new base from every pattern, the base's live sources and
// the delta's merged in order; x.mu is held.
func (x *Index) merge() {
	srcs := make([]*source, 0, len(x.sources))
	d := x.delta
	for i, s := range x.baseSrcs {
		if s.base != int32(i) {
			continue // removed, or moved to the delta
		}
		for len(d) > 0 && bySource(d[0], s) < 0 {
			srcs = append(srcs, d[0])
			d = d[1:]
		}
		srcs = append(srcs, s)
	}
	srcs = append(srcs, d...)
	x.base = buildLayer(srcs, false)
	for i, s := range srcs {
		s.base, s.inDelta = int32(i), false
	}
	x.baseSrcs, x.delta, x.deltaLayer, x.deltaChanged = srcs, nil, nil, false
	x.dead, x.deadOwn, x.ndead, x.deadSt = nil, false, 0, Stats{}
}

// publish builds the delta layer and publishes a new snapshot; x.mu is
// held.
func (x *Index) publish() {
	s := &snapshot{base: x.base}
	if x.ndead > 0 {
		s.dead = x.dead
	}
	x.deadOwn = false
	st := x.base.stats
	st.Patterns += x.deadSt.Patterns
	st.Indexed += x.deadSt.Indexed
	st.AlwaysRun += x.deadSt.AlwaysRun
	st.ClassFiltered += x.deadSt.ClassFiltered
	if x.deltaChanged {
		x.deltaLayer = nil
		if len(x.delta) > 0 {
			x.deltaLayer = buildLayer(x.delta, true)
		}
		x.deltaChanged = false
	}
	if s.delta = x.deltaLayer; s.delta != nil {
		d := s.delta.stats
		st.Patterns += d.Patterns
		st.Indexed += d.Indexed
		st.AlwaysRun += d.AlwaysRun
		st.ClassFiltered += d.ClassFiltered
		st.States += d.States
		st.Bytes += d.Bytes
	}
	st.IDs = len(x.patterns)
	s.stats = st
	x.snap.Store(s)
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

// prepare analyses re into an entry without ids.
func prepare(re *lazyre.Regexp, pf Prefilter) entry {
	e := entry{re: re, pf: pf, rest: pf.Required}
	if pf.Key != nil {
		e.keyFull, e.keyLen = pf.Key, make([]int, len(pf.Key))
		for i, l := range pf.Key {
			e.keyLen[i] = len(l.Text)
		}
		if e.truncatedKey() {
			e.keyFull, e.rest = pf.Required[0], pf.Required[1:]
		}
	}
	return e
}

// buildLayer compiles the entries of srcs, sorted by pattern source (so
// that Match reports the same patterns in the same order whatever the
// order of the changes: ds test replays must not differ): the base layer
// with an automaton; the delta (small) with a gramTable, which costs
// O(keys) to build.
func buildLayer(srcs []*source, small bool) *layer {
	s := &layer{entries: make([]entry, len(srcs))}
	for i, src := range srcs {
		s.entries[i] = src.e
	}

	// One automaton over the lowered body serves every key; run confirms
	// a case-sensitive or truncated key at the hit, as written.
	keys := make([]lit, 0, len(s.entries))
	var keyBytes int
	// The budget below counts every key's bytes as states of their own,
	// which holds whatever the keys; but keys often share their start (a
	// thousand "%LINK-3-UPDOWN: Interface Gigab…"), and the trie's real
	// size lets them all in where the count would send thousands of
	// patterns to run on every line.
	if !small {
		s.route()
	}
	fits := !small && (trieNodes(srcs, s.entries)+2)*257 <= maxTable
	if !small {
		s.group()
	}
	for gi, g := range s.groups {
		if g.tagged {
			continue
		}
		keyBytes += len(g.key)
		keys = append(keys, lit{lowerASCII(g.key), int32(len(s.entries) + gi), 0})
	}
	for i := range s.entries {
		e := &s.entries[i]
		if e.pf.Key == nil {
			if e.pf.seq != nil {
				if s.classes == nil {
					s.classes = &classFilter{}
				}
				s.classes.add(e.pf.seq, int32(i))
				s.stats.ClassFiltered++
				e.kind = kindClass
			} else {
				s.always = append(s.always, int32(i))
				e.kind = kindAlways
			}
			continue
		}
		if e.grouped || e.tagged {
			e.kind = kindIndexed // through its group's key or its tag
			continue
		}
		n, shortest := 0, maxKey
		for _, l := range e.pf.Key {
			n += len(l.Text)
			shortest = min(shortest, len(l.Text))
		}
		// 257 bounds the classes of a table from above; a gramTable
		// needs keys of 3 bytes (Analyze gives no shorter ones).
		if !fits && (keyBytes+n+2)*257 > maxTable || small && shortest < 3 {
			s.always = append(s.always, int32(i))
			e.kind = kindAlways
			continue
		}
		e.kind = kindIndexed
		keyBytes += n
		for k, l := range srcs[i].low {
			keys = append(keys, lit{l, int32(i), int16(k)})
		}
	}
	switch {
	case len(keys) > 0 && small:
		s.grams = buildGrams(keys)
	case len(keys) > 0:
		s.keys = buildAutomaton(keys, true, int32(len(s.entries)+len(s.groups)))
		s.stats.States = s.keys.states()
		s.stats.Bytes = 4 * len(s.keys.delta)
	}
	s.stats.Patterns = len(s.entries)
	s.stats.AlwaysRun = len(s.always) + s.stats.ClassFiltered
	s.stats.Indexed = len(s.entries) - s.stats.AlwaysRun
	return s
}

// trieNodes is how many states the automaton of the entries' keys has
// (their trie's nodes, the root included): the distinct prefixes of the
// lowered keys (srcs[i].low for entries[i]), counted over the keys
// sorted, each adding the bytes past what it shares with the one before.
func trieNodes(srcs []*source, entries []entry) int {
	var keys []string
	for i := range entries {
		if !entries[i].tagged {
			keys = append(keys, srcs[i].low...)
		}
	}
	slices.Sort(keys)
	n, prev := 1, ""
	for _, k := range keys {
		common := 0
		for common < len(k) && common < len(prev) && k[common] == prev[common] {
			common++
		}
		n += len(k) - common
		prev = k
	}
	return n
}

// group forms the layer's keyGroups, and marks their members grouped:
// entries with one case-sensitive key cut from a longer literal, minGroup
// or more with the same key.
func (s *layer) group() {
	byKey := map[string][]int32{}
	for i := range s.entries {
		e := &s.entries[i]
		if !e.tagged && len(e.pf.Key) == 1 && !e.pf.Key[0].Fold && len(e.keyFull) == 1 && !e.keyFull[0].Fold &&
			len(e.keyFull[0].Text) > len(e.pf.Key[0].Text) {
			byKey[e.pf.Key[0].Text] = append(byKey[e.pf.Key[0].Text], int32(i))
		}
	}
	keys := make([]string, 0, len(byKey))
	for k, members := range byKey {
		if len(members) >= minGroup {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // the same layer whatever the map's order
	for _, k := range keys {
		s.groups = append(s.groups, s.newKeyGroup(k, false, byKey[k]))
	}
}

// visit calls f with each candidate of cands that is not in dead (nil:
// none), a keyGroup's hit as the members whose literal is at it, then
// with each always-run entry: the entries whose pattern may match body.
func (s *layer) visit(body string, cands []cand, dead []uint64, f func(cand)) {
	for _, c := range cands {
		switch {
		case int(c.entry) >= len(s.entries):
			s.visitGroup(body, c, dead, f)
		case dead == nil || !isDead(dead, c.entry):
			f(c)
		}
	}
	for _, i := range s.always {
		if dead == nil || !isDead(dead, i) {
			f(cand{entry: i, lit: -1})
		}
	}
}

// visitGroup calls f with the members of c's keyGroup whose literal is in
// body at c's hit, or, when the key was hit more than once, at any of its
// places, each member once.
func (s *layer) visitGroup(body string, c cand, dead []uint64, f func(cand)) {
	g := &s.groups[int(c.entry)-len(s.entries)]
	var seen map[int32]bool // when several hits may find a member twice
	try := func(start int, members []int32) {
		for _, i := range members {
			if dead != nil && isDead(dead, i) || seen != nil && seen[i] ||
				!strings.HasPrefix(body[start:], s.entries[i].keyFull[0].Text) {
				continue
			}
			if seen != nil {
				seen[i] = true
			}
			// The member's key ends where the group's does, but for a
			// tag's group: its key is longer than the tag.
			f(cand{entry: i, end: int32(min(start+s.entries[i].keyLen[0]-1, maxEnd)), lit: 0})
		}
	}
	at := func(start int) {
		if !strings.HasPrefix(body[start:], g.prefix) {
			return
		}
		try(start, g.short)
		if w := start + g.at; w+maxWin <= len(body) {
			try(start, g.byWin[body[w:w+maxWin]])
		}
	}
	if !c.again && c.end < maxEnd {
		at(int(c.end) + 1 - len(g.key))
		return
	}
	seen = map[int32]bool{}
	for from := 0; ; {
		j := strings.Index(body[from:], g.key)
		if j < 0 {
			return
		}
		at(from + j)
		from += j + 1
	}
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
	s.base.match(body, s.dead, fn, m)
	if s.delta != nil {
		s.delta.match(body, nil, fn, m)
	}
}

// isDead reports whether entry i is in the tombstones.
func isDead(dead []uint64, i int32) bool { return dead[i/64]&(1<<(i%64)) != 0 }

// match runs the layer's candidates for body but those in dead (nil: none).
func (s *layer) match(body string, dead []uint64, fn func(id int), m *Meter) {
	var buf [candBuf]cand
	s.visit(body, s.candidates(body, buf[:0]), dead, func(c cand) { s.runEntry(body, c, fn, m) })
}

// runEntry runs the pattern of candidate c on body and calls fn with its
// ids when it matches, timed by m when m is not nil.
func (s *layer) runEntry(body string, c cand, fn func(id int), m *Meter) {
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
	dst = s.base.appendMatches(dst, body, s.dead)
	if s.delta != nil {
		dst = s.delta.appendMatches(dst, body, nil)
	}
	return dst
}

// appendMatches is MatchAppend for one layer, skipping entries in dead.
func (s *layer) appendMatches(dst []int, body string, dead []uint64) []int {
	var buf [candBuf]cand
	s.visit(body, s.candidates(body, buf[:0]), dead, func(c cand) {
		if e := &s.entries[c.entry]; e.run(body, c) {
			dst = append(dst, e.ids...)
		}
	})
	return dst
}

// candidates appends the entries whose literal occurs in body.
func (s *layer) candidates(body string, cands []cand) []cand {
	if s.tags != nil {
		cands = s.tags.scan(body, cands, int32(len(s.entries)+len(s.groups)))
	}
	switch {
	case s.keys != nil && s.classes != nil && len(s.classes.words) <= 2:
		return scanFused(s.keys, s.classes, body, cands)
	case s.keys != nil:
		cands = s.keys.scan(body, cands)
	case s.grams != nil:
		cands = s.grams.scan(body, cands, int32(len(s.entries)+len(s.groups)))
	}
	if s.classes != nil {
		cands = s.classes.scan(body, cands)
	}
	return cands
}

// compact merges the delta and tombstones into a new base now (tests).
func (x *Index) compact() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.merge()
	x.publish()
}
