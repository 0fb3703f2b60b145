package executor

import (
	"fmt"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
)

// DefaultCommandMap is the local executor's built-in table: common IOS show
// commands and the Linux commands that answer them on this host. A
// command-map line of the configuration with the same IOS command replaces
// the built-in entry. {args} stands for the command's trailing arguments
// (see README.md).
func DefaultCommandMap() []config.CommandMapping {
	return []config.CommandMapping{
		{IOS: "show version", Linux: "uname -a; uptime"},
		{IOS: "show clock", Linux: "date"},
		{IOS: "show users", Linux: "who"},
		{IOS: "show interfaces", Linux: "ip -s link show {args}"},
		{IOS: "show ip interface brief", Linux: "ip -br addr"},
		{IOS: "show ip interface", Linux: "ip addr show {args}"},
		{IOS: "show ipv6 interface brief", Linux: "ip -br -6 addr"},
		{IOS: "show ip route", Linux: "ip -4 route show {args}"},
		{IOS: "show ipv6 route", Linux: "ip -6 route show {args}"},
		{IOS: "show arp", Linux: "ip neigh show {args}"},
		{IOS: "show ip arp", Linux: "ip -4 neigh show {args}"},
		{IOS: "show ip sockets", Linux: "ss -tuan"},
		{IOS: "show tcp brief", Linux: "ss -tan"},
		{IOS: "show processes", Linux: "ps aux"},
		{IOS: "show processes cpu", Linux: "ps aux --sort=-%cpu | head -n 20"},
		{IOS: "show processes cpu sorted", Linux: "ps aux --sort=-%cpu | head -n 20"},
		{IOS: "show processes memory", Linux: "free -k"},
		{IOS: "show processes memory sorted", Linux: "ps aux --sort=-rss | head -n 20"},
		{IOS: "show memory statistics", Linux: "cat /proc/meminfo"},
		{IOS: "show file systems", Linux: "df -h"},
		{IOS: "show hosts", Linux: "cat /etc/hosts"},
		{IOS: "show logging", Linux: "journalctl -n 100 --no-pager 2>/dev/null || tail -n 100 /var/log/syslog"},
	}
}

// mapping is one IOS command and the sh script that answers it.
type mapping struct {
	words  []string // the IOS command, one word each
	script string   // placeholders rewritten to positional parameters
	args   bool     // the script reads positional parameters, so the entry also matches longer commands
	source string   // "command-map line N" or "built-in"
}

// commandMap resolves IOS commands to sh scripts and their positional
// parameters.
type commandMap struct {
	entries []mapping // configuration lines first, in order, then built-ins
}

// newCommandMap merges the configuration's command-map lines over the
// built-in table.
func newCommandMap(lines []config.CommandMapping) (*commandMap, error) {
	m := &commandMap{}
	seen := map[string]bool{}
	add := func(c config.CommandMapping, source string) error {
		words := strings.Fields(c.IOS)
		if len(words) == 0 {
			return fmt.Errorf("%s: empty IOS command", source)
		}
		if strings.TrimSpace(c.Linux) == "" {
			return fmt.Errorf("%s: %q maps to an empty Linux command", source, c.IOS)
		}
		key := strings.ToLower(strings.Join(words, " "))
		if seen[key] {
			return nil // the first line for a command wins
		}
		seen[key] = true
		script, args := rewritePlaceholders(c.Linux)
		m.entries = append(m.entries, mapping{words: words, script: script, args: args, source: source})
		return nil
	}
	for _, c := range lines {
		if err := add(c, fmt.Sprintf("command-map line %d", c.Line)); err != nil {
			return nil, err
		}
	}
	for _, c := range DefaultCommandMap() {
		if err := add(c, "built-in"); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// lookup finds the script for an IOS command (without output modifiers):
// an entry whose words equal the command's, ignoring case and blanks;
// otherwise the entry with the most words that are a prefix of the
// command's, among those whose script takes arguments; the remaining words
// become the positional parameters. ok is false when nothing matches.
func (m *commandMap) lookup(command string) (e mapping, args []string, ok bool) {
	words := strings.Fields(command)
	for _, e := range m.entries {
		if len(e.words) == len(words) && wordsPrefix(e.words, words) {
			return e, nil, true
		}
	}
	best := -1
	for i, e := range m.entries {
		if !e.args || len(e.words) >= len(words) || !wordsPrefix(e.words, words) {
			continue
		}
		if best < 0 || len(e.words) > len(m.entries[best].words) {
			best = i
		}
	}
	if best < 0 {
		return mapping{}, nil, false
	}
	e = m.entries[best]
	return e, words[len(e.words):], true
}

// wordsPrefix reports whether prefix is a prefix of words, ignoring case.
func wordsPrefix(prefix, words []string) bool {
	if len(prefix) > len(words) {
		return false
	}
	for i, p := range prefix {
		if !strings.EqualFold(p, words[i]) {
			return false
		}
	}
	return true
}

// rewritePlaceholders turns the placeholders of a command-map script into
// sh positional parameters, quoted so that an argument is always one word
// and never shell syntax: {args} becomes "$@", {arg} "$*" (all arguments as
// one word) and {1}..{9} "${1}".."${9}" (without the outer quotes inside a
// double-quoted string). It reports whether the script reads arguments,
// through a placeholder or a $1..$9, $@, $*, $# of its own. Text inside
// single quotes is left alone, so awk '{print $1}' neither counts nor
// changes.
func rewritePlaceholders(s string) (string, bool) {
	var b strings.Builder
	args := false
	inSingle, inDouble := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inSingle:
			if c == '\'' {
				inSingle = false
			}
			b.WriteByte(c)
			continue
		case c == '\\' && i+1 < len(s):
			b.WriteByte(c)
			b.WriteByte(s[i+1])
			i++
			continue
		case c == '\'' && !inDouble:
			inSingle = true
		case c == '"':
			inDouble = !inDouble
		case c == '$' && i+1 < len(s) && isParam(s[i+1]):
			args = true
		case c == '$' && i+2 < len(s) && s[i+1] == '{' && isParam(s[i+2]):
			args = true
			b.WriteString("${")
			i++
			continue
		case c == '{':
			if repl, n := placeholder(s[i:], inDouble); n > 0 {
				b.WriteString(repl)
				i += n - 1
				args = true
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String(), args
}

// isParam reports whether c names a positional parameter after '$'.
func isParam(c byte) bool {
	return c >= '1' && c <= '9' || c == '@' || c == '*' || c == '#'
}

// placeholder recognises {args}, {arg} or {1}..{9} at the start of s and
// returns its replacement and length.
func placeholder(s string, inDouble bool) (string, int) {
	var ref string
	var n int
	switch {
	case strings.HasPrefix(s, "{args}"):
		ref, n = "$@", len("{args}")
	case strings.HasPrefix(s, "{arg}"):
		ref, n = "$*", len("{arg}")
	case len(s) >= 3 && s[1] >= '1' && s[1] <= '9' && s[2] == '}':
		ref, n = "${"+s[1:2]+"}", 3
	default:
		return "", 0
	}
	if inDouble {
		return ref, n
	}
	return `"` + ref + `"`, n
}
