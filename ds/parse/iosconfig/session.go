package iosconfig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// Path is the modes a vty session is in below global configuration mode, outermost first;
// each entry is the command line that entered the mode ("call-home", "profile user1",
// "event manager applet X", "trigger"). nil is global configuration mode.
type Path []string

// Terminal names a vty's lines in errors and positions.
const Terminal = "terminal"

// Apply applies one configuration line typed in mode path to a copy of cfg (cfg is not
// modified) and returns the new configuration and the mode path after the line. The line
// is checked as in a file, together with the whole configuration (finish checks). On error
// it returns a *Error whose Col is the byte offset in line of the word refused (for IOS's
// "% Invalid input detected at '^' marker.") and cfg unchanged. Two sessions applying lines
// to the daemon's current config in turn see each other's lines (last writer wins per line),
// so Apply rebuilds its state from cfg and path each time (it replays path's lines to enter
// the modes, then applies line). "end" returns a nil path, "exit" pops one.
//
// The whole-configuration checks refuse only what the line makes wrong: an
// applet or ip sla operation still in path is checked when its mode ends,
// and what another session left half-built is its business. An IOS command
// dsengine does not model is refused (a file skips it with a warning). The
// new configuration's Warnings are those of the line and the finish
// checks.
func Apply(cfg *config.Config, path Path, line string) (*config.Config, Path, error) {
	if len(line) > MaxLine {
		return cfg, path, &Error{File: Terminal, Line: 1, Col: -1, Msg: fmt.Sprintf("line is longer than %d bytes", MaxLine)}
	}
	p, err := enterPath(cfg, path)
	if err != nil {
		return cfg, path, err
	}
	p.feed(1, []byte(line))
	if len(p.errs) > 0 {
		return cfg, path, p.errs[0]
	}
	if f := p.top(); f.skip != notSkipped {
		// No mode knows the line: in a terminal that is a typo more often
		// than an IOS command dsengine does not model; say what the mode
		// in force takes.
		col := len(line) - len(strings.TrimLeft(line, " \t"))
		q, _ := enterPath(cfg, path)
		n := lineNode(line)
		words := strings.Fields(n.text) // when the line does not lex (an open quote)
		if len(n.fields) > 0 {
			words = words[:0]
			for _, f := range n.fields {
				words = append(words, f.Text)
			}
		}
		kw, neg := strings.ToLower(words[0]), false
		if kw == "no" && len(words) > 1 {
			kw, neg = strings.ToLower(words[1]), true
		}
		q.unknown(n, kw, neg, q.top())
		msg := q.errs[0].Msg + "; dsengine does not model other IOS commands (a configuration file skips them with a warning)"
		return cfg, path, &Error{File: Terminal, Line: 1, Col: col, Msg: msg}
	}
	p.cur = lineNode(line)
	p.finish(p.editing())
	if len(p.errs) > 0 {
		// Only what the line made wrong refuses it: the checks are run
		// again without the line (only now, off the common path) to know
		// what was wrong before it.
		before, _ := enterPath(cfg, path)
		before.finish(before.editing())
		known := map[string]bool{}
		for _, e := range before.errs {
			known[e.Msg] = true
		}
		for _, e := range p.errs {
			if !known[e.Msg] {
				return cfg, path, e
			}
		}
	}
	slices.SortStableFunc(p.cfg.Warnings, func(a, b config.Warning) int { return a.Line - b.Line })
	return p.cfg, p.modePath(), nil
}

// enterPath returns a parser on a copy of cfg in the modes of path.
func enterPath(cfg *config.Config, path Path) (*parser, error) {
	p := newParser(Terminal, cfg.Clone())
	p.cfg.Warnings = nil
	for _, l := range path {
		depth := len(p.stack)
		p.feed(1, []byte(l))
		if len(p.errs) > 0 {
			e := *p.errs[0]
			e.Col, e.Msg = -1, fmt.Sprintf("mode %q: %s", l, e.Msg)
			return nil, &e
		}
		if len(p.stack) != depth+1 || p.top().skip != notSkipped {
			return nil, &Error{File: Terminal, Line: 1, Col: -1, Msg: fmt.Sprintf("refused: %q does not enter a configuration mode", l)}
		}
	}
	return p, nil
}

// editing returns the applets and ip sla operations whose modes are open.
func (p *parser) editing() map[any]bool {
	m := map[any]bool{}
	for _, f := range p.stack {
		if f.obj != nil {
			m[f.obj] = true
		}
	}
	return m
}

