package bindings

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// NewTensor wraps v as a tensor userdata. A permanent tensor (a weight, an
// optimizer slot, a fixed batch) lives for the run; any other tensor made
// while a scope is open is released when that scope ends. A weight is just
// a permanent tensor whose Var is the parameter, so gradient calls accept
// weights and tensors alike.
func (rt *Runtime) NewTensor(L *lua.LState, v *autograd.Var, permanent bool) lua.LValue {
	t := &tensorUD{v: v}
	rt.arena.add(t, permanent)
	ud := L.NewUserData()
	ud.Value = t
	ud.Metatable = rt.tensorMT
	return ud
}

// PushTensor pushes a new non-permanent tensor and returns 1, the usual
// tail of a binding: `return rt.PushTensor(L, y)`.
func (rt *Runtime) PushTensor(L *lua.LState, v *autograd.Var) int {
	L.Push(rt.NewTensor(L, v, false))
	return 1
}

// CheckTensor returns the Var of the tensor at stack index idx, raising a Lua
// error naming the running binding if it is not a tensor or was released.
func (rt *Runtime) CheckTensor(L *lua.LState, idx int) *autograd.Var {
	v, err := rt.ToVar(L.Get(idx))
	if err != nil {
		L.RaiseError("%s: argument #%d: %v", rt.cur, idx, err)
	}
	return v
}

// IsTensor reports whether lv is a tensor userdata (released or not).
func (rt *Runtime) IsTensor(lv lua.LValue) bool {
	_, ok := tensorOf(lv)
	return ok
}

// ToVar returns the Var of a tensor userdata, or an error saying what lv is
// instead or that it was released.
func (rt *Runtime) ToVar(lv lua.LValue) (*autograd.Var, error) {
	t, ok := tensorOf(lv)
	if !ok {
		return nil, fmt.Errorf("expected a tensor, got %s", typeName(lv))
	}
	if t.released {
		return nil, fmt.Errorf("%s", releasedMsg)
	}
	return t.v, nil
}

func tensorOf(lv lua.LValue) (*tensorUD, bool) {
	ud, ok := lv.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	t, ok := ud.Value.(*tensorUD)
	return t, ok
}

// typeName names a Lua value's type for error messages.
func typeName(lv lua.LValue) string {
	if t, ok := tensorOf(lv); ok {
		if t.released {
			return "a released tensor"
		}
		return "a tensor"
	}
	switch v := lv.(type) {
	case lua.LNumber:
		return fmt.Sprintf("number %v", v)
	case lua.LString:
		return fmt.Sprintf("string %q", string(v))
	}
	return lv.Type().String()
}

// checkUD is CheckTensor for the metamethods, which need the box itself.
func (rt *Runtime) checkUD(L *lua.LState, idx int) *tensorUD {
	t, ok := tensorOf(L.Get(idx))
	if !ok {
		L.RaiseError("%s: argument #%d: expected a tensor, got %s", rt.cur, idx, typeName(L.Get(idx)))
	}
	if t.released {
		L.RaiseError("%s", releasedMsg)
	}
	return t
}

