package losses

import (
	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// MeanSquaredError is Keras's MeanSquaredError, mean((yPred-yTrue)²): the
// least-squares GAN (LSGAN) loss with targets 0 and 1.
type MeanSquaredError struct{}

// Call returns the mean squared error.
func (MeanSquaredError) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkPair("MeanSquaredError", yTrue, yPred); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	return mean(autograd.Square(autograd.Sub(yPred, yTrue))), nil
}

// MeanAbsoluteError is Keras's MeanAbsoluteError, mean(|yPred-yTrue|): the
// L1 reconstruction and cycle-consistency loss of pix2pix and CycleGAN. Its
// gradient at yPred = yTrue is 0.
type MeanAbsoluteError struct{}

// Call returns the mean absolute error.
func (MeanAbsoluteError) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkPair("MeanAbsoluteError", yTrue, yPred); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	return mean(autograd.Abs(autograd.Sub(yPred, yTrue))), nil
}
