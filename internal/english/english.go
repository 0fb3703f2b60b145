// Package english writes counts in the messages dsengine prints: "1 line",
// "3 lines". One place, so that every command and log says it alike.
package english

import (
	"strconv"
	"strings"
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
