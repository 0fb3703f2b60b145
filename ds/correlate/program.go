package correlate

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"github.com/robfig/cron/v3"

	"github.com/dsengine/dsengine/ds"
)

// MaxRing bounds every ring a correlator keeps: the occurrence times of one
// event, and the match times of "trigger occurs N period S". A count(id)
// threshold or an Occurs above it is refused by Compile.
const MaxRing = 4096

// DefaultCountRing is the ring size of an event whose count(id) is used
// other than compared with a number (count(e1) > count(e2), arithmetic):
// such counts saturate at this value.
const DefaultCountRing = 64

// none marks an absent time.
const none = math.MinInt64

// Program is a compiled <Correlate> (or EEM trigger block): the expr-lang
// program and everything a Correlator needs to feed it. It is immutable and
// may back any number of Correlators.
//
// The expression is an expr-lang boolean whose names are:
//
//   - an event id (e1): true when the event occurred inside the window;
//   - count(e1): how many times the event occurred inside the window, an int
//     that saturates at the event's ring size (see Compile);
//   - seq(e1, e2, ...): true when the events occurred in that order inside
//     the window — an occurrence of e1, then a later one of e2, and so on,
//     each occurrence used once ("later" is observation order, so two events
//     with the same time are ordered by arrival);
//   - track_N: true while tracked object N is up, as last reported with
//     Correlator.SetTrack (false until reported). An event id that is
//     literally "track_N" is an event, not a track.
//
// expr-lang built-ins are disabled.
type Program struct {
	src     string
	prog    *vm.Program
	ids     []string       // event ids, as given to Compile
	index   map[string]int // event id → index in ids
	ringCap []int          // per event: occurrence times kept
	seqs    [][]int        // per seq call: its events, in order
	seqOf   [][]seqStep    // per event: where it appears in seq calls, positions descending
	tracks  []int          // tracked object numbers, per track index
	trackAt map[int]int    // tracked object number → track index
	vars    []variable     // what to put in the environment before each run
	boxed   []any          // boxed[n] is the int n, so counts never allocate

	window, period, delay int64 // nanoseconds
	delayDur              time.Duration
	occurs                int
	sched                 cron.Schedule // nil without PeriodStart
	groupBy               []string      // the group-by names; empty: one state
	shape                 *shape        // the expression's and/or/not structure, for consumption
}

// shape is the and/or/not structure of an expression above its leaves. A
// leaf is any other sub-expression (an event id, a count comparison, a seq
// call, a track), compiled on its own: when the whole expression holds,
// the leaves that made it true say which occurrences it consumes.
type shape struct {
	op     byte // 'a' and, 'o' or, 'n' not, 'l' leaf
	kids   []*shape
	src    string
	prog   *vm.Program
	events []int // leaf: the events it names (ids, count and seq arguments)
}

// seqStep is the position of an event in one seq call.
type seqStep struct{ seq, pos int }

// varKind says how a variable of the environment is computed.
type varKind uint8

const (
	varPresent varKind = iota // e1
	varCount                  // count(e1)
	varSeq                    // seq(e1, e2)
	varTrack                  // track_N
)

// variable is one entry of the expression's environment.
type variable struct {
	key  string
	kind varKind
	idx  int // event, seq call or track index
}

// Expr returns the expression as compiled.
func (p *Program) Expr() string { return p.src }

// Window returns the correlation window: ds.DefaultCorrelateWindow when
// the Correlate gave none.
func (p *Program) Window() time.Duration { return time.Duration(p.window) }

// Tracks returns the tracked object numbers the expression names, whose
// state the caller reports with Correlator.SetTrack.
func (p *Program) Tracks() []int { return slices.Clone(p.tracks) }

// RingSize returns how many occurrence times of the event a correlator
// keeps per state: 1 when only its presence matters, the largest count
// threshold when count(id) is compared with numbers, DefaultCountRing when
// count(id) is used otherwise. It is 0 for an unknown id.
func (p *Program) RingSize(eventID string) int {
	if i, ok := p.index[eventID]; ok {
		return p.ringCap[i]
	}
	return 0
}

