package losses

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// BinaryCrossentropy is Keras's BinaryCrossentropy: the mean over all
// elements of -(y·log p + (1-y)·log(1-p)), the loss of the DCGAN
// discriminator and generator. Probabilities are clipped to
// [Epsilon, 1-Epsilon] as Keras's JAX, NumPy and PyTorch backends do (the
// TensorFlow backend also adds Epsilon inside the log: a difference of
// about 1e-7 relative).
type BinaryCrossentropy struct {
	// FromLogits says that yPred holds logits rather than probabilities.
	FromLogits bool
	// LabelSmoothing ls in [0, 1] replaces targets y by y·(1-ls) + 0.5·ls.
	LabelSmoothing float64
}

// NewBinaryCrossentropy returns a validated BinaryCrossentropy.
func NewBinaryCrossentropy(fromLogits bool, labelSmoothing float64) (*BinaryCrossentropy, error) {
	l := &BinaryCrossentropy{FromLogits: fromLogits, LabelSmoothing: labelSmoothing}
	return l, checkSmoothing("BinaryCrossentropy", labelSmoothing)
}

// Call returns the mean binary crossentropy of yPred against yTrue.
func (l *BinaryCrossentropy) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	const name = "BinaryCrossentropy"
	if err := checkSmoothing(name, l.LabelSmoothing); err != nil {
		return nil, err
	}
	if err := checkPair(name, yTrue, yPred); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	y := yTrue
	if ls := l.LabelSmoothing; ls > 0 {
		y = autograd.AddScalar(autograd.Scale(y, 1-ls), 0.5*ls)
	}
	if l.FromLogits {
		// NOTE: max(x,0) - x·y + log(1+e^-|x|) is softplus(x) - x·y, and
		// Softplus evaluates exactly that stable form. Composing it from
		// Relu and Abs instead would give the wrong subgradient -y at
		// x = 0 (both kinks contribute 0) where the true slope is 0.5-y;
		// Softplus's derivative sigmoid(x) is smooth, so first and second
		// derivatives are right everywhere.
		return mean(autograd.Sub(autograd.Softplus(yPred), autograd.Mul(yPred, y))), nil
	}
	p := clip(yPred, Epsilon, 1-Epsilon)
	pos := autograd.Mul(y, autograd.Log(p))
	neg := autograd.Mul(autograd.AddScalar(autograd.Neg(y), 1), autograd.Log(autograd.AddScalar(autograd.Neg(p), 1)))
	return autograd.Neg(mean(autograd.Add(pos, neg))), nil
}

// CategoricalCrossentropy is Keras's CategoricalCrossentropy over the last
// axis: -Σ_c y_c·log p_c per sample, averaged over samples. yTrue holds
// one-hot (or soft) targets.
type CategoricalCrossentropy struct {
	// FromLogits says that yPred holds logits rather than probabilities.
	FromLogits bool
	// LabelSmoothing ls in [0, 1] replaces targets y by y·(1-ls) + ls/C
	// for C classes.
	LabelSmoothing float64
}

// NewCategoricalCrossentropy returns a validated CategoricalCrossentropy.
func NewCategoricalCrossentropy(fromLogits bool, labelSmoothing float64) (*CategoricalCrossentropy, error) {
	l := &CategoricalCrossentropy{FromLogits: fromLogits, LabelSmoothing: labelSmoothing}
	return l, checkSmoothing("CategoricalCrossentropy", labelSmoothing)
}

// Call returns the mean categorical crossentropy of yPred against yTrue.
func (l *CategoricalCrossentropy) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	const name = "CategoricalCrossentropy"
	if err := checkSmoothing(name, l.LabelSmoothing); err != nil {
		return nil, err
	}
	if err := checkPair(name, yTrue, yPred); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	y := yTrue
	if ls := l.LabelSmoothing; ls > 0 {
		classes := float64(yPred.Value.Dim(-1))
		y = autograd.AddScalar(autograd.Scale(y, 1-ls), ls/classes)
	}
	logp := logProbs(yPred, l.FromLogits)
	return autograd.Neg(mean(autograd.Sum(autograd.Mul(y, logp), []int{-1}, false))), nil
}

