package nn

import (
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// sumW reduces y to a scalar with fixed random weights, so every output
// element's gradient is checked with a distinct upstream value.
func sumW(y *autograd.Var) *autograd.Var {
	w := tensor.NewRNG(99, 1).Normal(y.DType(), 0, 1, y.Shape()...)
	return autograd.Sum(autograd.Mul(y, autograd.Const(w)), nil, false)
}

// gradNormSq returns Σ (∂ sumW(f(x)) / ∂x)², a scalar built from a
// create-graph gradient: checking its gradient checks second order.
func gradNormSq(f func(*autograd.Var) *autograd.Var) func(xs []*autograd.Var) *autograd.Var {
	return func(xs []*autograd.Var) *autograd.Var {
		y := sumW(f(xs[0]))
		g, err := autograd.Grad([]*autograd.Var{y}, xs[:1], nil, true)
		if err != nil {
			panic(err)
		}
		return autograd.Sum(autograd.Square(g[0]), nil, false)
	}
}

func randn(seed uint64, shape ...int) *tensor.Tensor {
	return tensor.NewRNG(seed, 7).Normal(tensor.Float64, 0, 1, shape...)
}

// mustCall calls l and panics on error: inside CheckGrad's f, which cannot
// return one (CheckGrad turns the panic into its error).
func mustCall(l Layer, x *autograd.Var, training bool) *autograd.Var {
	y, err := l.Call(x, training)
	if err != nil {
		panic(err)
	}
	return y
}

// noPanic fails the test if fn panics.
func noPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	fn()
}
