// Package match finds which of many registered syslog patterns match a
// message body without running every pattern on every line.
//
// Each pattern's regexp/syntax tree gives the literal sets every match must
// contain (Analyze): usually the "%FAC-SEV-MNEMONIC: …" text, or a few
// alternatives ("%LINK-3-(UPDOWN|CHANGED)"). The best of them, preferring
// one that looks like a tag, is the pattern's key, cut to 32 bytes. One
// Aho–Corasick automaton over the body with its ASCII letters lowered finds
// every key in a single pass; a hit is confirmed as written (case, full
// length) at the position the automaton reports, the pattern's other
// literal sets are checked with strings.Contains, and only then does its
// regular expression run.
//
// A key that is one case-sensitive literal beginning with a tag ("%LINK-3-
// UPDOWN: Interface Gi1/0/5", most IOS patterns) is not in the automaton:
// the tag route looks the text from each '%' of the body to its first ':'
// up in a table of tags, and the few keys under that tag are confirmed at
// that place (the parser's tag at the body's start, usually the only '%').
// A thousand such keys made the automaton's table 1.9 MB, past the caches;
// without them it is a tenth of that.
//
// Case-insensitive parts are indexed lowered; letters whose case folding
// leaves ASCII (k and s fold to U+212A and U+017F, and non-ASCII letters)
// end a literal, and U+FFFD (which the regexp engine matches against invalid
// UTF-8) is never part of one, so the prefilter never drops a line the
// pattern would match.
//
// Patterns with no literal of three bytes form the always-run group
// (Stats.AlwaysRun). Those anchored at the start of the text are screened by
// the bytes a match must start with; the others by the most selective
// sequence of byte classes a match must contain ("\s\d{6,}" → [\s][0-9]×6),
// checked for all of them at once by a bit-parallel Shift-And pass fused
// into the automaton's loop (Stats.ClassFiltered).
//
// Match is safe for concurrent use with itself and with Add, Remove and
// Apply: writers build a new immutable snapshot and publish it atomically.
package match
