package vty

import (
	"slices"
	"strings"
)

// token is one word of a line and where it starts.
type token struct {
	text string // without its quotes
	col  int    // byte offset of its first character in the line
}

// split cuts a line into words at blanks; a word in double quotes may hold
// blanks, as IOS reads `call-home send "show version" ...`.
func split(line string) []token {
	var out []token
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			break
		}
		start := i
		if line[i] == '"' {
			end := strings.IndexByte(line[i+1:], '"')
			if end < 0 {
				out = append(out, token{line[i+1:], start})
				break
			}
			out = append(out, token{line[i+1 : i+1+end], start})
			i += end + 2
			continue
		}
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		out = append(out, token{line[start:i], start})
	}
	return out
}

// Command is one exec command: its IOS words, the synopsis of its
// arguments and what it does, for `?`.
type Command struct {
	Words   []string
	Args    string
	Summary string
}

// builtins are the exec commands the vty runs itself.
var builtins = []Command{
	{Words: []string{"configure", "terminal"}, Summary: "Configure from the terminal"},
	{Words: []string{"write", "memory"}, Summary: "Write to NV memory (the configuration file)"},
	{Words: []string{"copy", "running-config", "startup-config"}, Summary: "Copy the running configuration to the configuration file"},
	{Words: []string{"enable"}, Summary: "Turn on privileged commands"},
	{Words: []string{"disable"}, Summary: "Turn off privileged commands"},
	{Words: []string{"terminal", "length"}, Args: "0", Summary: "Set number of lines on a screen (accepted; dsengine never pages)"},
	{Words: []string{"exit"}, Summary: "Exit from the EXEC"},
	{Words: []string{"quit"}, Summary: "Exit from the EXEC"},
	{Words: []string{"logout"}, Summary: "Exit from the EXEC"},
}

// resolved is a line matched against the exec commands.
type resolved struct {
	cmd  *Command // nil when no command matched
	args []token  // the words after the command's
	// bad is the token no command takes (its index), -1 when none;
	// ambiguous says it abbreviates several words.
	bad       int
	ambiguous bool
}

// resolve matches the words of a line against cmds, each word as typed or
// abbreviated to a unique prefix, as IOS reads `sh run` and `conf t`.
func resolve(cmds []Command, toks []token) resolved {
	live := make([]*Command, 0, len(cmds))
	for i := range cmds {
		live = append(live, &cmds[i])
	}
	var done *Command // the longest command whose words are all matched
	doneAt := 0
	for i, t := range toks {
		var exact, prefix []*Command
		words := map[string]bool{}
		for _, c := range live {
			if len(c.Words) <= i {
				continue
			}
			w := c.Words[i]
			switch {
			case strings.EqualFold(w, t.text):
				exact = append(exact, c)
			case strings.HasPrefix(w, strings.ToLower(t.text)):
				prefix = append(prefix, c)
				words[w] = true
			}
		}
		next := exact
		if len(next) == 0 {
			if len(words) > 1 {
				if done != nil {
					break
				}
				return resolved{bad: i, ambiguous: true}
			}
			next = prefix
		}
		if len(next) == 0 {
			if done != nil {
				break
			}
			return resolved{bad: i}
		}
		live = next
		for _, c := range live {
			if len(c.Words) == i+1 {
				done, doneAt = c, i+1
			}
		}
	}
	if done == nil {
		return resolved{bad: len(toks)} // incomplete
	}
	return resolved{cmd: done, args: toks[doneAt:], bad: -1}
}

// nextWords lists the candidates for the word at index i after the typed
// words toks[:i] (expanded as resolve does), with prefix the part of word
// i typed so far.
func nextWords(cmds []Command, toks []token, prefix string) []Candidate {
	seen := map[string]bool{}
	var out []Candidate
	for _, c := range cmds {
		if !matchesPrefix(c, toks) {
			continue
		}
		i := len(toks)
		switch {
		case len(c.Words) > i:
			w := c.Words[i]
			if !strings.HasPrefix(w, strings.ToLower(prefix)) {
				continue
			}
			help := ""
			if len(c.Words) == i+1 {
				help = c.Summary // the word completes this command
			}
			if j := slices.IndexFunc(out, func(o Candidate) bool { return o.Word == w }); j >= 0 {
				if out[j].Help == "" {
					out[j].Help = help
				}
				continue
			}
			out = append(out, Candidate{Word: w, Help: help})
		case prefix == "" && len(c.Words) == i:
			if c.Args != "" && !seen[c.Args] {
				seen[c.Args] = true
				out = append(out, Candidate{Word: c.Args, Help: c.Summary})
			}
			if !seen["<cr>"] {
				seen["<cr>"] = true
				out = append(out, Candidate{Word: "<cr>"})
			}
		}
	}
	return out
}

// matchesPrefix says whether the typed words abbreviate c's first words.
func matchesPrefix(c Command, toks []token) bool {
	if len(toks) > len(c.Words) {
		return false
	}
	for i, t := range toks {
		if !strings.HasPrefix(c.Words[i], strings.ToLower(t.text)) {
			return false
		}
	}
	return true
}
