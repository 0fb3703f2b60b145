package match

import (
	"cmp"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// minKey is the shortest literal worth indexing in the automaton: a
	// shorter one occurs in nearly every line.
	minKey = 3
	// minRequired is the shortest literal worth checking before a regexp.
	minRequired = 2
	// maxKey bounds the bytes of a key put into the automaton; any prefix
	// of a required literal is required too.
	maxKey = 32
	// maxRequired bounds the literal sets checked before a regexp.
	maxRequired = 4
	// maxAlternatives bounds a literal set (alternations, small classes,
	// optional parts).
	maxAlternatives = 16
	// maxClass is the largest character class expanded into alternatives.
	maxClass = 4
	// tagBonus ranks a literal that looks like the start of an IOS tag
	// ("%LINK-") above longer ones: tags are what sets messages apart.
	tagBonus = 16
)

// Literal is a string that occurs in every text a pattern matches (or, in a
// set, one member of which does). With Fold, Text is lower case and occurs
// in the text once the text's ASCII letters are lowered.
type Literal struct {
	Text string
	Fold bool
}

// Prefilter is what the index knows about a pattern before running it.
type Prefilter struct {
	// Key is the set of literals the automaton looks up (at most maxKey
	// bytes each): a line is a candidate when one of them occurs. Nil when
	// the pattern has no literal of minKey bytes and so runs on every line.
	Key []Literal
	// Required are further sets, each of which must have a member in the
	// body before the regular expression runs (the full text of a
	// truncated key, other parts of the pattern).
	Required [][]Literal
	// seq, for a pattern without a key that is not anchored at the start
	// of the text, is a sequence of byte sets a match always contains.
	seq []byteSet
	// prefix, for a pattern anchored at the start of the text, are the byte
	// sets the text must start with.
	prefix []byteSet
	// literal, for a pattern that is one case-sensitive literal (a quoted
	// message, most DS patterns are), is that literal: the pattern
	// matches exactly the texts that contain it, so no regexp needs to run.
	literal string
}

// HasClassFilter reports whether a pattern without a key is checked by a
// sequence of byte classes (such as [0-9a-f]{4}\.) before it runs.
func (p Prefilter) HasClassFilter() bool { return p.seq != nil }

// Analyze returns the prefilter of re, from its regexp/syntax tree.
func Analyze(re *regexp.Regexp) Prefilter { return AnalyzeExpr(re.String()) }

// AnalyzeExpr returns the prefilter of the RE2 expression expr, which
// must be valid.
func AnalyzeExpr(expr string) Prefilter {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return Prefilter{}
	}
	simple := tree.Simplify()
	var groups [][]Literal
	for _, g := range analyze(simple).groups() {
		if g != nil && !slices.ContainsFunc(groups, func(h []Literal) bool { return slices.Equal(g, h) }) {
			groups = append(groups, g)
		}
	}
	var pf Prefilter
	pf.literal = literalOnly(simple)
	if k := keyIndex(groups); k >= 0 {
		key := groups[k]
		groups = slices.Delete(groups, k, k+1)
		truncated := false
		pf.Key = make([]Literal, len(key))
		for i, l := range key {
			if len(l.Text) > maxKey {
				l.Text, truncated = l.Text[:maxKey], true
			}
			pf.Key[i] = l
		}
		if truncated {
			groups = append([][]Literal{key}, groups...)
		}
	}
	if pf.Key == nil {
		if anchoredAtStart(simple) {
			pf.prefix = anchoredPrefix(simple)
		} else {
			pf.seq = classSequence(simple)
		}
	}
	slices.SortStableFunc(groups, func(a, b []Literal) int { return cmp.Compare(rank(b), rank(a)) })
	for _, g := range groups {
		if shortest(g) >= minRequired && len(pf.Required) < maxRequired {
			pf.Required = append(pf.Required, g)
		}
	}
	return pf
}

