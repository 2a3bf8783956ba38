package autograd

import (
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

func randT(rng *tensor.RNG, shape ...int) *tensor.Tensor {
	return rng.Normal(tensor.Float64, 0, 1, shape...)
}

func posT(rng *tensor.RNG, shape ...int) *tensor.Tensor {
	return rng.Uniform(tensor.Float64, 0.5, 2, shape...)
}

// sumW reduces y to a scalar with fixed random weights, so every output
// element's gradient is checked with a distinct upstream value.
func sumW(y *Var) *Var {
	w := tensor.NewRNG(99, 1).Normal(tensor.Float64, 0, 1, y.Shape()...)
	return Sum(Mul(y, Const(w)), nil, false)
}

// gradCase is a scalar function of some inputs whose gradient a test
// checks.
type gradCase struct {
	name   string
	f      func(xs []*Var) *Var
	inputs []*tensor.Tensor
}

// firstOrderCases covers every elementwise, reduction and layout op.
func firstOrderCases() []gradCase {
	rng := tensor.NewRNG(1, 0)
	return []gradCase{
		{"add_broadcast", func(x []*Var) *Var { return sumW(Add(x[0], x[1])) }, []*tensor.Tensor{randT(rng, 2, 3, 4), randT(rng, 3, 1)}},
		{"sub_broadcast", func(x []*Var) *Var { return sumW(Sub(x[0], x[1])) }, []*tensor.Tensor{randT(rng, 4), randT(rng, 2, 3, 4)}},
		{"interpolate", func(x []*Var) *Var {
			return sumW(Interpolate(x[0], x[1], tensor.FromFloat64([]float64{0.2, 0.9}, 2, 1, 1)))
		}, []*tensor.Tensor{randT(rng, 2, 3, 2), randT(rng, 2, 3, 2)}},
		{"mul_broadcast", func(x []*Var) *Var { return sumW(Mul(x[0], x[1])) }, []*tensor.Tensor{randT(rng, 2, 1, 4), randT(rng, 3, 1)}},
		{"div", func(x []*Var) *Var { return sumW(Div(x[0], x[1])) }, []*tensor.Tensor{randT(rng, 2, 3), posT(rng, 3)}},
		{"neg_scale_addscalar", func(x []*Var) *Var { return sumW(AddScalar(Scale(Neg(x[0]), 3), 2)) }, []*tensor.Tensor{randT(rng, 5)}},
		{"exp", func(x []*Var) *Var { return sumW(Exp(x[0])) }, []*tensor.Tensor{randT(rng, 6)}},
		{"log", func(x []*Var) *Var { return sumW(Log(x[0])) }, []*tensor.Tensor{posT(rng, 6)}},
		{"sqrt", func(x []*Var) *Var { return sumW(Sqrt(x[0])) }, []*tensor.Tensor{posT(rng, 6)}},
		{"square", func(x []*Var) *Var { return sumW(Square(x[0])) }, []*tensor.Tensor{randT(rng, 6)}},
		{"pow", func(x []*Var) *Var { return sumW(PowScalar(x[0], 1.7)) }, []*tensor.Tensor{posT(rng, 6)}},
		{"abs", func(x []*Var) *Var { return sumW(Abs(x[0])) }, []*tensor.Tensor{randT(rng, 6)}},
		{"maximum", func(x []*Var) *Var { return sumW(Maximum(x[0], x[1])) }, []*tensor.Tensor{randT(rng, 3, 4), randT(rng, 4)}},
		{"minimum", func(x []*Var) *Var { return sumW(Minimum(x[0], x[1])) }, []*tensor.Tensor{randT(rng, 3, 4), randT(rng, 3, 4)}},
		{"relu", func(x []*Var) *Var { return sumW(Relu(x[0])) }, []*tensor.Tensor{randT(rng, 10)}},
		{"leaky_relu", func(x []*Var) *Var { return sumW(LeakyRelu(x[0], 0.2)) }, []*tensor.Tensor{randT(rng, 10)}},
		{"sigmoid", func(x []*Var) *Var { return sumW(Sigmoid(x[0])) }, []*tensor.Tensor{randT(rng, 10)}},
		{"tanh", func(x []*Var) *Var { return sumW(Tanh(x[0])) }, []*tensor.Tensor{randT(rng, 10)}},
		{"softplus", func(x []*Var) *Var { return sumW(Softplus(x[0])) }, []*tensor.Tensor{randT(rng, 10)}},
		{"elu", func(x []*Var) *Var { return sumW(Elu(x[0], 1.3)) }, []*tensor.Tensor{randT(rng, 10)}},
		{"sum_axes", func(x []*Var) *Var { return sumW(Sum(x[0], []int{0, 2}, false)) }, []*tensor.Tensor{randT(rng, 2, 3, 4)}},
		{"mean_keep", func(x []*Var) *Var { return sumW(Mean(x[0], []int{1}, true)) }, []*tensor.Tensor{randT(rng, 2, 3, 4)}},
		{"variance", func(x []*Var) *Var { return sumW(Variance(x[0], []int{0, 1}, false)) }, []*tensor.Tensor{randT(rng, 3, 2, 4)}},
		{"max", func(x []*Var) *Var { return sumW(Max(x[0], []int{1, 2}, false)) }, []*tensor.Tensor{randT(rng, 2, 3, 4)}},
		{"min", func(x []*Var) *Var { return sumW(Min(x[0], []int{0}, true)) }, []*tensor.Tensor{randT(rng, 3, 4)}},
		{"logsumexp", func(x []*Var) *Var { return sumW(LogSumExp(x[0], []int{-1}, false)) }, []*tensor.Tensor{randT(rng, 3, 5)}},
		{"softmax", func(x []*Var) *Var { return sumW(Softmax(x[0], -1)) }, []*tensor.Tensor{randT(rng, 3, 5)}},
		{"reshape_permute", func(x []*Var) *Var { return sumW(Permute(Reshape(x[0], 3, 2, 4), 2, 0, 1)) }, []*tensor.Tensor{randT(rng, 6, 4)}},
		{"slice", func(x []*Var) *Var { return sumW(Slice(x[0], []int{1, 0, 2}, []int{3, 2, 5})) }, []*tensor.Tensor{randT(rng, 4, 2, 6)}},
		{"pad_zero", func(x []*Var) *Var { return sumW(Pad(x[0], []int{0, 1, 2}, []int{1, 0, 1}, tensor.PadZero)) }, []*tensor.Tensor{randT(rng, 2, 3, 3)}},
		{"pad_reflect", func(x []*Var) *Var { return sumW(Pad(x[0], []int{0, 2, 1}, []int{0, 1, 2}, tensor.PadReflect)) }, []*tensor.Tensor{randT(rng, 2, 4, 3)}},
		{"concat", func(x []*Var) *Var { return sumW(Concat(1, x[0], x[1], x[0])) }, []*tensor.Tensor{randT(rng, 2, 3, 2), randT(rng, 2, 1, 2)}},
		{"stack", func(x []*Var) *Var { return sumW(Stack(0, x[0], x[1])) }, []*tensor.Tensor{randT(rng, 2, 3), randT(rng, 2, 3)}},
		{"matmul_nn", func(x []*Var) *Var { return sumW(MatMul(x[0], x[1], false, false)) }, []*tensor.Tensor{randT(rng, 3, 4), randT(rng, 4, 5)}},
		{"matmul_tn", func(x []*Var) *Var { return sumW(MatMul(x[0], x[1], true, false)) }, []*tensor.Tensor{randT(rng, 4, 3), randT(rng, 4, 5)}},
		{"matmul_nt", func(x []*Var) *Var { return sumW(MatMul(x[0], x[1], false, true)) }, []*tensor.Tensor{randT(rng, 3, 4), randT(rng, 5, 4)}},
		{"matmul_tt_batched", func(x []*Var) *Var { return sumW(MatMul(x[0], x[1], true, true)) }, []*tensor.Tensor{randT(rng, 2, 4, 3), randT(rng, 2, 5, 4)}},
		{"broadcast_to", func(x []*Var) *Var { return sumW(BroadcastTo(x[0], 2, 3, 4)) }, []*tensor.Tensor{randT(rng, 3, 1)}},
		{"gather", func(x []*Var) *Var { return sumW(Gather(x[0], []int{0, 3, 3, 5}, 2, 2)) }, []*tensor.Tensor{randT(rng, 6)}},
		{"dropout", func(x []*Var) *Var { return sumW(Dropout(x[0], 0.4, tensor.NewRNG(7, 0))) }, []*tensor.Tensor{randT(rng, 3, 7)}},
	}
}

// TestFirstOrder checks every elementwise, reduction and layout op against
// central finite differences.
func TestFirstOrder(t *testing.T) {
	for _, c := range firstOrderCases() {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(c.f, c.inputs...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFastRulesMatchRecordedRules checks that the tensor-level rules a
// first-order pass uses give the gradients the differentiable rules give
// (a pass with createGraph), op by op, to rounding.
func TestFastRulesMatchRecordedRules(t *testing.T) {
	for _, c := range firstOrderCases() {
		t.Run(c.name, func(t *testing.T) {
			var fast, recorded []*Var
			for _, create := range []bool{false, true} {
				xs := make([]*Var, len(c.inputs))
				for i, in := range c.inputs {
					xs[i] = Leaf(in)
				}
				g, err := Grad([]*Var{c.f(xs)}, xs, nil, create)
				if err != nil {
					t.Fatal(err)
				}
				if create {
					recorded = g
				} else {
					fast = g
				}
			}
			for i := range fast {
				for j := range fast[i].Value.Len() {
					if a, b := fast[i].Value.At(j), recorded[i].Value.At(j); !close(a, b, 1e-12) {
						t.Fatalf("input %d element %d: first-order rule %v, recorded rule %v", i, j, a, b)
					}
				}
			}
		})
	}
}

// gradNormSq returns Σ (∂ sumW(f(x)) / ∂x)², a scalar built from a
// create-graph gradient: checking its gradient checks second order.
func gradNormSq(f func(*Var) *Var) func(xs []*Var) *Var {
	return func(xs []*Var) *Var {
		y := sumW(f(xs[0]))
		g, err := Grad([]*Var{y}, xs[:1], nil, true)
		if err != nil {
			panic(err)
		}
		return Sum(Square(g[0]), nil, false)
	}
}

func TestSecondOrder(t *testing.T) {
	rng := tensor.NewRNG(2, 0)
	w := randT(rng, 4, 3)
	cases := []struct {
		name string
		f    func(*Var) *Var
		x    *tensor.Tensor
	}{
		{"tanh", Tanh, randT(rng, 2, 4)},
		{"sigmoid", Sigmoid, randT(rng, 2, 4)},
		{"softplus", Softplus, randT(rng, 2, 4)},
		{"elu", func(x *Var) *Var { return Elu(x, 1) }, randT(rng, 2, 4)},
		{"exp", Exp, randT(rng, 2, 4)},
		{"log", Log, posT(rng, 2, 4)},
		{"sqrt", Sqrt, posT(rng, 2, 4)},
		{"div", func(x *Var) *Var { return Div(Const(w), AddScalar(Square(x), 1)) }, randT(rng, 4, 3)},
		{"matmul_tanh", func(x *Var) *Var { return Tanh(MatMul(x, Const(w), false, false)) }, randT(rng, 2, 4)},
		{"leaky_matmul_square", func(x *Var) *Var { return Square(LeakyRelu(MatMul(x, Const(w), false, false), 0.2)) }, randT(rng, 2, 4)},
		{"relu_square", func(x *Var) *Var { return Square(Relu(x)) }, randT(rng, 2, 4)},
		{"variance", func(x *Var) *Var { return Variance(x, []int{0}, false) }, randT(rng, 3, 4)},
		{"max_square", func(x *Var) *Var { return Max(Square(x), []int{1}, false) }, randT(rng, 3, 4)},
		{"logsumexp", func(x *Var) *Var { return LogSumExp(x, []int{1}, false) }, randT(rng, 3, 4)},
		{"pad_reflect_tanh", func(x *Var) *Var { return Tanh(Pad(x, []int{1, 1}, []int{1, 2}, tensor.PadReflect)) }, randT(rng, 3, 4)},
		{"concat_sigmoid", func(x *Var) *Var { return Sigmoid(Concat(0, x, Square(x))) }, randT(rng, 3, 4)},
		{"sum_sqrt", func(x *Var) *Var { return Sqrt(AddScalar(Sum(Square(x), []int{1}, false), 1)) }, randT(rng, 3, 4)},
		{"dropout_tanh", func(x *Var) *Var { return Tanh(Dropout(Square(x), 0.5, tensor.NewRNG(7, 0))) }, randT(rng, 3, 4)},
		{"interpolate_tanh", func(x *Var) *Var {
			return Tanh(Interpolate(Square(x), Const(w), tensor.FromFloat64([]float64{0.3, 0.6, 0.1, 0.8}, 4, 1)))
		}, randT(rng, 4, 3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(gradNormSq(c.f), c.x); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBackwardAccumulatesIntoLeaves(t *testing.T) {
	x := Param(tensor.FromFloat64([]float64{1, 2, 3}, 3), "x")
	for i := 0; i < 2; i++ {
		loss := Sum(Square(x), nil, false) // d/dx = 2x
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	want := []float64{4, 8, 12} // two accumulated passes
	for i, w := range want {
		if got := x.Grad.At(i); got != w {
			t.Errorf("grad[%d] = %v, want %v", i, got, w)
		}
	}
	x.ZeroGrad()
	if x.Grad != nil {
		t.Error("ZeroGrad kept the gradient")
	}
}

func TestStopGradientAndNoGrad(t *testing.T) {
	x := Param(tensor.FromFloat64([]float64{2}, 1), "x")
	y := Mul(x, StopGradient(x)) // d/dx = x, not 2x
	g, err := Grad([]*Var{Sum(y, nil, false)}, []*Var{x}, nil, false)
	if err != nil || g[0].Value.At(0) != 2 {
		t.Fatalf("grad through stop_gradient = %v, %v; want 2", g[0].Value, err)
	}
	NoGrad([]*Var{x}, func() {
		if Square(x).RequiresGrad() {
			t.Error("op recorded inside NoGrad")
		}
	})
	if !x.RequiresGrad() {
		t.Error("NoGrad did not restore requires_grad")
	}
}

func TestBackwardErrors(t *testing.T) {
	x := Param(tensor.New(tensor.Float64, 2, 2), "x")
	if err := Square(x).Backward(); err == nil {
		t.Error("backward of a non-scalar without a seed gave no error")
	}
	err := tensor.Catch(func() { Add(x, Const(tensor.New(tensor.Float64, 3))) })
	if err == nil || err.Error() != "add: shapes [2 2] and [3] do not broadcast" {
		t.Errorf("shape mismatch error = %v", err)
	}
}

// TestGradSkipsBranchesThatLeadNowhere checks that Grad for one input does
// not run the rules of a branch that cannot reach it, as when a
// discriminator's loss is differentiated for its own weights only.
func TestGradSkipsBranchesThatLeadNowhere(t *testing.T) {
	gw := Param(tensor.FromFloat64([]float64{2}, 1), "g")
	dw := Param(tensor.FromFloat64([]float64{3}, 1), "d")
	ran := 0
	spy := record("spy", gw.Value.Clone(), func(g *Var) []*Var { ran++; return []*Var{g} }, gw)
	loss := Sum(Mul(Square(spy), dw), nil, false) // d loss / d dw = gw² = 4
	g, err := Grad([]*Var{loss}, []*Var{dw}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := g[0].Value.At(0); got != 4 {
		t.Errorf("gradient %v, want 4", got)
	}
	if ran != 0 {
		t.Errorf("the generator-side rule ran %d times for a gradient that does not need it", ran)
	}
	if _, err := Grad([]*Var{loss}, []*Var{gw}, nil, false); err != nil || ran != 1 {
		t.Errorf("rule ran %d times (err %v) for the gradient that needs it, want 1", ran, err)
	}
}
