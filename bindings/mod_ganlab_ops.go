package bindings

import (
	"math"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("ops", openOps) }

// Ops lists keras.ops's names; the fuzz target draws from it.
var unaryOps = map[string]func(*autograd.Var) *autograd.Var{
	"square": autograd.Square, "sqrt": autograd.Sqrt, "exp": autograd.Exp, "log": autograd.Log,
	"abs": autograd.Abs, "sigmoid": autograd.Sigmoid, "tanh": autograd.Tanh, "relu": autograd.Relu,
	"softplus": autograd.Softplus, "negative": autograd.Neg, "stop_gradient": autograd.StopGradient,
}

var reduceOps = map[string]func(*autograd.Var, []int, bool) *autograd.Var{
	"mean": autograd.Mean, "sum": autograd.Sum, "max": autograd.Max, "min": autograd.Min,
	"var": autograd.Variance, "logsumexp": autograd.LogSumExp,
}

var binaryOps = map[string]func(a, b *autograd.Var) *autograd.Var{
	"add": autograd.Add, "subtract": autograd.Sub, "multiply": autograd.Mul, "divide": autograd.Div,
	"maximum": autograd.Maximum, "minimum": autograd.Minimum,
	"matmul": func(a, b *autograd.Var) *autograd.Var { return autograd.MatMul(a, b, false, false) },
}

// openOps builds keras.ops. Every op goes through core/autograd, so
// gradients flow through anything a script computes.
func openOps(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	set := func(name string, fn lua.LGFunction) { m.RawSetString(name, rt.Func("ops."+name, fn)) }
	for name, f := range unaryOps {
		set(name, func(L *lua.LState) int {
			a := rt.PosArgs(L, "ops."+name, 1, "x")
			return rt.PushTensor(L, f(a.Tensor("x")))
		})
	}
	for name, f := range reduceOps {
		set(name, func(L *lua.LState) int {
			a := rt.PosArgs(L, "ops."+name, 1, "x", "axis", "keepdims")
			return rt.PushTensor(L, f(a.Tensor("x"), a.Axes("axis"), a.Bool("keepdims", false)))
		})
	}
	for name, f := range binaryOps {
		set(name, func(L *lua.LState) int {
			a := rt.PosArgs(L, "ops."+name, 1, "x1", "x2")
			x, y := rt.operandPair(a, "x1", "x2")
			return rt.PushTensor(L, f(x, y))
		})
	}
	set("softmax", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.softmax", 1, "x", "axis")
		return rt.PushTensor(L, autograd.Softmax(a.Tensor("x"), a.Int("axis", -1)))
	})
	set("log_softmax", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.log_softmax", 1, "x", "axis")
		return rt.PushTensor(L, autograd.LogSoftmax(a.Tensor("x"), a.Int("axis", -1)))
	})
	set("leaky_relu", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.leaky_relu", 1, "x", "negative_slope")
		return rt.PushTensor(L, autograd.LeakyRelu(a.Tensor("x"), a.Float("negative_slope", 0.2)))
	})
	set("clip", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.clip", 1, "x", "x_min", "x_max")
		x := a.Tensor("x")
		lo, hi := a.Float("x_min", math.Inf(-1)), a.Float("x_max", math.Inf(1))
		return rt.PushTensor(L, autograd.Minimum(autograd.Maximum(x, scalarLike(x, lo)), scalarLike(x, hi)))
	})
	fill := func(name string, v float64) {
		set(name, func(L *lua.LState) int {
			a := rt.PosArgs(L, "ops."+name, 1, "shape", "dtype")
			return rt.PushTensor(L, autograd.Const(tensor.Full(a.DType("dtype", tensor.Float32), v, a.Shape("shape")...)))
		})
		set(name+"_like", func(L *lua.LState) int {
			a := rt.PosArgs(L, "ops."+name+"_like", 1, "x", "dtype")
			x := a.Tensor("x")
			return rt.PushTensor(L, autograd.Const(tensor.Full(a.DType("dtype", x.DType()), v, x.Shape()...)))
		})
	}
	fill("ones", 1)
	fill("zeros", 0)
	set("full", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.full", 1, "shape", "fill_value", "dtype")
		return rt.PushTensor(L, autograd.Const(tensor.Full(a.DType("dtype", tensor.Float32), a.Float("fill_value", 0), a.Shape("shape")...)))
	})
	set("concatenate", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.concatenate", 1, "xs", "axis")
		return rt.PushTensor(L, autograd.Concat(a.Int("axis", 0), rt.tensorList(a, "xs")...))
	})
	set("stack", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.stack", 1, "x", "axis")
		return rt.PushTensor(L, autograd.Stack(a.Int("axis", 0), rt.tensorList(a, "x")...))
	})
	set("reshape", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.reshape", 1, "x", "newshape")
		x := a.Tensor("x")
		var shape []int
		if tb := a.Table("newshape"); tb != nil {
			shape = rt.checkShapeValue(L, "ops.reshape", "newshape", tb, true)
		} else {
			shape = []int{a.IntReq("newshape")}
		}
		return rt.PushTensor(L, autograd.Reshape(x, shape...))
	})
	set("transpose", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.transpose", 1, "x", "axes")
		x := a.Tensor("x")
		perm := a.Axes("axes")
		if perm == nil {
			r := x.Value.Rank()
			for i := range r {
				perm = append(perm, r-1-i)
			}
		}
		if len(perm) != x.Value.Rank() {
			a.Fail("axes", "%v is not a permutation of %d axes", perm, x.Value.Rank())
		}
		return rt.PushTensor(L, autograd.Permute(x, perm...))
	})
	set("one_hot", rt.opsOneHot)
	set("repeat", rt.opsRepeat)
	set("convert_to_tensor", rt.opsConvert)
	set("shape", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.shape", 1, "x")
		L.Push(ShapeTable(L, a.Tensor("x").Shape()))
		return 1
	})
	set("cast", func(L *lua.LState) int {
		a := rt.PosArgs(L, "ops.cast", 1, "x", "dtype")
		x := a.Tensor("x")
		dt := a.DType("dtype", x.DType())
		if dt == x.DType() {
			return rt.PushTensor(L, x)
		}
		// A cast changes storage; the gradient does not flow through it.
		return rt.PushTensor(L, autograd.Const(x.Value.AsType(dt)))
	})
	return m
}

