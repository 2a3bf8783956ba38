package bindings

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// MaxElements bounds the size of a tensor a script can ask for by shape
// (ones, zeros, random draws, one_hot, repeat): a typo such as {64, 1e9}
// gets an error instead of taking the machine's memory.
const MaxElements = 1 << 28

// Args is one call's arguments in Keras's convention: positional arguments
// by position, keywords by their Keras names. Names lists every argument the
// function takes in Keras's positional order; a keyword outside it, a
// positional beyond it, or an argument given twice is an error naming the
// function and listing the accepted names.
type Args struct {
	rt    *Runtime
	L     *lua.LState
	fn    string
	names []string
	vals  map[string]lua.LValue
}

// TableArgs parses the one-table call F{pos1, pos2, kw=...} (layers,
// optimizers, losses, random draws): the table's array part are the
// positional arguments, its string keys the keywords. No argument at all is
// an empty call.
func (rt *Runtime) TableArgs(L *lua.LState, fn string, names ...string) *Args {
	a := rt.newArgs(L, fn, names)
	if L.GetTop() == 0 {
		return a
	}
	if L.GetTop() > 1 {
		L.RaiseError("%s: takes one table of arguments, as in %s{...}; got %d arguments", fn, fn, L.GetTop())
	}
	tb, ok := L.Get(1).(*lua.LTable)
	if !ok {
		L.RaiseError("%s: takes one table of arguments, as in %s{...}; got %s", fn, fn, typeName(L.Get(1)))
	}
	a.fromTable(tb, 0)
	return a
}

// PosArgs parses a plain call F(a, b, {kw=...}) from stack index start on
// (2 for methods, to skip self): Lua arguments are positional, and a last
// argument that is a plain table with only string keys holds the keywords.
func (rt *Runtime) PosArgs(L *lua.LState, fn string, start int, names ...string) *Args {
	a := rt.newArgs(L, fn, names)
	top := L.GetTop()
	if top >= start {
		if tb, ok := L.Get(top).(*lua.LTable); ok && isKeywordTable(tb) {
			top--
			defer a.fromTable(tb, top-start+1)
		}
	}
	for i := start; i <= top; i++ {
		a.setPos(i-start, L.Get(i))
	}
	return a
}

func (rt *Runtime) newArgs(L *lua.LState, fn string, names []string) *Args {
	return &Args{rt: rt, L: L, fn: fn, names: names, vals: make(map[string]lua.LValue, len(names))}
}

// isKeywordTable reports whether tb looks like {key=value, ...}: no array
// part, at least one string key, no metatable (objects are values).
func isKeywordTable(tb *lua.LTable) bool {
	if tb.Metatable != lua.LNil || tb.Len() > 0 {
		return false
	}
	k, _ := tb.Next(lua.LNil)
	if k == lua.LNil {
		return false
	}
	keys := true
	tb.ForEach(func(k, _ lua.LValue) {
		if _, ok := k.(lua.LString); !ok {
			keys = false
		}
	})
	return keys
}

func (a *Args) setPos(i int, v lua.LValue) {
	if i >= len(a.names) {
		a.L.RaiseError("%s: takes at most %d positional arguments (%s), got %d", a.fn, len(a.names), strings.Join(a.names, ", "), i+1)
	}
	if v != lua.LNil {
		a.vals[a.names[i]] = v
	}
}

