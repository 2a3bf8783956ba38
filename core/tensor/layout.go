package tensor

import "slices"

// Permute returns t with its axes reordered: out axis i is t's axis perm[i].
func Permute(t *Tensor, perm ...int) *Tensor {
	r := len(t.shape)
	if len(perm) != r {
		panic(errorf("permute", "perm %v for rank %d", perm, r))
	}
	seen := make([]bool, r)
	shape := make([]int, r)
	inSt := strides(t.shape)
	src := make([]int, r)
	for i, p := range perm {
		p = normAxis("permute", p, r)
		if seen[p] {
			panic(errorf("permute", "perm %v repeats axis %d", perm, p))
		}
		seen[p] = true
		shape[i] = t.shape[p]
		src[i] = inSt[p]
	}
	out := New(t.dtype, shape...)
	if out.Len() == 0 {
		return out
	}
	sh, st := coalesce(shape, strides(shape), src)
	if t.dtype == Float32 {
		stridedCopy(out.f32, t.f32, sh, st)
	} else {
		stridedCopy(out.f64, t.f64, sh, st)
	}
	return out
}

// stridedCopy copies src, read at strides st[1], into all of dst (strides
// st[0]) over the coalesced shape, rows of the last axis spread over the
// cores. A stride of 0 repeats one value: a broadcast.
func stridedCopy[T Float](dst, src []T, shape []int, st [][]int) {
	n := shape[len(shape)-1]
	s := st[1][len(shape)-1]
	parallelFor(len(dst)/n, grainFor(n), func(lo, hi int) {
		walkRowsRange(shape, st, lo, hi, func(o []int) {
			d := dst[o[0] : o[0]+n]
			if s == 1 {
				copy(d, src[o[1]:o[1]+n])
				return
			}
			for i := range d {
				d[i] = src[o[1]+i*s]
			}
		})
	})
}

// Transpose swaps the last two axes.
func Transpose(t *Tensor) *Tensor {
	r := len(t.shape)
	if r < 2 {
		panic(errorf("transpose", "needs rank >= 2, got %v", t.shape))
	}
	perm := make([]int, r)
	for i := range perm {
		perm[i] = i
	}
	perm[r-1], perm[r-2] = r-2, r-1
	return Permute(t, perm...)
}

// AxisMap describes, for each axis, where each output coordinate reads from
// in the input: Src[axis][o] is an input coordinate, or -1 for a zero.
// Slicing, zero and reflect padding, nearest upsampling and flips are all
// axis maps, and one gather kernel with its adjoint serves them all.
type AxisMap struct {
	In  []int   // input shape
	Src [][]int // per axis, input coordinate of each output coordinate
}

// OutShape returns the output shape of the map.
func (m AxisMap) OutShape() []int {
	s := make([]int, len(m.Src))
	for i, a := range m.Src {
		s[i] = len(a)
	}
	return s
}

func (m AxisMap) identityLast() bool {
	r := len(m.In) - 1
	a := m.Src[r]
	if len(a) != m.In[r] {
		return false
	}
	for i, v := range a {
		if v != i {
			return false
		}
	}
	return true
}

// MapGather applies an AxisMap to t.
func MapGather(t *Tensor, m AxisMap) *Tensor {
	if !SameShape(t.shape, m.In) {
		panic(errorf("map_gather", "input %v does not match map input %v", t.shape, m.In))
	}
	out := New(t.dtype, m.OutShape()...)
	if t.dtype == Float32 {
		axisMapKernel(out.f32, t.f32, m, false)
	} else {
		axisMapKernel(out.f64, t.f64, m, false)
	}
	return out
}

// MapScatter is the adjoint of MapGather: it adds each element of g into the
// input coordinate it was read from, returning a tensor of m.In's shape.
func MapScatter(g *Tensor, m AxisMap) *Tensor {
	if !SameShape(g.shape, m.OutShape()) {
		panic(errorf("map_scatter", "gradient %v does not match map output %v", g.shape, m.OutShape()))
	}
	out := New(g.dtype, m.In...)
	if g.dtype == Float32 {
		axisMapKernel(g.f32, out.f32, m, true)
	} else {
		axisMapKernel(g.f64, out.f64, m, true)
	}
	return out
}

