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

// reduceKernel folds x into dst over coalesced shape and strides (st[0]
// x's, st[1] dst's, 0 on reduced axes); where idx is not nil it records the
// flat input index that won a max or min. Large inputs are split so that
// results do not depend on the number of goroutines: by kept outer axis or
// by columns (each output element summed in the serial order), or, for sums
// reduced along both, in fixed-size blocks whose partial sums are added in
// block order.
func reduceKernel[T Float](op redOp, dst []T, idx []int, x []T, shape []int, st [][]int) {
	last := len(shape) - 1
	n := shape[last]
	rows := Numel(shape[:last])
	sdst := st[1][last]
	// fold reduces columns [lo, hi) of each row in [r0, r1) into dst.
	fold := func(dst []T, r0, r1, lo, hi int) {
		if op == redSum && last >= 1 && st[1][last-1] == 0 && sdst == 1 {
			// Column sums of matrices (the bias-gradient pattern): the
			// row axis before the last is reduced, the last kept.
			m, sx := shape[last-1], st[0][last-1]
			if last == 1 {
				colSums(dst[lo:hi], x[r0*sx+lo:], sx, r1-r0)
				return
			}
			if r0%m == 0 && r1%m == 0 {
				gsh := append(slices.Clone(shape[:last-1]), n)
				gst := [][]int{append(slices.Clone(st[0][:last-1]), 1), append(slices.Clone(st[1][:last-1]), 1)}
				walkRowsRange(gsh, gst, r0/m, r1/m, func(o []int) {
					colSums(dst[o[1]+lo:o[1]+hi], x[o[0]+lo:], sx, m)
				})
				return
			}
		}
		walkRowsRange(shape, st, r0, r1, func(o []int) {
			foldRow(op, dst, idx, x[o[0]+lo:o[0]+hi], o[0]+lo, o[1]+lo*sdst, sdst)
		})
	}
	switch {
	case rows*n < parGrain:
		fold(dst, 0, rows, 0, n)
	case last > 0 && st[1][0] != 0 && shape[0] > 1:
		// The outer axis is kept: its slices write disjoint outputs.
		per := rows / shape[0]
		parallelFor(shape[0], grainFor(per*n), func(lo, hi int) {
			fold(dst, lo*per, hi*per, 0, n)
		})
	case op == redSum && sdst == 0 && last == 0:
		dst[0] += sumBlocks(x)
	case op == redSum && len(dst)*ceilDiv(rows, max(1, sumBlock/n)) <= rows*n/4:
		// Partial outputs, one per block, cost at most a quarter of the input.
		sumPartials(dst, rows, n, sumBlock, func(part []T, r0, r1 int) { fold(part, r0, r1, 0, n) })
	case sdst != 0 && n >= 32:
		// Columns write disjoint outputs; 16-element pieces keep goroutines
		// off each other's cache lines.
		parallelFor(n/16, grainFor(16*rows), func(lo, hi int) {
			hi = hi * 16
			if hi == n/16*16 {
				hi = n
			}
			fold(dst, 0, rows, lo*16, hi)
		})
	default:
		fold(dst, 0, rows, 0, n)
	}
}

// foldRow folds the row xs (flat input offset xoff) into dst at doff with
// output stride sd (0: the whole row reduces to one element).
func foldRow[T Float](op redOp, dst []T, idx []int, xs []T, xoff, doff, sd int) {
	switch {
	case op == redSum && sd == 0:
		dst[doff] += sumSlice(xs)
	case op == redSum:
		d := dst[doff : doff+len(xs)*sd]
		if sd == 1 {
			d = d[:len(xs)]
			for i, v := range xs {
				d[i] += v
			}
			return
		}
		for i, v := range xs {
			d[i*sd] += v
		}
	default:
		for i, v := range xs {
			j := doff + i*sd
			better := v > dst[j] || v != v
			if op == redMin {
				better = v < dst[j] || v != v
			}
			if better && dst[j] == dst[j] {
				dst[j] = v
				idx[j] = xoff + i
			}
		}
	}
}

