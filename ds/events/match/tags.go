package match

import (
	"slices"
	"strings"
)

// tagByte begins an IOS message tag ("%LINK-3-UPDOWN:"), and so the
// literal of most syslog patterns; elsewhere in a body it is rare.
const tagByte = '%'

// maxTag bounds the tags the route looks up: longer "tags" are left to
// the automaton.
const maxTag = 96

// tagRoute finds the entries whose key literal begins with a message tag
// ("%LINK-3-UPDOWN: Interface Gi1/0/5, changed state to down") by looking
// the tag up at each '%' of the body, most often the parser's tag at its
// start, instead of the automaton reading every byte: with a thousand such
// keys in it, its table outgrew the caches and each byte of each line
// waited on memory.
//
// The lookup is exact: a literal L whose first ':' is at c occurs at p only
// where the body's text from p to its first ':' after p is L[:c+1].
type tagRoute struct {
	byTag map[string][]tagHit
}

// tagHit is an entry, or a keyGroup (entry len(entries)+i), found under a
// tag; span is the length of its key (the group's: the tag), which a
// candidate ends.
type tagHit struct {
	entry int32
	span  int32
}

// tagOf returns the tag that begins l, with its '%' and ':', or "" when l
// is not a case-sensitive literal that begins with one.
func tagOf(l Literal) string {
	if l.Fold || len(l.Text) < 3 || l.Text[0] != tagByte {
		return ""
	}
	c := strings.IndexByte(l.Text, ':')
	if c < 2 || c >= maxTag || strings.IndexByte(l.Text[1:c], tagByte) >= 0 {
		return "" // a '%' inside would let a body of '%' cost a search each
	}
	return l.Text[:c+1]
}

// route takes out of the automaton the entries whose key is one literal
// that begins with a tag, marking them tagged; many of them under one tag
// form a keyGroup. (Analyze factors the '%' out of an alternation of
// tags: such keys stay in the automaton.)
func (s *layer) route() {
	byTag := map[string][]int32{}
	for i := range s.entries {
		e := &s.entries[i]
		if e.pf.Key == nil || len(e.keyFull) != 1 {
			continue
		}
		if t := tagOf(e.keyFull[0]); t != "" {
			e.tagged = true
			byTag[t] = append(byTag[t], int32(i))
		}
	}
	if len(byTag) == 0 {
		return
	}
	s.tags = &tagRoute{byTag: make(map[string][]tagHit, len(byTag))}
	tags := make([]string, 0, len(byTag))
	for t := range byTag {
		tags = append(tags, t)
	}
	slices.Sort(tags) // the same layer whatever the map's order
	for _, t := range tags {
		members := byTag[t]
		if len(members) < minGroup {
			hits := make([]tagHit, len(members))
			for j, i := range members {
				hits[j] = tagHit{entry: i, span: int32(s.entries[i].keyLen[0])}
			}
			s.tags.byTag[t] = hits
			continue
		}
		s.tags.byTag[t] = []tagHit{{entry: int32(len(s.entries) + len(s.groups)), span: int32(len(t))}}
		s.groups = append(s.groups, s.newKeyGroup(t, true, members))
	}
}

// scan appends the candidates of the tags at each '%' of body; entries is
// above the highest entry (see addCand). It reads each byte of body
// a bounded number of times, however many '%' and ':' a hostile line has:
// a tag holds no '%' after its first byte, so only the text from a '%' to
// the first ':' before the next '%' is looked up.
func (r *tagRoute) scan(body string, cands []cand, entries int32) []cand {
	var at []int32
	p := strings.IndexByte(body, tagByte)
	colon := -1 // the first ':' at or after p, or len(body)
	for p >= 0 {
		next := -1
		if j := strings.IndexByte(body[p+1:], tagByte); j >= 0 {
			next = p + 1 + j
		}
		if colon < p {
			colon = len(body)
			if j := strings.IndexByte(body[p:], ':'); j >= 0 {
				colon = p + j
			}
		}
		if c := colon - p; colon < len(body) && (next < 0 || colon < next) && c >= 2 && c < maxTag {
			for _, h := range r.byTag[body[p:colon+1]] {
				// end is where the key ends: confirm and visitGroup count
				// the literal's start back from it.
				cands = addCand(cands, cand{entry: h.entry, end: int32(min(p+int(h.span)-1, maxEnd))}, &at, entries)
			}
		}
		p = next
	}
	return cands
}
