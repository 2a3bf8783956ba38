package losses

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Epsilon is Keras's backend epsilon: probabilities are clipped to
// [Epsilon, 1-Epsilon] before their logarithm is taken.
const Epsilon = 1e-7

// Loss is a Keras loss: the mean over the batch of a per-sample loss
// between targets yTrue and predictions yPred.
type Loss interface {
	Call(yTrue, yPred *autograd.Var) (*autograd.Var, error)
}

var (
	_ Loss = (*BinaryCrossentropy)(nil)
	_ Loss = (*CategoricalCrossentropy)(nil)
	_ Loss = (*SparseCategoricalCrossentropy)(nil)
	_ Loss = (*KLDivergence)(nil)
	_ Loss = (*Hinge)(nil)
	_ Loss = (*MeanSquaredError)(nil)
	_ Loss = (*MeanAbsoluteError)(nil)
)

// checkPair returns an error unless yTrue and yPred are present, have the
// same dtype and the same shape.
func checkPair(loss string, yTrue, yPred *autograd.Var) error {
	if err := checkVars(loss, yTrue, yPred); err != nil {
		return err
	}
	if !tensor.SameShape(yTrue.Shape(), yPred.Shape()) {
		return fmt.Errorf("%s: y_true shape %v and y_pred shape %v differ", loss, yTrue.Shape(), yPred.Shape())
	}
	return nil
}

// checkVars returns an error unless every v is present, non-empty and of
// one dtype.
func checkVars(loss string, vs ...*autograd.Var) error {
	for i, v := range vs {
		if v == nil || v.Value == nil {
			return fmt.Errorf("%s: argument %d is nil", loss, i)
		}
		if v.Value.Len() == 0 {
			return fmt.Errorf("%s: argument %d has empty shape %v", loss, i, v.Shape())
		}
		if v.DType() != vs[0].DType() {
			return fmt.Errorf("%s: dtypes %v and %v differ (shapes %v and %v)", loss, vs[0].DType(), v.DType(), vs[0].Shape(), v.Shape())
		}
	}
	return nil
}

// checkSmoothing validates a label_smoothing value.
func checkSmoothing(loss string, ls float64) error {
	if !(ls >= 0 && ls <= 1) {
		return fmt.Errorf("%s: LabelSmoothing = %v, want in [0, 1]", loss, ls)
	}
	return nil
}

// scalar returns the constant s with x's dtype, broadcastable to anything.
func scalar(x *autograd.Var, s float64) *autograd.Var {
	return autograd.Const(tensor.Scalar(x.DType(), s))
}

// clip limits x to [lo, hi]; the gradient is zero where x is clipped, as
// with Keras's ops.clip.
func clip(x *autograd.Var, lo, hi float64) *autograd.Var {
	return autograd.Minimum(autograd.Maximum(x, scalar(x, lo)), scalar(x, hi))
}

// mean reduces per-element or per-sample losses to Keras's
// "sum_over_batch_size" scalar.
func mean(x *autograd.Var) *autograd.Var { return autograd.Mean(x, nil, false) }
