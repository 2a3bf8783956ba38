package bindings

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/losses"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestLossesMatchCore calls every loss class and its function form from Lua
// and compares with core/losses called from Go on the same tensors: the
// values must be identical.
func TestLossesMatchCore(t *testing.T) {
	rng := tensor.NewRNG(3, 1)
	pred := rng.Normal(tensor.Float32, 0, 1, 4, 3)
	prob := tensor.Sigmoid(pred)
	bin := rng.Bernoulli(tensor.Float32, 0.5, 4, 3)
	oneHot := tensor.FromFloat32([]float32{1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}, 4, 3)
	ids := tensor.FromFloat32([]float32{0, 2, 1, 0}, 4)
	soft := autograd.Softmax(autograd.Const(rng.Normal(tensor.Float32, 0, 1, 4, 3)), -1).Value
	predSoft := autograd.Softmax(autograd.Const(pred), -1).Value
	for _, tc := range []struct {
		expr        string
		loss        losses.Loss
		yTrue, yPre *tensor.Tensor
	}{
		{"keras.losses.BinaryCrossentropy{from_logits=true, label_smoothing=0.1}(yt, yp)", &losses.BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.1}, bin, pred},
		{"keras.losses.binary_crossentropy(yt, yp, {from_logits=true, label_smoothing=0.1})", &losses.BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.1}, bin, pred},
		{"keras.losses.BinaryCrossentropy{}(yt, yp)", &losses.BinaryCrossentropy{}, bin, prob},
		{"keras.losses.CategoricalCrossentropy{from_logits=true}(yt, yp)", &losses.CategoricalCrossentropy{FromLogits: true}, oneHot, pred},
		{"keras.losses.categorical_crossentropy(yt, yp, {label_smoothing=0.2})", &losses.CategoricalCrossentropy{LabelSmoothing: 0.2}, oneHot, soft},
		{"keras.losses.SparseCategoricalCrossentropy{from_logits=true}(yt, yp)", &losses.SparseCategoricalCrossentropy{FromLogits: true}, ids, pred},
		{"keras.losses.sparse_categorical_crossentropy(yt, yp)", &losses.SparseCategoricalCrossentropy{}, ids, soft},
		{"keras.losses.MeanSquaredError{}(yt, yp)", losses.MeanSquaredError{}, bin, pred},
		{"keras.losses.mse(yt, yp)", losses.MeanSquaredError{}, bin, pred},
		{"keras.losses.MeanAbsoluteError{}(yt, yp)", losses.MeanAbsoluteError{}, bin, pred},
		{"keras.losses.mean_absolute_error(yt, yp)", losses.MeanAbsoluteError{}, bin, pred},
		{"keras.losses.Hinge{}(yt, yp)", losses.Hinge{}, bin, pred},
		{"keras.losses.hinge(yt, yp)", losses.Hinge{}, bin, pred},
		{"keras.losses.KLDivergence{}(yt, yp)", losses.KLDivergence{}, soft, predSoft},
		{"keras.losses.kl_divergence(yt, yp)", losses.KLDivergence{}, soft, predSoft},
	} {
		rt, _ := newTestRuntime(t)
		setGlobalTensor(rt, "yt", autograd.Const(tc.yTrue))
		setGlobalTensor(rt, "yp", autograd.Const(tc.yPre))
		shape, got := evalTensor(t, rt, "keras = require('ganlab')\nresult = "+tc.expr)
		want, err := tc.loss.Call(autograd.Const(tc.yTrue), autograd.Const(tc.yPre))
		if err != nil {
			t.Fatal(err)
		}
		if len(shape) != 0 || got[0] != want.Value.At(0) {
			t.Errorf("%s: got %v %v, want scalar %v", tc.expr, shape, got, want.Value.At(0))
		}
	}
}

