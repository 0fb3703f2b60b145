package script

import (
	"container/list"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// The hidden locals the rewritten chunk calls instead of the VM's own
// concatenation and table stores. Their names are not Lua identifiers, so
// no script can name, shadow or reassign them.
const (
	localConcat = "(concat)"
	localSet    = "(setindex)"
	localTable  = "(table)"
	localRest   = "(rest)"
)

// maxSyntaxDepth bounds how deeply statements and expressions nest, so the
// recursive walkers (ours and gopher-lua's compiler) cannot exhaust the Go
// stack. C Lua's limit is 200 "syntax levels". Depth is counted in units:
// a level of nesting costs levelUnits, one more link of a left-associative
// chain of the same operator (a+b+c) costs one unit, so such chains may be
// levelUnits times longer; a .. b .. c chains are flattened and cost
// nothing.
const (
	maxSyntaxDepth = 200
	levelUnits     = 8
)

// smallIndex is the largest constant integer key stored without a check: a
// store at index k may append k nils to a table's array, so larger or
// computed indices go through the guarded (setindex).
const smallIndex = 1024

// binaryChunkPrefix starts precompiled Lua chunks, which are never loaded.
const binaryChunkPrefix = "\x1bLua"

// Compile checks the syntax of a script, for lint: it returns nil or a
// *CompileError with the line and column. It runs nothing.
func Compile(text string) error {
	_, err := compileChunk("script", text, 1, DefaultMaxScriptSize)
	return err
}

// compileChunk parses text, rewrites it (see rewriter) and compiles it into
// a prototype that takes the three hidden functions as its arguments.
// firstLine is the line number of the text's first line (the DS file's
// line where the script starts), so errors and tracebacks name the file's
// lines.
func compileChunk(name, text string, firstLine, maxSize int) (*lua.FunctionProto, error) {
	if strings.HasPrefix(text, binaryChunkPrefix) {
		return nil, &CompileError{Script: name, Msg: "attempt to load a binary chunk (only text is accepted)"}
	}
	if len(text) > maxSize {
		return nil, &CompileError{Script: name, Msg: fmt.Sprintf("script of %d bytes is over the %d-byte limit", len(text), maxSize)}
	}
	if firstLine > 1 {
		// Blank lines shift every position the compiler records.
		text = strings.Repeat("\n", firstLine-1) + text
	}
	chunk, err := parse.Parse(strings.NewReader(text), name)
	if err != nil {
		var pe *parse.Error
		if errors.As(err, &pe) {
			line, col := pe.Pos.Line, pe.Pos.Column
			if line == parse.EOF {
				line, col = strings.Count(text, "\n")+1, 0
			}
			msg := strings.TrimSpace(pe.Message)
			if pe.Token != "" {
				msg = fmt.Sprintf("%s near '%s'", msg, pe.Token)
			}
			return nil, &CompileError{Script: name, Line: line, Col: col, Msg: msg}
		}
		return nil, &CompileError{Script: name, Msg: strings.TrimSpace(err.Error())}
	}
	rw := &rewriter{}
	body := rw.stmts(chunk, 0)
	if rw.err != nil {
		rw.err.Script = name
		return nil, rw.err
	}
	proto, err := lua.Compile(wrapChunk(body), name)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, &CompileError{Script: name, Line: ce.Line, Msg: ce.Message}
		}
		return nil, &CompileError{Script: name, Msg: err.Error()}
	}
	return proto, nil
}

// wrapChunk turns the script's statements into
//
//	local (concat), (setindex), (table), (rest) = ...
//	return (function(...) <script> end)((rest)(...))
//
// so the hidden functions are upvalues of the script, and the script's own
// "..." holds the arguments after them ((rest) drops the first four).
func wrapChunk(body []ast.Stmt) []ast.Stmt {
	first, last := 1, 1
	if len(body) > 0 {
		first, last = body[0].Line(), body[len(body)-1].LastLine()
	}
	decl := &ast.LocalAssignStmt{
		Names: []string{localConcat, localSet, localTable, localRest},
		Exprs: []ast.Expr{&ast.Comma3Expr{}},
	}
	fn := &ast.FunctionExpr{ParList: &ast.ParList{HasVargs: true}, Stmts: body}
	fn.SetLine(first)
	fn.SetLastLine(last)
	rest := &ast.FuncCallExpr{Func: ident(localRest, fn), Args: []ast.Expr{&ast.Comma3Expr{}}}
	rest.SetLine(first)
	rest.SetLastLine(first)
	call := &ast.FuncCallExpr{Func: fn, Args: []ast.Expr{rest}}
	call.SetLine(first)
	call.SetLastLine(last)
	ret := &ast.ReturnStmt{Exprs: []ast.Expr{call}}
	ret.SetLine(first)
	ret.SetLastLine(last)
	decl.SetLine(first)
	decl.SetLastLine(first)
	return []ast.Stmt{decl, ret}
}

