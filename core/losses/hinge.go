package losses

import (
	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Hinge is Keras's Hinge loss, mean(max(1 - y·yPred, 0)). Targets are -1
// or 1; as in Keras, targets that are all 0 or 1 are first mapped to -1 and
// 1. For the hinge GAN loss on critic outputs use HingeD and HingeG.
type Hinge struct{}

// Call returns the mean hinge loss.
func (Hinge) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkPair("Hinge", yTrue, yPred); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	y := yTrue
	if isBinary(yTrue.Value) {
		y = autograd.AddScalar(autograd.Scale(y, 2), -1)
	}
	return mean(autograd.Relu(autograd.AddScalar(autograd.Neg(autograd.Mul(y, yPred)), 1))), nil
}

// isBinary reports whether every element of t is 0 or 1.
func isBinary(t *tensor.Tensor) bool {
	for i := 0; i < t.Len(); i++ {
		if v := t.At(i); v != 0 && v != 1 {
			return false
		}
	}
	return true
}

// HingeD is the hinge GAN loss of the discriminator (Lim & Ye 2017, used by
// SAGAN and BigGAN): mean(relu(1 - real)) + mean(relu(1 + fake)) over the
// critic's outputs on real and generated samples. The two batches may
// differ in size.
func HingeD(realLogits, fakeLogits *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkVars("HingeD", realLogits, fakeLogits); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	r := mean(autograd.Relu(autograd.AddScalar(autograd.Neg(realLogits), 1)))
	f := mean(autograd.Relu(autograd.AddScalar(fakeLogits, 1)))
	return autograd.Add(r, f), nil
}

// HingeG is the hinge GAN loss of the generator: -mean(fake), the critic's
// outputs on generated samples.
func HingeG(fakeLogits *autograd.Var) (loss *autograd.Var, err error) {
	return negMean("HingeG", fakeLogits)
}

// negMean returns -mean(x).
func negMean(name string, x *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkVars(name, x); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	return autograd.Neg(mean(x)), nil
}
