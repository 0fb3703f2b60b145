package executor

import (
	"fmt"
	"regexp"
	"strings"
)

// filter is one IOS output modifier: "| include REGEX" and the like.
type filter struct {
	kind string // include, exclude, begin, section or count
	re   *regexp.Regexp
}

// splitModifiers splits "show logging | include LINK | exclude Gi0/9" into
// the command and its output modifiers. Pipes are the "|" words: a "|"
// inside a regular expression must not stand alone between blanks.
func splitModifiers(command string) (string, []filter, error) {
	words := strings.Fields(command)
	var segs [][]string
	start := 0
	for i, w := range words {
		if w == "|" {
			segs = append(segs, words[start:i])
			start = i + 1
		}
	}
	segs = append(segs, words[start:])
	base := strings.Join(segs[0], " ")
	var filters []filter
	for _, seg := range segs[1:] {
		if len(seg) == 0 {
			return "", nil, fmt.Errorf("empty output modifier after |")
		}
		// IOS accepts any prefix of a modifier ("| i", "| inc"); their
		// first letters differ.
		kind := ""
		for _, k := range []string{"begin", "count", "exclude", "include", "section"} {
			if strings.HasPrefix(k, strings.ToLower(seg[0])) {
				kind = k
				break
			}
		}
		if kind == "" {
			return "", nil, fmt.Errorf("output modifier \"| %s\" is not supported; use include, exclude, begin, section or count", seg[0])
		}
		expr := strings.Join(seg[1:], " ")
		if expr == "" && kind != "count" {
			return "", nil, fmt.Errorf("output modifier \"| %s\" needs a regular expression", kind)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return "", nil, fmt.Errorf("output modifier \"| %s %s\": %v", kind, expr, err)
		}
		filters = append(filters, filter{kind: kind, re: re})
	}
	return base, filters, nil
}

// applyFilters runs text through the modifiers in order, as IOS does.
func applyFilters(text string, filters []filter) string {
	for _, f := range filters {
		text = f.apply(text)
	}
	return text
}

func (f filter) apply(text string) string {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	switch f.kind {
	case "include", "exclude":
		want := f.kind == "include"
		for _, l := range lines {
			if f.re.MatchString(strings.TrimRight(l, "\r\n")) == want {
				b.WriteString(l)
			}
		}
	case "begin":
		for i, l := range lines {
			if f.re.MatchString(strings.TrimRight(l, "\r\n")) {
				return strings.Join(lines[i:], "")
			}
		}
	case "section":
		// A matching line and the more indented lines under it.
		in := false
		for _, l := range lines {
			indented := strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")
			if in && indented {
				b.WriteString(l)
				continue
			}
			in = false
			if f.re.MatchString(strings.TrimRight(l, "\r\n")) {
				b.WriteString(l)
				in = !indented
			}
		}
	case "count":
		n := 0
		for _, l := range lines {
			if f.re.MatchString(strings.TrimRight(l, "\r\n")) {
				n++
			}
		}
		fmt.Fprintf(&b, "Number of lines which match regexp = %d\n", n)
	}
	return b.String()
}