// rewriter replaces the AST nodes whose VM instructions could allocate
// without limit in one step:
//
//   - a .. b .. c becomes (concat)(a, b, c), which checks the result size
//     before building it;
//   - t[k] = v with a computed or large numeric key becomes
//     (setindex)(t, k, v), which checks how many array slots the store
//     would add (t[6e7] = 1 would otherwise allocate 1 GiB at once);
//   - a constructor with such keys, {[k] = v}, becomes (table)({...}, k, v)
//     (its keyed fields are then evaluated after the others, where Lua
//     evaluates fields in order; as in Lua, a positional field wins over
//     a keyed one for the same index).
//
// It also refuses nesting deeper than maxSyntaxDepth.
type rewriter struct {
	err *CompileError
	tmp int // counter for temporaries of rewritten multiple assignments
}

func (rw *rewriter) deep(line, depth int) bool {
	if depth > maxSyntaxDepth*levelUnits && rw.err == nil {
		rw.err = &CompileError{Line: line, Msg: "chunk has too many syntax levels"}
	}
	return rw.err != nil
}

func (rw *rewriter) stmts(list []ast.Stmt, depth int) []ast.Stmt {
	for i, s := range list {
		list[i] = rw.stmt(s, depth)
	}
	return list
}

func (rw *rewriter) stmt(s ast.Stmt, depth int) ast.Stmt {
	if rw.deep(s.Line(), depth) {
		return s
	}
	d := depth + levelUnits
	switch s := s.(type) {
	case *ast.AssignStmt:
		rw.exprs(s.Lhs, d)
		rw.exprs(s.Rhs, d)
		return rw.assign(s)
	case *ast.LocalAssignStmt:
		rw.exprs(s.Exprs, d)
	case *ast.FuncCallStmt:
		s.Expr = rw.expr(s.Expr, d)
	case *ast.DoBlockStmt:
		rw.stmts(s.Stmts, d)
	case *ast.WhileStmt:
		s.Condition = rw.expr(s.Condition, d)
		rw.stmts(s.Stmts, d)
	case *ast.RepeatStmt:
		s.Condition = rw.expr(s.Condition, d)
		rw.stmts(s.Stmts, d)
	case *ast.IfStmt:
		s.Condition = rw.expr(s.Condition, d)
		rw.stmts(s.Then, d)
		rw.stmts(s.Else, d)
	case *ast.NumberForStmt:
		s.Init = rw.expr(s.Init, d)
		s.Limit = rw.expr(s.Limit, d)
		if s.Step != nil {
			s.Step = rw.expr(s.Step, d)
		}
		rw.stmts(s.Stmts, d)
	case *ast.GenericForStmt:
		rw.exprs(s.Exprs, d)
		rw.stmts(s.Stmts, d)
	case *ast.FuncDefStmt:
		// The name is a chain of string keys (function a.b.c() end): safe.
		s.Func = rw.expr(s.Func, d).(*ast.FunctionExpr)
	case *ast.ReturnStmt:
		rw.exprs(s.Exprs, d)
	}
	return s
}

func (rw *rewriter) exprs(list []ast.Expr, depth int) {
	for i, e := range list {
		list[i] = rw.expr(e, depth)
	}
}

