package eem

import (
	"strings"

	"github.com/dsengine/dsengine/internal/lazyre"
)

// CheckPattern compiles pattern as an RE2 regular expression after
// replacing every ${ds_...} placeholder with a literal, so a pattern that
// is only complete once its variables are rendered can be checked when it is
// read. The error, if any, comes from package regexp without its
// "error parsing regexp: " prefix.
func CheckPattern(pattern string) (*lazyre.Regexp, error) {
	re, err := lazyre.Compile(StripPlaceholders(pattern))
	if err != nil {
		return nil, &patternError{strings.TrimPrefix(err.Error(), "error parsing regexp: ")}
	}
	return re, nil
}

type patternError struct{ msg string }

func (e *patternError) Error() string { return e.msg }

// StripPlaceholders replaces each ${ds_name} in s (name made of letters,
// digits and _) by the letter x. Anything else, including a ${ with no
// closing brace, is left as it is.
func StripPlaceholders(s string) string {
	if !strings.Contains(s, "${ds_") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, "${ds_")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len("${ds_")
		for j < len(s) && isNameByte(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '}' {
			b.WriteString(s[:i])
			b.WriteByte('x')
			s = s[j+1:]
			continue
		}
		b.WriteString(s[:j])
		s = s[j:]
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
