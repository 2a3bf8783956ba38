package autograd

import (
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

func TestBatchNormGradients(t *testing.T) {
	rng := tensor.NewRNG(12, 0)
	x := randT(rng, 4, 3, 2, 3)
	gamma := randT(rng, 3)
	beta := randT(rng, 3)
	full := func(xs []*Var) *Var {
		y, _, _ := BatchNorm(xs[0], xs[1], xs[2], 1e-3)
		return sumW(Tanh(y))
	}
	if err := CheckGrad(full, x, gamma, beta); err != nil {
		t.Errorf("first order: %v", err)
	}
	noAffine := func(xs []*Var) *Var {
		y, _, _ := BatchNorm(xs[0], nil, nil, 1e-3)
		return sumW(y)
	}
	if err := CheckGrad(noAffine, x); err != nil {
		t.Errorf("first order without gamma/beta: %v", err)
	}
	second := func(xs []*Var) *Var {
		y, _, _ := BatchNorm(xs[0], xs[1], xs[2], 1e-3)
		g, err := Grad([]*Var{sumW(Tanh(y))}, xs[:1], nil, true)
		if err != nil {
			panic(err)
		}
		return Sum(Square(g[0]), nil, false)
	}
	if err := CheckGrad(second, x, gamma, beta); err != nil {
		t.Errorf("second order: %v", err)
	}
}

// TestBatchNormLeakyRelu checks the fused batch norm and rectifier against
// BatchNorm then LeakyReluInPlace: the same values and gradients, bit for
// bit, to first and second order, and its own gradients by finite
// differences to second order.
func TestBatchNormLeakyRelu(t *testing.T) {
	rng := tensor.NewRNG(36, 0)
	inputs := []*tensor.Tensor{randT(rng, 6, 5), randT(rng, 5), randT(rng, 5)}
	for _, slope := range []float64{0, 0.2} {
		fused := func(xs []*Var) *Var { y, _, _ := BatchNormLeakyRelu(xs[0], xs[1], xs[2], 1e-3, slope); return y }
		twoOps := func(xs []*Var) *Var {
			y, _, _ := BatchNorm(xs[0], xs[1], xs[2], 1e-3)
			return LeakyReluInPlace(y, slope)
		}
		for name, wrap := range map[string]func(func([]*Var) *Var) func([]*Var) *Var{
			"first order": func(f func([]*Var) *Var) func([]*Var) *Var { return func(xs []*Var) *Var { return sumW(f(xs)) } },
			"second order": func(f func([]*Var) *Var) func([]*Var) *Var {
				return convGradNormSq(func(xs []*Var) *Var { return Square(f(xs)) })
			},
		} {
			leaves := func() []*Var {
				return []*Var{Leaf(inputs[0].Clone()), Leaf(inputs[1].Clone()), Leaf(inputs[2].Clone())}
			}
			a, b := leaves(), leaves()
			la, lb := wrap(fused)(a), wrap(twoOps)(b)
			if la.Value.Item() != lb.Value.Item() {
				t.Fatalf("slope %g %s: %v fused, %v in two ops", slope, name, la.Value.Item(), lb.Value.Item())
			}
			ga, err1 := Grad([]*Var{la}, a, nil, false)
			gb, err2 := Grad([]*Var{lb}, b, nil, false)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			for i := range ga {
				for j := range ga[i].Value.Len() {
					if ga[i].Value.At(j) != gb[i].Value.At(j) {
						t.Fatalf("slope %g %s: gradient %d[%d] %v fused, %v in two ops", slope, name, i, j, ga[i].Value.At(j), gb[i].Value.At(j))
					}
				}
			}
			if err := CheckGrad(wrap(fused), inputs...); err != nil {
				t.Fatalf("slope %g %s: %v", slope, name, err)
			}
		}
	}
}