func (rw *rewriter) expr(e ast.Expr, depth int) ast.Expr {
	if e == nil || rw.deep(e.Line(), depth) {
		return e
	}
	d := depth + levelUnits
	switch e := e.(type) {
	case *ast.StringConcatOpExpr:
		// a .. b .. c parses as a .. (b .. c): flatten the chain without
		// recursing into it, so a long chain costs no depth.
		var args []ast.Expr
		var cur ast.Expr = e
		for {
			c, ok := cur.(*ast.StringConcatOpExpr)
			if !ok {
				break
			}
			args = append(args, rw.expr(c.Lhs, d))
			cur = c.Rhs
		}
		args = append(args, rw.expr(cur, d))
		return hiddenCall(localConcat, e, args...)
	case *ast.ArithmeticOpExpr:
		e.Lhs, e.Rhs = rw.chain(e.Lhs, e, depth), rw.expr(e.Rhs, d)
	case *ast.LogicalOpExpr:
		e.Lhs, e.Rhs = rw.chain(e.Lhs, e, depth), rw.expr(e.Rhs, d)
	case *ast.RelationalOpExpr:
		e.Lhs, e.Rhs = rw.expr(e.Lhs, d), rw.expr(e.Rhs, d)
	case *ast.UnaryMinusOpExpr:
		e.Expr = rw.expr(e.Expr, d)
	case *ast.UnaryNotOpExpr:
		e.Expr = rw.expr(e.Expr, d)
	case *ast.UnaryLenOpExpr:
		e.Expr = rw.expr(e.Expr, d)
	case *ast.AttrGetExpr:
		e.Object, e.Key = rw.expr(e.Object, d), rw.expr(e.Key, d)
	case *ast.FuncCallExpr:
		if e.Func != nil {
			e.Func = rw.expr(e.Func, d)
		}
		if e.Receiver != nil {
			e.Receiver = rw.expr(e.Receiver, d)
		}
		rw.exprs(e.Args, d)
	case *ast.FunctionExpr:
		rw.stmts(e.Stmts, d)
	case *ast.TableExpr:
		return rw.table(e, d)
	}
	return e
}

// chain walks the left operand of a left-associative operator at depth
// (the parent's): an operand of the same kind (a+b in (a+b)+c) costs one
// unit, anything else a level.
func (rw *rewriter) chain(lhs ast.Expr, parent ast.Expr, depth int) ast.Expr {
	same := false
	switch l := lhs.(type) {
	case *ast.ArithmeticOpExpr:
		_, same = parent.(*ast.ArithmeticOpExpr)
	case *ast.LogicalOpExpr:
		p, ok := parent.(*ast.LogicalOpExpr)
		same = ok && p.Operator == l.Operator
	}
	if same {
		return rw.expr(lhs, depth+1)
	}
	return rw.expr(lhs, depth+levelUnits)
}

// table rewrites a constructor with risky keyed fields into
// (table)({other fields}, k1, v1, k2, v2, ...).
func (rw *rewriter) table(e *ast.TableExpr, depth int) ast.Expr {
	var keep []*ast.Field
	var pairs []ast.Expr
	for _, f := range e.Fields {
		if f.Key != nil {
			f.Key = rw.expr(f.Key, depth)
		}
		f.Value = rw.expr(f.Value, depth)
		if f.Key != nil && riskyKey(f.Key) {
			pairs = append(pairs, f.Key, f.Value)
			continue
		}
		keep = append(keep, f)
	}
	if len(pairs) == 0 {
		return e
	}
	e.Fields = keep
	return hiddenCall(localTable, e, append([]ast.Expr{e}, pairs...)...)
}

// assign rewrites stores to risky keys. A single t[k] = v becomes
// (setindex)(t, k, v), which evaluates t, k, v in the order Lua does. A
// multiple assignment becomes a block that evaluates the targets' tables
// and keys first, then the values, then stores right to left, as Lua 5.1.
func (rw *rewriter) assign(s *ast.AssignStmt) ast.Stmt {
	risky := false
	for _, l := range s.Lhs {
		if a, ok := l.(*ast.AttrGetExpr); ok && riskyKey(a.Key) {
			risky = true
		}
	}
	if !risky {
		return s
	}
	if len(s.Lhs) == 1 && len(s.Rhs) == 1 {
		a := s.Lhs[0].(*ast.AttrGetExpr)
		call := &ast.FuncCallStmt{Expr: hiddenCall(localSet, s, a.Object, a.Key, s.Rhs[0])}
		call.SetLine(s.Line())
		call.SetLastLine(s.LastLine())
		return call
	}
	var out []ast.Stmt
	var pre []string
	var preExprs []ast.Expr
	targets := make([]ast.Expr, len(s.Lhs))
	for i, l := range s.Lhs {
		a, ok := l.(*ast.AttrGetExpr)
		if !ok {
			targets[i] = l
			continue
		}
		o, k := rw.temp(), rw.temp()
		pre = append(pre, o, k)
		preExprs = append(preExprs, a.Object, a.Key)
		obj, key := ident(o, s), ident(k, s)
		targets[i] = &ast.AttrGetExpr{Object: obj, Key: key}
		targets[i].SetLine(s.Line())
	}
	if len(pre) > 0 {
		out = append(out, localStmt(pre, preExprs, s))
	}
	vals := make([]string, len(s.Lhs))
	for i := range vals {
		vals[i] = rw.temp()
	}
	out = append(out, localStmt(vals, s.Rhs, s))
	for i := len(targets) - 1; i >= 0; i-- {
		v := ident(vals[i], s)
		if a, ok := targets[i].(*ast.AttrGetExpr); ok {
			call := &ast.FuncCallStmt{Expr: hiddenCall(localSet, s, a.Object, a.Key, v)}
			call.SetLine(s.Line())
			call.SetLastLine(s.LastLine())
			out = append(out, call)
			continue
		}
		st := &ast.AssignStmt{Lhs: []ast.Expr{targets[i]}, Rhs: []ast.Expr{v}}
		st.SetLine(s.Line())
		st.SetLastLine(s.LastLine())
		out = append(out, st)
	}
	blk := &ast.DoBlockStmt{Stmts: out}
	blk.SetLine(s.Line())
	blk.SetLastLine(s.LastLine())
	return blk
}

