package bindings

import (
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	lua "github.com/yuin/gopher-lua"
)

// BenchmarkLuaOpOverhead compares one small-tensor op called from Lua with
// the same op called from Go; the difference is what the Lua layer costs
// per op call (argument checks, userdata, scope bookkeeping). Steps of 100
// ops run inside a scope, as train_step does.
//
// Measured on the 2-core machine (go test -bench LuaOpOverhead -benchtime 2s):
// see the final report in doc.go.
func BenchmarkLuaOpOverhead(b *testing.B) {
	x := autograd.Const(onesT(8))
	y := autograd.Const(onesT(8))
	b.Run("go_add", func(b *testing.B) {
		for b.Loop() {
			_ = autograd.Add(x, y)
		}
	})
	b.Run("go_mean_axis", func(b *testing.B) {
		for b.Loop() {
			_ = autograd.Mean(x, []int{0}, false)
		}
	})
	for _, bc := range []struct{ name, body string }{
		{"lua_empty_loop", ""},
		{"lua_operator_add", "local c = a + b"},
		{"lua_ops_add", "local c = ops.add(a, b)"},
		{"lua_ops_mean_axis", "local c = ops.mean(a, 0)"},
		{"lua_method_sum", "local c = a:sum()"},
		{"lua_field_shape", "local c = a.shape"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt, _ := newTestRuntime(b)
			rt.L.SetGlobal("a", rt.NewTensor(rt.L, x, true))
			rt.L.SetGlobal("b", rt.NewTensor(rt.L, y, true))
			if err := rt.RunString("ops = require('ganlab').ops\nfunction step(n) for i = 1, n do "+bc.body+" end end", "bench.lua"); err != nil {
				b.Fatal(err)
			}
			step := rt.L.GetGlobal("step")
			const perStep = 100
			b.ResetTimer()
			for done := 0; done < b.N; done += perStep {
				n := min(perStep, b.N-done)
				if err := rt.Scope(func() error { _, err := rt.Call(step, 0, lua.LNumber(n)); return err }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
