package bindings

import (
	"runtime"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// TestStepTemporariesReleased runs 1,000 scoped steps that each make about
// ten temporaries (some stored in a long-lived Lua table, as a careless
// script would) and checks that the live count returns to its baseline and
// that the Go heap does not grow with the number of steps.
func TestStepTemporariesReleased(t *testing.T) {
	rt, _ := newTestRuntime(t)
	if err := rt.RunString(`
local keras = require('ganlab')
local ops = keras.ops
w = ops.ones({64, 64})
stash = {}
function step(i)
  local x = keras.random.normal{shape={64, 64}}
  local h = ops.tanh(ops.matmul(x, w)) + 1
  local y = (h * h - x / 2):mean()
  stash[i % 10 + 1] = h     -- survives in Lua, but is released
  return y:item()
end`, "steps.lua"); err != nil {
		t.Fatal(err)
	}
	step := rt.L.GetGlobal("step")
	baseline := rt.LiveTensors()
	run := func(n int) {
		for i := range n {
			err := rt.Scope(func() error {
				_, err := rt.Call(step, 1, lua.LNumber(i))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	run(50)
	before := heap()
	run(1000)
	after := heap()
	if got := rt.LiveTensors(); got != baseline {
		t.Errorf("live tensors after 1050 steps: %d, baseline %d", got, baseline)
	}
	// One step's tensors are ~6 x 16 KiB; 1,000 unreleased steps would hold
	// ~100 MiB. Allow 8 MiB of noise.
	if after > before+8<<20 {
		t.Errorf("heap grew from %d to %d bytes over 1000 steps", before, after)
	}
	// The stashed temporaries are released: using one says so.
	e := runLuaErr(t, rt, "local h = stash[1]\nreturn h + 1")
	if !strings.Contains(e.Msg, "test.lua:2:") || !strings.Contains(e.Msg, releasedMsg) {
		t.Errorf("got %q", e.Msg)
	}
	for _, use := range []string{"return stash[1].shape", "return #stash[1]", "return stash[1]:item()", "return require('ganlab').ops.exp(stash[1])", "return require('ganlab').keep(stash[1])"} {
		if e := runLuaErr(t, rt, use); !strings.Contains(e.Msg, "released at the end of the train step") {
			t.Errorf("%s: got %q", use, e.Msg)
		}
	}
	out := &strings.Builder{}
	rt.opts.Stdout = out
	if err := rt.RunString("print(tostring(stash[1]))", "p.lua"); err != nil || strings.TrimSpace(out.String()) != "Tensor(released)" {
		t.Errorf("tostring of a released tensor: %q %v", out.String(), err)
	}
}

func TestKeepAndPermanent(t *testing.T) {
	rt, out := newTestRuntime(t)
	if err := rt.RunString(`
local keras = require('ganlab')
function make() fixed = keras.keep(keras.ops.ones({2}) * 3); temp = keras.ops.ones({2}) end`, "k.lua"); err != nil {
		t.Fatal(err)
	}
	base := rt.LiveTensors()
	err := rt.Scope(func() error {
		_, err := rt.Call(rt.L.GetGlobal("make"), 0)
		if rt.LiveTensors() != base+3 { // ones, ones*3 (kept), ones
			t.Errorf("inside the scope: %d live, want %d", rt.LiveTensors(), base+3)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := rt.LiveTensors(); got != base+1 {
		t.Errorf("after the scope: %d live, want %d (the kept one)", got, base+1)
	}
	if got := runLua(t, rt, out, "print(fixed:sum():item(), pcall(function() return temp + 1 end))"); !strings.HasPrefix(got, "6\tfalse") {
		t.Errorf("got %q", got)
	}
}

func TestNestedScopes(t *testing.T) {
	rt, _ := newTestRuntime(t)
	ones := func() *tensorUD {
		rt.L.SetTop(0)
		if err := rt.RunString("x = require('ganlab').ops.ones({1})", "n.lua"); err != nil {
			t.Fatal(err)
		}
		tu, _ := tensorOf(rt.L.GetGlobal("x"))
		return tu
	}
	outer := rt.BeginScope()
	a := ones()
	inner := rt.BeginScope()
	b := ones()
	rt.EndScope(inner)
	if !b.released || a.released {
		t.Errorf("after the inner scope: a released %v, b released %v", a.released, b.released)
	}
	rt.EndScope(outer)
	if !a.released {
		t.Error("outer scope did not release its tensor")
	}
	defer func() {
		if recover() == nil {
			t.Error("EndScope out of order should panic")
		}
	}()
	rt.EndScope(1)
}

// TestArenaDoesNotKeepDroppedTensorsAlive makes tensors outside any scope
// and drops them: the arena's record of them, which protects their storage
// from graph releases while the script holds them, must not keep them
// from the collector, and is pruned when a scope ends.
func TestArenaDoesNotKeepDroppedTensorsAlive(t *testing.T) {
	rt, _ := newTestRuntime(t)
	for range 100 {
		rt.NewTensor(rt.L, autograd.Const(tensor.New(tensor.Float32, 1<<12)), true)
	}
	held := rt.NewTensor(rt.L, autograd.Const(tensor.New(tensor.Float32, 4)), true)
	runtime.GC()
	if err := rt.Scope(func() error {
		rt.NewTensor(rt.L, autograd.Const(tensor.New(tensor.Float32, 4)), false)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(rt.arena.outside); n > 10 {
		t.Errorf("%d tensors outside the scopes still recorded after 100 were dropped", n)
	}
	found := false
	for _, w := range rt.arena.outside {
		if w.Value() == held.(*lua.LUserData).Value.(*tensorUD) {
			found = true
		}
	}
	if !found {
		t.Error("a tensor still held is no longer recorded")
	}
	runtime.KeepAlive(held)
}
