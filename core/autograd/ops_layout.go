package autograd

import (
	"slices"

	"github.com/ganlab/ganlab/core/tensor"
)

// Reshape returns x with a new shape of the same size (one entry may be -1).
func Reshape(x *Var, shape ...int) *Var {
	in := x.Shape()
	return record("reshape", x.Value.Reshape(shape...), func(g *Var) []*Var {
		return []*Var{Reshape(g, in...)}
	}, x)
}

// Flatten keeps the first axis and merges the rest.
func Flatten(x *Var) *Var {
	s := x.Shape()
	if len(s) == 0 {
		panic(&tensor.Error{Op: "flatten", Msg: "cannot flatten a scalar"})
	}
	return Reshape(x, s[0], tensor.Numel(s[1:]))
}

// Permute reorders x's axes: output axis i is input axis perm[i].
func Permute(x *Var, perm ...int) *Var {
	inv := make([]int, len(perm))
	for i, p := range perm {
		if p < 0 {
			p += len(perm)
		}
		if p >= 0 && p < len(perm) {
			inv[p] = i
		}
	}
	return record("permute", tensor.Permute(x.Value, perm...), func(g *Var) []*Var {
		return []*Var{Permute(g, inv...)}
	}, x)
}

// Transpose swaps the last two axes.
func Transpose(x *Var) *Var {
	r := len(x.Shape())
	if r < 2 {
		panic(&tensor.Error{Op: "transpose", Msg: "needs rank >= 2"})
	}
	perm := make([]int, r)
	for i := range perm {
		perm[i] = i
	}
	perm[r-1], perm[r-2] = r-2, r-1
	return Permute(x, perm...)
}

// MapGather applies an axis map (slice, pad, upsample, flip) to x.
func MapGather(x *Var, m tensor.AxisMap) *Var {
	return record("map_gather", tensor.MapGather(x.Value, m), func(g *Var) []*Var {
		return []*Var{MapScatter(g, m)}
	}, x)
}

// MapScatter is the adjoint of MapGather.
func MapScatter(g *Var, m tensor.AxisMap) *Var {
	return record("map_scatter", tensor.MapScatter(g.Value, m), func(gg *Var) []*Var {
		return []*Var{MapGather(gg, m)}
	}, g)
}

// Slice returns x[starts:ends] on every axis.
func Slice(x *Var, starts, ends []int) *Var {
	return MapGather(x, tensor.SliceMap(x.Shape(), starts, ends))
}

// SliceAxis returns x[start:end] along one axis.
func SliceAxis(x *Var, axis, start, end int) *Var {
	s := x.Shape()
	axis = normAxis(axis, len(s))
	starts := make([]int, len(s))
	ends := slices.Clone(s)
	starts[axis], ends[axis] = start, end
	return Slice(x, starts, ends)
}

// Pad pads each axis of x by before and after, with zeros or by reflection.
func Pad(x *Var, before, after []int, mode tensor.PadMode) *Var {
	return MapGather(x, tensor.PadMap(x.Shape(), before, after, mode))
}

// Concat joins xs along axis.
func Concat(axis int, xs ...*Var) *Var {
	vals := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		vals[i] = x.Value
	}
	out := tensor.Concat(axis, vals...)
	axis = normAxis(axis, len(out.Shape()))
	return record("concat", out, func(g *Var) []*Var {
		gs := make([]*Var, len(xs))
		off := 0
		for i, x := range xs {
			n := x.Shape()[axis]
			gs[i] = SliceAxis(g, axis, off, off+n)
			off += n
		}
		return gs
	}, xs...)
}

// Stack joins xs, all of one shape, along a new axis.
func Stack(axis int, xs ...*Var) *Var {
	if len(xs) == 0 {
		panic(&tensor.Error{Op: "stack", Msg: "no tensors"})
	}
	s := xs[0].Shape()
	axis = normAxis(axis, len(s)+1)
	ex := slices.Insert(slices.Clone(s), axis, 1)
	parts := make([]*Var, len(xs))
	for i, x := range xs {
		if !tensor.SameShape(x.Shape(), s) {
			panic(&tensor.Error{Op: "stack", Msg: "shapes differ"})
		}
		parts[i] = Reshape(x, ex...)
	}
	return Concat(axis, parts...)
}

// normAxis maps a possibly negative axis into [0, rank), with the
// tensor package's error naming the axis and the rank.
func normAxis(axis, rank int) int { return tensor.NormAxes("axis", []int{axis}, rank)[0] }

// MatMul returns op(a)·op(b) (last two axes; leading axes are a batch).
func MatMul(a, b *Var, transA, transB bool) *Var {
	return recordFast("matmul", tensor.MatMul(a.Value, b.Value, transA, transB), func(g *Var) []*Var {
		var ga, gb *Var
		if transA {
			ga = MatMul(b, g, transB, true)
		} else {
			ga = MatMul(g, b, false, !transB)
		}
		if transB {
			gb = MatMul(g, a, true, transA)
		} else {
			gb = MatMul(a, g, !transA, false)
		}
		return []*Var{ga, gb}
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if need[0] {
			if transA {
				ga = tensor.MatMul(b.Value, g, transB, true)
			} else {
				ga = tensor.MatMul(g, b.Value, false, !transB)
			}
		}
		if need[1] {
			if transB {
				gb = tensor.MatMul(g, a.Value, true, transA)
			} else {
				gb = tensor.MatMul(a.Value, g, !transA, false)
			}
		}
		return []*tensor.Tensor{ga, gb}
	}, a, b)
}

// Dropout zeroes each element with probability rate and scales the rest by
// 1/(1-rate), drawing the mask's seed from rng. The mask is never stored:
// forward and first-order backward regenerate it from the seed while they
// multiply; the differentiable rule materialises it for higher orders.
func Dropout(x *Var, rate float64, rng *tensor.RNG) *Var {
	if rate <= 0 {
		return x
	}
	if rate >= 1 {
		panic(&tensor.Error{Op: "dropout", Msg: "rate must be < 1"})
	}
	seed := tensor.DropoutSeed(rng)
	return dropoutOf(x, seed, rate, tensor.DropoutApply(x.Value, seed, rate))
}

// DropoutInPlace is Dropout written into x's storage when x may be
// overwritten: the output of an op whose rules never read it
// (overwritable), or of a rectifier, whose rules read only the sign of
// their output, which dropout keeps where it keeps an element and zeroes
// only where the gradient it passes back is zero anyway. The caller
// guarantees that nothing else reads x, and must not use x afterwards.
func DropoutInPlace(x *Var, rate float64, rng *tensor.RNG) *Var {
	if rate <= 0 {
		return x
	}
	if rate >= 1 {
		panic(&tensor.Error{Op: "dropout", Msg: "rate must be < 1"})
	}
	if !overwritable(x) && x.made != "leaky_relu" && x.made != "relu" {
		return Dropout(x, rate, rng)
	}
	seed := tensor.DropoutSeed(rng)
	return dropoutOf(x, seed, rate, tensor.DropoutApplyInPlace(x.Value, seed, rate))
}

// dropoutOf records dropout's output y with its rules, which need only
// the seed.
func dropoutOf(x *Var, seed uint64, rate float64, y *tensor.Tensor) *Var {
	return recordFast("dropout", y, func(g *Var) []*Var {
		return []*Var{Mul(g, Const(tensor.DropoutMaskFromSeed(seed, x.DType(), rate, x.Shape()...)))}
	}, func(g *tensor.Tensor, _ []bool) []*tensor.Tensor {
		return []*tensor.Tensor{tensor.DropoutApply(g, seed, rate)}
	}, x)
}
