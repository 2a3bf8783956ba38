package losses

import (
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/internal/refcase"
	"github.com/ganlab/ganlab/core/tensor"
)

// closeTol is the relative tolerance of closed-form checks in float64.
const closeTol = 1e-12

func f64(shape []int, vals ...float64) *autograd.Var {
	return autograd.Const(tensor.FromFloat64(vals, shape...))
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestClosedForm(t *testing.T) {
	log := math.Log
	eps := Epsilon
	hi := 1 - eps
	bce := &BinaryCrossentropy{}
	bceLogits := &BinaryCrossentropy{FromLogits: true}
	cce := &CategoricalCrossentropy{}
	cceLogits := &CategoricalCrossentropy{FromLogits: true}
	cceLS := &CategoricalCrossentropy{LabelSmoothing: 0.3}
	scce := &SparseCategoricalCrossentropy{}
	scceLogits := &SparseCategoricalCrossentropy{FromLogits: true}
	cases := []struct {
		name         string
		loss         Loss
		yTrue, yPred *autograd.Var
		want         float64
	}{
		{"bce_logits_zero", bceLogits, f64([]int{2, 1}, 1, 0), f64([]int{2, 1}, 0, 0), math.Ln2},
		{"bce_logits", bceLogits, f64([]int{2}, 1, 0), f64([]int{2}, 2, 3), (log(1+math.Exp(-2)) + log(1+math.Exp(3))) / 2},
		{"bce_logits_soft_target", bceLogits, f64([]int{1}, 0.25), f64([]int{1}, -1), -(0.25*log(1/(1+math.E)) + 0.75*log(math.E/(1+math.E)))},
		{"bce_logits_ls", &BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.2}, f64([]int{1}, 1), f64([]int{1}, 0.5),
			-(0.9*log(1/(1+math.Exp(-0.5))) + 0.1*log(1-1/(1+math.Exp(-0.5))))},
		{"bce_probs_half", bce, f64([]int{2}, 1, 0), f64([]int{2}, 0.5, 0.5), math.Ln2},
		{"bce_probs", bce, f64([]int{2, 2}, 1, 0, 0, 1), f64([]int{2, 2}, 0.8, 0.3, 0.1, 0.6), -(log(0.8) + log(0.7) + log(0.9) + log(0.6)) / 4},
		{"bce_probs_clip_low", bce, f64([]int{1}, 1), f64([]int{1}, 0), -log(1e-7)},
		{"bce_probs_clip_high", bce, f64([]int{1}, 0), f64([]int{1}, 1), -log(1 - hi)}, // 1-(1-ε) rounded as at run time
		{"cce_logits_uniform", cceLogits, f64([]int{1, 3}, 0, 1, 0), f64([]int{1, 3}, 0, 0, 0), math.Log(3)},
		{"cce_probs_normalised", cce, f64([]int{2, 3}, 0, 0, 1, 1, 0, 0), f64([]int{2, 3}, 2, 3, 5, 0.2, 0.3, 0.5), -(log(0.5) + log(0.2)) / 2},
		{"cce_ls", cceLS, f64([]int{3}, 0, 0, 1), f64([]int{3}, 0.2, 0.3, 0.5), -(0.1*log(0.2) + 0.1*log(0.3) + 0.8*log(0.5))},
		{"cce_logits", cceLogits, f64([]int{2}, 1, 0), f64([]int{2}, 1, 2), -log(math.E / (math.E + math.E*math.E))},
		{"scce_probs", scce, f64([]int{2}, 2, 0), f64([]int{2, 3}, 2, 3, 5, 0.2, 0.3, 0.5), -(log(0.5) + log(0.2)) / 2},
		{"scce_probs_col", scce, f64([]int{2, 1}, 2, 0), f64([]int{2, 3}, 2, 3, 5, 0.2, 0.3, 0.5), -(log(0.5) + log(0.2)) / 2},
		{"scce_logits", scceLogits, f64([]int{1}, 1), f64([]int{1, 2}, 1, 2), -log(math.E * math.E / (math.E + math.E*math.E))},
		{"kld", KLDivergence{}, f64([]int{1, 2}, 0.5, 0.5), f64([]int{1, 2}, 0.25, 0.75), 0.5*log(2) + 0.5*log(2.0/3)},
		{"kld_zero_target", KLDivergence{}, f64([]int{2}, 1, 0), f64([]int{2}, 0.5, 0.5), log(2) + 1e-7*log(1e-7/0.5)},
		{"hinge_pm1", Hinge{}, f64([]int{2}, 1, -1), f64([]int{2}, 0.3, 0.2), (0.7 + 1.2) / 2},
		{"hinge_binary", Hinge{}, f64([]int{2}, 1, 0), f64([]int{2}, 0.3, 0.2), (0.7 + 1.2) / 2},
		{"hinge_margin", Hinge{}, f64([]int{2}, 1, -1), f64([]int{2}, 2, -3), 0},
		{"mse", MeanSquaredError{}, f64([]int{2, 2}, 1, 0, 0, 1), f64([]int{2, 2}, 0.5, 1, -1, 3), (0.25 + 1 + 1 + 4) / 4},
		{"mae", MeanAbsoluteError{}, f64([]int{3}, 1, 0, 0), f64([]int{3}, 0.5, 1, -2), (0.5 + 1 + 2) / 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.loss.Call(c.yTrue, c.yPred)
			if err != nil {
				t.Fatal(err)
			}
			if got.Value.Rank() != 0 {
				t.Errorf("loss shape %v, want a scalar", got.Shape())
			}
			if !near(got.Value.Item(), c.want, closeTol) {
				t.Errorf("loss = %.15g, want %.15g", got.Value.Item(), c.want)
			}
		})
	}
}