// colSums adds rows of x (row i at x[i*sx:], len(dst) wide) into dst,
// four rows per pass over dst so that it is loaded and stored a quarter as
// often.
func colSums[T Float](dst, x []T, sx, rows int) {
	if vecColSums(dst, x, sx, rows) {
		return
	}
	colSumsLoop(dst, x, sx, rows)
}

// colSumsLoop is colSums in Go, the reference for the vector kernel.
func colSumsLoop[T Float](dst, x []T, sx, rows int) {
	n := len(dst)
	r := 0
	for ; r+4 <= rows; r += 4 {
		a := x[r*sx : r*sx+n]
		b := x[(r+1)*sx : (r+1)*sx+n]
		c := x[(r+2)*sx : (r+2)*sx+n]
		e := x[(r+3)*sx : (r+3)*sx+n]
		for i := range dst {
			dst[i] += (a[i] + b[i]) + (c[i] + e[i])
		}
	}
	for ; r < rows; r++ {
		a := x[r*sx : r*sx+n]
		for i := range dst {
			dst[i] += a[i]
		}
	}
}

// sumSlice adds xs with eight accumulators (a fixed order: deterministic),
// which hides the add latency a single running sum waits on.
func sumSlice[T Float](xs []T) T {
	var a [8]T
	i := 0
	for ; i+8 <= len(xs); i += 8 {
		v := xs[i : i+8 : i+8]
		a[0] += v[0]
		a[1] += v[1]
		a[2] += v[2]
		a[3] += v[3]
		a[4] += v[4]
		a[5] += v[5]
		a[6] += v[6]
		a[7] += v[7]
	}
	for j := 0; i < len(xs); i, j = i+1, j+1 {
		a[j] += xs[i]
	}
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

// sumBlocks adds xs in sumBlock pieces, in parallel, and then the pieces'
// sums in order: the same bits whatever GOMAXPROCS is.
func sumBlocks[T Float](xs []T) T {
	nb := ceilDiv(len(xs), sumBlock)
	part := make([]T, nb)
	parallelFor(nb, grainFor(sumBlock), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			part[b] = sumSlice(xs[b*sumBlock : min((b+1)*sumBlock, len(xs))])
		}
	})
	var s T
	for _, p := range part {
		s += p
	}
	return s
}

// sumPartials folds rows in blocks of about block elements, each into its
// own zeroed copy of dst (fold(part, r0, r1)), in parallel, then adds the
// copies into dst in block order.
func sumPartials[T Float](dst []T, rows, n, block int, fold func(part []T, r0, r1 int)) {
	per := max(1, block/n) // rows per block
	nb := ceilDiv(rows, per)
	parts := make([]T, nb*len(dst))
	parallelFor(nb, grainFor(per*n), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			fold(parts[b*len(dst):(b+1)*len(dst)], b*per, min((b+1)*per, rows))
		}
	})
	for b := range nb {
		p := parts[b*len(dst) : (b+1)*len(dst)]
		for j, v := range p {
			dst[j] += v
		}
	}
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

// Gather returns out[i] = t[idx[i]] over flat indices, shaped as shape.
func Gather(t *Tensor, idx []int, shape ...int) *Tensor {
	out := New(t.dtype, shape...)
	if out.Len() != len(idx) {
		panic(errorf("gather", "%d indices for output shape %v", len(idx), shape))
	}
	parallelElems(len(idx), func(lo, hi int) {
		if t.dtype == Float32 {
			gatherKernel(out.f32[lo:hi], t.f32, idx[lo:hi])
		} else {
			gatherKernel(out.f64[lo:hi], t.f64, idx[lo:hi])
		}
	})
	return out
}

func gatherKernel[T Float](dst, src []T, idx []int) {
	idx = idx[:len(dst)]
	for i, j := range idx {
		dst[i] = src[j]
	}
}

// ScatterAdd returns a zero tensor of shape with g[i] added at flat index
// idx[i]: the adjoint of Gather.
func ScatterAdd(g *Tensor, idx []int, shape ...int) *Tensor {
	if g.Len() != len(idx) {
		panic(errorf("scatter_add", "%d indices for %d values", len(idx), g.Len()))
	}
	out := New(g.dtype, shape...)
	// Serial: indices may repeat, so pieces would race on out.
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

func ceilDiv(a, b int) int { return (a + b - 1) / b }
