package bindings

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("random", openRandom) }

// seedGen is keras.random.SeedGenerator: a random stream that every draw
// naming it advances.
type seedGen struct {
	rng  *tensor.RNG
	seed uint64
}

// rngStreamSeedGen separates a SeedGenerator(n) from an integer seed=n.
const rngStreamSeedGen = 0x5347

// openRandom builds keras.random.
func openRandom(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	sgMT := L.NewTable()
	sgMT.RawSetString("__tostring", rt.Func("SeedGenerator.__tostring", func(L *lua.LState) int {
		sg := L.CheckUserData(1).Value.(*seedGen)
		L.Push(lua.LString(fmt.Sprintf("SeedGenerator(%d)", sg.seed)))
		return 1
	}))
	sgMT.RawSetString("__metatable", lua.LString("SeedGenerator"))
	m.RawSetString("SeedGenerator", rt.Func("random.SeedGenerator", func(L *lua.LState) int {
		a := rt.PosArgs(L, "random.SeedGenerator", 1, "seed")
		var seed uint64
		if a.Has("seed") {
			seed = uint64(a.IntReq("seed"))
		} else {
			seed = rt.rng.Uint64() // Keras draws one when none is given
		}
		ud := L.NewUserData()
		ud.Value = &seedGen{rng: tensor.NewRNG(seed, rngStreamSeedGen), seed: seed}
		ud.Metatable = sgMT
		L.Push(ud)
		return 1
	}))
	draw := func(name string, names []string, f func(g *tensor.RNG, a *Args, dt tensor.DType, shape []int) *tensor.Tensor) {
		m.RawSetString(name, rt.Func("random."+name, func(L *lua.LState) int {
			a := rt.randomArgs(L, "random."+name, names)
			shape := a.Shape("shape")
			dt := a.DType("dtype", tensor.Float32)
			g := rt.SeedRNG(L, "random."+name, a.Value("seed"))
			return rt.PushTensor(L, autograd.Const(f(g, a, dt, shape)))
		}))
	}
	draw("normal", []string{"shape", "mean", "stddev", "dtype", "seed"}, func(g *tensor.RNG, a *Args, dt tensor.DType, shape []int) *tensor.Tensor {
		return g.Normal(dt, a.Float("mean", 0), a.Float("stddev", 1), shape...)
	})
	draw("truncated_normal", []string{"shape", "mean", "stddev", "dtype", "seed"}, func(g *tensor.RNG, a *Args, dt tensor.DType, shape []int) *tensor.Tensor {
		return g.TruncatedNormal(dt, a.Float("mean", 0), a.Float("stddev", 1), shape...)
	})
	draw("uniform", []string{"shape", "minval", "maxval", "dtype", "seed"}, func(g *tensor.RNG, a *Args, dt tensor.DType, shape []int) *tensor.Tensor {
		lo, hi := a.Float("minval", 0), a.Float("maxval", 1)
		if !(hi >= lo) {
			a.Fail("maxval", "%v is below minval %v", hi, lo)
		}
		return g.Uniform(dt, lo, hi, shape...)
	})
	return m
}

// randomArgs accepts the three spellings of a draw: normal{shape={2, 3},
// seed=s}, normal{{2, 3}, seed=s} and normal({2, 3}, {seed=s}).
func (rt *Runtime) randomArgs(L *lua.LState, fn string, names []string) *Args {
	if L.GetTop() == 1 {
		if tb, ok := L.Get(1).(*lua.LTable); ok {
			if _, isNum := tb.RawGetInt(1).(lua.LNumber); !isNum {
				return rt.TableArgs(L, fn, names...)
			}
		}
	}
	return rt.PosArgs(L, fn, 1, names...)
}

// SeedRNG returns the stream a seed= argument names: the run's stream for
// nil, a SeedGenerator's stream (advanced by the draw), or for an integer a
// fresh stream from that seed, so that the same integer gives the same
// numbers each time, as in Keras.
func (rt *Runtime) SeedRNG(L *lua.LState, fn string, seed lua.LValue) *tensor.RNG {
	if seed == lua.LNil {
		return rt.rng
	}
	if ud, ok := seed.(*lua.LUserData); ok {
		if sg, ok := ud.Value.(*seedGen); ok {
			return sg.rng
		}
	}
	if n, ok := toInt(seed); ok {
		return tensor.NewRNG(uint64(n), rngStreamLua)
	}
	L.RaiseError("%s: argument seed: expected an integer or a keras.random.SeedGenerator, got %s", fn, typeName(seed))
	return nil
}
