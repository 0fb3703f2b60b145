package applet

import (
	"fmt"
	"strings"
)

// expand substitutes the variables in s: $name and ${name}, a name being
// letters, digits and _. A variable nobody defines is left as written, as
// IOS leaves it, and so is a "$" right after a backslash (a regular
// expression's literal dollar); a "$" followed by anything else is kept.
// Values are not expanded again.
func (r *run) expand(s string) (string, error) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		b.WriteString(s[i:j])
		name, width := refAt(s, j)
		v, ok := "", false
		if name != "" {
			v, ok = r.lookup(name)
		}
		if ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[j : j+width])
		}
		i = j + width
		if b.Len() > r.lim.MaxValue {
			return "", fmt.Errorf("argument longer than %d bytes after substitution", r.lim.MaxValue)
		}
	}
	return b.String(), nil
}

// refAt reads the variable reference at s[j] == '$': its name ("" when it
// is not a reference) and its length in s (1 for a lone "$").
func refAt(s string, j int) (name string, width int) {
	if j > 0 && s[j-1] == '\\' {
		return "", 1
	}
	if strings.HasPrefix(s[j:], "${") {
		end := strings.IndexByte(s[j:], '}')
		if end > 2 && validName(s[j+2:j+end]) {
			return s[j+2 : j+end], end + 1
		}
		return "", 1
	}
	k := j + 1
	for k < len(s) && isNameByte(s[k]) {
		k++
	}
	if k == j+1 {
		return "", 1
	}
	return s[j+1 : k], k - j
}

// hasVarRef reports whether s refers to a variable.
func hasVarRef(s string) bool {
	for j := strings.IndexByte(s, '$'); j >= 0; {
		if name, _ := refAt(s, j); name != "" {
			return true
		}
		k := strings.IndexByte(s[j+1:], '$')
		if k < 0 {
			return false
		}
		j += 1 + k
	}
	return false
}