// literalOnly returns the text of a pattern that is a case-sensitive
// literal, in capturing groups or not, or "". Without U+FFFD (which the regexp
// engine also matches against a byte of invalid UTF-8) such a pattern
// matches a text where the text holds its bytes: a valid UTF-8 literal
// starts with a byte no multi-byte rune has inside it, so every place it
// occurs is where the engine tries a match.
func literalOnly(re *syntax.Regexp) string {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpLiteral || re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 ||
		slices.Contains(re.Rune, utf8.RuneError) {
		return ""
	}
	return string(re.Rune)
}

// anchoredAtStart reports whether every match starts at the start of the
// text (^ without (?m), or \A), where the regexp engine tries one position
// only and is cheap.
func anchoredAtStart(re *syntax.Regexp) bool {
	for re.Op == syntax.OpConcat && len(re.Sub) > 0 || re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	return re.Op == syntax.OpBeginText
}

// keyIndex chooses the key among the required sets, in this order of
// preference: a case-sensitive set that looks like a tag; a
// case-insensitive one that does; a case-sensitive one longer than minKey
// (no lowered pass over the body needed); the best ranked. It returns -1
// when no set has minKey bytes.
func keyIndex(groups [][]Literal) int {
	accept := []func([]Literal) bool{
		func(g []Literal) bool { return allTags(g) && !hasFold(g) },
		allTags,
		func(g []Literal) bool { return !hasFold(g) && shortest(g) > minKey },
		func([]Literal) bool { return true },
	}
	for _, ok := range accept {
		best := -1
		for i, g := range groups {
			if shortest(g) < minKey || !ok(g) {
				continue
			}
			if best < 0 || rank(g) > rank(groups[best]) || rank(g) == rank(groups[best]) && len(g) < len(groups[best]) {
				best = i
			}
		}
		if best >= 0 {
			return best
		}
	}
	return -1
}

// rank orders literal sets by their weakest member: its length (capped at
// maxKey), plus tagBonus when it looks like a tag.
func rank(set []Literal) int {
	r := -1
	for i, l := range set {
		v := min(len(l.Text), maxKey)
		if looksLikeTag(l.Text) {
			v += tagBonus
		}
		if i == 0 || v < r {
			r = v
		}
	}
	return r
}

// looksLikeTag reports whether s holds '%' followed by a letter, as in
// "%LINK-3-UPDOWN".
func looksLikeTag(s string) bool {
	i := strings.IndexByte(s, '%')
	return i >= 0 && i+1 < len(s) && ((s[i+1]|0x20) >= 'a' && (s[i+1]|0x20) <= 'z')
}

func allTags(set []Literal) bool {
	return !slices.ContainsFunc(set, func(l Literal) bool { return !looksLikeTag(l.Text) })
}

func shortest(set []Literal) int {
	if len(set) == 0 {
		return 0
	}
	m := len(set[0].Text)
	for _, l := range set[1:] {
		m = min(m, len(l.Text))
	}
	return m
}

func hasFold(set []Literal) bool {
	return slices.ContainsFunc(set, func(l Literal) bool { return l.Fold })
}

// frune is one rune of an exact string, with whether it matches case-
// insensitively.
type frune struct {
	r    rune
	fold bool
}

// info is what a node of the syntax tree tells about the texts it matches.
type info struct {
	// set lists every string the node can match, when they are few; nil
	// when unknown. A zero-width node has the one empty string.
	set [][]frune
	// all are literal sets that must each have a member in any match, for
	// a node without a set.
	all [][]Literal
	// plus is the set of x for x+: every match starts and ends with one of
	// them, so it ends the run before it and starts the run after it.
	plus [][]frune
}

// groups returns the literal sets required by the node.
func (i info) groups() [][]Literal {
	if i.set != nil {
		return setGroups(i.set)
	}
	return i.all
}

