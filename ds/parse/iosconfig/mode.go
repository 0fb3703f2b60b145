package iosconfig

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dsengine/dsengine/internal/english"
)

// How the configuration is read, as IOS reads it: the parser keeps a stack
// of modes, global configuration mode at the bottom. Each line is given to
// the innermost mode that knows its command: the modes above it end (a
// command its mode does not know ends the mode and is tried in the
// parent). Indentation does not choose the mode; it only helps to tell a
// mistyped sub-command (indented: an error in the mode it is under) from
// an IOS global command dsengine does not model (flush-left: skipped with
// a warning).
//
// An IOS command dsengine does not model ("interface", "router ospf",
// "line vty", "aaa ...") is skipped with one warning naming its line, and
// so are the lines of its sub-mode. IOS indents those by one space; a
// skipped mode ends at a command global configuration mode knows, at any
// indentation, or at a flush-left line that is no dsengine sub-command
// (which starts a new skipped command, with its own warning). So after
// "interface Gi1/0/1", " description x" is skipped although "description"
// is an applet command: no applet is open. A banner's text is skipped up to
// its delimiter.
//
// "end" returns to global configuration mode and the lines after it are
// still read: a paste file may hold several "configure terminal" ... "end"
// runs. "exit" ends the innermost mode; "configure terminal" is accepted
// and ignored; "do" is refused.

// skipKind says why a frame swallows lines.
type skipKind int

const (
	notSkipped  skipKind = iota
	skipIOS              // an IOS command dsengine does not model
	skipRefused          // a mode command that was refused: its lines go with it
	skipBanner           // a banner's text, up to its delimiter
)

// frame is one mode on the stack.
type frame struct {
	kind   string // key of modeWords: "top", "call-home", "profile", …
	where  string // for messages: "at top level", `in profile "user1"`
	enter  string // the command line that entered the mode
	handle func(n *node, kw string, args []string, neg bool) result

	skip   skipKind
	warn   int    // skipIOS: index of its warning in cfg.Warnings
	head   string // skipIOS: the skipped command
	count  int    // lines skipped under it
	delim  string // skipBanner: the delimiter
	indent int    // skipRefused: the indentation of the refused line
	// obj is the applet (*config.Applet) or ip sla number the mode edits,
	// for finish to leave to the end of a vty's editing.
	obj any
}

// result says how a mode handled a command.
type result int

const (
	unknown result = iota // not a command of this mode
	leaf                  // handled; the mode stays
	block                 // handled; it entered a mode (pushed a frame)
	skip                  // refused (an error was reported); the lines of its mode are skipped
)

func (p *parser) top() *frame { return p.stack[len(p.stack)-1] }

func (p *parser) push(f *frame) { p.stack = append(p.stack, f) }

// pop ends the innermost mode.
func (p *parser) pop() {
	f := p.top()
	p.stack = p.stack[:len(p.stack)-1]
	if f.skip == skipIOS || f.skip == skipBanner {
		w := &p.cfg.Warnings[f.warn]
		if f.count > 0 {
			w.Msg = fmt.Sprintf("skipped %q and the %s under it: dsengine does not model this IOS command", f.head, english.Plural(f.count, "line"))
		}
	}
}

// popTo ends the modes above stack index i.
func (p *parser) popTo(i int) {
	for len(p.stack) > i+1 {
		p.pop()
	}
}

// enter pushes the mode a command line n opens.
func (p *parser) enter(n *node, kind, where string, handle func(n *node, kw string, args []string, neg bool) result) result {
	p.push(&frame{kind: kind, where: where, enter: n.text, handle: handle})
	return block
}

// apply reads one line in the current mode.
func (p *parser) apply(n *node) {
	w := n.loose
	kw0 := strings.ToLower(w[0])
	switch {
	case kw0 == "end" && len(w) == 1:
		p.popTo(0)
		return
	case kw0 == "exit" && len(w) == 1:
		if len(p.stack) > 1 {
			p.pop()
		}
		return
	case kw0 == "do":
		p.errorf(n.line, "\"do\" runs an exec command; it has no place in a configuration (remove the line)")
		return
	case kw0 == "configure":
		if len(w) != 2 || !strings.EqualFold(w[1], "terminal") {
			p.errorf(n.line, "only \"configure terminal\" may start a configuration; other configure commands run in exec mode")
			return
		}
		p.popTo(0)
		return
	}
	if f := p.top(); f.skip != notSkipped {
		if p.swallows(f, n, w) {
			f.count++
			return
		}
		p.pop()
	}
	if kw0 == "no" && len(w) == 1 {
		p.errorf(n.line, "incomplete command \"no\"")
		return
	}
	i := p.knower(w)
	if i < 0 {
		p.unknownLine(n, w)
		return
	}
	if n.bad != "" {
		p.errorf(n.line, "%s", n.bad)
		p.refused(n)
		return
	}
	p.popTo(i)
	kw, args, neg := strings.ToLower(n.words[0]), n.words[1:], false
	if kw == "no" {
		neg, kw, args = true, strings.ToLower(args[0]), args[1:]
	}
	switch p.top().handle(n, kw, args, neg) {
	case unknown:
		p.unknown(n, kw, neg, p.top())
		p.refused(n)
	case skip:
		p.refused(n)
	}
}

