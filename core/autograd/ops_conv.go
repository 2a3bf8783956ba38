package autograd

import "github.com/ganlab/ganlab/core/tensor"

// Conv2D, conv2dBackpropInput and conv2dBackpropFilter form a closed set:
// each is bilinear in its two inputs and the gradients of each are the other
// two, so gradients of gradients (WGAN-GP, R1 through a conv critic) stay
// inside the set and can be differentiated again without limit.

// Conv2D returns the convolution of x (n,h,w,cin) with k (kh,kw,cin,cout),
// Keras's Conv2D without bias.
func Conv2D(x, k *Var, p tensor.Conv2DParams) *Var {
	return recordConv(x, k, nil, p, tensor.Conv2D(x.Value, k.Value, p))
}

// Conv2DBias returns Conv2D(x, k) + b with b (cout) broadcast over the
// pixels, as one op: the bias is added while each chunk of the output is
// in cache and no second activation-sized tensor is made (Keras's Conv2D
// with use_bias). Its gradients are the conv's plus the channel sums of g.
func Conv2DBias(x, k, b *Var, p tensor.Conv2DParams) *Var {
	return recordConv(x, k, b, p, tensor.Conv2DBias(x.Value, k.Value, b.Value, p))
}

// Conv2DBiasLeakyRelu is LeakyReluInPlace(Conv2DBias(x, k, b, p), slope)
// (Conv2D when b is nil) with the rectifier applied to each chunk of the
// convolution's output while it is in cache: the same record and the same
// bits, one pass over the activation fewer. slope must be ≥ 0; slope 0 is
// ReluInPlace.
func Conv2DBiasLeakyRelu(x, k, b *Var, p tensor.Conv2DParams, slope float64) *Var {
	var bv *tensor.Tensor
	if b != nil {
		bv = b.Value
	}
	y := tensor.Conv2DBiasLeakyRelu(x.Value, k.Value, bv, p, slope)
	op := "leaky_relu"
	if slope == 0 {
		op = "relu"
	}
	// The conv's rules never read its output (overwritable), so the
	// conv's Var may hold the rectified values, as after the in-place op.
	return leakyFromOutput(op, recordConv(x, k, b, p, y), slope, y)
}

// recordConv records a convolution of x by k (plus b unless nil) whose
// forward value is y.
func recordConv(x, k, b *Var, p tensor.Conv2DParams, y *tensor.Tensor) *Var {
	xs, ks := x.Shape(), k.Shape()
	op, inputs := "conv2d", []*Var{x, k}
	if b != nil {
		op, inputs = "conv2d_bias", append(inputs, b)
	}
	return recordNeed(op, y, func(g *Var, need []bool) []*Var {
		gs := []*Var{
			ifNeedVar(need[0], func() *Var { return conv2dBackpropInput(g, k, xs, p) }),
			ifNeedVar(need[1], func() *Var { return conv2dBackpropFilter(x, g, ks, p) }),
		}
		if b != nil {
			gs = append(gs, ifNeedVar(need[2], func() *Var { return SumTo(g, b.Shape()...) }))
		}
		return gs
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		gs := []*tensor.Tensor{
			ifNeed(need[0], func() *tensor.Tensor { return tensor.Conv2DBackpropInput(g, k.Value, xs, p) }),
			ifNeed(need[1], func() *tensor.Tensor { return tensor.Conv2DBackpropFilter(x.Value, g, ks, p) }),
		}
		if b != nil {
			gs = append(gs, ifNeed(need[2], func() *tensor.Tensor { return tensor.SumTo(g, b.Shape()...) }))
		}
		return gs
	}, inputs...)
}

// Conv2DTranspose returns Keras's Conv2DTranspose of x (n,h,w,in) by k in
// Keras layout (kh,kw,filters,in), with output (n,outH,outW,filters). That
// kernel is exactly the (kh,kw,in_conv,out_conv) kernel of the Conv2D the
// transposed convolution is the adjoint of; tensor.ConvTransposeParams gives
// p, outH and outW for Keras's padding strings.
func Conv2DTranspose(x, k *Var, p tensor.Conv2DParams, outH, outW int) *Var {
	xs, ks := x.Shape(), k.Shape()
	if len(xs) != 4 || len(ks) != 4 {
		panic(&tensor.Error{Op: "conv2d_transpose", Msg: "want a rank-4 NHWC input and a (kh, kw, filters, in) kernel"})
	}
	return conv2dBackpropInput(x, k, []int{xs[0], outH, outW, ks[2]}, p)
}

