package autograd

import "github.com/ganlab/ganlab/core/tensor"

// Relu returns max(x, 0); its gradient at 0 is 0, as in TensorFlow.
func Relu(x *Var) *Var { return leaky("relu", x, 0) }

// LeakyRelu returns x where x > 0 and slope·x elsewhere.
func LeakyRelu(x *Var, slope float64) *Var { return leaky("leaky_relu", x, slope) }

func leaky(op string, x *Var, slope float64) *Var {
	if slope >= 0 {
		return leakyFromOutput(op, x, slope, tensor.LeakyRelu(x.Value, slope))
	}
	return recordFast(op, tensor.LeakyRelu(x.Value, slope), func(g *Var) []*Var {
		return []*Var{Mul(g, Const(tensor.LeakyMask(x.Value, slope)))}
	}, func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.LeakyReluGrad(g, x.Value, slope)}
	}, x)
}

// leakyFromOutput records a leaky rectifier with output y whose gradient
// rules read y instead of x: with slope ≥ 0, y > 0 exactly where x > 0
// (-0, NaN and slope 0 included), so the rule needs nothing of x's value
// and x may be overwritten by y (LeakyReluInPlace).
func leakyFromOutput(op string, x *Var, slope float64, y *tensor.Tensor) *Var {
	var out *Var
	out = recordFast(op, y, func(g *Var) []*Var {
		return []*Var{leakyGrad(g, out, slope)}
	}, func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.LeakyReluGrad(g, out.Value, slope)}
	}, x)
	maskInPlace(out, y, slope)
	return out
}

// maskInPlace lets first-order passes apply a rectifier's gradient mask
// (from its output y) to an upstream gradient they own in place.
func maskInPlace(out *Var, y *tensor.Tensor, slope float64) {
	if out.node != nil {
		out.node.fastInPlace = func(g *tensor.Tensor) *tensor.Tensor { return tensor.LeakyReluGradInPlace(g, y, slope) }
	}
}

// leakyGrad is the rectifier's gradient as a differentiable op: g where
// y > 0 and slope·g elsewhere, in one fused pass with no mask tensor. It
// is linear in g and piecewise constant in y, so its own gradient is
// itself applied to the upstream gradient, and y gets none: every order
// of a gradient penalty through a rectifier stays one fused pass. y is
// only read, so it is not an input; the node lists it for ReleaseGraph.
func leakyGrad(g, y *Var, slope float64) *Var {
	out := recordFast("leaky_relu_grad", tensor.LeakyReluGrad(g.Value, y.Value, slope), func(gg *Var) []*Var {
		return []*Var{leakyGrad(gg, y, slope)}
	}, func(gg *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.LeakyReluGrad(gg, y.Value, slope)}
	}, g)
	if out.node != nil {
		out.node.reads = []*Var{y}
	}
	maskInPlace(out, y.Value, slope)
	return out
}

// LeakyReluInPlace is LeakyRelu(x, slope) written into x's storage when x
// may be overwritten: x is the fresh output of an op whose gradient rules
// never read their own output (see overwritable), and the caller
// guarantees that nothing else reads x (nn.Sequential does, for the output
// of one layer that only the next consumes). Otherwise, and for a negative
// slope, it is LeakyRelu. Either way the caller must not use x afterwards.
func LeakyReluInPlace(x *Var, slope float64) *Var { return leakyInPlace("leaky_relu", x, slope) }

// ReluInPlace is LeakyReluInPlace with slope 0.
func ReluInPlace(x *Var) *Var { return leakyInPlace("relu", x, 0) }

func leakyInPlace(op string, x *Var, slope float64) *Var {
	if slope < 0 || !overwritable(x) {
		return leaky(op, x, slope)
	}
	return leakyFromOutput(op, x, slope, tensor.LeakyReluInPlace(x.Value, slope))
}

// overwritable reports whether x's value was made by an op that returns
// new storage and whose gradient rules (fast and differentiable) never
// read that value, so that overwriting it changes no gradient.
func overwritable(x *Var) bool {
	switch x.made {
	case "conv2d", "conv2d_bias", "conv2d_backprop_input", "conv2d_transpose_bias", "matmul", "add", "batch_norm":
		return true
	}
	return false
}

// Sigmoid returns 1/(1+e⁻ˣ).
func Sigmoid(x *Var) *Var {
	var y *Var
	y = recordFast("sigmoid", tensor.Sigmoid(x.Value), func(g *Var) []*Var {
		return []*Var{Mul(g, Mul(y, AddScalar(Neg(y), 1)))} // y(1-y)
	}, func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.SigmoidGrad(g, y.Value)}
	}, x)
	return y
}

// Tanh returns tanh(x).
func Tanh(x *Var) *Var {
	var y *Var
	y = recordFast("tanh", tensor.Tanh(x.Value), func(g *Var) []*Var {
		return []*Var{Mul(g, AddScalar(Neg(Square(y)), 1))} // 1-y²
	}, func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.TanhGrad(g, y.Value)}
	}, x)
	return y
}

// Softplus returns log(1+eˣ) without overflow.
func Softplus(x *Var) *Var {
	return record("softplus", tensor.Softplus(x.Value), func(g *Var) []*Var {
		return []*Var{Mul(g, Sigmoid(x))}
	}, x)
}

// Elu returns x where x > 0 and alpha·(eˣ-1) elsewhere.
func Elu(x *Var, alpha float64) *Var {
	pos := tensor.StepPositive(x.Value)
	var y *Var
	y = record("elu", tensor.Elu(x.Value, alpha), func(g *Var) []*Var {
		// slope is 1 where x > 0 and y+alpha = alpha·eˣ elsewhere
		neg := Const(tensor.Sub(tensor.Full(pos.DType(), 1), pos))
		slope := Add(Const(pos), Mul(neg, AddScalar(y, alpha)))
		return []*Var{Mul(g, slope)}
	}, x)
	return y
}