// operandPair reads two operands of which either may be a Lua number; a
// number takes the other operand's dtype.
func (rt *Runtime) operandPair(a *Args, n1, n2 string) (*autograd.Var, *autograd.Var) {
	v1, v2 := a.required(n1), a.required(n2)
	num1, isNum1 := v1.(lua.LNumber)
	num2, isNum2 := v2.(lua.LNumber)
	switch {
	case isNum1 && !isNum2:
		y := a.Tensor(n2)
		return scalarLike(y, float64(num1)), y
	case isNum2 && !isNum1:
		x := a.Tensor(n1)
		return x, scalarLike(x, float64(num2))
	}
	return a.Tensor(n1), a.Tensor(n2)
}

// tensorList reads a Lua list of tensors.
func (rt *Runtime) tensorList(a *Args, name string) []*autograd.Var {
	tb := a.Table(name)
	if tb == nil {
		a.Fail(name, "expected a list of tensors")
	}
	n := tb.Len()
	if n == 0 {
		a.Fail(name, "empty list of tensors")
	}
	xs := make([]*autograd.Var, n)
	for i := range xs {
		x, err := rt.ToVar(tb.RawGetInt(i + 1))
		if err != nil {
			a.Fail(name, "entry %d: %v", i+1, err)
		}
		xs[i] = x
	}
	return xs
}

// opsOneHot is ops.one_hot(x, num_classes): labels (integers stored as
// floats) become rows of zeros with a one; a label outside [0, num_classes)
// gives a row of zeros, as in Keras.
func (rt *Runtime) opsOneHot(L *lua.LState) int {
	a := rt.PosArgs(L, "ops.one_hot", 1, "x", "num_classes", "dtype")
	x := a.Tensor("x")
	n := a.IntReq("num_classes")
	if n < 1 {
		a.Fail("num_classes", "must be at least 1, got %d", n)
	}
	cnt := x.Value.Len()
	if cnt > 0 && n > MaxElements/cnt {
		a.Fail("num_classes", "%d labels x %d classes exceeds %d elements", cnt, n, MaxElements)
	}
	out := tensor.New(a.DType("dtype", tensor.Float32), append(x.Shape(), n)...)
	for i := range cnt {
		lab := x.Value.At(i)
		if lab != math.Trunc(lab) {
			a.Fail("x", "label %v at flat index %d is not an integer", lab, i)
		}
		if lab >= 0 && lab < float64(n) {
			out.SetAt(i*n+int(lab), 1)
		}
	}
	return rt.PushTensor(L, autograd.Const(out))
}

