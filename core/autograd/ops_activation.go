package autograd

import "github.com/ganlab/ganlab/core/tensor"

// Relu returns max(x, 0); its gradient at 0 is 0, as in TensorFlow.
func Relu(x *Var) *Var { return leaky("relu", x, 0) }

// LeakyRelu returns x where x > 0 and slope·x elsewhere.
func LeakyRelu(x *Var, slope float64) *Var { return leaky("leaky_relu", x, slope) }

func leaky(op string, x *Var, slope float64) *Var {
	return recordFast(op, tensor.LeakyRelu(x.Value, slope), func(g *Var) []*Var {
		return []*Var{Mul(g, Const(tensor.LeakyMask(x.Value, slope)))}
	}, func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.LeakyReluGrad(g, x.Value, slope)}
	}, x)
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
