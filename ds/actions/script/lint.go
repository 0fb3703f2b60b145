package script

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"

	"github.com/dsengine/dsengine/ds"
	"github.com/dsengine/dsengine/ds/config"
)

// dsRef is a ${ds_x} reference as the other actions write them.
var dsRef = regexp.MustCompile(`\$\{(ds_[A-Za-z0-9_]+)\}`)

// lint checks a script action before it runs, each error at the DS
// file's line and column:
//
//   - the Lua compiles;
//   - no ${ds_x} is written in its text: a script's text is never
//     substituted (syslog text put into code could inject Lua), so the
//     script reads the global ds_x; smtp_subst's template is the
//     exception, as it substitutes at run time;
//   - call_home_send with a literal table uses only the keys it takes
//     (a table built at run time is checked when it is sent).
func lint(a ds.Action) []error {
	base := a.TextPos
	if base.Line == 0 {
		base = a.Pos
	}
	l := &linter{base: base, lines: strings.Split(a.Text, "\n")}
	if err := Compile(a.Text); err != nil {
		var ce *CompileError
		if !errors.As(err, &ce) || ce.Line == 0 {
			return []error{fmt.Errorf("%s: script: %v", base, err)}
		}
		// ${ds_x} where Lua expects code is a syntax error; say why.
		if l.refsOnLine(ce.Line, "") {
			return l.errs
		}
		return []error{fmt.Errorf("%s: script: %s", l.pos(ce.Line, ce.Col), ce.Msg)}
	}
	chunk, err := parse.Parse(strings.NewReader(a.Text), "script")
	if err != nil {
		return nil // Compile parsed it
	}
	subst := map[*ast.StringExpr]bool{}
	walkStmts(chunk, func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.FuncCallExpr:
			switch calledName(e) {
			case "smtp_subst":
				for _, arg := range e.Args {
					if s, ok := arg.(*ast.StringExpr); ok {
						subst[s] = true
					}
				}
			case "call_home_send":
				l.callHome(e)
			}
		case *ast.StringExpr:
			if !subst[e] && dsRef.MatchString(e.Value) {
				for _, m := range dsRef.FindAllStringSubmatch(e.Value, -1) {
					l.refsOnLine(e.Line(), m[0])
				}
			}
		}
	})
	return l.unique()
}

// unique drops repeated errors (two equal strings on one line).
func (l *linter) unique() []error {
	seen := map[string]bool{}
	var out []error
	for _, e := range l.errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	return out
}

type linter struct {
	base  ds.Pos   // where the text starts
	lines []string // of the text
	errs  []error
}

// pos is the file position of the text's line and column (1-based; col 0
// for the line alone).
func (l *linter) pos(line, col int) ds.Pos {
	p := ds.Pos{File: l.base.File, Line: l.base.Line + line - 1}
	switch {
	case col == 0:
	case line == 1 && l.base.Col > 0:
		p.Col = l.base.Col + col - 1
	default:
		p.Col = col
	}
	return p
}

// refsOnLine reports the ${ds_x} references (only ref, if not "") on the
// text's line, or on the lines after it up to the next one that has some
// (a long string's value spans lines); it returns whether it found any.
func (l *linter) refsOnLine(line int, ref string) bool {
	for n := line; n >= 1 && n <= len(l.lines); n++ {
		found := false
		for _, m := range dsRef.FindAllStringSubmatchIndex(l.lines[n-1], -1) {
			text := l.lines[n-1][m[0]:m[1]]
			if ref != "" && text != ref {
				continue
			}
			name := l.lines[n-1][m[2]:m[3]]
			l.errs = append(l.errs, fmt.Errorf("%s: script: %s is not substituted in a script (syslog text put into code could inject Lua): "+
				"use the global %s, e.g. \"... \" .. %s", l.pos(n, m[0]+1), text, name, name))
			found = true
			if ref != "" {
				break // one error per reference in the value
			}
		}
		if found || ref == "" {
			return found
		}
	}
	return false
}

