package gan

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/losses"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
)

// Model is what a step needs of a network: a forward call and the weights
// it trains. *nn.Sequential and *nn.Model satisfy it.
type Model interface {
	Call(x *autograd.Var, training bool) (*autograd.Var, error)
	TrainableWeights() []*nn.Weight
}

// DCGAN is the Keras guide's GAN with its overridden train_step: the
// discriminator learns fake → 1, real → 0 on one concatenated batch with
// small uniform label noise, then the generator learns to make the frozen
// discriminator say "real" (0) on fresh noise. Losses are binary
// cross-entropy on logits.
type DCGAN struct {
	G, D       Model
	OptG, OptD optim.Optimizer
	Latent     int
	LabelNoise float64     // 0.05 in the guide
	RNG        *tensor.RNG // noise and label noise
	DType      tensor.DType
	// KeepGraph leaves each step's tensors to the garbage collector instead
	// of recycling them after the update (autograd.ReleaseGraph): for
	// debugging, and for tests that compare the two.
	KeepGraph bool

	bce *losses.BinaryCrossentropy
}

// StepResult holds the losses of one step.
type StepResult struct {
	DLoss, GLoss float64
}

// Step runs one train_step on a batch of real images (n, h, w, c).
func (s *DCGAN) Step(real *tensor.Tensor) (res StepResult, err error) {
	defer tensor.Recover(&err)
	if s.bce == nil {
		if s.bce, err = losses.NewBinaryCrossentropy(true, 0); err != nil {
			return res, err
		}
	}
	n := real.Dim(0)
	if n == 0 {
		return res, fmt.Errorf("dcgan step: empty batch %v", real.Shape())
	}
	dW := vars(s.D.TrainableWeights())
	gW := vars(s.G.TrainableWeights())

	// Discriminator: fake → 1, real → 0, labels + LabelNoise·U[0,1).
	var fake *autograd.Var
	autograd.NoGrad(gW, func() {
		fake, err = s.G.Call(autograd.Const(s.noise(n)), true)
	})
	if err != nil {
		return res, fmt.Errorf("dcgan step: generator: %w", err)
	}
	x := autograd.Concat(0, fake.Detach(), autograd.Const(real))
	gOut := fake
	labels := tensor.Concat(0, tensor.Full(s.DType, 1, n, 1), tensor.New(s.DType, n, 1))
	labels = tensor.Add(labels, s.RNG.Uniform(s.DType, 0, s.LabelNoise, 2*n, 1))
	dLoss, err := s.lossOf(s.D, x, labels)
	if err != nil {
		return res, fmt.Errorf("dcgan step: discriminator: %w", err)
	}
	if _, err := applyGrads(s.OptD, dLoss, dW); err != nil {
		return res, fmt.Errorf("dcgan step: discriminator update: %w", err)
	}
	res.DLoss = dLoss.Value.Item()
	// The gradients are not recycled here: the next tensors of their sizes
	// come a whole generator update later, and holding them in the pools
	// meanwhile raised dcgan64's peak RSS by about 30 MiB.
	release(s.KeepGraph, []*autograd.Var{dLoss, gOut}, nil)

	// Generator: make the frozen D call fresh fakes real (0).
	var gLoss *autograd.Var
	autograd.NoGrad(dW, func() {
		fake, err = s.G.Call(autograd.Const(s.noise(n)), true)
		if err == nil {
			gLoss, err = s.lossOf(s.D, fake, tensor.New(s.DType, n, 1))
		}
	})
	if err != nil {
		return res, fmt.Errorf("dcgan step: generator: %w", err)
	}
	if _, err := applyGrads(s.OptG, gLoss, gW); err != nil {
		return res, fmt.Errorf("dcgan step: generator update: %w", err)
	}
	res.GLoss = gLoss.Value.Item()
	release(s.KeepGraph, []*autograd.Var{gLoss}, nil)
	return res, nil
}

// release recycles a step's graph, the gradients it applied and the
// values made outside the graph that the step is done with (a generator's
// output under NoGrad, detached for the critic), unless keep.
func release(keep bool, outputs []*autograd.Var, grads []*tensor.Tensor) {
	if !keep {
		autograd.ReleaseGraphAndGrads(outputs, grads)
	}
}

func (s *DCGAN) noise(n int) *tensor.Tensor { return s.RNG.Normal(s.DType, 0, 1, n, s.Latent) }

func (s *DCGAN) lossOf(d Model, x *autograd.Var, labels *tensor.Tensor) (*autograd.Var, error) {
	logits, err := d.Call(x, true)
	if err != nil {
		return nil, err
	}
	return s.bce.Call(autograd.Const(labels), logits)
}

// applyGrads computes the gradients of loss for ws, lets opt update ws
// with them, and returns them for release.
func applyGrads(opt optim.Optimizer, loss *autograd.Var, ws []*autograd.Var) ([]*tensor.Tensor, error) {
	grads, err := autograd.Grad([]*autograd.Var{loss}, ws, nil, false)
	if err != nil {
		return nil, err
	}
	gt := make([]*tensor.Tensor, len(grads))
	for i, g := range grads {
		gt[i] = g.Value
	}
	return gt, opt.ApplyGradients(gt, ws)
}

func vars(ws []*nn.Weight) []*autograd.Var {
	out := make([]*autograd.Var, len(ws))
	for i, w := range ws {
		out[i] = w.Var
	}
	return out
}