// knower returns the index of the innermost mode that knows the command
// of words w, or -1.
func (p *parser) knower(w []string) int {
	for i := len(p.stack) - 1; i >= 0; i-- {
		if f := p.stack[i]; f.skip == notSkipped && knows(f.kind, w) {
			return i
		}
	}
	return -1
}

// swallows reports whether the skipped mode f takes line n (words w).
func (p *parser) swallows(f *frame, n *node, w []string) bool {
	switch f.skip {
	case skipIOS:
		return !knows("top", w) && !(n.indent == 0 && !isModeLine(w))
	case skipRefused:
		return p.knower(w) < 0 && (n.indent > f.indent || isModeLine(w))
	}
	return true
}

// knows reports whether the mode kind has the command of words w.
func knows(kind string, w []string) bool {
	kw, args := strings.ToLower(w[0]), w[1:]
	if kw == "no" && len(args) > 0 {
		kw, args = strings.ToLower(args[0]), args[1:]
	}
	if kind == "top" {
		return topModels(kw, args)
	}
	if kind == "applet" && kw == "event" && len(args) > 0 && strings.EqualFold(args[0], "manager") {
		return false // "event manager applet B" starts the next applet
	}
	return slices.Contains(modeWords(kind), kw) || slices.Contains(extraWords(kind), kw)
}

// topModels reports whether a global configuration command is one
// dsengine models, rather than an IOS command it skips.
func topModels(kw string, args []string) bool {
	arg := func(i int) string {
		if i < len(args) {
			return strings.ToLower(args[i])
		}
		return ""
	}
	switch kw {
	case "hostname", "call-home", "dsengine":
		return true
	case "service":
		return len(args) == 0 || arg(0) == "call-home"
	case "clock":
		return arg(0) == "timezone" || arg(0) == "summer-time"
	case "ip":
		return arg(0) == "sla" && !slices.Contains(iosSLACommands(), arg(1))
	case "track":
		switch {
		case arg(1) == "list", arg(1) == "stub-object",
			arg(1) == "ip" && arg(2) == "route",
			arg(1) == "interface" && arg(3) == "ip":
			return false
		}
		return true
	case "event":
		return arg(0) == "manager" && (arg(1) == "applet" || arg(1) == "environment" || arg(1) == "")
	case "snmp-server":
		return arg(0) == "host" || arg(0) == "group" || arg(0) == "user" || arg(0) == "engineid" ||
			arg(0) == "enable" && arg(1) == "traps" && arg(2) == "event-manager"
	}
	return false
}

// iosSLACommands are the global "ip sla" commands of IOS other than an
// operation or its schedule.
func iosSLACommands() []string {
	return []string{"auto", "endpoint-list", "enable", "ethernet-monitor", "group", "key-chain", "logging", "low-memory",
		"profile", "reaction-configuration", "reaction-trigger", "reset", "responder", "restart", "server"}
}

// extraWords are commands a mode knows only to refuse them well.
func extraWords(kind string) []string {
	if kind == "ip sla" {
		return unsupportedSLAOps()
	}
	return nil
}

func unsupportedSLAOps() []string {
	return []string{"icmp-echo", "udp-jitter", "udp-echo", "http", "dns", "dhcp", "path-echo", "path-jitter", "ethernet", "ftp"}
}

// isModeLine reports whether words w are a command of a dsengine sub-mode
// (and no IOS global command).
func isModeLine(w []string) bool {
	kw := strings.ToLower(w[0])
	if kw == "no" && len(w) > 1 {
		w = w[1:]
		kw = strings.ToLower(w[0])
	}
	switch {
	case kw == "vrf": // also "vrf definition NAME" at top level
		return false
	case kw == "event" && len(w) > 1 && strings.EqualFold(w[1], "manager"):
		return false
	}
	for _, m := range modeOrder()[1:] {
		if slices.Contains(modeWords(m), kw) {
			return true
		}
	}
	return false
}