// Compile checks c and compiles its expression once, for every Correlator
// of the DS or applet. eventIDs are the ids of the DS's events; every one
// of them is an evaluation point (see Correlator.Observe), whether the
// expression names it or not.
//
// Ring sizes are derived from the expression: comparing count(e1) with a
// number k keeps just enough times to decide the comparison exactly (k for
// >= and <, k+1 otherwise), up to MaxRing.
//
// Window 0 means ds.DefaultCorrelateWindow; Occurs 0 means 1. PeriodStart is
// a cron entry (5 fields, 6 with seconds, or a descriptor such as @hourly;
// @every D starts a period at every multiple of D since the Unix epoch).
func Compile(c *ds.Correlate, eventIDs []string) (*Program, error) {
	if c == nil {
		return nil, errors.New("correlate: no Correlate")
	}
	src := strings.TrimSpace(c.Expr)
	if src == "" {
		return nil, errors.New("correlate: empty expression; write one over event ids, such as e1 and e2")
	}
	p := &Program{
		src:      src,
		index:    make(map[string]int, len(eventIDs)),
		window:   int64(c.Window),
		period:   int64(c.Period),
		delay:    int64(c.Delay),
		delayDur: c.Delay,
		occurs:   max(c.Occurs, 1),
		trackAt:  map[int]int{},
	}
	switch {
	case c.Window < 0 || c.Period < 0 || c.Delay < 0:
		return nil, fmt.Errorf("correlate %q: window, period and delay must not be negative", src)
	case c.Occurs < 0:
		return nil, fmt.Errorf("correlate %q: occurs %d must be at least 1", src, c.Occurs)
	case c.Period > 0 && c.PeriodStart == "" && p.occurs > MaxRing:
		return nil, fmt.Errorf("correlate %q: occurs %d with a period is above the supported %d", src, p.occurs, MaxRing)
	}
	if p.window == 0 {
		p.window = int64(ds.DefaultCorrelateWindow)
	}
	keys, err := GroupKeys(c.GroupBy)
	if err != nil {
		return nil, fmt.Errorf("correlate %q: %w", src, err)
	}
	p.groupBy = keys
	for _, id := range eventIDs {
		if _, dup := p.index[id]; dup {
			return nil, fmt.Errorf("correlate %q: event id %q is given twice", src, id)
		}
		p.index[id] = len(p.ids)
		p.ids = append(p.ids, id)
	}
	if ps := strings.TrimSpace(c.PeriodStart); ps != "" {
		s, err := parseCron(ps)
		if err != nil {
			return nil, fmt.Errorf("correlate %q: period-start %q: %w", src, ps, err)
		}
		p.sched = s
	}
	tree, err := p.analyze()
	if err != nil {
		return nil, fmt.Errorf("correlate %q: %w", src, err)
	}
	cfg := exprConfig(p.typeEnv())
	expr.AsBool()(cfg)
	expr.Patch(rewriter{})(cfg)
	if _, err := new(checker.Checker).PatchAndCheck(tree, cfg); err != nil {
		return nil, fmt.Errorf("correlate %q: %w", src, err)
	}
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		return nil, fmt.Errorf("correlate %q: %w", src, err)
	}
	prog, err := compiler.Compile(tree, cfg)
	if err != nil {
		return nil, fmt.Errorf("correlate %q: %w", src, err)
	}
	p.prog = prog
	if err := p.compileShape(p.shape); err != nil {
		return nil, fmt.Errorf("correlate %q: %w", src, err)
	}
	return p, nil
}

// forever is the window of an occurs count with no period: longer than any
// log, short enough that times minus it stay within int64.
const forever = 100 * 365 * 24 * time.Hour

// CompileOccurs compiles the per-key count of an event with a group-by:
// it holds when the event occurred Occurs times within Period (no limit
// when 0) for one key, then starts that key again from zero, as the
// detectors' own occurs does.
func CompileOccurs(ev ds.Event) (*Program, error) {
	window := ev.Period
	if window <= 0 {
		window = forever
	}
	src := ev.ID
	if ev.Occurs > 1 {
		src = fmt.Sprintf("count(%s) >= %d", ev.ID, ev.Occurs)
	}
	return Compile(&ds.Correlate{Expr: src, Window: window, Occurs: 1, GroupBy: ev.GroupBy}, []string{ev.ID})
}

