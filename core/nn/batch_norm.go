package nn

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// BatchNormalization is keras.layers.BatchNormalization (Keras 3). Training
// normalises with the batch mean and biased variance and moves the moving
// statistics as new = momentum·old + (1-momentum)·batch (biased variance
// there too); inference uses the moving statistics. Weights in Keras's
// order: gamma, beta (trainable), moving_mean, moving_variance (not).
type BatchNormalization struct {
	Base
	axis                                    int
	momentum, epsilon                       float64
	center, scale                           bool
	gammaInit, betaInit, meanInit, varInit  Initializer
	gamma, beta, movingMean, movingVariance *Weight
	channels                                int
}

// NewBatchNormalization returns BatchNormalization(); options: Axis,
// Momentum (0.99), Epsilon (1e-3), Center, Scale, and the initializers.
func NewBatchNormalization(opts ...Option) *BatchNormalization {
	l := &BatchNormalization{Base: NewBase("BatchNormalization")}
	a := &args{axis: []int{-1}, momentum: 0.99, epsilon: 1e-3, center: true, scale: true,
		gammaInit: Ones(), betaInit: Zeros(), movingMeanInit: Zeros(), movingVarInit: Ones()}
	parseArgs(&l.Base, a, []string{"axis", "momentum", "epsilon", "center", "scale", "gamma_initializer",
		"beta_initializer", "moving_mean_initializer", "moving_variance_initializer"}, opts)
	l.momentum, l.epsilon, l.center, l.scale = a.momentum, a.epsilon, a.center, a.scale
	l.gammaInit, l.betaInit, l.meanInit, l.varInit = a.gammaInit, a.betaInit, a.movingMeanInit, a.movingVarInit
	if len(a.axis) != 1 {
		l.configErr("axis %v: want a single axis", a.axis)
	} else {
		l.axis = a.axis[0]
	}
	if a.momentum < 0 || a.momentum > 1 {
		l.configErr("momentum %v must be in [0, 1]", a.momentum)
	}
	if a.epsilon <= 0 {
		l.configErr("epsilon %v must be positive", a.epsilon)
	}
	return l
}

// OutputShape returns the input shape.
func (l *BatchNormalization) OutputShape(in []int) ([]int, error) {
	if _, err := normAxisOf(&l.Base, in, l.axis, l.channels); err != nil {
		return nil, err
	}
	return append([]int(nil), in...), nil
}

// Build creates gamma, beta, moving_mean and moving_variance of the axis's
// length.
func (l *BatchNormalization) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		ax, _ := normAxisOf(&l.Base, in, l.axis, 0)
		c := []int{in[ax]}
		l.channels = in[ax]
		if l.scale {
			l.gamma = l.AddWeight("gamma", c, l.gammaInit, true)
		}
		if l.center {
			l.beta = l.AddWeight("beta", c, l.betaInit, true)
		}
		l.movingMean = l.AddWeight("moving_mean", c, l.meanInit, false)
		l.movingVariance = l.AddWeight("moving_variance", c, l.varInit, false)
	})
}

// Call normalises x; in training it also updates the moving statistics, and
// refuses NaN or infinite inputs, which would poison them for good.
func (l *BatchNormalization) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	if training && x != nil && !fusedAxis(x, l.axis) && x.Value.HasNaN() {
		return nil, l.errorf("input %v: NaN or Inf in the batch; moving statistics left unchanged", x.Shape())
	}
	if training && x != nil && fusedAxis(x, l.axis) {
		return l.callFused(x)
	}
	return l.run(l, x, func() *autograd.Var {
		in := x.Shape()
		ax, _ := normAxisOf(&l.Base, in, l.axis, 0)
		bshape := make([]int, len(in))
		var axes []int
		for i := range in {
			bshape[i] = 1
			if i != ax {
				axes = append(axes, i)
			}
		}
		bshape[ax] = in[ax]
		var mean, variance *autograd.Var
		if training {
			mean = autograd.Mean(x, axes, true)
			variance = autograd.Variance(x, axes, true)
			l.updateMoving(mean.Value, variance.Value)
		} else {
			mean = autograd.Reshape(l.movingMean.Var, bshape...)
			variance = autograd.Reshape(l.movingVariance.Var, bshape...)
		}
		return affine(normalize(x, mean, variance, l.epsilon), l.gamma, l.beta, bshape)
	})
}

// updateMoving moves the statistics towards the batch's, in place.
// fusedAxis reports whether the fused kernel applies: it normalises the
// last axis, the channels of NHWC images and of dense activations.
func fusedAxis(x *autograd.Var, axis int) bool {
	r := len(x.Shape())
	return r >= 2 && (axis == -1 || axis == r-1)
}

// fusesRectifier reports that a following rectifier can be applied
// inside the layer (callRectified).
func (l *BatchNormalization) fusesRectifier() bool { return true }