func (rw *rewriter) temp() string {
	rw.tmp++
	return "(tmp" + strconv.Itoa(rw.tmp) + ")"
}

// riskyKey reports whether a store under key could grow a table's array by
// more than smallIndex slots: anything but a string constant or a small
// positive integer constant.
func riskyKey(key ast.Expr) bool {
	switch k := key.(type) {
	case *ast.StringExpr, *ast.TrueExpr, *ast.FalseExpr, *ast.FunctionExpr, *ast.TableExpr:
		return false
	case *ast.NumberExpr:
		v, err := strconv.ParseFloat(k.Value, 64)
		if err != nil {
			if n, err2 := strconv.ParseInt(k.Value, 0, 64); err2 == nil {
				v = float64(n)
			} else {
				return true
			}
		}
		return v > smallIndex
	}
	return true
}

// hiddenCall builds name(args...) with the position of at.
func hiddenCall(name string, at ast.PositionHolder, args ...ast.Expr) *ast.FuncCallExpr {
	c := &ast.FuncCallExpr{Func: ident(name, at), Args: args, AdjustRet: true}
	c.SetLine(at.Line())
	c.SetLastLine(at.LastLine())
	return c
}

func ident(name string, at ast.PositionHolder) *ast.IdentExpr {
	id := &ast.IdentExpr{Value: name}
	id.SetLine(at.Line())
	id.SetLastLine(at.LastLine())
	return id
}

func localStmt(names []string, exprs []ast.Expr, at ast.PositionHolder) *ast.LocalAssignStmt {
	st := &ast.LocalAssignStmt{Names: names, Exprs: exprs}
	st.SetLine(at.Line())
	st.SetLastLine(at.LastLine())
	return st
}

// protoCache keeps compiled prototypes by script name and text, least
// recently used first out. Prototypes are immutable and shared by every
// Lua state.
type protoCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of cacheKey, most recent at the front
	byKey map[cacheKey]*list.Element
	proto map[cacheKey]*lua.FunctionProto
}

type cacheKey [sha256.Size]byte

func newProtoCache(max int) *protoCache {
	return &protoCache{max: max, order: list.New(), byKey: map[cacheKey]*list.Element{}, proto: map[cacheKey]*lua.FunctionProto{}}
}

func keyOf(name, text string) cacheKey {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var k cacheKey
	h.Sum(k[:0])
	return k
}

// get returns the prototype of name and text starting at firstLine,
// compiling it on a miss.
func (c *protoCache) get(name, text string, firstLine, maxSize int) (*lua.FunctionProto, error) {
	key := name
	if firstLine > 1 {
		key += "\x00" + strconv.Itoa(firstLine)
	}
	k := keyOf(key, text)
	c.mu.Lock()
	if el, ok := c.byKey[k]; ok {
		c.order.MoveToFront(el)
		p := c.proto[k]
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	p, err := compileChunk(name, text, firstLine, maxSize)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[k]; !ok {
		c.byKey[k] = c.order.PushFront(k)
		c.proto[k] = p
		for c.order.Len() > c.max {
			old := c.order.Remove(c.order.Back()).(cacheKey)
			delete(c.byKey, old)
			delete(c.proto, old)
		}
	}
	return p, nil
}