func TestGANLossesClosedForm(t *testing.T) {
	real := f64([]int{2, 1}, 2, 0.5)
	fake := f64([]int{3, 1}, -2, 0, 1)
	cases := []struct {
		name string
		f    func() (*autograd.Var, error)
		want float64
	}{
		// relu(1-real) = (0, 0.5); relu(1+fake) = (0, 1, 2)
		{"hinge_d", func() (*autograd.Var, error) { return HingeD(real, fake) }, 0.25 + 1},
		{"hinge_g", func() (*autograd.Var, error) { return HingeG(fake) }, 1.0 / 3},
		{"wasserstein_d", func() (*autograd.Var, error) { return WassersteinD(real, fake) }, -1.0/3 - 1.25},
		{"wasserstein_g", func() (*autograd.Var, error) { return WassersteinG(fake) }, 1.0 / 3},
		// batch means (2, 3) and (1, 1): ((1)² + (2)²) / 2
		{"feature_matching", func() (*autograd.Var, error) {
			return FeatureMatching(f64([]int{2, 2}, 1, 2, 3, 4), f64([]int{3, 2}, 0, 0, 0, 0, 3, 3))
		}, 2.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.f()
			if err != nil {
				t.Fatal(err)
			}
			if !near(got.Value.Item(), c.want, closeTol) {
				t.Errorf("loss = %.15g, want %.15g", got.Value.Item(), c.want)
			}
		})
	}
}