// modePath returns the mode path of the stack.
func (p *parser) modePath() Path {
	var path Path
	for _, f := range p.stack[1:] {
		if f.skip == notSkipped {
			path = append(path, f.enter)
		}
	}
	return path
}

// lineNode is line as a node, for the columns of finish's errors.
func lineNode(line string) *node {
	text := strings.TrimRight(line, " \t\r")
	indent := indentOf([]byte(text))
	n := &node{line: 1, indent: indent, text: text[indent:]}
	if fields, err := eem.Fields(n.text); err == nil {
		n.fields = fields
	}
	return n
}

// kinds returns the mode kinds of path, global configuration mode first.
func kinds(path Path) []string {
	p, err := enterPath(config.Default(), path)
	if err != nil {
		return []string{"top"}
	}
	k := make([]string, len(p.stack))
	for i, f := range p.stack {
		k[i] = f.kind
	}
	return k
}

// Prompt returns the IOS prompt mode name of path: "config", "config-call-home",
// "cfg-call-home-profile", "config-call-home-diag-sign", "config-applet", "config-applet-trigger",
// "config-ip-sla", "config-track", "config-dsengine".
func Prompt(path Path) string {
	ks := kinds(path)
	switch ks[len(ks)-1] {
	case "call-home":
		return "config-call-home"
	case "profile":
		return "cfg-call-home-profile"
	case "diagnostic-signature":
		return "config-call-home-diag-sign"
	case "snapshot":
		return "cfg-call-home-snapshot"
	case "applet":
		return "config-applet"
	case "trigger":
		return "config-applet-trigger"
	case "ip sla":
		return "config-ip-sla"
	case "track":
		return "config-track"
	case "dsengine":
		return "config-dsengine"
	}
	return "config"
}

// Candidate is one word `?` lists, with its help.
type Candidate struct {
	Word, Help string
}

// Help returns what `?` lists and Tab completes after the text typed so far in mode path:
// the possible next words with a one-line help each, from the command table the parser
// uses, and "<cr>" when the command is complete, as IOS. Keywords may be abbreviated as
// long as they stay unique; after a partial word only the keywords it starts are listed.
func Help(path Path, typed string) []Candidate {
	ks := kinds(path)
	mode := syntax(ks[len(ks)-1])
	top := append(slices.Clone(mode),
		k("no", "Negate a command or set its defaults", mode...),
		k("exit", "Exit from the current mode", cr),
		k("end", "Exit to global configuration mode", cr))
	words := strings.Fields(typed)
	partial := ""
	if len(words) > 0 && !strings.HasSuffix(typed, " ") && !strings.HasSuffix(typed, "\t") {
		partial, words = words[len(words)-1], words[:len(words)-1]
	}
	level := top
	for _, w := range words {
		next, ok := step(level, w)
		if !ok {
			return nil
		}
		level = next
	}
	var vals, kws []Candidate
	end := false
	for _, s := range level {
		switch {
		case s == cr:
			end = true
		case isValue(s.word):
			if partial == "" {
				vals = append(vals, Candidate{s.word, s.help})
			}
		case strings.HasPrefix(s.word, strings.ToLower(partial)):
			kws = append(kws, Candidate{s.word, s.help})
		}
	}
	slices.SortStableFunc(kws, func(a, b Candidate) int { return strings.Compare(a.Word, b.Word) })
	out := append(vals, kws...)
	if end && partial == "" {
		out = append(out, Candidate{"<cr>", ""})
	}
	return out
}

// step matches one typed word against the words of level and returns
// the words that may follow it.
func step(level []*syn, w string) ([]*syn, bool) {
	lw := strings.ToLower(w)
	var match *syn
	for _, s := range level {
		if s == cr || isValue(s.word) {
			continue
		}
		if s.word == lw {
			return s.next, true
		}
		if strings.HasPrefix(s.word, lw) {
			if match != nil {
				return nil, false // ambiguous
			}
			match = s
		}
	}
	if match != nil {
		return match.next, true
	}
	for _, s := range level {
		if s == cr || !isValue(s.word) || !valueFits(s.word, w) {
			continue
		}
		if s.word == "LINE" {
			return []*syn{s, cr}, true // free text goes on
		}
		return s.next, true
	}
	return nil, false
}

// isValue reports whether a table word stands for a value.
func isValue(w string) bool { return w != "" && (w[0] == '<' || strings.ToUpper(w) == w) }

// valueFits reports whether typed word w can be the value v: a number
// range takes a number (seconds may have a fraction), the others anything.
func valueFits(v, w string) bool {
	if v[0] != '<' {
		return true
	}
	return strings.Trim(w, "0123456789.") == "" && w[0] != '.'
}
