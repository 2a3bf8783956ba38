package bindings

import (
	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// tapeUD is keras.GradientTape. ganlab records every op whose inputs need a
// gradient, so a tape holds no record of its own: it marks where a Keras
// `with` block began, makes watched tensors leaves that take gradients, and
// enforces the one-use rule of a non-persistent tape.
type tapeUD struct {
	persistent bool
	used       bool
}

// initTape adds GradientTape and grad to the ganlab table.
func (rt *Runtime) initTape(L *lua.LState, g *lua.LTable) {
	methods := L.NewTable()
	methods.RawSetString("watch", rt.Func("GradientTape:watch", rt.tapeWatch))
	methods.RawSetString("gradient", rt.Func("GradientTape:gradient", rt.tapeGradient))
	mt := L.NewTable()
	mt.RawSetString("__index", methods)
	mt.RawSetString("__metatable", lua.LString("GradientTape"))
	mt.RawSetString("__tostring", rt.Func("GradientTape.__tostring", func(L *lua.LState) int {
		L.Push(lua.LString("GradientTape"))
		return 1
	}))
	g.RawSetString("GradientTape", rt.Func("GradientTape", func(L *lua.LState) int {
		a := rt.TableArgs(L, "GradientTape", "persistent", "watch_accessed_variables")
		ud := L.NewUserData()
		ud.Value = &tapeUD{persistent: a.Bool("persistent", false)}
		ud.Metatable = mt
		L.Push(ud)
		return 1
	}))
	g.RawSetString("grad", rt.Func("grad", rt.luaGrad))
}

func checkTape(L *lua.LState) *tapeUD {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if t, ok := ud.Value.(*tapeUD); ok {
			return t
		}
	}
	L.RaiseError("GradientTape: call methods with a colon, tape:gradient(...), got %s as self", typeName(L.Get(1)))
	return nil
}

// tapeWatch is tape:watch(x) (or a list of tensors): x becomes a leaf that
// takes gradients. Only ops run after watch see it, as in Keras. The
// userdata gets a new Var sharing x's value, so other userdata of the same
// Var are untouched.
func (rt *Runtime) tapeWatch(L *lua.LState) int {
	checkTape(L)
	watch := func(lv lua.LValue) {
		t, ok := tensorOf(lv)
		if !ok || t.released {
			L.RaiseError("GradientTape:watch: expected a tensor, got %s", typeName(lv))
		}
		if !t.v.RequiresGrad() {
			leaf := autograd.Leaf(t.v.Value)
			leaf.Name = t.v.Name
			t.v = leaf
		}
	}
	if tb, ok := L.Get(2).(*lua.LTable); ok {
		for i := 1; i <= tb.Len(); i++ {
			watch(tb.RawGetInt(i))
		}
	} else {
		watch(L.Get(2))
	}
	return 0
}

// tapeGradient is tape:gradient(target, sources, {create_graph=false}).
func (rt *Runtime) tapeGradient(L *lua.LState) int {
	tape := checkTape(L)
	if tape.used && !tape.persistent {
		L.RaiseError("GradientTape:gradient: a non-persistent tape can be used once; make it with keras.GradientTape{persistent=true} to call gradient again")
	}
	tape.used = true
	a := rt.PosArgs(L, "GradientTape:gradient", 2, "target", "sources", "create_graph")
	return rt.gradients(L, a, []*autograd.Var{a.Tensor("target")})
}

// luaGrad is keras.grad(f, sources, {create_graph=false}): it calls f() and
// returns its value and the gradients of it.
func (rt *Runtime) luaGrad(L *lua.LState) int {
	a := rt.PosArgs(L, "grad", 1, "f", "sources", "create_graph")
	f := a.Func("f")
	if f == nil {
		a.Fail("f", "expected a function")
	}
	L.Push(f)
	L.Call(0, 1)
	val := L.Get(-1)
	L.Pop(1)
	y, err := rt.ToVar(val)
	if err != nil {
		L.RaiseError("grad: f must return a tensor: %v", err)
	}
	L.Push(val)
	return 1 + rt.gradients(L, a, []*autograd.Var{y})
}

// gradients pushes d(sum of targets)/d(sources): one tensor for a tensor
// source, a list for a list. A source the targets do not depend on gets
// zeros (Keras's unconnected_gradients="zero"). A non-scalar target is
// summed, as TensorFlow's tape does.
func (rt *Runtime) gradients(L *lua.LState, a *Args, targets []*autograd.Var) int {
	src := a.required("sources")
	var sources []*autograd.Var
	single := rt.IsTensor(src)
	if single {
		sources = []*autograd.Var{a.Tensor("sources")}
	} else {
		if _, ok := src.(*lua.LTable); !ok {
			a.Fail("sources", "expected a tensor or a list of tensors, got %s", typeName(src))
		}
		sources = rt.tensorListAllowEmpty(a, "sources")
	}
	seeds := make([]*autograd.Var, len(targets))
	for i, t := range targets {
		seeds[i] = autograd.Const(tensor.Full(t.DType(), 1, t.Shape()...))
	}
	grads, err := autograd.Grad(targets, sources, seeds, a.Bool("create_graph", false))
	if err != nil {
		rt.Raise(L, err)
	}
	if single {
		return rt.PushTensor(L, grads[0])
	}
	out := L.CreateTable(len(grads), 0)
	for _, g := range grads {
		out.Append(rt.NewTensor(L, g, false))
	}
	L.Push(out)
	return 1
}

// tensorListAllowEmpty is tensorList where an empty list is fine (a model
// with no trainable weights).
func (rt *Runtime) tensorListAllowEmpty(a *Args, name string) []*autograd.Var {
	tb := a.Table(name)
	xs := make([]*autograd.Var, tb.Len())
	for i := range xs {
		x, err := rt.ToVar(tb.RawGetInt(i + 1))
		if err != nil {
			a.Fail(name, "entry %d: %v", i+1, err)
		}
		xs[i] = x
	}
	return xs
}
