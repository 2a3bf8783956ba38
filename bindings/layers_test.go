package bindings

import (
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/tensor"
)

// globalLayer returns the Go layer behind a Lua global.
func globalLayer(t *testing.T, rt *Runtime, name string) nn.Layer {
	t.Helper()
	u, ok := layerOf(rt.L.GetGlobal(name))
	if !ok {
		t.Fatalf("global %s is %s, not a layer", name, typeName(rt.L.GetGlobal(name)))
	}
	return u.l
}

// TestDenseMatchesNaive checks Dense{3, activation="tanh"} from Lua
// against tanh(x·W + b) written out with loops over the layer's weights.
func TestDenseMatchesNaive(t *testing.T) {
	rt, _ := newTestRuntime(t)
	_, got := evalTensor(t, rt, `
local keras = require("ganlab")
d = keras.layers.Dense{3, activation = "tanh"}
x = keras.ops.convert_to_tensor({{1, -2, 0.5, 3}, {0.25, 0, -1, 2}}, "float64")
result = d(x)`)
	ws := globalLayer(t, rt, "d").Weights()
	if len(ws) != 2 {
		t.Fatalf("dense has %d weights, want kernel and bias", len(ws))
	}
	k, b := ws[0].Value(), ws[1].Value()
	if !tensor.SameShape(k.Shape(), []int{4, 3}) || !tensor.SameShape(b.Shape(), []int{3}) {
		t.Fatalf("kernel %v bias %v, want (4, 3) and (3)", k.Shape(), b.Shape())
	}
	x := [][]float64{{1, -2, 0.5, 3}, {0.25, 0, -1, 2}}
	var want []float64
	for _, row := range x {
		for j := range 3 {
			s := b.At(j)
			for i, xi := range row {
				s += xi * k.At(i*3+j)
			}
			want = append(want, math.Tanh(s))
		}
	}
	if !closeAll(got, want, 1e-12) {
		t.Errorf("got %v want %v", got, want)
	}
}