// GroupKeys reads a group-by attribute: names separated by spaces, each
// "host" (the originating host) or a ds_ variable the events set
// (ds_syslog_1, ds_syslog_nbr, ds_flap_nbr). "" means no grouping.
func GroupKeys(groupBy string) ([]string, error) {
	keys := strings.Fields(groupBy)
	for _, k := range keys {
		if k == "host" {
			continue
		}
		rest, ok := strings.CutPrefix(k, "ds_")
		if !ok || rest == "" || strings.TrimLeft(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
			return nil, fmt.Errorf("group-by %q: %q is neither host nor a ds_ variable name such as ds_syslog_1 or ds_syslog_nbr", groupBy, k)
		}
	}
	if len(keys) > 8 {
		return nil, fmt.Errorf("group-by %q names %d keys; the limit is 8", groupBy, len(keys))
	}
	return keys, nil
}

// GroupBy returns the group-by names, nil without grouping.
func (p *Program) GroupBy() []string { return slices.Clone(p.groupBy) }

// buildShape describes n's and/or/not structure; ids are the event ids.
func (p *Program) buildShape(n ast.Node) *shape {
	switch x := n.(type) {
	case *ast.BinaryNode:
		switch x.Operator {
		case "and", "&&":
			return &shape{op: 'a', kids: []*shape{p.buildShape(x.Left), p.buildShape(x.Right)}}
		case "or", "||":
			return &shape{op: 'o', kids: []*shape{p.buildShape(x.Left), p.buildShape(x.Right)}}
		}
	case *ast.UnaryNode:
		if x.Operator == "not" || x.Operator == "!" {
			return &shape{op: 'n', kids: []*shape{p.buildShape(x.Node)}}
		}
	}
	leaf := &shape{op: 'l', src: n.String()}
	seen := map[int]bool{}
	ast.Find(n, func(m ast.Node) bool {
		if id, ok := m.(*ast.IdentifierNode); ok {
			if i, ok := p.index[id.Value]; ok && !seen[i] {
				seen[i] = true
				leaf.events = append(leaf.events, i)
			}
		}
		return false
	})
	return leaf
}

// compileShape compiles every leaf of sh on its own, over the same
// environment as the whole expression.
func (p *Program) compileShape(sh *shape) error {
	if sh == nil {
		return nil
	}
	for _, k := range sh.kids {
		if err := p.compileShape(k); err != nil {
			return err
		}
	}
	if sh.op != 'l' {
		return nil
	}
	ids := make(map[string]any, len(p.ids))
	for _, id := range p.ids {
		ids[id] = false
	}
	tree, err := parser.ParseWithConfig(sh.src, exprConfig(ids))
	if err != nil {
		return err
	}
	cfg := exprConfig(p.typeEnv())
	expr.Patch(rewriter{})(cfg)
	if _, err := new(checker.Checker).PatchAndCheck(tree, cfg); err != nil {
		return err
	}
	prog, err := compiler.Compile(tree, cfg)
	if err != nil {
		return err
	}
	sh.prog = prog
	return nil
}

// exprTables are the read-only parts of every expr-lang configuration:
// count and seq declared (so the parser and the first check know them; the
// rewriter replaces every call before the program is built) and every
// built-in disabled. Building them costs more than the rest of a compile,
// so they are built once; parsing, checking and compiling only read them.
var exprTables = func() *conf.Config {
	notRun := func(...any) (any, error) { return nil, errors.New("count and seq are computed by the correlator") }
	cfg := conf.CreateNew()
	expr.Function("count", notRun, new(func(bool) int))(cfg)
	expr.Function("seq", notRun, new(func(...bool) bool))(cfg)
	expr.DisableAllBuiltins()(cfg)
	return cfg
}()

