package autograd

import (
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// Sum adds x over axes (all when none are given).
func Sum(x *Var, axes []int, keepdims bool) *Var {
	shape := x.Shape()
	ax := tensor.NormAxes("sum", axes, len(shape))
	keep := tensor.ReducedShape(shape, ax, true)
	return recordFast("sum", tensor.Sum(x.Value, ax, keepdims), func(g *Var) []*Var {
		return []*Var{BroadcastTo(Reshape(g, keep...), shape...)}
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.BroadcastTo(g.Reshape(keep...), shape...)}
	}, x)
}

// Mean averages x over axes (all when none are given).
func Mean(x *Var, axes []int, keepdims bool) *Var {
	shape := x.Shape()
	ax := tensor.NormAxes("mean", axes, len(shape))
	n := 1
	for _, a := range ax {
		n *= shape[a]
	}
	if n == 0 {
		panic(&tensor.Error{Op: "mean", Msg: "mean over an empty axis"})
	}
	return Scale(Sum(x, ax, keepdims), 1/float64(n))
}

// Variance returns the biased (population) variance over axes, as Keras's
// BatchNormalization and LayerNormalization use.
func Variance(x *Var, axes []int, keepdims bool) *Var {
	mu := Mean(x, axes, true)
	return Mean(Square(Sub(x, mu)), axes, keepdims)
}

// Max returns the max over axes; the gradient goes to the first maximum.
func Max(x *Var, axes []int, keepdims bool) *Var {
	val, idx := tensor.MaxIndex(x.Value, axes, keepdims)
	return gather("max", x, idx, val.Shape())
}

// Min returns the min over axes; the gradient goes to the first minimum.
func Min(x *Var, axes []int, keepdims bool) *Var {
	val, idx := tensor.MinIndex(x.Value, axes, keepdims)
	return gather("min", x, idx, val.Shape())
}

// LogSumExp returns log Σ eˣ over axes, shifted by the max so it neither
// overflows nor underflows.
func LogSumExp(x *Var, axes []int, keepdims bool) *Var {
	mk, _ := tensor.MaxIndex(x.Value, axes, true)
	for i := 0; i < mk.Len(); i++ {
		if math.IsInf(mk.At(i), 0) {
			mk.SetAt(i, 0) // all -Inf rows: shift by 0 gives log(0) = -Inf, no NaN
		}
	}
	shift := Const(mk)
	out := Add(Log(Sum(Exp(Sub(x, shift)), axes, true)), shift)
	if !keepdims {
		ax := tensor.NormAxes("logsumexp", axes, len(x.Shape()))
		out = Reshape(out, tensor.ReducedShape(x.Shape(), ax, false)...)
	}
	return out
}

// Softmax returns eˣ / Σ eˣ over axis.
func Softmax(x *Var, axis int) *Var { return Exp(LogSoftmax(x, axis)) }

// LogSoftmax returns x - logsumexp(x) over axis.
func LogSoftmax(x *Var, axis int) *Var { return Sub(x, LogSumExp(x, []int{axis}, true)) }

// SumTo sums x down to shape, undoing a broadcast.
func SumTo(x *Var, shape ...int) *Var {
	if tensor.SameShape(x.Shape(), shape) {
		return x
	}
	in := x.Shape()
	return record("sum_to", tensor.SumTo(x.Value, shape...), func(g *Var) []*Var {
		return []*Var{BroadcastTo(g, in...)}
	}, x)
}

// BroadcastTo stretches x to shape.
func BroadcastTo(x *Var, shape ...int) *Var {
	if tensor.SameShape(x.Shape(), shape) {
		return x
	}
	in := x.Shape()
	return record("broadcast_to", tensor.BroadcastTo(x.Value, shape...), func(g *Var) []*Var {
		return []*Var{SumTo(g, in...)}
	}, x)
}

// gather returns x read at flat indices idx, shaped as shape.
func gather(op string, x *Var, idx []int, shape []int) *Var {
	in := x.Shape()
	return record(op, tensor.Gather(x.Value, idx, shape...), func(g *Var) []*Var {
		return []*Var{scatterAdd(g, idx, in)}
	}, x)
}

// scatterAdd adds g into a zero tensor of shape at flat indices idx.
func scatterAdd(g *Var, idx []int, shape []int) *Var {
	out := g.Shape()
	return record("scatter_add", tensor.ScatterAdd(g.Value, idx, shape...), func(gg *Var) []*Var {
		return []*Var{gather("gather", gg, idx, out)}
	}, g)
}

// Gather reads x at flat indices idx (an embedding lookup, a max pool) and
// returns a tensor of shape.
func Gather(x *Var, idx []int, shape ...int) *Var { return gather("gather", x, idx, shape) }