// TestBCEReferenceFromLua checks the loss and its gradient against the
// independent reference testdata/reference/bce_from_logits_ls0.1.json.
func TestBCEReferenceFromLua(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "reference", "bce_from_logits_ls0.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	type jt struct {
		Shape []int
		Data  []float64
	}
	var c struct {
		Logits, Labels, Dlogits jt
		Loss                    float64
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	rt, out := newTestRuntime(t)
	setGlobalTensor(rt, "logits", autograd.Const(tensor.FromFloat64(c.Logits.Data, c.Logits.Shape...)))
	setGlobalTensor(rt, "labels", autograd.Const(tensor.FromFloat64(c.Labels.Data, c.Labels.Shape...)))
	runLua(t, rt, out, `
local keras = require('ganlab')
local bce = keras.losses.BinaryCrossentropy{from_logits=true, label_smoothing=0.1}
local tape = keras.GradientTape()
tape:watch(logits)
loss = bce(labels, logits)
result = tape:gradient(loss, logits)`)
	l, _ := rt.ToVar(rt.L.GetGlobal("loss"))
	if got := l.Value.At(0); math.Abs(got-c.Loss) > 1e-9 {
		t.Errorf("loss %v, want %v", got, c.Loss)
	}
	g, _ := rt.ToVar(rt.L.GetGlobal("result"))
	if !closeAll(g.Value.Values(), c.Dlogits.Data, 1e-9) {
		t.Errorf("dlogits %v, want %v", g.Value.Values(), c.Dlogits.Data)
	}
}

// TestGANLossesClosedForms checks the GAN losses and penalties against
// closed forms. The critic x ↦ Σ_j x_j·w_j has input-gradient w for every
// sample, so the WGAN-GP penalty is (‖w‖-1)², R1 is ‖w‖², and their
// gradients with respect to w (second order through the critic) are
// 2(‖w‖-1)·w/‖w‖ and 2w.
func TestGANLossesClosedForms(t *testing.T) {
	w := []float64{0.3, -0.4, 1.2}
	n := math.Sqrt(0.09 + 0.16 + 1.44)
	prelude := `
keras = require('ganlab'); ops = keras.ops
w = ops.convert_to_tensor({0.3, -0.4, 1.2}, 'float64')
real = keras.random.normal{shape={5, 3}, dtype='float64', seed=1}
fake = keras.random.normal{shape={5, 3}, dtype='float64', seed=2}
critic = function(x) return ops.sum(x * w, 1) end
tape = keras.GradientTape()
tape:watch(w)
`
	for _, tc := range []struct {
		expr      string
		value     float64
		grad      []float64 // d value / d w; nil: not checked
		tolerance float64
	}{
		{"keras.losses.gradient_penalty(critic, real, fake, {seed=3})", (n - 1) * (n - 1),
			[]float64{2 * (n - 1) * w[0] / n, 2 * (n - 1) * w[1] / n, 2 * (n - 1) * w[2] / n}, 1e-9},
		{"keras.losses.gradient_penalty(critic, real, fake, {one_sided=true})", (n - 1) * (n - 1), nil, 1e-9},
		{"keras.losses.gradient_penalty(function(x) return critic(x) * 0.1 end, real, fake, {one_sided=true})", 0, nil, 1e-12},
		{"keras.losses.gradient_penalty(function(x) return critic(x) * 0.1 end, real, fake)", (0.1*n - 1) * (0.1*n - 1), nil, 1e-9},
		{"keras.losses.r1_penalty(critic, real)", n * n, []float64{2 * w[0], 2 * w[1], 2 * w[2]}, 1e-9},
		{"keras.losses.wasserstein_d(ops.convert_to_tensor({1, 3}, 'float64'), ops.convert_to_tensor({0.5, 1.5, 4}, 'float64'))", 2 - 2, nil, 1e-12},
		{"keras.losses.wasserstein_g(ops.convert_to_tensor({1, 3}, 'float64'))", -2, nil, 1e-12},
		{"keras.losses.hinge_d(ops.convert_to_tensor({0.5, 2}, 'float64'), ops.convert_to_tensor({-2, 0}, 'float64'))", 0.25 + 0.5, nil, 1e-12},
		{"keras.losses.hinge_g(ops.convert_to_tensor({0.5, 2}, 'float64'))", -1.25, nil, 1e-12},
	} {
		rt, out := newTestRuntime(t)
		src := prelude + "loss = " + tc.expr + "\n"
		if tc.grad != nil {
			src += "result = tape:gradient(loss, w)\n"
		}
		runLua(t, rt, out, src)
		l, err := rt.ToVar(rt.L.GetGlobal("loss"))
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Value.At(0); math.Abs(got-tc.value) > tc.tolerance*math.Max(1, math.Abs(tc.value)) {
			t.Errorf("%s = %v, want %v", tc.expr, got, tc.value)
		}
		if tc.grad != nil {
			g, _ := rt.ToVar(rt.L.GetGlobal("result"))
			if !closeAll(g.Value.Values(), tc.grad, 1e-9) {
				t.Errorf("d(%s)/dw = %v, want %v", tc.expr, g.Value.Values(), tc.grad)
			}
		}
	}
}