// opsRepeat is ops.repeat(x, repeats, axis): NumPy's repeat of each element
// (flattened when axis is nil), as a gather so the gradient flows.
func (rt *Runtime) opsRepeat(L *lua.LState) int {
	a := rt.PosArgs(L, "ops.repeat", 1, "x", "repeats", "axis")
	x := a.Tensor("x")
	r := a.IntReq("repeats")
	if r < 0 {
		a.Fail("repeats", "must be non-negative, got %d", r)
	}
	if !a.Has("axis") {
		x = autograd.Reshape(x, x.Value.Len())
	}
	shape := x.Shape()
	if len(shape) == 0 {
		x, shape = autograd.Reshape(x, 1), []int{1}
	}
	axis := a.Int("axis", 0)
	if axis < 0 {
		axis += len(shape)
	}
	if axis < 0 || axis >= len(shape) {
		a.Fail("axis", "axis %d out of range for rank %d", a.Int("axis", 0), len(shape))
	}
	total := x.Value.Len()
	if r > 0 && total > MaxElements/r {
		a.Fail("repeats", "result would exceed %d elements", MaxElements)
	}
	outer := tensor.Numel(shape[:axis])
	n := shape[axis]
	inner := tensor.Numel(shape[axis+1:])
	idx := make([]int, 0, total*r)
	for o := range outer {
		for i := range n {
			for range r {
				base := (o*n + i) * inner
				for k := range inner {
					idx = append(idx, base+k)
				}
			}
		}
	}
	out := append([]int(nil), shape...)
	out[axis] *= r
	return rt.PushTensor(L, autograd.Gather(x, idx, out...))
}

// opsConvert is ops.convert_to_tensor(number | nested table | tensor, dtype).
func (rt *Runtime) opsConvert(L *lua.LState) int {
	a := rt.PosArgs(L, "ops.convert_to_tensor", 1, "x", "dtype")
	v := a.required("x")
	if rt.IsTensor(v) {
		x := a.Tensor("x")
		if dt := a.DType("dtype", x.DType()); dt != x.DType() {
			return rt.PushTensor(L, autograd.Const(x.Value.AsType(dt)))
		}
		return rt.PushTensor(L, x)
	}
	dt := a.DType("dtype", tensor.Float32)
	// The shape follows the first entry down; walk then checks that every
	// list at depth d has shape[d] entries and numbers sit at the bottom.
	var shape []int
	for cur := v; ; {
		t, ok := cur.(*lua.LTable)
		if !ok {
			break
		}
		if len(shape) >= 32 {
			a.Fail("x", "nested deeper than 32 levels (a table that contains itself?)")
		}
		shape = append(shape, t.Len())
		if t.Len() == 0 {
			break
		}
		cur = t.RawGetInt(1)
	}
	var data []float64
	var walk func(v lua.LValue, depth int)
	walk = func(v lua.LValue, depth int) {
		switch t := v.(type) {
		case lua.LNumber:
			if depth != len(shape) {
				a.Fail("x", "ragged nesting: a number at depth %d of shape %v", depth, shape)
			}
			data = append(data, float64(t))
		case *lua.LTable:
			if depth >= len(shape) || t.Len() != shape[depth] {
				a.Fail("x", "ragged nesting: a list of %d at depth %d of shape %v", t.Len(), depth, shape)
			}
			if len(data)+t.Len() > MaxElements {
				a.Fail("x", "more than %d elements", MaxElements)
			}
			for i := 1; i <= t.Len(); i++ {
				walk(t.RawGetInt(i), depth+1)
			}
		default:
			a.Fail("x", "expected numbers, got %s", typeName(v))
		}
	}
	walk(v, 0)
	if len(data) != tensor.Numel(shape) {
		a.Fail("x", "ragged nesting: %d numbers for shape %v", len(data), shape)
	}
	return rt.PushTensor(L, autograd.Const(tensor.FromValues(dt, data, shape...)))
}