// initTensorType builds the tensor metatable and method table.
func (rt *Runtime) initTensorType() {
	L := rt.L
	mt := L.NewTable()
	for name, fn := range map[string]lua.LGFunction{
		"__add":      func(L *lua.LState) int { return rt.arith(L, opAdd) },
		"__sub":      func(L *lua.LState) int { return rt.arith(L, opSub) },
		"__mul":      func(L *lua.LState) int { return rt.arith(L, opMul) },
		"__div":      func(L *lua.LState) int { return rt.arith(L, opDiv) },
		"__unm":      func(L *lua.LState) int { return rt.PushTensor(L, autograd.Neg(rt.checkUD(L, 1).v)) },
		"__len":      rt.tensorLen,
		"__tostring": tensorToString,
		"__index":    rt.tensorIndex,
		"__newindex": func(L *lua.LState) int { L.RaiseError("tensors are read-only; make a new one"); return 0 },
		"__eq":       tensorEq,
	} {
		mt.RawSetString(name, rt.Func(opName(name), fn))
	}
	mt.RawSetString("__metatable", lua.LString("tensor"))
	rt.tensorMT = mt
	rt.methods = map[string]*lua.LFunction{}
	for name, fn := range map[string]lua.LGFunction{
		"item":    rt.tensorItem,
		"values":  rt.tensorValues,
		"reshape": rt.tensorReshape,
		"detach":  func(L *lua.LState) int { return rt.PushTensor(L, rt.checkUD(L, 1).v.Detach()) },
		"mean":    func(L *lua.LState) int { return rt.tensorReduce(L, "mean", autograd.Mean) },
		"sum":     func(L *lua.LState) int { return rt.tensorReduce(L, "sum", autograd.Sum) },
	} {
		rt.methods[name] = rt.Func("tensor:"+name, fn)
	}
}

// opName maps metamethods to the op names tensor errors use ("add: shapes
// ... do not broadcast").
func opName(meta string) string {
	switch meta {
	case "__add", "__sub", "__mul", "__div":
		return meta[2:]
	case "__unm":
		return "neg"
	}
	return "tensor." + meta
}

type arithOp int

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
)

// arith is a binary operator. A Lua number on either side becomes a scalar
// of the tensor's dtype; scalar cases use the cheaper scalar ops.
func (rt *Runtime) arith(L *lua.LState, op arithOp) int {
	a, b := L.Get(1), L.Get(2)
	an, aNum := a.(lua.LNumber)
	bn, bNum := b.(lua.LNumber)
	switch {
	case bNum:
		x, s := rt.checkUD(L, 1).v, float64(bn)
		switch op {
		case opAdd:
			return rt.PushTensor(L, autograd.AddScalar(x, s))
		case opSub:
			return rt.PushTensor(L, autograd.AddScalar(x, -s))
		case opMul:
			return rt.PushTensor(L, autograd.Scale(x, s))
		}
		return rt.PushTensor(L, autograd.Div(x, scalarLike(x, s)))
	case aNum:
		x, s := rt.checkUD(L, 2).v, float64(an)
		switch op {
		case opAdd:
			return rt.PushTensor(L, autograd.AddScalar(x, s))
		case opSub:
			return rt.PushTensor(L, autograd.AddScalar(autograd.Neg(x), s))
		case opMul:
			return rt.PushTensor(L, autograd.Scale(x, s))
		}
		return rt.PushTensor(L, autograd.Div(scalarLike(x, s), x))
	}
	x, y := rt.checkUD(L, 1).v, rt.checkUD(L, 2).v
	return rt.PushTensor(L, binary(op, x, y))
}

func binary(op arithOp, x, y *autograd.Var) *autograd.Var {
	switch op {
	case opAdd:
		return autograd.Add(x, y)
	case opSub:
		return autograd.Sub(x, y)
	case opMul:
		return autograd.Mul(x, y)
	}
	return autograd.Div(x, y)
}

// scalarLike is the constant s with x's dtype.
func scalarLike(x *autograd.Var, s float64) *autograd.Var {
	return autograd.Const(tensor.Scalar(x.DType(), s))
}

func (rt *Runtime) tensorLen(L *lua.LState) int {
	v := rt.checkUD(L, 1).v
	if v.Value.Rank() == 0 {
		L.RaiseError("len: a scalar tensor has no first axis")
	}
	L.Push(lua.LNumber(v.Value.Dim(0)))
	return 1
}

func tensorToString(L *lua.LState) int {
	t, ok := tensorOf(L.Get(1))
	switch {
	case !ok:
		L.Push(lua.LString(typeName(L.Get(1))))
	case t.released:
		L.Push(lua.LString("Tensor(released)"))
	default:
		L.Push(lua.LString(t.v.Value.String()))
	}
	return 1
}