// logProbs returns log-probabilities over the last axis: a log-softmax of
// logits, or, as Keras does for probabilities, the log of yPred rescaled
// to sum to one and clipped to [Epsilon, 1-Epsilon].
func logProbs(yPred *autograd.Var, fromLogits bool) *autograd.Var {
	if fromLogits {
		return autograd.LogSoftmax(yPred, -1)
	}
	p := autograd.Div(yPred, autograd.Sum(yPred, []int{-1}, true))
	return autograd.Log(clip(p, Epsilon, 1-Epsilon))
}

// SparseCategoricalCrossentropy is Keras's SparseCategoricalCrossentropy:
// CategoricalCrossentropy with integer class ids instead of one-hot
// targets, as a conditional GAN's auxiliary classifier uses.
//
// yTrue holds the class ids as floats, shaped like yPred without its last
// axis (or with a last axis of 1).
type SparseCategoricalCrossentropy struct {
	// FromLogits says that yPred holds logits rather than probabilities.
	FromLogits bool
}

// NewSparseCategoricalCrossentropy returns a SparseCategoricalCrossentropy.
func NewSparseCategoricalCrossentropy(fromLogits bool) *SparseCategoricalCrossentropy {
	return &SparseCategoricalCrossentropy{FromLogits: fromLogits}
}

// Call returns the mean crossentropy of yPred against the class ids yTrue.
func (l *SparseCategoricalCrossentropy) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	const name = "SparseCategoricalCrossentropy"
	if err := checkVars(name, yTrue, yPred); err != nil {
		return nil, err
	}
	idx, err := classIndices(name, yTrue.Value, yPred.Shape())
	if err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	logp := logProbs(yPred, l.FromLogits)
	picked := autograd.Gather(logp, idx, len(idx))
	return autograd.Neg(mean(picked)), nil
}

// classIndices checks that labels are class ids for predictions of shape
// pred and returns the flat index of each label's entry in pred.
func classIndices(loss string, labels *tensor.Tensor, pred []int) ([]int, error) {
	if len(pred) == 0 {
		return nil, fmt.Errorf("%s: y_pred is a scalar, want (..., classes)", loss)
	}
	classes := pred[len(pred)-1]
	batch := pred[:len(pred)-1]
	ls := labels.Shape()
	ok := tensor.SameShape(ls, batch) ||
		(len(ls) == len(pred) && ls[len(ls)-1] == 1 && tensor.SameShape(ls[:len(ls)-1], batch))
	if !ok {
		return nil, fmt.Errorf("%s: y_true shape %v does not match y_pred shape %v: want %v or %v", loss, ls, pred, batch, append(append([]int(nil), batch...), 1))
	}
	idx := make([]int, labels.Len())
	for i := range idx {
		v := labels.At(i)
		if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
			return nil, fmt.Errorf("%s: label %v at index %d is not a class id in [0, %d)", loss, v, i, classes)
		}
		idx[i] = i*classes + int(v)
	}
	return idx, nil
}

// KLDivergence is Keras's KLDivergence over the last axis:
// Σ y·log(y/p) per sample with y and p clipped to [Epsilon, 1], averaged
// over samples.
type KLDivergence struct{}

// Call returns the mean Kullback-Leibler divergence of yPred from yTrue.
func (KLDivergence) Call(yTrue, yPred *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkPair("KLDivergence", yTrue, yPred); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	y := clip(yTrue, Epsilon, 1)
	p := clip(yPred, Epsilon, 1)
	kl := autograd.Mul(y, autograd.Log(autograd.Div(y, p)))
	return mean(autograd.Sum(kl, []int{-1}, false)), nil
}
