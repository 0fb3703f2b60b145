package vty

// This file stands in for the mode API of ds/parse/iosconfig (Apply,
// Prompt, Help) until it lands; the lead deletes it then and builds Modes
// from that API (see Interim). Format is iosconfig.Format already.

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/iosconfig"
)

// Interim returns Modes that keep the text of the accepted lines, starting
// from the configuration file cfg.File, and apply a line by appending it,
// indented by its mode's depth, and parsing the whole text again. A block
// not complete yet (an applet with no event line so far) is kept and takes
// effect once it parses.
func Interim() Modes {
	m := &interim{}
	return Modes{Apply: m.apply, Prompt: interimPrompt, Help: interimHelp, Format: iosconfig.Format}
}

type interim struct {
	mu     sync.Mutex
	text   []byte
	loaded bool
}

func (m *interim) load(cfg *config.Config) {
	if m.loaded {
		return
	}
	m.loaded = true
	if cfg.File != "" {
		if data, err := os.ReadFile(cfg.File); err == nil {
			m.text = stripEnd(data)
		}
	}
}

// stripEnd drops an "end" line, after which the parser reads nothing.
func stripEnd(data []byte) []byte {
	var out []byte
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if strings.TrimSpace(string(l)) == "end" {
			continue
		}
		out = append(out, l...)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

func (m *interim) apply(cfg *config.Config, path Path, line string) (*config.Config, Path, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.load(cfg)
	stripped := strings.TrimSpace(line)
	lines := strings.SplitAfter(string(m.text), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	i := insertAt(lines, path)
	lines = append(lines[:i], append([]string{strings.Repeat(" ", len(path)) + stripped + "\n"}, lines[i:]...)...)
	cand := []byte(strings.Join(lines, ""))
	at := i + 1
	file := cfg.File
	if file == "" {
		file = "running-config"
	}
	next, err := iosconfig.Parse(file, cand)
	var list iosconfig.ErrorList
	if err != nil && !errors.As(err, &list) {
		return nil, nil, err
	}
	opened := enter(path, stripped)
	for _, e := range list {
		// A line that opens a mode may be refused only for the block it
		// starts being empty so far.
		if e.Line == at && len(opened) == len(path) {
			return nil, nil, &InputError{Col: guessCol(line, e.Msg), Msg: e.Msg}
		}
	}
	m.text = cand
	if next == nil {
		next = cfg // the block is incomplete: it applies once it parses
	}
	return next, opened, nil
}

// insertAt is where a line of mode path goes in lines: at the end of the
// last block path's lines open, so that two sessions' lines interleaved in
// time land each in its own block.
func insertAt(lines []string, path Path) int {
	start, end := 0, len(lines)
	for depth, opener := range path {
		found := -1
		for i := start; i < end; i++ {
			if indentOf(lines[i]) == depth && strings.TrimSpace(lines[i]) == strings.TrimSpace(opener) {
				found = i
			}
		}
		if found < 0 {
			return len(lines)
		}
		j := found + 1
		for j < end && indentOf(lines[j]) > depth {
			j++
		}
		start, end = found+1, j
	}
	return end
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

var quoted = regexp.MustCompile(`"([^"]+)"`)

// guessCol finds the word of line a message names: a quoted word, else the
// last word of the line the message repeats.
func guessCol(line, msg string) int {
	for _, q := range quoted.FindAllStringSubmatch(msg, -1) {
		if i := strings.Index(line, q[1]); i >= 0 {
			return i
		}
	}
	toks := split(line)
	for i := len(toks) - 1; i > 0; i-- {
		if strings.Contains(" "+msg+" ", " "+toks[i].text+" ") {
			return toks[i].col
		}
	}
	if len(toks) > 0 {
		return toks[0].col
	}
	return -1
}

// enter is the mode after a line: a sub-mode when the line opens one.
func enter(path Path, line string) Path {
	w := strings.Fields(strings.ToLower(line))
	if len(w) == 0 {
		return path
	}
	top := ""
	if len(path) > 0 {
		top = strings.Fields(strings.ToLower(path[len(path)-1]))[0]
	}
	opens := false
	switch top {
	case "":
		opens = w[0] == "call-home" || w[0] == "dsengine" || (w[0] == "ip" && len(w) > 1 && w[1] == "sla") ||
			(len(w) > 2 && w[0] == "event" && w[1] == "manager" && w[2] == "applet")
	case "call-home":
		opens = w[0] == "profile" || w[0] == "diagnostic-signature"
	}
	if !opens {
		return path
	}
	return append(append(Path{}, path...), line)
}

func interimPrompt(path Path) string {
	if len(path) == 0 {
		return "config"
	}
	w := strings.Fields(strings.ToLower(path[len(path)-1]))
	switch w[0] {
	case "call-home":
		return "config-call-home"
	case "profile":
		return "cfg-call-home-profile"
	case "diagnostic-signature":
		return "cfg-call-home-diag-sign"
	case "event":
		return "config-applet"
	case "ip":
		return "config-ip-sla"
	}
	return "config-" + w[0]
}

func interimHelp(path Path, typed string) []Candidate {
	var words []Candidate
	switch interimPrompt(path) {
	case "config":
		words = []Candidate{{"call-home", "Enter call-home configuration mode"}, {"dsengine", "dsengine host settings"},
			{"end", "Exit from configure mode"}, {"event", "Event related commands"}, {"exit", "Exit from configure mode"},
			{"hostname", "Set system's network name"}, {"ip", "Global IP configuration subcommands"},
			{"no", "Negate a command or set its defaults"}, {"track", "Object tracking configuration commands"}}
	case "config-applet":
		words = []Candidate{{"action", "Add or modify an action statement"}, {"description", "Add or modify an applet description"},
			{"event", "Add or modify event information"}, {"exit", "Exit from applet configuration mode"},
			{"trigger", "Enter trigger configuration submode"}}
	default:
		words = []Candidate{{"exit", "Exit from this submode"}}
	}
	toks, prefix := splitTyped(typed)
	if len(toks) > 0 {
		return nil
	}
	var out []Candidate
	for _, c := range words {
		if strings.HasPrefix(c.Word, prefix) {
			out = append(out, c)
		}
	}
	return out
}