// TestGradientPenaltySeeded checks that seed= makes the penalty's α draw
// repeatable, and that a model-like callable table works as the critic.
func TestGradientPenaltySeeded(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab'); local ops = keras.ops
local real = keras.random.normal{shape={4, 2, 2, 1}, seed=1}
local fake = keras.random.normal{shape={4, 2, 2, 1}, seed=2}
local calls = {}
local critic = setmetatable({}, {__call = function(self, x, opts)
  calls[#calls + 1] = opts.training
  return ops.sum(ops.square(x), {1, 2, 3})
end})
local a = keras.losses.gradient_penalty(critic, real, fake, {seed=5}):item()
local b = keras.losses.gradient_penalty(critic, real, fake, {seed=5}):item()
local c = keras.losses.gradient_penalty(critic, real, fake, {seed=6}):item()
print(a == b, a ~= c, #calls, calls[1])`)
	if got != "true\ttrue\t3\ttrue" {
		t.Errorf("got %q", got)
	}
}

func TestLossErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"keras.losses.BinaryCrossentropy{from_logits=true}(1, ops.ones({2, 1}))", "BinaryCrossentropy: argument y_true: expected a tensor, got number 1; make targets with keras.ops"},
		{"keras.losses.BinaryCrossentropy{}(ops.ones({2}), ops.ones({2, 1}))", "BinaryCrossentropy: y_true shape [2] and y_pred shape [2 1] differ"},
		{"keras.losses.BinaryCrossentropy{label_smoothing=2}", "losses.BinaryCrossentropy: LabelSmoothing = 2, want in [0, 1]"},
		{"keras.losses.BinaryCrossentropy{from_logit=true}", `losses.BinaryCrossentropy: unknown keyword "from_logit"; it takes from_logits, label_smoothing, name, reduction`},
		{"keras.losses.MeanSquaredError{reduction='sum'}", `argument reduction: "sum" is not one of sum_over_batch_size`},
		{"keras.losses.binary_crossentropy(ops.ones({2}))", "losses.binary_crossentropy: missing argument y_pred"},
		{"keras.losses.sparse_categorical_crossentropy(ops.convert_to_tensor({3}), ops.ones({1, 3}))", "label 3 at index 0 is not a class id in [0, 3)"},
		{"keras.losses.gradient_penalty(5, ops.ones({2, 2}), ops.ones({2, 2}))", "losses.gradient_penalty: argument critic: expected a model, a layer or a function, got number 5"},
		{"keras.losses.gradient_penalty(function(x) error('critic broke') end, ops.ones({2, 2}), ops.ones({2, 2}))", "test.lua:2: critic broke"},
		{"keras.losses.r1_penalty(function(x) return 3 end, ops.ones({2, 2}))", "losses.r1_penalty: critic: must return a tensor: expected a tensor, got number 3"},
		{"keras.losses.wasserstein_g({1, 2})", "losses.wasserstein_g: argument fake_logits: expected a tensor, got table"},
	} {
		rt, _ := newTestRuntime(t)
		e := runLuaErr(t, rt, "keras = require('ganlab'); ops = keras.ops\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}
