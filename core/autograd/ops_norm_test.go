package autograd

import (
	"fmt"
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

// TestBatchNormLeakyRelu checks the fused batch norm and rectifier
// against BatchNorm then LeakyReluInPlace (see checkFusedLikeTwoOps).
func TestBatchNormLeakyRelu(t *testing.T) {
	rng := tensor.NewRNG(36, 0)
	inputs := []*tensor.Tensor{randT(rng, 6, 5), randT(rng, 5), randT(rng, 5)}
	for _, slope := range []float64{0, 0.2} {
		fused := func(xs []*Var) *Var { y, _, _ := BatchNormLeakyRelu(xs[0], xs[1], xs[2], 1e-3, slope); return y }
		twoOps := func(xs []*Var) *Var {
			y, _, _ := BatchNorm(xs[0], xs[1], xs[2], 1e-3)
			return LeakyReluInPlace(y, slope)
		}
		checkFusedLikeTwoOps(t, fmt.Sprintf("slope %g", slope), fused, twoOps, inputs)
	}
}
