// Package english writes counts in the messages dsengine prints: "1 line",
// "3 lines", "… (12 bytes cut)". One place, so that every command and log
// says it alike.
package english

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Plural is n and word, with an s when n is not 1: "1 line", "0 lines".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// OrList joins words as a sentence offering a choice: "a, b or c".
func OrList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Cut returns s when it is at most max bytes, else its start followed by
// "… (N bytes cut)", at most max bytes in all; the cut falls on a UTF-8
// boundary. Every capped log line and message says it this way.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	keep := max - len("… ( bytes cut)") - len(strconv.Itoa(len(s)))
	if keep < 0 {
		return s[:max]
	}
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + "… (" + strconv.Itoa(len(s)-keep) + " bytes cut)"
}