// Conv2DTransposeBias is Conv2DTranspose(x, k, ...) + b with b (filters)
// broadcast over the pixels, as one op (see Conv2DBias).
func Conv2DTransposeBias(x, k, b *Var, p tensor.Conv2DParams, outH, outW int) *Var {
	xs, ks, bs := x.Shape(), k.Shape(), b.Shape()
	if len(xs) != 4 || len(ks) != 4 {
		panic(&tensor.Error{Op: "conv2d_transpose", Msg: "want a rank-4 NHWC input and a (kh, kw, filters, in) kernel"})
	}
	inShape := []int{xs[0], outH, outW, ks[2]}
	return recordNeed("conv2d_transpose_bias", tensor.Conv2DBackpropInputBias(x.Value, k.Value, b.Value, inShape, p), func(gg *Var, need []bool) []*Var {
		return []*Var{
			ifNeedVar(need[0], func() *Var { return Conv2D(gg, k, p) }),
			ifNeedVar(need[1], func() *Var { return conv2dBackpropFilter(gg, x, ks, p) }),
			ifNeedVar(need[2], func() *Var { return SumTo(gg, bs...) }),
		}
	}, func(gg *tensor.Tensor, need []bool) []*tensor.Tensor {
		return []*tensor.Tensor{
			ifNeed(need[0], func() *tensor.Tensor { return tensor.Conv2D(gg, k.Value, p) }),
			ifNeed(need[1], func() *tensor.Tensor { return tensor.Conv2DBackpropFilter(gg, x.Value, ks, p) }),
			ifNeed(need[2], func() *tensor.Tensor { return tensor.SumTo(gg, bs...) }),
		}
	}, x, k, b)
}

// conv2dBackpropInput is Conv2D's adjoint in x: g (n,oh,ow,cout) ↦ inShape.
// <gg, BPI(g, k)> = <Conv2D(gg, k), g>, which gives both gradients.
func conv2dBackpropInput(g, k *Var, inShape []int, p tensor.Conv2DParams) *Var {
	ks := k.Shape()
	return recordNeed("conv2d_backprop_input", tensor.Conv2DBackpropInput(g.Value, k.Value, inShape, p), func(gg *Var, need []bool) []*Var {
		return []*Var{
			ifNeedVar(need[0], func() *Var { return Conv2D(gg, k, p) }),
			ifNeedVar(need[1], func() *Var { return conv2dBackpropFilter(gg, g, ks, p) }),
		}
	}, func(gg *tensor.Tensor, need []bool) []*tensor.Tensor {
		return []*tensor.Tensor{
			ifNeed(need[0], func() *tensor.Tensor { return tensor.Conv2D(gg, k.Value, p) }),
			ifNeed(need[1], func() *tensor.Tensor { return tensor.Conv2DBackpropFilter(gg, g.Value, ks, p) }),
		}
	}, g, k)
}

// conv2dBackpropFilter is Conv2D's gradient in k: (x, g) ↦ kShape.
// <gk, BPF(x, g)> = <Conv2D(x, gk), g>, which gives both gradients.
func conv2dBackpropFilter(x, g *Var, kShape []int, p tensor.Conv2DParams) *Var {
	xs := x.Shape()
	return recordNeed("conv2d_backprop_filter", tensor.Conv2DBackpropFilter(x.Value, g.Value, kShape, p), func(gk *Var, need []bool) []*Var {
		return []*Var{
			ifNeedVar(need[0], func() *Var { return conv2dBackpropInput(g, gk, xs, p) }),
			ifNeedVar(need[1], func() *Var { return Conv2D(x, gk, p) }),
		}
	}, func(gk *tensor.Tensor, need []bool) []*tensor.Tensor {
		return []*tensor.Tensor{
			ifNeed(need[0], func() *tensor.Tensor { return tensor.Conv2DBackpropInput(g.Value, gk, xs, p) }),
			ifNeed(need[1], func() *tensor.Tensor { return tensor.Conv2D(x.Value, gk, p) }),
		}
	}, x, g)
}

// ifNeedVar computes a gradient only for an input that needs one: a conv's
// input gradient costs as much as the conv, images need none, and a
// gradient penalty's first pass needs no weight gradients.
func ifNeedVar(need bool, f func() *Var) *Var {
	if !need {
		return nil
	}
	return f()
}

// ifNeed is ifNeedVar for tensor-level rules.
func ifNeed(need bool, f func() *tensor.Tensor) *tensor.Tensor {
	if !need {
		return nil
	}
	return f()
}
