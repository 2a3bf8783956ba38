package autograd

import (
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// BatchNorm normalises x over every axis but the last with the batch's mean
// and biased variance, then scales by gamma and shifts by beta (either may
// be nil): Keras's BatchNormalization in training. It returns the batch
// statistics too, for the moving averages.
//
// The forward pass and the first-order gradient are fused kernels (two
// passes each); the differentiable rule rebuilds the op from primitives so
// that second-order gradients through a critic with batch norm are exact.
func BatchNorm(x, gamma, beta *Var, eps float64) (y *Var, mean, variance []float64) {
	return batchNorm(x, gamma, beta, eps, nil)
}

// BatchNormLeakyRelu is LeakyReluInPlace(BatchNorm(x, gamma, beta, eps),
// slope) with the rectifier applied to each block of the output right
// after it is computed, while it is in cache: the same record and the same
// bits, one pass over the activation fewer. slope must be ≥ 0; slope 0 is
// ReluInPlace.
func BatchNormLeakyRelu(x, gamma, beta *Var, eps, slope float64) (y *Var, mean, variance []float64) {
	bn, mean, variance := batchNorm(x, gamma, beta, eps, &slope)
	op := "leaky_relu"
	if slope == 0 {
		op = "relu"
	}
	// Batch norm's rules never read its output (overwritable), so its Var
	// may hold the rectified values, as after the in-place op.
	return leakyFromOutput(op, bn, slope, bn.Value), mean, variance
}

// batchNorm is BatchNorm, its output rectified with *slope unless slope
// is nil.
func batchNorm(x, gamma, beta *Var, eps float64, slope *float64) (y *Var, mean, variance []float64) {
	shape := x.Shape()
	if len(shape) < 2 {
		panic(&tensor.Error{Op: "batch_norm", Msg: "input needs a batch axis and a channel axis"})
	}
	c := shape[len(shape)-1]
	for _, p := range []*Var{gamma, beta} {
		if p != nil && p.Value.Len() != c {
			panic(&tensor.Error{Op: "batch_norm", Msg: "scale/offset length does not match the channel axis"})
		}
	}
	mean, variance = tensor.BatchNormStats(x.Value)
	var gv []float64
	if gamma != nil {
		gv = gamma.Value.Values()
	}
	a, b := make([]float64, c), make([]float64, c)
	for j := range a {
		a[j] = 1 / math.Sqrt(variance[j]+eps)
		if gv != nil {
			a[j] *= gv[j]
		}
		b[j] = -mean[j] * a[j]
		if beta != nil {
			b[j] += beta.Value.At(j)
		}
	}
	inputs := []*Var{x}
	if gamma != nil {
		inputs = append(inputs, gamma)
	}
	if beta != nil {
		inputs = append(inputs, beta)
	}
	composite := func(xs []*Var) *Var { return batchNormComposite(xs, gamma != nil, beta != nil, eps) }
	var value *tensor.Tensor
	if slope != nil {
		value = tensor.BatchNormApplyLeakyRelu(x.Value, a, b, *slope)
	} else {
		value = tensor.BatchNormApply(x.Value, a, b)
	}
	y = recordFast("batch_norm", value, viaComposite(composite, inputs),
		func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
			dx, dgamma, dbeta := tensor.BatchNormGrad(g, x.Value, mean, variance, gv, eps)
			out := []*tensor.Tensor{dx}
			if gamma != nil {
				out = append(out, tensor.FromValues(gamma.DType(), dgamma, gamma.Shape()...))
			}
			if beta != nil {
				out = append(out, tensor.FromValues(beta.DType(), dbeta, beta.Shape()...))
			}
			return out
		}, inputs...)
	return y, mean, variance
}

// batchNormComposite is BatchNorm written with primitive ops.
func batchNormComposite(xs []*Var, hasGamma, hasBeta bool, eps float64) *Var {
	x := xs[0]
	shape := x.Shape()
	axes := make([]int, len(shape)-1)
	for i := range axes {
		axes[i] = i
	}
	mu := Mean(x, axes, true)
	v := Variance(x, axes, true)
	y := Div(Sub(x, mu), Sqrt(AddScalar(v, eps)))
	i := 1
	if hasGamma {
		y = Mul(y, xs[i])
		i++
	}
	if hasBeta {
		y = Add(y, xs[i])
	}
	return y
}