// fromTable reads a call table; npos positional arguments came before it.
func (a *Args) fromTable(tb *lua.LTable, npos int) {
	n := tb.Len()
	for i := 1; i <= n; i++ {
		a.setPos(npos+i-1, tb.RawGetInt(i))
	}
	tb.ForEach(func(k, v lua.LValue) {
		if i, ok := toInt(k); ok && i >= 1 && i <= n {
			return
		}
		key, ok := k.(lua.LString)
		if !ok {
			a.L.RaiseError("%s: unexpected key %s in the argument table", a.fn, typeName(k))
		}
		name := string(key)
		if !containsStr(a.names, name) {
			sorted := append([]string(nil), a.names...)
			sort.Strings(sorted)
			a.L.RaiseError("%s: unknown keyword %q; it takes %s", a.fn, name, strings.Join(sorted, ", "))
		}
		if _, dup := a.vals[name]; dup {
			a.L.RaiseError("%s: argument %s given twice (by position and by name)", a.fn, name)
		}
		a.vals[name] = v
	})
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Has reports whether the argument was given (and not nil).
func (a *Args) Has(name string) bool { _, ok := a.vals[name]; return ok }

// Value returns the argument as given, LNil when absent.
func (a *Args) Value(name string) lua.LValue {
	if v, ok := a.vals[name]; ok {
		return v
	}
	return lua.LNil
}

// Fail raises "fn: argument name: message".
func (a *Args) Fail(name, format string, args ...any) {
	a.L.RaiseError("%s: argument %s: %s", a.fn, name, fmt.Sprintf(format, args...))
}

func (a *Args) required(name string) lua.LValue {
	v, ok := a.vals[name]
	if !ok {
		a.L.RaiseError("%s: missing argument %s", a.fn, name)
	}
	return v
}

// Int returns an integer argument, def when absent.
func (a *Args) Int(name string, def int) int {
	if !a.Has(name) {
		return def
	}
	return a.IntReq(name)
}

// IntReq returns a required integer argument.
func (a *Args) IntReq(name string) int {
	v := a.required(name)
	i, ok := toInt(v)
	if !ok {
		a.Fail(name, "expected an integer, got %s", typeName(v))
	}
	return i
}

// Float returns a number argument, def when absent.
func (a *Args) Float(name string, def float64) float64 {
	v, ok := a.vals[name]
	if !ok {
		return def
	}
	n, ok := v.(lua.LNumber)
	if !ok {
		a.Fail(name, "expected a number, got %s", typeName(v))
	}
	return float64(n)
}

// Bool returns a boolean argument, def when absent.
func (a *Args) Bool(name string, def bool) bool {
	v, ok := a.vals[name]
	if !ok {
		return def
	}
	b, ok := v.(lua.LBool)
	if !ok {
		a.Fail(name, "expected true or false, got %s", typeName(v))
	}
	return bool(b)
}

// String returns a string argument, def when absent; with choices, the
// value must be one of them.
func (a *Args) String(name, def string, choices ...string) string {
	v, ok := a.vals[name]
	if !ok {
		return def
	}
	s, ok := v.(lua.LString)
	if !ok {
		a.Fail(name, "expected a string, got %s", typeName(v))
	}
	if len(choices) > 0 && !containsStr(choices, string(s)) {
		a.Fail(name, "%q is not one of %s", string(s), strings.Join(choices, ", "))
	}
	return string(s)
}

// Tensor returns a required tensor argument; a Lua number becomes a float32
// scalar constant.
func (a *Args) Tensor(name string) *autograd.Var {
	v := a.required(name)
	if n, ok := v.(lua.LNumber); ok {
		return autograd.Const(tensor.Scalar(tensor.Float32, float64(n)))
	}
	x, err := a.rt.ToVar(v)
	if err != nil {
		a.Fail(name, "%v", err)
	}
	return x
}

// OptTensor is Tensor returning nil when absent.
func (a *Args) OptTensor(name string) *autograd.Var {
	if !a.Has(name) {
		return nil
	}
	return a.Tensor(name)
}

// Table returns a table argument, nil when absent.
func (a *Args) Table(name string) *lua.LTable {
	v, ok := a.vals[name]
	if !ok {
		return nil
	}
	tb, ok := v.(*lua.LTable)
	if !ok {
		a.Fail(name, "expected a table, got %s", typeName(v))
	}
	return tb
}

// Func returns a function argument, nil when absent.
func (a *Args) Func(name string) *lua.LFunction {
	v, ok := a.vals[name]
	if !ok {
		return nil
	}
	f, ok := v.(*lua.LFunction)
	if !ok {
		a.Fail(name, "expected a function, got %s", typeName(v))
	}
	return f
}

// IntTuple returns an argument that is an integer or a table of n integers
// (kernel_size=3 or {3, 3}), def when absent.
func (a *Args) IntTuple(name string, n int, def []int) []int {
	v, ok := a.vals[name]
	if !ok {
		return def
	}
	if i, ok := toInt(v); ok {
		out := make([]int, n)
		for k := range out {
			out[k] = i
		}
		return out
	}
	tb, ok := v.(*lua.LTable)
	if !ok || tb.Len() != n {
		a.Fail(name, "expected an integer or a table of %d integers, got %s", n, typeName(v))
	}
	out := make([]int, n)
	for k := range out {
		i, ok := toInt(tb.RawGetInt(k + 1))
		if !ok {
			a.Fail(name, "entry %d: expected an integer, got %s", k+1, typeName(tb.RawGetInt(k+1)))
		}
		out[k] = i
	}
	return out
}

// Shape returns a required shape argument: a table of non-negative
// integers (or one integer) whose product is at most MaxElements.
func (a *Args) Shape(name string) []int {
	v := a.required(name)
	if i, ok := toInt(v); ok {
		v = a.L.NewTable()
		v.(*lua.LTable).Append(lua.LNumber(i))
	}
	tb, ok := v.(*lua.LTable)
	if !ok {
		a.Fail(name, "expected a shape (a table of integers), got %s", typeName(v))
	}
	return a.rt.checkShapeValue(a.L, a.fn, name, tb, false)
}

// Axes returns an axis argument (a number or a table of numbers; Keras's
// 0-based axes, negative from the end); nil when absent, meaning all axes.
func (a *Args) Axes(name string) []int {
	return a.rt.checkAxes(a.L, a.fn, name, a.Value(name))
}

// DType returns a dtype argument ("float32" or "float64"), def when absent.
func (a *Args) DType(name string, def tensor.DType) tensor.DType {
	switch a.String(name, "", "float32", "float64") {
	case "float32":
		return tensor.Float32
	case "float64":
		return tensor.Float64
	}
	return def
}

// toInt converts an integral Lua number that fits an int.
func toInt(v lua.LValue) (int, bool) {
	n, ok := v.(lua.LNumber)
	if !ok {
		return 0, false
	}
	f := float64(n)
	if f != math.Trunc(f) || math.Abs(f) > 1<<52 {
		return 0, false
	}
	return int(f), true
}

// checkShapeValue reads a shape table; with allowInfer one entry may be -1
// (reshape).
func (rt *Runtime) checkShapeValue(L *lua.LState, fn, name string, tb *lua.LTable, allowInfer bool) []int {
	n := tb.Len()
	shape := make([]int, n)
	total := 1
	for i := range shape {
		d, ok := toInt(tb.RawGetInt(i + 1))
		if !ok || d < -1 || (d == -1 && !allowInfer) {
			L.RaiseError("%s: argument %s: entry %d: expected a non-negative integer, got %s", fn, name, i+1, typeName(tb.RawGetInt(i+1)))
		}
		shape[i] = d
		if d > 0 {
			if total > MaxElements/d {
				L.RaiseError("%s: argument %s: shape %v has more than %d elements", fn, name, shape[:i+1], MaxElements)
			}
			total *= d
		}
	}
	return shape
}

// checkAxes reads nil (all axes), an integer or a table of integers.
func (rt *Runtime) checkAxes(L *lua.LState, fn, name string, v lua.LValue) []int {
	if v == lua.LNil {
		return nil
	}
	if i, ok := toInt(v); ok {
		return []int{i}
	}
	tb, ok := v.(*lua.LTable)
	if !ok {
		L.RaiseError("%s: argument %s: expected an axis or a table of axes, got %s", fn, name, typeName(v))
	}
	n := tb.Len()
	if n == 0 {
		L.RaiseError("%s: argument %s: empty table of axes (pass nil for all axes)", fn, name)
	}
	axes := make([]int, n)
	for k := range axes {
		i, ok := toInt(tb.RawGetInt(k + 1))
		if !ok {
			L.RaiseError("%s: argument %s: entry %d: expected an integer axis, got %s", fn, name, k+1, typeName(tb.RawGetInt(k+1)))
		}
		axes[k] = i
	}
	return axes
}

// ShapeTable returns a shape as a Lua table.
func ShapeTable(L *lua.LState, shape []int) *lua.LTable {
	tb := L.CreateTable(len(shape), 0)
	for _, d := range shape {
		tb.Append(lua.LNumber(d))
	}
	return tb
}