// exprConfig is what expr.Compile would build from Env(env), the count and
// seq functions and DisableAllBuiltins, sharing exprTables.
func exprConfig(env map[string]any) *conf.Config {
	cfg := &conf.Config{
		Optimize:     true,
		ShortCircuit: true,
		MaxNodes:     conf.DefaultMaxNodes,
		ConstFns:     map[string]reflect.Value{},
		Functions:    exprTables.Functions,
		Builtins:     conf.FunctionsTable{},
		Disabled:     exprTables.Disabled,
	}
	expr.Env(env)(cfg)
	return cfg
}

// analyze parses the expression and fills in the variables, seq calls,
// tracks and ring sizes.
func (p *Program) analyze() (*parser.Tree, error) {
	ids := make(map[string]any, len(p.ids))
	for _, id := range p.ids {
		ids[id] = false
	}
	tree, err := parser.ParseWithConfig(p.src, exprConfig(ids))
	if err != nil {
		return nil, err
	}
	col := &collector{args: map[ast.Node]bool{}, callees: map[ast.Node]bool{}, lets: map[string]bool{}, need: map[*ast.CallNode]int{}}
	ast.Walk(&tree.Node, col)
	if col.err != nil {
		return nil, col.err
	}
	p.shape = p.buildShape(tree.Node)

	p.ringCap = make([]int, len(p.ids))
	for i := range p.ringCap {
		p.ringCap[i] = 1
	}
	seen := map[string]bool{}
	add := func(v variable) {
		if !seen[v.key] {
			seen[v.key] = true
			p.vars = append(p.vars, v)
		}
	}
	for _, n := range col.calls {
		name := n.Callee.(*ast.IdentifierNode).Value
		idx := make([]int, len(n.Arguments))
		for i, a := range n.Arguments {
			id, ok := a.(*ast.IdentifierNode)
			if !ok {
				return nil, fmt.Errorf("%s takes event ids, as in %s", name, usage(name))
			}
			j, ok := p.index[id.Value]
			if !ok {
				return nil, fmt.Errorf("%s names unknown event %q", name, id.Value)
			}
			idx[i] = j
		}
		switch name {
		case "count":
			if len(idx) != 1 {
				return nil, fmt.Errorf("count takes one event id, as in %s", usage(name))
			}
			need, ok := col.need[n]
			if !ok {
				need = DefaultCountRing
			}
			if need > MaxRing {
				return nil, fmt.Errorf("count(%s) threshold %d is above the supported %d", p.ids[idx[0]], need, MaxRing)
			}
			p.ringCap[idx[0]] = max(p.ringCap[idx[0]], need)
			add(variable{key: callKey(n), kind: varCount, idx: idx[0]})
		case "seq":
			if len(idx) < 2 {
				return nil, fmt.Errorf("seq takes two or more event ids, as in %s", usage(name))
			}
			key := callKey(n)
			if seen[key] {
				continue
			}
			add(variable{key: key, kind: varSeq, idx: len(p.seqs)})
			p.seqs = append(p.seqs, idx)
		}
	}
	for _, n := range col.idents {
		if col.callees[n] || col.args[n] || col.lets[n.Value] {
			continue
		}
		if i, ok := p.index[n.Value]; ok {
			add(variable{key: n.Value, kind: varPresent, idx: i})
			continue
		}
		obj, ok := trackNumber(n.Value)
		if !ok {
			return nil, fmt.Errorf("unknown event %q; the events are %s", n.Value, strings.Join(p.ids, ", "))
		}
		ti, ok := p.trackAt[obj]
		if !ok {
			ti = len(p.tracks)
			p.trackAt[obj] = ti
			p.tracks = append(p.tracks, obj)
		}
		add(variable{key: n.Value, kind: varTrack, idx: ti})
	}

	p.seqOf = make([][]seqStep, len(p.ids))
	for s, evs := range p.seqs {
		for pos := len(evs) - 1; pos >= 0; pos-- {
			p.seqOf[evs[pos]] = append(p.seqOf[evs[pos]], seqStep{seq: s, pos: pos})
		}
	}
	p.boxed = make([]any, slices.Max(append(p.ringCap, 1))+1)
	for i := range p.boxed {
		p.boxed[i] = i
	}
	return tree, nil
}

