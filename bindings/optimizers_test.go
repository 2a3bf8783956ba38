package bindings

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// setGlobalTensor makes v the Lua global name (a permanent tensor, as a
// weight is).
func setGlobalTensor(rt *Runtime, name string, v *autograd.Var) {
	rt.L.SetGlobal(name, rt.NewTensor(rt.L, v, true))
}

// TestAdamFromLuaMatchesGo drives Adam from Lua and core/optim's Adam from Go
// on the same gradients: the parameters must agree bit for bit, in both
// calling forms and with clipping.
func TestAdamFromLuaMatchesGo(t *testing.T) {
	for _, tc := range []struct {
		name, ctor, apply string
		cfg               func() optim.AdamConfig
	}{
		{"two lists", "keras.optimizers.Adam{learning_rate=2e-4, beta_1=0.5}", "opt:apply_gradients(grads, {w1, w2})",
			func() optim.AdamConfig {
				c := optim.DefaultAdam()
				c.LearningRate, c.Beta1 = 2e-4, 0.5
				return c
			}},
		{"zip pairs, amsgrad, clipnorm", "keras.optimizers.Adam{learning_rate=0.01, beta_2=0.9, amsgrad=true, clipnorm=0.5}",
			"opt:apply_gradients({{grads[1], w1}, {grads[2], w2}})",
			func() optim.AdamConfig {
				c := optim.DefaultAdam()
				c.LearningRate, c.Beta2, c.Amsgrad, c.ClipNorm = 0.01, 0.9, true, 0.5
				return c
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := tensor.NewRNG(7, 1)
			p1, p2 := rng.Normal(tensor.Float32, 0, 1, 3, 4), rng.Normal(tensor.Float32, 0, 1, 4)
			w1, w2 := autograd.Param(p1.Clone(), "w1"), autograd.Param(p2.Clone(), "w2")
			g1, g2 := autograd.Param(p1.Clone(), "w1"), autograd.Param(p2.Clone(), "w2")
			goOpt, err := optim.NewAdam(tc.cfg())
			if err != nil {
				t.Fatal(err)
			}
			rt, _ := newTestRuntime(t)
			setGlobalTensor(rt, "w1", w1)
			setGlobalTensor(rt, "w2", w2)
			if err := rt.RunString("keras = require('ganlab'); opt = "+tc.ctor, "test.lua"); err != nil {
				t.Fatal(err)
			}
			for step := 0; step < 5; step++ {
				d1, d2 := rng.Normal(tensor.Float32, 0, 1, 3, 4), rng.Normal(tensor.Float32, 0, 2, 4)
				setGlobalTensor(rt, "d1", autograd.Const(d1))
				setGlobalTensor(rt, "d2", autograd.Const(d2))
				if err := rt.RunString("grads = {d1, d2}\n"+tc.apply, "test.lua"); err != nil {
					t.Fatal(err)
				}
				if err := goOpt.ApplyGradients([]*tensor.Tensor{d1, d2}, []*autograd.Var{g1, g2}); err != nil {
					t.Fatal(err)
				}
			}
			for i, pair := range [][2]*autograd.Var{{w1, g1}, {w2, g2}} {
				a, b := pair[0].Value.Float32s(), pair[1].Value.Float32s()
				for k := range a {
					if math.Float32bits(a[k]) != math.Float32bits(b[k]) {
						t.Fatalf("weight %d[%d]: Lua %v, Go %v", i+1, k, a[k], b[k])
					}
				}
			}
			if a, b := p1.Values(), w1.Value.Values(); a[0] == b[0] {
				t.Error("the weight did not move")
			}
		})
	}
}

// TestAdamReferenceFromLua runs testdata/reference/adam_keras.json (Keras 3's
// Adam, computed independently) through the Lua API.
func TestAdamReferenceFromLua(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "reference", "adam_keras.json"))
	if err != nil {
		t.Fatal(err)
	}
	type jt struct {
		Shape []int
		Data  []float64
	}
	var c struct {
		LR          float64 `json:"learning_rate"`
		Beta1       float64 `json:"beta_1"`
		Beta2       float64 `json:"beta_2"`
		Epsilon     float64
		ParamBefore jt `json:"param_before"`
		Steps       []struct {
			Grad       jt
			ParamAfter jt `json:"param_after"`
		}
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	rt, _ := newTestRuntime(t)
	w := autograd.Param(tensor.FromFloat64(c.ParamBefore.Data, c.ParamBefore.Shape...), "w")
	setGlobalTensor(rt, "w", w)
	rt.L.SetGlobal("lr", luaNumber(c.LR))
	rt.L.SetGlobal("b1", luaNumber(c.Beta1))
	rt.L.SetGlobal("b2", luaNumber(c.Beta2))
	rt.L.SetGlobal("eps", luaNumber(c.Epsilon))
	if err := rt.RunString("keras = require('ganlab'); opt = keras.optimizers.Adam{learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps}", "test.lua"); err != nil {
		t.Fatal(err)
	}
	for i, s := range c.Steps {
		setGlobalTensor(rt, "g", autograd.Const(tensor.FromFloat64(s.Grad.Data, s.Grad.Shape...)))
		if err := rt.RunString("opt:apply_gradients({g}, {w})", "test.lua"); err != nil {
			t.Fatal(err)
		}
		got := w.Value.Values()
		for k, want := range s.ParamAfter.Data {
			if math.Abs(got[k]-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("step %d, element %d: got %v want %v", i+1, k, got[k], want)
			}
		}
	}
}

