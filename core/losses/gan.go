package losses

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// WassersteinD is the WGAN critic loss mean(fake) - mean(real) over the
// critic's outputs on generated and real samples (Keras's WGAN-GP guide).
// Add a GradientPenalty for WGAN-GP. The two batches may differ in size.
func WassersteinD(real, fake *autograd.Var) (loss *autograd.Var, err error) {
	if err := checkVars("WassersteinD", real, fake); err != nil {
		return nil, err
	}
	defer tensor.Recover(&err)
	return autograd.Sub(mean(fake), mean(real)), nil
}

// WassersteinG is the WGAN generator loss -mean(fake).
func WassersteinG(fake *autograd.Var) (loss *autograd.Var, err error) {
	return negMean("WassersteinG", fake)
}

// FeatureMatching is the feature-matching generator loss of Salimans et
// al. 2016, "Improved Techniques for Training GANs", averaged over features:
//
//	(1/F) Σ_f (mean_batch(real)_f - mean_batch(fake)_f)²
//
// where realFeatures and fakeFeatures are (batch, ...) activations of an
// intermediate critic layer and F is the number of features per sample.
// The batch sizes may differ; the feature shapes must match.
func FeatureMatching(realFeatures, fakeFeatures *autograd.Var) (loss *autograd.Var, err error) {
	const name = "FeatureMatching"
	if err := checkVars(name, realFeatures, fakeFeatures); err != nil {
		return nil, err
	}
	rs, fs := realFeatures.Shape(), fakeFeatures.Shape()
	if len(rs) < 2 || len(fs) < 2 || !tensor.SameShape(rs[1:], fs[1:]) {
		return nil, fmt.Errorf("%s: real shape %v and fake shape %v: want (batch, features...) with equal feature shapes", name, rs, fs)
	}
	defer tensor.Recover(&err)
	diff := autograd.Sub(autograd.Mean(realFeatures, []int{0}, false), autograd.Mean(fakeFeatures, []int{0}, false))
	return mean(autograd.Square(diff)), nil
}