// primary returns the best single literal set required by the node, or nil.
func (i info) primary() []Literal {
	g := i.groups()
	if k := keyIndex(g); k >= 0 {
		return g[k]
	}
	var best []Literal
	for _, s := range g {
		if best == nil || rank(s) > rank(best) {
			best = s
		}
	}
	return best
}

var emptySet = [][]frune{{}}

// analyze walks a simplified syntax tree.
func analyze(re *syntax.Regexp) info {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return info{set: emptySet}
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		s := make([]frune, len(re.Rune))
		for i, r := range re.Rune {
			s[i] = frune{r, fold && unicode.SimpleFold(r) != r}
		}
		return info{set: [][]frune{s}}
	case syntax.OpCharClass:
		return info{set: classSet(re.Rune)}
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpPlus:
		c := analyze(re.Sub[0])
		return info{all: c.groups(), plus: c.set}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return info{all: analyze(re.Sub[0]).groups()}
		}
		return info{}
	case syntax.OpQuest:
		c := analyze(re.Sub[0])
		if c.set != nil && len(c.set) < maxAlternatives {
			return info{set: append(slices.Clip(c.set), nil)}
		}
		return info{}
	case syntax.OpConcat:
		return analyzeConcat(re.Sub)
	case syntax.OpAlternate:
		return analyzeAlternate(re.Sub)
	}
	// OpNoMatch, OpAnyChar, OpAnyCharNotNL, OpStar: nothing required.
	return info{}
}

func analyzeConcat(subs []*syntax.Regexp) info {
	run := emptySet
	exact := true
	var all [][]Literal
	for _, sub := range subs {
		c := analyze(sub)
		if c.set != nil {
			if len(run)*len(c.set) <= maxAlternatives {
				run = cross(run, c.set)
				continue
			}
			all = append(all, setGroups(run)...)
			run, exact = c.set, false
			continue
		}
		exact = false
		all = append(all, c.all...)
		if c.plus != nil && len(run)*len(c.plus) <= maxAlternatives {
			all = append(all, setGroups(cross(run, c.plus))...)
			run = c.plus
			continue
		}
		all = append(all, setGroups(run)...)
		run = emptySet
	}
	if exact {
		return info{set: run}
	}
	return info{all: append(all, setGroups(run)...)}
}

func analyzeAlternate(subs []*syntax.Regexp) info {
	infos := make([]info, len(subs))
	n, allSets := 0, true
	for i, sub := range subs {
		infos[i] = analyze(sub)
		if infos[i].set == nil {
			allSets = false
		}
		n += len(infos[i].set)
	}
	if allSets && n <= maxAlternatives {
		var set [][]frune
		for _, c := range infos {
			set = append(set, c.set...)
		}
		return info{set: set}
	}
	var union []Literal
	for _, c := range infos {
		p := c.primary()
		if p == nil {
			return info{}
		}
		for _, l := range p {
			if !slices.Contains(union, l) {
				union = append(union, l)
			}
		}
	}
	if len(union) > maxAlternatives {
		return info{}
	}
	return info{all: [][]Literal{union}}
}

// cross returns every concatenation of a string of a with one of b.
func cross(a, b [][]frune) [][]frune {
	out := make([][]frune, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			s := make([]frune, 0, len(x)+len(y))
			out = append(out, append(append(s, x...), y...))
		}
	}
	return out
}

// classSet returns the strings a character class matches: one rune each
// for a class of at most maxClass runes, or one case-insensitive rune for
// an ASCII letter and its other case; else nil.
func classSet(ranges []rune) [][]frune {
	n := 0
	for i := 0; i < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxClass {
			return nil
		}
	}
	var rs []rune
	for i := 0; i < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			rs = append(rs, r)
		}
	}
	if len(rs) == 2 && rs[0] < utf8.RuneSelf && rs[1] < utf8.RuneSelf && rs[0]|0x20 == rs[1] && rs[1] >= 'a' && rs[1] <= 'z' {
		return [][]frune{{{rs[1], true}}}
	}
	set := make([][]frune, len(rs))
	for i, r := range rs {
		set[i] = []frune{{r, false}}
	}
	return set
}