func TestOptimizerLearningRateAndSchedules(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab')
local sch = keras.optimizers.schedules
local opt = keras.optimizers.Adam{learning_rate=2e-4, beta_1=0.5}
print(opt.learning_rate, opt.iterations, opt.name)
opt.learning_rate = 1e-4
print(opt.learning_rate)
local w = keras.ops.ones({2})
local tape = keras.GradientTape()
tape:watch(w)
local g = tape:gradient(keras.ops.sum(w * w), {w})
local e = sch.ExponentialDecay{initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5}
print(e(0), e(10), e(5))
local es = sch.ExponentialDecay{initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5, staircase=true}
print(es(5), es(19), es(20))
local p = sch.PiecewiseConstantDecay{boundaries={2, 4}, values={1, 0.5, 0.1}}
print(p(2), p(3), p(4), p(5))
local c = sch.CosineDecay{initial_learning_rate=1, decay_steps=10, alpha=0.1}
print(c(0), c(5), c(10), c(20))
local l = sch.PolynomialDecay{initial_learning_rate=1, decay_steps=4, end_learning_rate=0.2}
print(l(0), l(2), l(4), l(9))
local sgd = keras.optimizers.SGD{learning_rate=p}
print(sgd.learning_rate, sgd.iterations)
sgd:apply_gradients(g, {w}); sgd:apply_gradients(g, {w}); sgd:apply_gradients(g, {w})
print(sgd.learning_rate, sgd.iterations, w:values()[1])
sgd.learning_rate = 0.25
print(sgd.learning_rate)
local r = keras.optimizers.RMSprop{learning_rate=l, rho=0.8, momentum=0.5, centered=true}
print(r.learning_rate, tostring(r))`)
	// SGD with the piecewise schedule: rates 1, 1, 1 at iterations 0, 1, 2 on
	// the constant gradient 2 (the tape's value at w = 1): w = 1 - 3·2 = -5.
	want := []string{
		"0.0002\t0\tadam",
		"0.0001",
		"0.1\t0.05\t" + fmtNum(0.1*math.Sqrt(0.5)),
		"0.1\t0.05\t0.025",
		"1\t0.5\t0.5\t0.1",
		"1\t0.55\t0.1\t0.1",
		"1\t0.6\t0.2\t0.2",
		"1\t0",
		"0.5\t3\t-5",
		"0.25",
		"1\tRMSprop(learning_rate=1, iterations=0)",
	}
	lines := strings.Split(got, "\n")
	for i, w := range want {
		if !sameFields(at(lines, i), w, 1e-12) {
			t.Errorf("line %d: got %q want %q", i+1, at(lines, i), w)
		}
	}
}

// sameFields compares tab-separated printed values: numbers within a
// relative tolerance, anything else exactly.
func sameFields(got, want string, tol float64) bool {
	g, w := strings.Split(got, "\t"), strings.Split(want, "\t")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		a, errA := strconv.ParseFloat(g[i], 64)
		b, errB := strconv.ParseFloat(w[i], 64)
		if errA == nil && errB == nil {
			if math.Abs(a-b) > tol*math.Max(1, math.Abs(b)) {
				return false
			}
		} else if g[i] != w[i] {
			return false
		}
	}
	return true
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func luaNumber(x float64) lua.LNumber { return lua.LNumber(x) }

func TestOptimizerErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"keras.optimizers.Adam{beta_1=1.5}", "optimizers.Adam: beta_1 = 1.5, want in [0, 1)"},
		{"keras.optimizers.Adam{learning_rate='x'}", "optimizers.Adam: argument learning_rate: expected a number or a keras.optimizers.schedules object"},
		{"keras.optimizers.Adam{lr=1}", `optimizers.Adam: unknown keyword "lr"`},
		{"keras.optimizers.SGD{clipnorm=1, clipvalue=1}", "only one of clipnorm (1), clipvalue (1) and global_clipnorm (0) can be set"},
		{"keras.optimizers.RMSprop{learning_rate=-1}", "learning_rate = -1, want a finite rate"},
		{"keras.optimizers.schedules.PolynomialDecay{initial_learning_rate=1, decay_steps=5, power=2}", "argument power: 2 is not supported"},
		{"keras.optimizers.schedules.PiecewiseConstantDecay{boundaries={1, 2}, values={1}}", "optimizers.schedules.PiecewiseConstantDecay: 1 values for 2 boundaries"},
		{"keras.optimizers.schedules.ExponentialDecay{initial_learning_rate=1, decay_rate=0.5}", "missing argument decay_steps"},
		{"local o = keras.optimizers.Adam{}; o.learning_rate = 'fast'", "Adam: learning_rate: expected a number"},
		{"local o = keras.optimizers.Adam{}; o.iterations = 3", `Adam: field "iterations" cannot be set`},
		{"local o = keras.optimizers.Adam{}; o:apply_gradients({keras.ops.ones({2})}, {})", "Adam:apply_gradients: 1 gradients for 0 weights"},
		{"local o = keras.optimizers.Adam{}; o:apply_gradients({keras.ops.ones({2})}, {keras.ops.ones({3})})", "Adam:apply_gradients: gradient float32 [2] for parameter 0"},
		{"local o = keras.optimizers.Adam{}; local x = keras.ops.ones({2}); keras.GradientTape():watch(x); o:apply_gradients({x}, {x * x})", "weight 1 is the result of an op (mul), not a weight"},
		{"local o = keras.optimizers.Adam{}; o:apply_gradients({1}, {keras.ops.ones({2})})", "Adam:apply_gradients: gradient 1: expected a tensor, got number 1"},
		{"local o = keras.optimizers.Adam{}; o:apply_gradients({{keras.ops.ones({2})}})", "argument grads: entry 1: expected a {grad, weight} pair"},
		{"local o = keras.optimizers.Adam{}; o.apply_gradients({}, {})", "call methods with a colon"},
	} {
		rt, _ := newTestRuntime(t)
		e := runLuaErr(t, rt, "keras = require('ganlab')\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}