// usage shows how a function is called.
func usage(name string) string {
	if name == "count" {
		return "count(e1)"
	}
	return "seq(e1, e2)"
}

// callKey names the environment entry that replaces a count or seq call:
// "count(e1)", "seq(e1,e2)". Such names cannot clash with identifiers.
func callKey(n *ast.CallNode) string {
	var b strings.Builder
	b.WriteString(n.Callee.(*ast.IdentifierNode).Value)
	b.WriteByte('(')
	for i, a := range n.Arguments {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(a.(*ast.IdentifierNode).Value)
	}
	b.WriteByte(')')
	return b.String()
}

// trackNumber reads N from "track_N".
func trackNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "track_")
	if !ok || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// collector gathers the identifiers and calls of an expression, and the
// ring size that comparisons of count calls with numbers need.
type collector struct {
	idents  []*ast.IdentifierNode
	args    map[ast.Node]bool // identifiers that are arguments of count or seq
	callees map[ast.Node]bool // identifiers naming a called function
	lets    map[string]bool   // names bound by let
	calls   []*ast.CallNode
	need    map[*ast.CallNode]int
	err     error
}

// Visit records one node; ast.Walk visits children before parents.
func (v *collector) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		v.idents = append(v.idents, n)
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "count" && id.Value != "seq" {
			v.fail(fmt.Errorf("unknown function; expected count(id) or seq(id, id, ...)"))
			return
		}
		v.callees[id] = true
		for _, a := range n.Arguments {
			v.args[a] = true
		}
		v.calls = append(v.calls, n)
	case *ast.BuiltinNode:
		v.fail(fmt.Errorf("unknown function %q; expected count(id) or seq(id, id, ...)", n.Name))
	case *ast.VariableDeclaratorNode:
		v.lets[n.Name] = true
	case *ast.BinaryNode:
		v.comparison(n)
	}
}

func (v *collector) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// comparison records the ring size that count(id) OP k (or k OP count(id))
// needs: saturating the count at that size leaves the comparison's result
// unchanged.
func (v *collector) comparison(n *ast.BinaryNode) {
	op := n.Operator
	call, k, ok := countAndNumber(n.Left, n.Right)
	if !ok {
		call, k, ok = countAndNumber(n.Right, n.Left)
		op = mirror(op)
	}
	if !ok {
		return
	}
	var need float64
	switch op {
	case ">=", "<":
		need = math.Ceil(k)
	case ">", "<=", "==", "!=":
		need = math.Floor(k) + 1
	default:
		return
	}
	need = max(need, 1)
	if need > MaxRing {
		need = MaxRing + 1
	}
	v.need[call] = max(v.need[call], int(need))
}

// countAndNumber matches a count call against a number literal.
func countAndNumber(a, b ast.Node) (*ast.CallNode, float64, bool) {
	call, ok := a.(*ast.CallNode)
	if !ok {
		return nil, 0, false
	}
	if id, ok := call.Callee.(*ast.IdentifierNode); !ok || id.Value != "count" {
		return nil, 0, false
	}
	switch k := b.(type) {
	case *ast.IntegerNode:
		return call, float64(k.Value), true
	case *ast.FloatNode:
		return call, k.Value, true
	}
	return nil, 0, false
}

// mirror turns "k OP x" into "x OP' k".
func mirror(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// rewriter replaces every count and seq call with an identifier that the
// correlator sets before each run, so the program makes no calls.
type rewriter struct{}

// Visit replaces one call.
func (rewriter) Visit(node *ast.Node) {
	if n, ok := (*node).(*ast.CallNode); ok {
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && (id.Value == "count" || id.Value == "seq") {
			ast.Patch(node, &ast.IdentifierNode{Value: callKey(n)})
		}
	}
}

// typeEnv is an environment with the type of each variable of p: false
// for an event or a track, 0 for a count; the checker types the
// expression against it.
func (p *Program) typeEnv() map[string]any {
	env := make(map[string]any, len(p.vars))
	for _, v := range p.vars {
		env[v.key] = false
		if v.kind == varCount {
			env[v.key] = 0
		}
	}
	return env
}