// TestBCELabelSmoothingReference checks the loss and its gradient against
// the independent reference case.
func TestBCELabelSmoothingReference(t *testing.T) {
	c, err := refcase.Load("bce_from_logits_ls0.1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewBinaryCrossentropy(true, c.Float("label_smoothing"))
	if err != nil {
		t.Fatal(err)
	}
	logits := autograd.Leaf(c.Tensor("logits"))
	loss, err := l.Call(autograd.Const(c.Tensor("labels")), logits)
	if err != nil {
		t.Fatal(err)
	}
	if err := refcase.Compare("loss", loss.Value, tensor.Scalar(tensor.Float64, c.Float("loss"))); err != nil {
		t.Error(err)
	}
	g, err := autograd.Grad([]*autograd.Var{loss}, []*autograd.Var{logits}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := refcase.Compare("dlogits", g[0].Value, c.Tensor("dlogits")); err != nil {
		t.Error(err)
	}
}

// TestBCEFromLogitsAtZero checks the slope at logit 0, where a Relu/Abs
// composition would get the subgradient wrong: d/dx = (σ(0) - y)/n.
func TestBCEFromLogitsAtZero(t *testing.T) {
	x := autograd.Leaf(tensor.FromFloat64([]float64{0, 0}, 2))
	loss, err := (&BinaryCrossentropy{FromLogits: true}).Call(f64([]int{2}, 1, 0), x)
	if err != nil {
		t.Fatal(err)
	}
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{-0.25, 0.25} {
		if got := x.Grad.At(i); !near(got, want, closeTol) {
			t.Errorf("dlogit[%d] = %v, want %v", i, got, want)
		}
	}
}

func callOrPanic(l Loss, yTrue, yPred *autograd.Var) *autograd.Var {
	out, err := l.Call(yTrue, yPred)
	if err != nil {
		panic(err)
	}
	return out
}

func must(v *autograd.Var, err error) *autograd.Var {
	if err != nil {
		panic(err)
	}
	return v
}

func probs(rng *tensor.RNG, shape ...int) *tensor.Tensor {
	return rng.Uniform(tensor.Float64, 0.05, 0.95, shape...)
}

// TestFirstOrder checks every loss's gradient, with respect to predictions
// and (where differentiable) targets, against finite differences.
func TestFirstOrder(t *testing.T) {
	rng := tensor.NewRNG(7, 0)
	normal := func(shape ...int) *tensor.Tensor { return rng.Normal(tensor.Float64, 0, 1, shape...) }
	simplex := func(n, c int) *tensor.Tensor {
		p := probs(rng, n, c)
		s := tensor.Sum(p, []int{1}, true)
		return tensor.Div(p, s)
	}
	binary := tensor.FromFloat64([]float64{1, 0, 0, 1, 1, 0}, 3, 2)
	pm1 := tensor.FromFloat64([]float64{1, -1, -1, 1, 1, -1}, 3, 2)
	labels := f64([]int{3}, 2, 0, 3)
	pair := func(l Loss) func(xs []*autograd.Var) *autograd.Var {
		return func(xs []*autograd.Var) *autograd.Var { return callOrPanic(l, xs[0], xs[1]) }
	}
	pred := func(l Loss, yTrue *tensor.Tensor) func(xs []*autograd.Var) *autograd.Var {
		return func(xs []*autograd.Var) *autograd.Var { return callOrPanic(l, autograd.Const(yTrue), xs[0]) }
	}
	cases := []struct {
		name   string
		f      func(xs []*autograd.Var) *autograd.Var
		inputs []*tensor.Tensor
	}{
		{"bce_logits", pair(&BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.1}), []*tensor.Tensor{probs(rng, 3, 2), normal(3, 2)}},
		{"bce_probs", pair(&BinaryCrossentropy{LabelSmoothing: 0.2}), []*tensor.Tensor{probs(rng, 3, 2), probs(rng, 3, 2)}},
		{"cce_logits", pair(&CategoricalCrossentropy{FromLogits: true, LabelSmoothing: 0.1}), []*tensor.Tensor{simplex(3, 4), normal(3, 4)}},
		{"cce_probs", pair(&CategoricalCrossentropy{}), []*tensor.Tensor{simplex(3, 4), probs(rng, 3, 4)}},
		{"scce_logits", func(xs []*autograd.Var) *autograd.Var {
			return callOrPanic(&SparseCategoricalCrossentropy{FromLogits: true}, labels, xs[0])
		}, []*tensor.Tensor{normal(3, 4)}},
		{"scce_probs", func(xs []*autograd.Var) *autograd.Var {
			return callOrPanic(&SparseCategoricalCrossentropy{}, labels, xs[0])
		}, []*tensor.Tensor{probs(rng, 3, 4)}},
		{"kld", pair(KLDivergence{}), []*tensor.Tensor{simplex(3, 4), simplex(3, 4)}},
		{"hinge_binary", pred(Hinge{}, binary), []*tensor.Tensor{normal(3, 2)}},
		{"hinge_pm1", pred(Hinge{}, pm1), []*tensor.Tensor{normal(3, 2)}},
		{"mse", pair(MeanSquaredError{}), []*tensor.Tensor{normal(2, 3), normal(2, 3)}},
		{"mae", pair(MeanAbsoluteError{}), []*tensor.Tensor{normal(2, 3), normal(2, 3)}},
		{"hinge_d", func(xs []*autograd.Var) *autograd.Var { return must(HingeD(xs[0], xs[1])) }, []*tensor.Tensor{normal(4, 1), normal(3, 1)}},
		{"hinge_g", func(xs []*autograd.Var) *autograd.Var { return must(HingeG(xs[0])) }, []*tensor.Tensor{normal(4, 1)}},
		{"wasserstein_d", func(xs []*autograd.Var) *autograd.Var { return must(WassersteinD(xs[0], xs[1])) }, []*tensor.Tensor{normal(4, 1), normal(3, 1)}},
		{"wasserstein_g", func(xs []*autograd.Var) *autograd.Var { return must(WassersteinG(xs[0])) }, []*tensor.Tensor{normal(4, 1)}},
		{"feature_matching", func(xs []*autograd.Var) *autograd.Var { return must(FeatureMatching(xs[0], xs[1])) }, []*tensor.Tensor{normal(3, 2, 2), normal(2, 2, 2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := autograd.CheckGrad(c.f, c.inputs...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// gradNormSq returns ‖∂ loss(logits(x)) / ∂x‖² with a create-graph
// gradient, where logits(x) = tanh(x)·w is a tiny critic head: checking
// its gradient checks the loss's second derivatives as a gradient penalty
// exercises them.
func gradNormSq(loss func(logits *autograd.Var) *autograd.Var) func(xs []*autograd.Var) *autograd.Var {
	w := autograd.Const(tensor.FromFloat64([]float64{0.7, -1.3, 0.4}, 3, 1))
	return func(xs []*autograd.Var) *autograd.Var {
		y := loss(autograd.MatMul(autograd.Tanh(xs[0]), w, false, false))
		g, err := autograd.Grad([]*autograd.Var{y}, xs[:1], nil, true)
		if err != nil {
			panic(err)
		}
		return autograd.Sum(autograd.Square(g[0]), nil, false)
	}
}

func TestSecondOrder(t *testing.T) {
	rng := tensor.NewRNG(8, 0)
	x := func() *tensor.Tensor { return rng.Normal(tensor.Float64, 0, 1, 4, 3) }
	target := f64([]int{4, 1}, 1, 0, 0.3, 1)
	other := autograd.Const(rng.Normal(tensor.Float64, 0, 1, 5, 1))
	cases := []struct {
		name string
		loss func(logits *autograd.Var) *autograd.Var
	}{
		{"bce_logits", func(z *autograd.Var) *autograd.Var {
			return callOrPanic(&BinaryCrossentropy{FromLogits: true, LabelSmoothing: 0.1}, target, z)
		}},
		{"hinge", func(z *autograd.Var) *autograd.Var { return callOrPanic(Hinge{}, f64([]int{4, 1}, 1, -1, -1, 1), z) }},
		{"hinge_d_real", func(z *autograd.Var) *autograd.Var { return must(HingeD(z, other)) }},
		{"hinge_d_fake", func(z *autograd.Var) *autograd.Var { return must(HingeD(other, z)) }},
		{"hinge_g", func(z *autograd.Var) *autograd.Var { return must(HingeG(z)) }},
		{"wasserstein_d", func(z *autograd.Var) *autograd.Var { return must(WassersteinD(other, z)) }},
		{"wasserstein_g", func(z *autograd.Var) *autograd.Var { return must(WassersteinG(z)) }},
		{"mse", func(z *autograd.Var) *autograd.Var { return callOrPanic(MeanSquaredError{}, target, z) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := autograd.CheckGrad(gradNormSq(c.loss), x()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestShapeAndConfigErrors(t *testing.T) {
	a := f64([]int{2, 3}, 1, 0, 0, 1, 0, 0)
	b := f64([]int{3, 2}, 1, 0, 0, 1, 0, 0)
	f32 := autograd.Const(tensor.New(tensor.Float32, 2, 3))
	cases := []struct {
		name string
		call func() (*autograd.Var, error)
		want []string
	}{
		{"bce", func() (*autograd.Var, error) { return (&BinaryCrossentropy{}).Call(a, b) }, []string{"BinaryCrossentropy", "[2 3]", "[3 2]"}},
		{"bce_dtype", func() (*autograd.Var, error) { return (&BinaryCrossentropy{}).Call(a, f32) }, []string{"BinaryCrossentropy", "float32"}},
		{"bce_ls", func() (*autograd.Var, error) { return (&BinaryCrossentropy{LabelSmoothing: 1.5}).Call(a, a) }, []string{"BinaryCrossentropy", "LabelSmoothing"}},
		{"cce", func() (*autograd.Var, error) { return (&CategoricalCrossentropy{}).Call(a, b) }, []string{"CategoricalCrossentropy", "[2 3]", "[3 2]"}},
		{"cce_ls", func() (*autograd.Var, error) { return (&CategoricalCrossentropy{LabelSmoothing: -0.1}).Call(a, a) }, []string{"LabelSmoothing"}},
		{"kld", func() (*autograd.Var, error) { return KLDivergence{}.Call(a, b) }, []string{"KLDivergence", "[2 3]", "[3 2]"}},
		{"hinge", func() (*autograd.Var, error) { return Hinge{}.Call(a, b) }, []string{"Hinge", "[2 3]", "[3 2]"}},
		{"mse", func() (*autograd.Var, error) { return MeanSquaredError{}.Call(a, b) }, []string{"MeanSquaredError", "[2 3]", "[3 2]"}},
		{"mae", func() (*autograd.Var, error) { return MeanAbsoluteError{}.Call(a, nil) }, []string{"MeanAbsoluteError", "nil"}},
		{"scce_shape", func() (*autograd.Var, error) {
			return (&SparseCategoricalCrossentropy{}).Call(f64([]int{3}, 0, 1, 2), a)
		}, []string{"SparseCategoricalCrossentropy", "[3]", "[2 3]"}},
		{"scce_range", func() (*autograd.Var, error) { return (&SparseCategoricalCrossentropy{}).Call(f64([]int{2}, 0, 3), a) }, []string{"label 3", "[0, 3)"}},
		{"scce_fraction", func() (*autograd.Var, error) {
			return (&SparseCategoricalCrossentropy{}).Call(f64([]int{2}, 0.5, 1), a)
		}, []string{"label 0.5"}},
		{"scce_negative", func() (*autograd.Var, error) { return (&SparseCategoricalCrossentropy{}).Call(f64([]int{2}, 1, -1), a) }, []string{"label -1"}},
		{"feature_matching", func() (*autograd.Var, error) { return FeatureMatching(a, b) }, []string{"FeatureMatching", "[2 3]", "[3 2]"}},
		{"hinge_d_dtype", func() (*autograd.Var, error) { return HingeD(a, f32) }, []string{"HingeD", "float32"}},
		{"wasserstein_g_empty", func() (*autograd.Var, error) {
			return WassersteinG(autograd.Const(tensor.New(tensor.Float64, 0, 1)))
		}, []string{"WassersteinG", "empty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.call()
			if err == nil {
				t.Fatalf("no error, got %v", out)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := NewBinaryCrossentropy(false, 2); err == nil {
		t.Error("NewBinaryCrossentropy accepted label smoothing 2")
	}
	if _, err := NewCategoricalCrossentropy(false, math.NaN()); err == nil {
		t.Error("NewCategoricalCrossentropy accepted label smoothing NaN")
	}
}

// TestFloat32 checks that the losses run in the training dtype.
func TestFloat32(t *testing.T) {
	y := autograd.Const(tensor.FromFloat32([]float32{1, 0}, 2, 1))
	x := autograd.Leaf(tensor.FromFloat32([]float32{0, 0}, 2, 1))
	loss, err := (&BinaryCrossentropy{FromLogits: true}).Call(y, x)
	if err != nil {
		t.Fatal(err)
	}
	if loss.DType() != tensor.Float32 || !near(loss.Value.Item(), math.Ln2, 1e-6) {
		t.Errorf("float32 loss = %v, want log 2 in float32", loss.Value)
	}
	p := autograd.Const(tensor.FromFloat32([]float32{1, 0}, 2, 1))
	loss, err = (&BinaryCrossentropy{}).Call(y, p)
	if err != nil {
		t.Fatal(err)
	}
	if v := loss.Value.Item(); math.IsNaN(v) || math.IsInf(v, 0) || v > 1e-6 {
		t.Errorf("float32 BCE on saturated correct probabilities = %v, want ≈ 0", v)
	}
}