// tensorEq is identity: the same userdata, or two userdata for the same
// Var (a weight pushed twice).
func tensorEq(L *lua.LState) int {
	a, _ := tensorOf(L.Get(1))
	b, _ := tensorOf(L.Get(2))
	L.Push(lua.LBool(a == b || (a != nil && b != nil && a.v != nil && a.v == b.v)))
	return 1
}

// tensorIndex serves t.shape, t.dtype, t.ndim, methods, and t[i] (the i-th
// example, 1-based, as a tensor without the first axis).
func (rt *Runtime) tensorIndex(L *lua.LState) int {
	t := rt.checkUD(L, 1)
	switch k := L.Get(2).(type) {
	case lua.LNumber:
		return rt.tensorExample(L, t.v, k)
	case lua.LString:
		switch string(k) {
		case "shape":
			L.Push(ShapeTable(L, t.v.Shape()))
		case "dtype":
			L.Push(lua.LString(t.v.DType().String()))
		case "ndim":
			L.Push(lua.LNumber(t.v.Value.Rank()))
		default:
			if m, ok := rt.methods[string(k)]; ok {
				L.Push(m)
			} else {
				L.Push(lua.LNil)
			}
		}
		return 1
	}
	L.RaiseError("tensor index: expected a field name or an example number, got %s", typeName(L.Get(2)))
	return 0
}

func (rt *Runtime) tensorExample(L *lua.LState, v *autograd.Var, k lua.LNumber) int {
	shape := v.Shape()
	if len(shape) == 0 {
		L.RaiseError("index: a scalar tensor has no examples")
	}
	i, ok := toInt(k)
	if !ok || i < 1 || i > shape[0] {
		L.RaiseError("index: example %v out of range 1..%d", float64(k), shape[0])
	}
	s := autograd.SliceAxis(v, 0, i-1, i)
	return rt.PushTensor(L, autograd.Reshape(s, shape[1:]...))
}

func (rt *Runtime) tensorItem(L *lua.LState) int {
	v := rt.checkUD(L, 1).v
	if v.Value.Len() != 1 {
		L.RaiseError("item: tensor of shape %v has %d values, not one", v.Shape(), v.Value.Len())
	}
	L.Push(lua.LNumber(v.Value.At(0)))
	return 1
}

func (rt *Runtime) tensorValues(L *lua.LState) int {
	v := rt.checkUD(L, 1).v
	n := v.Value.Len()
	tb := L.CreateTable(n, 0)
	for i := 0; i < n; i++ {
		tb.RawSetInt(i+1, lua.LNumber(v.Value.At(i)))
	}
	L.Push(tb)
	return 1
}

// tensorReshape accepts t:reshape{2, 3} and t:reshape(2, 3).
func (rt *Runtime) tensorReshape(L *lua.LState) int {
	v := rt.checkUD(L, 1).v
	var shape []int
	if tb, ok := L.Get(2).(*lua.LTable); ok {
		shape = rt.checkShapeValue(L, "reshape", "shape", tb, true)
	} else {
		for i := 2; i <= L.GetTop(); i++ {
			d, ok := toInt(L.Get(i))
			if !ok || d < -1 {
				L.RaiseError("reshape: dimension #%d: expected an integer >= -1, got %s", i-1, typeName(L.Get(i)))
			}
			shape = append(shape, d)
		}
	}
	return rt.PushTensor(L, autograd.Reshape(v, shape...))
}

// tensorReduce is t:mean(axis, keepdims) and t:sum(axis, keepdims) with
// Keras axes (0-based, negative from the end, nil for all).
func (rt *Runtime) tensorReduce(L *lua.LState, name string, f func(*autograd.Var, []int, bool) *autograd.Var) int {
	v := rt.checkUD(L, 1).v
	axes := rt.checkAxes(L, name, "axis", L.Get(2))
	keep := lua.LVAsBool(L.Get(3))
	return rt.PushTensor(L, f(v, axes, keep))
}