// callRectified is Call followed by a rectifier of slope ≥ 0: inside the
// fused training pass where that pass applies, else in place after Call.
func (l *BatchNormalization) callRectified(x *autograd.Var, training bool, slope float64) (*autograd.Var, error) {
	if training && x != nil && fusedAxis(x, l.axis) {
		return l.callFusedRectified(x, &slope)
	}
	y, err := l.Call(x, training)
	if err != nil {
		return nil, err
	}
	if slope == 0 {
		return autograd.ReluInPlace(y), nil
	}
	return autograd.LeakyReluInPlace(y, slope), nil
}

// callFused is the training-mode Call through autograd.BatchNorm: one pass
// for the statistics, one for the output. A NaN or Inf in the batch shows
// in the mean, so it is caught without a pass of its own.
func (l *BatchNormalization) callFused(x *autograd.Var) (*autograd.Var, error) {
	return l.callFusedRectified(x, nil)
}

// callFusedRectified is callFused with the output rectified with *slope
// (autograd.BatchNormLeakyRelu) unless slope is nil.
func (l *BatchNormalization) callFusedRectified(x *autograd.Var, slope *float64) (*autograd.Var, error) {
	var bad bool
	y, err := l.run(l, x, func() *autograd.Var {
		var gamma, beta *autograd.Var
		if l.gamma != nil {
			gamma = l.gamma.Var
		}
		if l.beta != nil {
			beta = l.beta.Var
		}
		var y *autograd.Var
		var mean, variance []float64
		if slope != nil {
			y, mean, variance = autograd.BatchNormLeakyRelu(x, gamma, beta, l.epsilon, *slope)
		} else {
			y, mean, variance = autograd.BatchNorm(x, gamma, beta, l.epsilon)
		}
		for _, m := range mean {
			if math.IsNaN(m) || math.IsInf(m, 0) {
				bad = true
				return y
			}
		}
		dt := x.DType()
		l.updateMoving(tensor.FromValues(dt, mean, len(mean)), tensor.FromValues(dt, variance, len(variance)))
		return y
	})
	if err == nil && bad {
		return nil, l.errorf("input %v: NaN or Inf in the batch; moving statistics left unchanged", x.Shape())
	}
	return y, err
}

func (l *BatchNormalization) updateMoving(mean, variance *tensor.Tensor) {
	for _, s := range []struct {
		w     *Weight
		batch *tensor.Tensor
	}{{l.movingMean, mean}, {l.movingVariance, variance}} {
		old := s.w.Var.Value
		b := s.batch.Reshape(old.Shape()...)
		old.CopyFrom(tensor.Add(tensor.Scale(old, l.momentum), tensor.Scale(b, 1-l.momentum)))
	}
}

// normalize returns (x - mean)/sqrt(variance + epsilon).
func normalize(x, mean, variance *autograd.Var, epsilon float64) *autograd.Var {
	return autograd.Div(autograd.Sub(x, mean), autograd.Sqrt(autograd.AddScalar(variance, epsilon)))
}

// affine returns y·gamma + beta with both reshaped to bshape; either may be
// nil (scale=false, center=false).
func affine(y *autograd.Var, gamma, beta *Weight, bshape []int) *autograd.Var {
	if gamma != nil {
		y = autograd.Mul(y, autograd.Reshape(gamma.Var, bshape...))
	}
	if beta != nil {
		y = autograd.Add(y, autograd.Reshape(beta.Var, bshape...))
	}
	return y
}

// normAxisOf validates in and returns axis in [0, rank); a non-zero built
// is the length the layer was built for.
func normAxisOf(b *Base, in []int, axis, built int) (int, error) {
	if err := b.checkRank(in, 2, -1); err != nil {
		return 0, err
	}
	ax := axis
	if ax < 0 {
		ax += len(in)
	}
	if ax < 1 || ax >= len(in) {
		return 0, b.errorf("input shape %v: axis %d out of range (the batch axis cannot be normalised over)", in, axis)
	}
	if built != 0 && in[ax] != built {
		return 0, b.errorf("input shape %v: axis %d has %d entries, but the layer was built for %d", in, axis, in[ax], built)
	}
	return ax, nil
}

// Config returns Keras's BatchNormalization arguments.
func (l *BatchNormalization) Config() map[string]any {
	return withBase(&l.Base, map[string]any{
		"axis": l.axis, "momentum": l.momentum, "epsilon": l.epsilon, "center": l.center, "scale": l.scale,
		"gamma_initializer": l.gammaInit.Config(), "beta_initializer": l.betaInit.Config(),
		"moving_mean_initializer": l.meanInit.Config(), "moving_variance_initializer": l.varInit.Config(),
	})
}

func (l *BatchNormalization) String() string {
	return fmt.Sprintf("BatchNormalization(%d, momentum %g, epsilon %g)", l.channels, l.momentum, l.epsilon)
}
