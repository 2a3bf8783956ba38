package gan

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/losses"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
)

// WGANGP is the Wasserstein GAN with gradient penalty (Gulrajani et al.
// 2017) as the Keras guide trains it: NCritic critic steps, each with loss
// mean(D(fake)) − mean(D(real)) + GPWeight·GP on interpolates with α drawn
// uniformly per sample, then one generator step with loss −mean(D(G(z))).
type WGANGP struct {
	G, D       Model
	OptG, OptD optim.Optimizer
	Latent     int
	NCritic    int     // 5 in the guide
	GPWeight   float64 // 10 in the guide
	RNG        *tensor.RNG
	DType      tensor.DType
	KeepGraph  bool // as DCGAN's
}

// CriticStep runs one critic update on a batch of real images and returns
// the critic loss.
func (s *WGANGP) CriticStep(real *tensor.Tensor) (loss float64, err error) {
	defer tensor.Recover(&err)
	n := real.Dim(0)
	if n == 0 {
		return 0, fmt.Errorf("wgan-gp critic step: empty batch %v", real.Shape())
	}
	dW := vars(s.D.TrainableWeights())
	var fake *autograd.Var
	autograd.NoGrad(vars(s.G.TrainableWeights()), func() {
		fake, err = s.G.Call(autograd.Const(s.RNG.Normal(s.DType, 0, 1, n, s.Latent)), true)
	})
	if err != nil {
		return 0, fmt.Errorf("wgan-gp critic step: generator: %w", err)
	}
	gOut := fake // released with the step
	fake = fake.Detach()
	logits, err := s.D.Call(autograd.Concat(0, fake, autograd.Const(real)), true)
	if err != nil {
		return 0, fmt.Errorf("wgan-gp critic step: critic: %w", err)
	}
	wloss := autograd.Sub(
		autograd.Mean(autograd.SliceAxis(logits, 0, 0, n), nil, false),
		autograd.Mean(autograd.SliceAxis(logits, 0, n, 2*n), nil, false))
	critic := func(x *autograd.Var) (*autograd.Var, error) { return s.D.Call(x, true) }
	gp, err := losses.GradientPenalty(critic, autograd.Const(real), fake, s.RNG, false)
	if err != nil {
		return 0, fmt.Errorf("wgan-gp critic step: %w", err)
	}
	total := autograd.Add(wloss, autograd.Scale(gp, s.GPWeight))
	grads, err := applyGrads(s.OptD, total, dW)
	if err != nil {
		return 0, fmt.Errorf("wgan-gp critic step: update: %w", err)
	}
	loss = total.Value.Item()
	release(s.KeepGraph, []*autograd.Var{total, gOut}, grads)
	return loss, nil
}

// GeneratorStep runs one generator update with batch size n and returns its
// loss.
func (s *WGANGP) GeneratorStep(n int) (loss float64, err error) {
	defer tensor.Recover(&err)
	var gLoss *autograd.Var
	autograd.NoGrad(vars(s.D.TrainableWeights()), func() {
		var fake, logits *autograd.Var
		fake, err = s.G.Call(autograd.Const(s.RNG.Normal(s.DType, 0, 1, n, s.Latent)), true)
		if err == nil {
			logits, err = s.D.Call(fake, true)
		}
		if err == nil {
			gLoss = autograd.Neg(autograd.Mean(logits, nil, false))
		}
	})
	if err != nil {
		return 0, fmt.Errorf("wgan-gp generator step: %w", err)
	}
	grads, err := applyGrads(s.OptG, gLoss, vars(s.G.TrainableWeights()))
	if err != nil {
		return 0, fmt.Errorf("wgan-gp generator step: update: %w", err)
	}
	loss = gLoss.Value.Item()
	release(s.KeepGraph, []*autograd.Var{gLoss}, grads)
	return loss, nil
}

// Iteration runs NCritic critic steps on the batches from next and one
// generator step, returning the last critic loss and the generator loss.
func (s *WGANGP) Iteration(next func() (*tensor.Tensor, error)) (dLoss, gLoss float64, err error) {
	n := 0
	for i := 0; i < s.NCritic; i++ {
		real, err := next()
		if err != nil {
			return 0, 0, err
		}
		n = real.Dim(0)
		if dLoss, err = s.CriticStep(real); err != nil {
			return 0, 0, err
		}
	}
	gLoss, err = s.GeneratorStep(n)
	return dLoss, gLoss, err
}