// TestLayersMatchCoreNN builds layers from Lua and the same layers in Go
// with core/nn's constructors and options, copies the weights across and
// compares outputs: the adapter must map every argument to the right option.
func TestLayersMatchCoreNN(t *testing.T) {
	for _, tc := range []struct {
		name, lua string
		shape     []int
		goLayer   func() nn.Layer
	}{
		{"Conv2D strides same", `layers.Conv2D{4, {3, 3}, strides = {2, 2}, padding = "same"}`, []int{2, 7, 7, 3},
			func() nn.Layer { return nn.NewConv2D(4, 3, nn.Strides(2), nn.Padding("same")) }},
		{"Conv2D 3x2 valid no bias", `layers.Conv2D{2, {3, 2}, use_bias = false, activation = "relu"}`, []int{1, 5, 6, 2},
			func() nn.Layer {
				return nn.NewConv2D(2, 3, nn.KernelSize(3, 2), nn.UseBias(false), nn.Activation("relu"))
			}},
		{"Conv2DTranspose", `layers.Conv2DTranspose{3, 4, strides = 2, padding = "same"}`, []int{2, 4, 4, 5},
			func() nn.Layer { return nn.NewConv2DTranspose(3, 4, nn.Strides(2), nn.Padding("same")) }},
		{"BatchNormalization", `layers.BatchNormalization{momentum = 0.9, epsilon = 1e-5}`, []int{4, 3, 3, 2},
			func() nn.Layer { return nn.NewBatchNormalization(nn.Momentum(0.9), nn.Epsilon(1e-5)) }},
		{"LeakyReLU", `layers.LeakyReLU{negative_slope = 0.2}`, []int{3, 4},
			func() nn.Layer { return nn.NewLeakyReLU(0.2) }},
		{"ZeroPadding2D nested", `layers.ZeroPadding2D{{{1, 0}, {2, 1}}}`, []int{1, 2, 3, 1},
			func() nn.Layer { return nn.NewZeroPadding2D([]int{1, 0, 2, 1}) }},
		{"UpSampling2D", `layers.UpSampling2D{2}`, []int{1, 2, 3, 2},
			func() nn.Layer { return nn.NewUpSampling2D(nn.Size(2)) }},
		{"Reshape", `layers.Reshape{{2, 6}}`, []int{3, 12},
			func() nn.Layer { return nn.NewReshape([]int{2, 6}) }},
		{"GroupNormalization", `layers.GroupNormalization{2}`, []int{2, 3, 3, 4},
			func() nn.Layer { return nn.NewGroupNormalization(2) }},
		{"MaxPooling2D", `layers.MaxPooling2D{2}`, []int{1, 4, 4, 2},
			func() nn.Layer { return nn.NewMaxPooling2D(nn.PoolSize(2)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, _ := newTestRuntime(t)
			x := tensor.NewRNG(7, 1).Normal(tensor.Float64, 0, 1, tc.shape...)
			rt.L.SetGlobal("x", rt.NewTensor(rt.L, autograd.Const(x), true))
			_, got := evalTensor(t, rt, "local keras = require('ganlab'); layers = keras.layers\nl = "+tc.lua+"\nresult = l(x, {training = true})")
			lw := globalLayer(t, rt, "l").Weights()
			g := tc.goLayer()
			g.(interface{ SetDType(tensor.DType) }).SetDType(tensor.Float64)
			if err := g.Build(tc.shape); err != nil {
				t.Fatal(err)
			}
			gw := g.Weights()
			if len(gw) != len(lw) {
				t.Fatalf("%d weights from Lua, %d from Go", len(lw), len(gw))
			}
			for i := range gw {
				if !tensor.SameShape(gw[i].Shape(), lw[i].Shape()) {
					t.Fatalf("weight %d: shape %v from Lua, %v from Go", i, lw[i].Shape(), gw[i].Shape())
				}
				gw[i].Var.Value = tensor.FromValues(tensor.Float64, lw[i].Value().Values(), lw[i].Shape()...)
			}
			y, err := g.Call(autograd.Const(x), true)
			if err != nil {
				t.Fatal(err)
			}
			if !closeAll(got, y.Value.Values(), 1e-12) {
				t.Errorf("Lua %v\nGo  %v", got, y.Value.Values())
			}
		})
	}
}

// TestLayerFields checks name, trainable, the weight lists (the same
// userdata on every access, no arena growth) and freezing.
func TestLayerFields(t *testing.T) {
	rt, out := newTestRuntime(t)
	runLua(t, rt, out, `
keras = require("ganlab")
d = keras.layers.Dense{4, name = "head"}
d(keras.ops.ones{2, 3})`)
	before := rt.LiveTensors()
	got := runLua(t, rt, out, `
local a, b = d.trainable_weights, d.trainable_weights
assert(rawequal(a[1], b[1]) and rawequal(d.weights[2], a[2]), "weights must be the same userdata")
for i = 1, 100 do local _ = d.trainable_weights; local _ = d.weights end
print(d.name, d.trainable, #d.weights, #d.trainable_weights, #d.non_trainable_weights, d:count_params())
d.trainable = false
print(d.trainable, #d.trainable_weights, #d.non_trainable_weights)
d.trainable = true
print(a[1].shape[1], a[1].shape[2], d.built, d.class_name)`)
	want := "head\ttrue\t2\t2\t0\t16\nfalse\t0\t2\n3\t4\ttrue\tDense"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if n := rt.LiveTensors(); n != before+2 {
		t.Errorf("live tensors %d -> %d after 200 weight-list reads, want +2 (one userdata per weight)", before, n)
	}
}

// TestTrainingFlag checks Dropout: inference by default outside fit, the
// keyword overriding it.
func TestTrainingFlag(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require("ganlab")
local drop = keras.layers.Dropout{0.5, seed = 3}
local x = keras.ops.ones{200}
local function zeros(y) local n = 0; for _, v in ipairs(y:values()) do if v == 0 then n = n + 1 end end; return n end
print(zeros(drop(x)), zeros(drop(x, {training = false})), zeros(drop(x, {training = true})) > 50)`)
	if got != "0\t0\ttrue" {
		t.Errorf("got %q, want no dropout by default and with training=false, some with training=true", got)
	}
}

// TestLayerErrors checks argument and shape errors: each names the layer
// and, for shapes, the shapes involved, at the script's line.
func TestLayerErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"unknown keyword", `layers.Dense{4, activaton = "relu"}`, []string{"test.lua:3:", "layers.Dense", `unknown keyword "activaton"`, "activation"}},
		{"missing units", `layers.Dense{activation = "relu"}`, []string{"test.lua:3:", "Dense", "units"}},
		{"bad activation", `layers.Dense{4, activation = "swishy"}(keras.ops.ones{2, 2})`, []string{"test.lua:3:", "swishy"}},
		{"wrong input shape", `local m = keras.Sequential({keras.Input{shape = {28, 28, 1}}, layers.Conv2D{8, 3}, layers.Flatten{}, layers.Dense{1}}, {name = "disc"})
m(keras.ops.ones{2, 10})`, []string{"test.lua:4:", "disc", "[2 10]", "(None, 28, 28, 1)"}},
		{"wrong rank in a layer", `local m = keras.Sequential({layers.Dense{4}, layers.Conv2D{8, 3}}, {name = "g"})
m(keras.ops.ones{2, 10})`, []string{"test.lua:4:", `"g"`, "conv2d", "[2 4]"}},
		{"functional shape mismatch", `local x = keras.Input{shape = {4}}
local y = layers.Reshape{{3, 3}}(x)`, []string{"test.lua:4:", `reshape "reshape"`, "[-1 4]", "[3 3]"}},
		{"non-layer in Sequential", `keras.Sequential({layers.Dense{1}, 42})`, []string{"test.lua:3:", "layer 2", "number 42"}},
		{"symbolic mixed with tensor", `layers.Concatenate{}({keras.Input{shape = {2}}, keras.ops.ones{1, 2}})`, []string{"test.lua:3:", "input 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, _ := newTestRuntime(t)
			e := runLuaErr(t, rt, "local keras = require('ganlab')\nlocal layers = keras.layers\n"+tc.src)
			for _, w := range tc.want {
				if !strings.Contains(e.Msg, w) {
					t.Errorf("error %q does not contain %q", e.Msg, w)
				}
			}
		})
	}
}

// TestFunctionalMultiInput builds a two-input functional model with
// Concatenate and checks it against the concatenation done by hand.
func TestFunctionalMultiInput(t *testing.T) {
	rt, _ := newTestRuntime(t)
	_, got := evalTensor(t, rt, `
local keras = require("ganlab")
local layers, ops = keras.layers, keras.ops
local a, b = keras.Input{shape = {2}}, keras.Input{shape = {3}}
local h = layers.Concatenate{}({a, b})
local m = keras.Model{inputs = {a, b}, outputs = h}
local x = ops.convert_to_tensor({{1, 2}}, "float64")
local y = ops.convert_to_tensor({{3, 4, 5}}, "float64")
result = m({x, y})`)
	if !closeAll(got, []float64{1, 2, 3, 4, 5}, 0) {
		t.Errorf("got %v", got)
	}
}