// setGroups returns the literal sets required by a node that matches one
// of set: for a single string, each of its parts between unsafe runes (and
// the case-sensitive runs inside a case-insensitive part); for several, one
// set of each string's best part. Nil when nothing is required.
func setGroups(set [][]frune) [][]Literal {
	if len(set) == 1 {
		var out [][]Literal
		for _, l := range segments(set[0], safe) {
			out = append(out, []Literal{l})
			if l.Fold {
				for _, n := range segments(set[0], func(f frune) bool { return safe(f) && !f.fold }) {
					if len(n.Text) > minKey && !slices.ContainsFunc(out, func(g []Literal) bool { return g[0] == n }) {
						out = append(out, []Literal{n})
					}
				}
			}
		}
		return out
	}
	var union []Literal
	for _, s := range set {
		l, ok := longestSegment(s)
		if !ok {
			return nil
		}
		if !slices.Contains(union, l) {
			union = append(union, l)
		}
	}
	return [][]Literal{union}
}

// safe reports whether a rune can be part of a bytewise literal: a
// case-insensitive rune must be an ASCII letter whose case partners are all
// ASCII (not k or s, which also fold to U+212A and U+017F), and no rune may
// be U+FFFD, which the regexp engine matches against invalid UTF-8 bytes.
func safe(f frune) bool {
	if f.r == utf8.RuneError || f.r < 0 || f.r > unicode.MaxRune {
		return false
	}
	if !f.fold {
		return true
	}
	if f.r >= utf8.RuneSelf {
		return false
	}
	switch f.r | 0x20 {
	case 'k', 's':
		return false
	}
	return true
}

// longestSegment returns the best part of s as a literal, preferring a
// case-sensitive part longer than minKey, which needs no lowered pass.
func longestSegment(s []frune) (Literal, bool) {
	if l, ok := bestOf(segments(s, func(f frune) bool { return safe(f) && !f.fold })); ok && len(l.Text) > minKey {
		return l, true
	}
	return bestOf(segments(s, safe))
}

func bestOf(ls []Literal) (Literal, bool) {
	if len(ls) == 0 {
		return Literal{}, false
	}
	best := ls[0]
	for _, l := range ls[1:] {
		if rank([]Literal{l}) > rank([]Literal{best}) || rank([]Literal{l}) == rank([]Literal{best}) && !l.Fold && best.Fold {
			best = l
		}
	}
	return best, true
}

// segments splits s at the runes keep rejects and returns the parts as
// literals, each lowered if any of its runes is case-insensitive.
func segments(s []frune, keep func(frune) bool) []Literal {
	var out []Literal
	for start := 0; start <= len(s); {
		end := start
		for end < len(s) && keep(s[end]) {
			end++
		}
		if end > start {
			out = append(out, segmentLiteral(s[start:end]))
		}
		start = end + 1
	}
	return out
}

func segmentLiteral(s []frune) Literal {
	var b strings.Builder
	fold := false
	for _, f := range s {
		fold = fold || f.fold
		b.WriteRune(f.r)
	}
	if fold {
		return Literal{lowerASCII(b.String()), true}
	}
	return Literal{b.String(), false}
}

// lowerASCII returns s with A–Z lowered: s itself when it has none (the
// index lowers every key at each build).
func lowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// LiteralFree reports whether re has no literal the index can find it by
// (no text of three bytes that every match contains): the index runs such
// a pattern on every line (Stats.AlwaysRun), so each one adds to the cost
// of every line for every DS. dsengine bounds how many a DS and the host
// may have.
func LiteralFree(re *regexp.Regexp) bool { return Analyze(re).Key == nil }

// LiteralFreeExpr is LiteralFree of an expression not compiled yet.
func LiteralFreeExpr(expr string) bool { return AnalyzeExpr(expr).Key == nil }