// callHome checks call_home_send{...} (or call_home_send({...})) with a
// literal table: its keys, and the literal values of outputs and severity.
func (l *linter) callHome(call *ast.FuncCallExpr) {
	if len(call.Args) != 1 {
		return
	}
	t, ok := call.Args[0].(*ast.TableExpr)
	if !ok {
		return
	}
	for i, f := range t.Fields {
		line := call.Line()
		if f.Value != nil {
			line = f.Value.Line()
		}
		switch k := f.Key.(type) {
		case nil:
			l.errs = append(l.errs, fmt.Errorf("%s: script: call_home_send: entry %d has no name; write name = value", l.pos(line, 0), i+1))
		case *ast.StringExpr:
			if e := callHomeKeyError(k.Value); e != "" {
				l.errs = append(l.errs, fmt.Errorf("%s: script: call_home_send: %s", l.pos(k.Line(), 0), e))
				continue
			}
			switch v := f.Value.(type) {
			case *ast.StringExpr, *ast.NumberExpr:
				val := ""
				if s, ok := v.(*ast.StringExpr); ok {
					val = s.Value
				} else {
					val = v.(*ast.NumberExpr).Value
				}
				if k.Value == "outputs" {
					l.errs = append(l.errs, fmt.Errorf("%s: script: call_home_send: outputs must be true or false", l.pos(line, 0)))
				} else if _, ok := parseAlertSeverity(val); k.Value == "severity" && !ok {
					l.errs = append(l.errs, fmt.Errorf("%s: script: call_home_send: unknown severity %q; the Call Home levels are %s, or 0-9",
						l.pos(line, 0), val, strings.Join(config.AlertSeverityNames(), ", ")))
				}
			case *ast.TrueExpr, *ast.FalseExpr:
				if k.Value != "outputs" {
					l.errs = append(l.errs, fmt.Errorf("%s: script: call_home_send: %s must be a string, not a boolean", l.pos(line, 0), k.Value))
				}
			}
		}
	}
}

// calledName is the name of a called global or local (f(...)), "" for
// anything else (t.f(...), o:m(...)).
func calledName(c *ast.FuncCallExpr) string {
	if c.Receiver != nil {
		return ""
	}
	if id, ok := c.Func.(*ast.IdentExpr); ok {
		return id.Value
	}
	return ""
}

// walkStmts calls visit for every expression in the statements, parents
// before their parts.
func walkStmts(list []ast.Stmt, visit func(ast.Expr)) {
	for _, s := range list {
		walkStmt(s, visit)
	}
}

func walkStmt(s ast.Stmt, visit func(ast.Expr)) {
	exprs := func(es []ast.Expr) {
		for _, e := range es {
			walkExpr(e, visit)
		}
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		exprs(s.Lhs)
		exprs(s.Rhs)
	case *ast.LocalAssignStmt:
		exprs(s.Exprs)
	case *ast.FuncCallStmt:
		walkExpr(s.Expr, visit)
	case *ast.DoBlockStmt:
		walkStmts(s.Stmts, visit)
	case *ast.WhileStmt:
		walkExpr(s.Condition, visit)
		walkStmts(s.Stmts, visit)
	case *ast.RepeatStmt:
		walkStmts(s.Stmts, visit)
		walkExpr(s.Condition, visit)
	case *ast.IfStmt:
		walkExpr(s.Condition, visit)
		walkStmts(s.Then, visit)
		walkStmts(s.Else, visit)
	case *ast.NumberForStmt:
		exprs([]ast.Expr{s.Init, s.Limit, s.Step})
		walkStmts(s.Stmts, visit)
	case *ast.GenericForStmt:
		exprs(s.Exprs)
		walkStmts(s.Stmts, visit)
	case *ast.FuncDefStmt:
		walkExpr(s.Func, visit)
	case *ast.ReturnStmt:
		exprs(s.Exprs)
	}
}

func walkExpr(e ast.Expr, visit func(ast.Expr)) {
	if e == nil {
		return
	}
	visit(e)
	switch e := e.(type) {
	case *ast.StringConcatOpExpr:
		walkExpr(e.Lhs, visit)
		walkExpr(e.Rhs, visit)
	case *ast.ArithmeticOpExpr:
		walkExpr(e.Lhs, visit)
		walkExpr(e.Rhs, visit)
	case *ast.LogicalOpExpr:
		walkExpr(e.Lhs, visit)
		walkExpr(e.Rhs, visit)
	case *ast.RelationalOpExpr:
		walkExpr(e.Lhs, visit)
		walkExpr(e.Rhs, visit)
	case *ast.UnaryMinusOpExpr:
		walkExpr(e.Expr, visit)
	case *ast.UnaryNotOpExpr:
		walkExpr(e.Expr, visit)
	case *ast.UnaryLenOpExpr:
		walkExpr(e.Expr, visit)
	case *ast.AttrGetExpr:
		walkExpr(e.Object, visit)
		walkExpr(e.Key, visit)
	case *ast.FuncCallExpr:
		walkExpr(e.Func, visit)
		walkExpr(e.Receiver, visit)
		for _, a := range e.Args {
			walkExpr(a, visit)
		}
	case *ast.FunctionExpr:
		walkStmts(e.Stmts, visit)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			walkExpr(f.Key, visit)
			walkExpr(f.Value, visit)
		}
	}
}
