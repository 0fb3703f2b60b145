package parse

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/beevik/etree"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	exprchecker "github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/correlate"
	"github.com/dsengine/dsengine/ds/parse/eem"
)

// MaxCorrelateLength bounds the text of a <Correlate> expression.
const MaxCorrelateLength = 4096

// correlate checks <Correlate>: its attributes and its expression over the
// event ids.
func (c *checker) correlate(el *etree.Element, ids []string) *ds.Correlate {
	const what = "<Correlate>"
	corr := &ds.Correlate{Pos: c.d.elemPos(el), Occurs: 1}
	c.attrs(el, what, "window", "occurs", "period", "delay", "period-start", "group-by", "max-keys")
	c.children(el, what)
	corr.Window, _ = c.duration(el, "window", 0, false)
	corr.Occurs = c.count(el, "occurs")
	corr.Period, _ = c.duration(el, "period", 0, true)
	corr.Delay, _ = c.duration(el, "delay", 0, false)
	if v, ok := attr(el, "period-start"); ok {
		if err := eem.CheckCron(v, true); err != nil {
			c.attrError(el, "period-start", "period-start %q: %s", clip(v), clipErr(err, ""))
		}
		corr.PeriodStart = strings.TrimSpace(v)
	}
	if v, ok := attr(el, "group-by"); ok {
		if _, err := correlate.GroupKeys(v); err != nil || strings.TrimSpace(v) == "" {
			c.attrError(el, "group-by", "group-by %q: give host or ds_ variables the events set, separated by spaces, such as ds_syslog_1 or \"host ds_syslog_nbr\"", clip(v))
		}
		corr.GroupBy = strings.Join(strings.Fields(v), " ")
	}
	corr.MaxKeys = c.maxKeys(el)

	text := c.d.text(el)
	src := strings.TrimSpace(text)
	corr.Expr = src
	switch {
	case src == "":
		c.elemError(el, "empty <Correlate>; write an expression over event ids, such as e1 and e2")
		return corr
	case len(src) > MaxCorrelateLength:
		c.elemError(el, "<Correlate> expression is %d bytes; the limit is %d", len(src), MaxCorrelateLength)
		return corr
	}
	lead := strings.Index(text, src)
	for _, e := range checkCorrelate(src, ids) {
		c.errorAt(c.d.textPos(el, lead+e.off), "%s", e.msg)
	}
	return corr
}

// maxKeys reads the max-keys attribute: 0 when absent.
func (c *checker) maxKeys(el *etree.Element) int {
	v, ok := attr(el, "max-keys")
	if !ok {
		return 0
	}
	n := c.count(el, "max-keys")
	if n > correlate.MaxKeysLimit {
		c.attrError(el, "max-keys", "max-keys %q is above the limit of %d keys", clip(v), correlate.MaxKeysLimit)
		return 0
	}
	if _, grouped := attr(el, "group-by"); !grouped {
		c.attrError(el, "max-keys", "max-keys without group-by has no keys to bound; add group-by or remove max-keys")
	}
	return n
}

// exprError is a problem at a byte offset of a Correlate expression.
type exprError struct {
	off int
	msg string
}