// unknownLine handles a line no mode on the stack knows.
func (p *parser) unknownLine(n *node, w []string) {
	kw, neg := strings.ToLower(w[0]), false
	if kw == "no" {
		kw, neg = strings.ToLower(w[1]), true
	}
	inner := p.stack[0]
	for _, f := range p.stack {
		if f.skip == notSkipped {
			inner = f
		}
	}
	switch {
	case kw == "event" && inner.kind == "top" && isModeLine(w):
		p.errorf(n.line, "unknown command %q at top level; an event line belongs under event manager applet NAME", strings.Join(w[:min(2, len(w))], " "))
	case isModeLine(w), inner.kind != "top" && n.indent > 0:
		p.unknown(n, kw, neg, inner)
	default:
		p.skipIOSCommand(n)
		return
	}
	p.refused(n)
}

// refused skips the lines that belong to the refused line n: those no mode
// knows that are indented deeper, or that are dsengine sub-mode commands
// (a flush-left paste).
func (p *parser) refused(n *node) {
	p.push(&frame{kind: "skip", skip: skipRefused, indent: n.indent})
}

// skipIOSCommand skips an IOS command dsengine does not model, and its
// sub-mode, with a warning.
func (p *parser) skipIOSCommand(n *node) {
	p.popTo(0)
	head := n.text
	if len(head) > 80 {
		head = head[:77] + "..."
	}
	p.cfg.Warnings = append(p.cfg.Warnings, warning(p.file, n.line, fmt.Sprintf("skipped %q: dsengine does not model this IOS command", head)))
	f := &frame{kind: "skip", skip: skipIOS, warn: len(p.cfg.Warnings) - 1, head: head}
	if d, open := bannerDelim(n.text); open {
		f.skip, f.delim = skipBanner, d
	}
	p.push(f)
}

// bannerDelim returns the delimiter of a "banner [TYPE] DELIM text" line
// and whether the banner goes on after this line.
func bannerDelim(text string) (string, bool) {
	w := strings.Fields(text)
	if len(w) < 2 || !strings.EqualFold(w[0], "banner") {
		return "", false
	}
	rest := strings.TrimLeft(text[len(w[0]):], " \t")
	switch strings.ToLower(w[1]) {
	case "motd", "login", "exec", "incoming", "slip-ppp", "prompt-timeout", "config-save":
		rest = strings.TrimLeft(rest[len(w[1]):], " \t")
	}
	if rest == "" {
		return "", false
	}
	d := rest[:1]
	if strings.HasPrefix(rest, "^C") {
		d = "^C"
	}
	return d, !strings.Contains(rest[len(d):], d)
}

// unknown reports a command the mode m does not have, saying where it
// belongs if another mode has it.
func (p *parser) unknown(n *node, kw string, neg bool, m *frame) {
	cmd := kw
	if neg {
		cmd = "no " + kw
	}
	for _, other := range modeOrder() {
		if other == m.kind || !slices.Contains(modeWords(other), kw) {
			continue
		}
		p.errorf(n.line, "unknown command %q %s; it belongs %s", cmd, m.where, modeHome(other))
		return
	}
	p.errorf(n.line, "unknown command %q %s; expected %s", cmd, m.where, strings.Join(modeWords(m.kind), ", "))
}

// modeOrder lists the modes in the order unknown looks for a command's
// home.
func modeOrder() []string {
	return []string{"top", "call-home", "profile", "diagnostic-signature", "snapshot", "applet", "trigger", "ip sla", "track", "dsengine"}
}

// modeWords returns the first words of a mode's commands, in the order
// error messages list them: those of the command table.
func modeWords(name string) []string { return modeWordTable()[name] }

// modeWordTable is built once: it never changes.
var modeWordTable = sync.OnceValue(func() map[string][]string {
	m := make(map[string][]string)
	for _, kind := range modeOrder() {
		m[kind] = commandWords(kind)
	}
	return m
})

// modeHome says where a mode's commands go, for "it belongs ...".
func modeHome(name string) string {
	switch name {
	case "top":
		return "at top level"
	case "profile":
		return "under call-home / profile NAME"
	case "diagnostic-signature":
		return "under call-home / diagnostic-signature"
	case "snapshot":
		return "under call-home / alert-group-config snapshot"
	case "applet":
		return "under event manager applet NAME"
	case "trigger":
		return "under an applet's trigger"
	case "ip sla":
		return "under ip sla N"
	case "track":
		return "under track N"
	}
	return "under " + name
}