// axisMapKernel walks the output coordinates; gather copies in→out, scatter
// (adjoint) adds out→in. When the last axis is the identity whole rows move.
func axisMapKernel[T Float](out, in []T, m AxisMap, scatter bool) {
	outShape := m.OutShape()
	if Numel(outShape) == 0 {
		return
	}
	r := len(outShape)
	inSt := strides(m.In)
	rowIdentity := m.identityLast()
	idx := make([]int, r)
	n := outShape[r-1]
	o := 0
	for {
		base, zero := 0, false
		for ax := 0; ax < r-1; ax++ {
			s := m.Src[ax][idx[ax]]
			if s < 0 {
				zero = true
				break
			}
			base += s * inSt[ax]
		}
		if !zero {
			row := out[o : o+n]
			switch {
			case rowIdentity && !scatter:
				copy(row, in[base:base+n])
			case rowIdentity:
				dst := in[base : base+n]
				for i, v := range row {
					dst[i] += v
				}
			default:
				for i, s := range m.Src[r-1] {
					if s < 0 {
						continue
					}
					if scatter {
						in[base+s] += row[i]
					} else {
						row[i] = in[base+s]
					}
				}
			}
		}
		o += n
		ax := r - 2
		for ; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < outShape[ax] {
				break
			}
			idx[ax] = 0
		}
		if ax < 0 {
			return
		}
	}
}

// SliceMap returns the AxisMap that takes [starts[i], ends[i]) on each axis.
func SliceMap(shape, starts, ends []int) AxisMap {
	if len(starts) != len(shape) || len(ends) != len(shape) {
		panic(errorf("slice", "starts %v / ends %v for shape %v", starts, ends, shape))
	}
	m := AxisMap{In: slices.Clone(shape), Src: make([][]int, len(shape))}
	for ax, d := range shape {
		s, e := starts[ax], ends[ax]
		if s < 0 || e > d || s > e {
			panic(errorf("slice", "range [%d, %d) out of bounds on axis %d of %v", s, e, ax, shape))
		}
		a := make([]int, e-s)
		for i := range a {
			a[i] = s + i
		}
		m.Src[ax] = a
	}
	return m
}

// PadMode selects how Pad fills the border.
type PadMode uint8

const (
	// PadZero fills with zeros.
	PadZero PadMode = iota
	// PadReflect mirrors without repeating the edge (NumPy "reflect").
	PadReflect
)

// PadMap returns the AxisMap that pads axis i by before[i] and after[i].
func PadMap(shape, before, after []int, mode PadMode) AxisMap {
	if len(before) != len(shape) || len(after) != len(shape) {
		panic(errorf("pad", "widths %v/%v for shape %v", before, after, shape))
	}
	m := AxisMap{In: slices.Clone(shape), Src: make([][]int, len(shape))}
	for ax, d := range shape {
		b, e := before[ax], after[ax]
		if b < 0 || e < 0 {
			panic(errorf("pad", "negative width on axis %d", ax))
		}
		if mode == PadReflect && (b > d-1 || e > d-1) && (b > 0 || e > 0) {
			panic(errorf("pad", "reflect width %d/%d needs axis %d longer than %d, have %d", b, e, ax, max(b, e), d))
		}
		a := make([]int, b+d+e)
		for i := range a {
			j := i - b
			switch {
			case j >= 0 && j < d:
				a[i] = j
			case mode == PadZero:
				a[i] = -1
			case j < 0:
				a[i] = -j
			default:
				a[i] = 2*(d-1) - j
			}
		}
		m.Src[ax] = a
	}
	return m
}

// Slice returns t[starts:ends] on every axis.
func Slice(t *Tensor, starts, ends []int) *Tensor {
	return MapGather(t, SliceMap(t.shape, starts, ends))
}

// Pad pads t by before/after on each axis.
func Pad(t *Tensor, before, after []int, mode PadMode) *Tensor {
	return MapGather(t, PadMap(t.shape, before, after, mode))
}

// Concat joins tensors along axis; all other axes must agree.
func Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panic(errorf("concat", "no tensors"))
	}
	r := len(ts[0].shape)
	axis = normAxis("concat", axis, r)
	shape := slices.Clone(ts[0].shape)
	shape[axis] = 0
	for _, t := range ts {
		if len(t.shape) != r || t.dtype != ts[0].dtype {
			panic(errorf("concat", "cannot join %v %v with %v %v", t.dtype, t.shape, ts[0].dtype, ts[0].shape))
		}
		for i := range shape {
			if i != axis && t.shape[i] != ts[0].shape[i] {
				panic(errorf("concat", "shapes %v and %v differ off axis %d", ts[0].shape, t.shape, axis))
			}
		}
		shape[axis] += t.shape[axis]
	}
	out := New(ts[0].dtype, shape...)
	outer := Numel(shape[:axis])
	inner := Numel(shape[axis+1:])
	off := 0
	for _, t := range ts {
		blk := t.shape[axis] * inner
		for o := 0; o < outer; o++ {
			if t.dtype == Float32 {
				copy(out.f32[o*shape[axis]*inner+off:], t.f32[o*blk:(o+1)*blk])
			} else {
				copy(out.f64[o*shape[axis]*inner+off:], t.f64[o*blk:(o+1)*blk])
			}
		}
		off += blk
	}
	return out
}