// checkCorrelate type-checks src as an expr-lang boolean over the event
// ids (each a bool) and the functions count(id) int and seq(id, id, ...)
// bool. Names that are not event ids, and calls to anything else, are
// reported by name.
func checkCorrelate(src string, ids []string) []exprError {
	env := make(map[string]any, len(ids))
	for _, id := range ids {
		env[id] = false
	}
	cfg := correlateConfig(env)
	tree, err := parser.ParseWithConfig(src, cfg)
	if err != nil {
		return []exprError{exprErr(src, err)}
	}

	v := &nameCollector{callees: make(map[ast.Node]bool), lets: make(map[string]bool)}
	ast.Walk(&tree.Node, v)
	var errs []exprError
	at := func(n ast.Node, format string, args ...any) {
		errs = append(errs, exprError{off: runeToByte(src, n.Location().From), msg: fmt.Sprintf(format, args...)})
	}
	for _, n := range v.calls {
		switch name := n.name; {
		case name == "count" && (len(n.args) != 1 || !isIdent(n.args[0])):
			at(n.node, "Correlate: count takes one event id, as in count(e1)")
		case name == "seq" && (len(n.args) < 2 || !allIdents(n.args)):
			at(n.node, "Correlate: seq takes two or more event ids, as in seq(e1, e2)")
		case name != "count" && name != "seq":
			at(n.node, "Correlate calls unknown function %q; expected count(id) or seq(id, id, ...)", clip(name))
		}
	}
	for _, n := range v.idents {
		if v.callees[n] || v.lets[n.Value] {
			continue
		}
		if _, ok := env[n.Value]; !ok {
			at(n, "Correlate names unknown event %q", clip(n.Value))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if _, err := exprchecker.Check(tree, cfg); err != nil {
		return []exprError{exprErr(src, err)}
	}
	return nil
}

// correlateTables are the read-only parts of every Correlate type-check
// configuration: the two functions, and every expr-lang builtin disabled.
var correlateTables = func() *conf.Config {
	notRun := func(...any) (any, error) { return nil, errors.New("evaluated by the correlator") }
	cfg := conf.CreateNew()
	expr.Function("count", notRun, new(func(bool) int))(cfg)
	expr.Function("seq", notRun, new(func(...bool) bool))(cfg)
	expr.DisableAllBuiltins()(cfg)
	return cfg
}()

// correlateConfig is what expr.Compile would build from the options Env(env),
// AsBool(), DisableAllBuiltins() and the count and seq functions, without
// rebuilding the builtin tables for every file. Parsing and checking only
// read these tables.
func correlateConfig(env map[string]any) *conf.Config {
	cfg := &conf.Config{
		ShortCircuit: true,
		MaxNodes:     conf.DefaultMaxNodes,
		ConstFns:     map[string]reflect.Value{},
		Functions:    correlateTables.Functions,
		Builtins:     conf.FunctionsTable{},
		Disabled:     correlateTables.Disabled,
	}
	expr.Env(env)(cfg)
	expr.AsBool()(cfg)
	return cfg
}

// exprErr places an expr-lang error at its location in src.
func exprErr(src string, err error) exprError {
	var fe *file.Error
	if errors.As(err, &fe) {
		return exprError{off: runeToByte(src, fe.From), msg: "Correlate: " + clipMsg(fe.Message)}
	}
	return exprError{msg: "Correlate: " + clipErr(err, "")}
}

// runeToByte converts expr-lang's rune index into a byte offset of s.
func runeToByte(s string, r int) int {
	for i := range s {
		if r == 0 {
			return i
		}
		r--
	}
	return len(s)
}

// call is one function call of a Correlate expression.
type call struct {
	node ast.Node
	name string
	args []ast.Node
}

// nameCollector gathers the identifiers and calls of an expression.
type nameCollector struct {
	idents  []*ast.IdentifierNode
	callees map[ast.Node]bool // identifiers naming a called function
	lets    map[string]bool   // names bound by let
	calls   []call
}

// Visit records one node; ast.Walk visits children before parents.
func (v *nameCollector) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		v.idents = append(v.idents, n)
	case *ast.CallNode:
		name := "?"
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			v.callees[id] = true
			name = id.Value
		}
		v.calls = append(v.calls, call{n, name, n.Arguments})
	case *ast.BuiltinNode:
		v.calls = append(v.calls, call{n, n.Name, n.Arguments})
	case *ast.VariableDeclaratorNode:
		v.lets[n.Name] = true
	}
}

func isIdent(n ast.Node) bool {
	_, ok := n.(*ast.IdentifierNode)
	return ok
}

func allIdents(ns []ast.Node) bool {
	for _, n := range ns {
		if !isIdent(n) {
			return false
		}
	}
	return true
}
