package tensor

import (
	"math"
	"slices"
)

// NormAxes maps axes (possibly negative; nil or empty meaning all) to a
// sorted set of distinct axes in [0, rank).
func NormAxes(op string, axes []int, rank int) []int {
	if len(axes) == 0 {
		out := make([]int, rank)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, 0, len(axes))
	for _, a := range axes {
		n := normAxis(op, a, rank)
		if slices.Contains(out, n) {
			panic(errorf(op, "axis %d repeated in %v", a, axes))
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// ReducedShape returns shape with axes set to 1 (keepdims) or removed.
func ReducedShape(shape, axes []int, keepdims bool) []int {
	out := []int{}
	for i, d := range shape {
		if slices.Contains(axes, i) {
			if keepdims {
				out = append(out, 1)
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

type redOp uint8

const (
	redSum redOp = iota
	redMax
	redMin
)

// reduceKernel folds x into dst; where idx is not nil it records the flat
// input index that won a max or min.
func reduceKernel[T Float](op redOp, dst []T, idx []int, x []T, shape []int, st [][]int) {
	last := len(shape) - 1
	n := shape[last]
	sdst := st[1][last]
	walkRows(shape, st, func(o []int) {
		xs := x[o[0] : o[0]+n]
		switch {
		case op == redSum && sdst == 0:
			var acc T
			for _, v := range xs {
				acc += v
			}
			dst[o[1]] += acc
		case op == redSum:
			d := dst[o[1] : o[1]+n]
			for i, v := range xs {
				d[i] += v
			}
		default:
			for i, v := range xs {
				j := o[1] + i*sdst
				better := v > dst[j] || v != v
				if op == redMin {
					better = v < dst[j] || v != v
				}
				if better && dst[j] == dst[j] {
					dst[j] = v
					idx[j] = o[0] + i
				}
			}
		}
	})
}

func reduce(op redOp, name string, t *Tensor, axes []int, keepdims bool) (*Tensor, []int) {
	ax := NormAxes(name, axes, len(t.shape))
	keep := ReducedShape(t.shape, ax, true)
	out := New(t.dtype, keep...)
	var idx []int
	if op != redSum {
		for _, a := range ax {
			if t.shape[a] == 0 {
				panic(errorf(name, "cannot reduce empty axis %d of %v", a, t.shape))
			}
		}
		idx = make([]int, out.Len())
		init := math.Inf(-1)
		if op == redMin {
			init = math.Inf(1)
		}
		out.Fill(init)
	}
	if t.Len() > 0 {
		sh, st := coalesce(t.shape, strides(t.shape), broadcastStrides(keep, t.shape))
		if t.dtype == Float32 {
			reduceKernel(op, out.f32, idx, t.f32, sh, st)
		} else {
			reduceKernel(op, out.f64, idx, t.f64, sh, st)
		}
	}
	if !keepdims {
		out = out.Reshape(ReducedShape(t.shape, ax, false)...)
	}
	return out, idx
}

// Sum adds t over axes (all axes when none are given).
func Sum(t *Tensor, axes []int, keepdims bool) *Tensor {
	out, _ := reduce(redSum, "sum", t, axes, keepdims)
	return out
}

// MaxIndex returns the max of t over axes and, for each output element, the
// flat index into t of the first maximum (NaN wins, as in NumPy).
func MaxIndex(t *Tensor, axes []int, keepdims bool) (*Tensor, []int) {
	return reduce(redMax, "max", t, axes, keepdims)
}

// MinIndex is MaxIndex for the minimum.
func MinIndex(t *Tensor, axes []int, keepdims bool) (*Tensor, []int) {
	return reduce(redMin, "min", t, axes, keepdims)
}

// SumTo sums t over the axes that broadcasting stretched so that the result
// has shape: the adjoint of BroadcastTo.
func SumTo(t *Tensor, shape ...int) *Tensor {
	if SameShape(t.shape, shape) {
		return t
	}
	b, ok := BroadcastShapes(shape, t.shape)
	if !ok || !SameShape(b, t.shape) {
		panic(errorf("sum_to", "cannot sum %v down to %v", t.shape, shape))
	}
	lead := len(t.shape) - len(shape)
	axes := []int{}
	for i := range t.shape {
		if i < lead || (shape[i-lead] == 1 && t.shape[i] != 1) {
			axes = append(axes, i)
		}
	}
	out := Sum(t, axes, true)
	return out.Reshape(shape...)
}

// BroadcastTo returns t stretched to shape (a copy; t itself when equal).
func BroadcastTo(t *Tensor, shape ...int) *Tensor {
	if SameShape(t.shape, shape) {
		return t
	}
	b, ok := BroadcastShapes(t.shape, shape)
	if !ok || !SameShape(b, shape) {
		panic(errorf("broadcast_to", "cannot broadcast %v to %v", t.shape, shape))
	}
	return Add(t, New(t.dtype, shape...))
}

// Gather returns out[i] = t[idx[i]] over flat indices, shaped as shape.
func Gather(t *Tensor, idx []int, shape ...int) *Tensor {
	out := New(t.dtype, shape...)
	if out.Len() != len(idx) {
		panic(errorf("gather", "%d indices for output shape %v", len(idx), shape))
	}
	if t.dtype == Float32 {
		for i, j := range idx {
			out.f32[i] = t.f32[j]
		}
	} else {
		for i, j := range idx {
			out.f64[i] = t.f64[j]
		}
	}
	return out
}

// ScatterAdd returns a zero tensor of shape with g[i] added at flat index
// idx[i]: the adjoint of Gather.
func ScatterAdd(g *Tensor, idx []int, shape ...int) *Tensor {
	if g.Len() != len(idx) {
		panic(errorf("scatter_add", "%d indices for %d values", len(idx), g.Len()))
	}
	out := New(g.dtype, shape...)
	if g.dtype == Float32 {
		for i, j := range idx {
			out.f32[j] += g.f32[i]
		}
	} else {
		for i, j := range idx {
			out.f64[j] += g.f64[i]
		}
	}
	return out
}
