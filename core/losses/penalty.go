package losses

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Critic maps a batch of samples (batch, ...) to the critic's outputs.
type Critic = func(x *autograd.Var) (*autograd.Var, error)

// NormTiny is added under the square root of the gradient norm.
//
// NOTE: d√s/ds = 1/(2√s) is infinite at s = 0, and the chain rule then
// multiplies it by ds/dg = 2g = 0, giving NaN for every critic weight as
// soon as one sample's input-gradient vanishes (a saturated or constant
// critic). √(s + 1e-12) has a finite derivative everywhere, so that case
// gives a penalty of (1e-6 - 1)² ≈ 1 and zero weight gradients. The shift
// changes a norm n by about 5e-13/n: unmeasurable for the norms near 1 a
// penalty works with (the reference cases require 1e-6). The same constant
// serves float32, where 1e-12 is representable and vanishes in any norm
// above ~1e-3 just as in float64.
const NormTiny = 1e-12

// GradientPenalty is the WGAN-GP penalty of Gulrajani et al. 2017, as in
// Keras's WGAN-GP guide: for one alpha ~ U[0,1) per sample drawn from rng,
// x̂ = alpha·real + (1-alpha)·fake, and the penalty is
//
//	mean_batch((‖∂ Σ critic(x̂) / ∂x̂‖₂ - 1)²)
//
// with the norm over all non-batch axes. oneSided penalises only norms
// above 1: mean_batch(relu(‖·‖ - 1)²). The result is differentiable with
// respect to the critic's weights (a second-order gradient). x̂ is a new
// leaf: no gradient flows back into real or fake.
func GradientPenalty(critic Critic, real, fake *autograd.Var, rng *tensor.RNG, oneSided bool) (gp *autograd.Var, err error) {
	const name = "GradientPenalty"
	if err := checkVars(name, real, fake); err != nil {
		return nil, err
	}
	if !tensor.SameShape(real.Shape(), fake.Shape()) || real.Value.Rank() == 0 {
		return nil, fmt.Errorf("%s: real shape %v and fake shape %v: want equal (batch, ...) shapes", name, real.Shape(), fake.Shape())
	}
	if rng == nil {
		return nil, fmt.Errorf("%s: nil rng", name)
	}
	defer tensor.Recover(&err)
	shape := make([]int, real.Value.Rank())
	for i := range shape {
		shape[i] = 1
	}
	shape[0] = real.Value.Dim(0)
	alpha := rng.Uniform(real.DType(), 0, 1, shape...)
	// x̂ is a leaf of the penalty's own, but a value an op made, so that
	// releasing the step's graph recycles it.
	xhat := autograd.Interpolate(autograd.Const(real.Value), autograd.Const(fake.Value), alpha)
	xhat.SetRequiresGrad(true)
	norms, err := GradientNorms(critic, xhat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return penaltyFromNorms(norms, oneSided), nil
}

// GradientPenaltyAt is the two-sided WGAN-GP penalty at given points xhat:
// mean_batch((‖∂ Σ critic(xhat) / ∂xhat‖₂ - 1)²). If xhat requires no
// gradient it is differentiated as a new leaf holding its value.
func GradientPenaltyAt(critic Critic, xhat *autograd.Var) (gp *autograd.Var, err error) {
	norms, err := GradientNorms(critic, xhat)
	if err != nil {
		return nil, fmt.Errorf("GradientPenaltyAt: %w", err)
	}
	defer tensor.Recover(&err)
	return penaltyFromNorms(norms, false), nil
}

// GradientNorms returns the per-sample norms √(‖∂ Σ critic(x) / ∂x‖² +
// NormTiny), shape (batch,), recorded so that they can be differentiated
// again. If x requires no gradient it is differentiated as a new leaf
// holding its value.
func GradientNorms(critic Critic, x *autograd.Var) (norms *autograd.Var, err error) {
	g, err := inputGrad("gradient norm", critic, x)
	if err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	return autograd.Sqrt(autograd.AddScalar(perSampleSumSq(g), NormTiny)), nil
}

// R1Penalty is the R1 regulariser of Mescheder et al. 2018 (StyleGAN):
// mean_batch(‖∂ Σ critic(real) / ∂real‖²), to be scaled by gamma/2 by the
// caller. No square root is taken, so a zero gradient needs no care.
func R1Penalty(critic Critic, real *autograd.Var) (r1 *autograd.Var, err error) {
	g, err := inputGrad("R1Penalty", critic, real)
	if err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	return mean(perSampleSumSq(g)), nil
}

// inputGrad returns ∂ Σ critic(x) / ∂x with createGraph, so that it can be
// differentiated with respect to the critic's weights.
func inputGrad(name string, critic Critic, x *autograd.Var) (g *autograd.Var, err error) {
	defer tensor.Recover(&err) // the critic may panic on a shape error
	if critic == nil {
		return nil, fmt.Errorf("%s: nil critic", name)
	}
	if err := checkVars(name, x); err != nil {
		return nil, err
	}
	if x.Value.Rank() == 0 {
		return nil, fmt.Errorf("%s: input is a scalar, want (batch, ...)", name)
	}
	if !x.RequiresGrad() {
		x = autograd.Leaf(x.Value)
	}
	out, err := critic(x)
	if err != nil {
		return nil, fmt.Errorf("%s: critic: %w", name, err)
	}
	if out == nil || out.Value == nil {
		return nil, fmt.Errorf("%s: critic returned nil", name)
	}
	gs, err := autograd.Grad([]*autograd.Var{autograd.Sum(out, nil, false)}, []*autograd.Var{x}, nil, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return gs[0], nil
}

// perSampleSumSq returns Σ g² over every axis but the first, shape (batch,).
func perSampleSumSq(g *autograd.Var) *autograd.Var {
	sq := autograd.Square(g)
	if g.Value.Rank() == 1 {
		return sq
	}
	axes := make([]int, g.Value.Rank()-1)
	for i := range axes {
		axes[i] = i + 1
	}
	return autograd.Sum(sq, axes, false)
}

// penaltyFromNorms returns mean((n-1)²), or mean(relu(n-1)²) one-sided.
func penaltyFromNorms(norms *autograd.Var, oneSided bool) *autograd.Var {
	d := autograd.AddScalar(norms, -1)
	if oneSided {
		d = autograd.Relu(d)
	}
	return mean(autograd.Square(d))
}
