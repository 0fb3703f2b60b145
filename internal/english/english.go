// Package english writes counts in the messages dsengine prints: "1 line",
// "3 lines". One place, so that every command and log says it alike.
package english

import "strconv"

// Plural is n and word, with an s when n is not 1: "1 line", "0 lines".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
