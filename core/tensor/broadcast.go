package tensor

// BroadcastShapes returns the NumPy broadcast of two shapes, or ok=false.
func BroadcastShapes(a, b []int) (out []int, ok bool) {
	n := max(len(a), len(b))
	out = make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			return nil, false
		}
	}
	return out, true
}

// broadcastStrides returns strides for reading a tensor of shape in as if it
// had shape out (0 on stretched or missing axes).
func broadcastStrides(in, out []int) []int {
	s := make([]int, len(out))
	st := strides(in)
	off := len(out) - len(in)
	for i := range out {
		j := i - off
		if j >= 0 && in[j] == out[i] {
			s[i] = st[j]
		}
	}
	return s
}

// coalesce merges adjacent axes that every operand walks contiguously, so
// that inner loops run as long as possible. ops[k] are the strides of operand
// k over shape. It returns the reduced shape and strides.
func coalesce(shape []int, ops ...[]int) ([]int, [][]int) {
	sh := []int{}
	st := make([][]int, len(ops))
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if len(sh) > 0 {
			last := len(sh) - 1
			merge := true
			for k, s := range ops {
				if st[k][last] != s[i]*d {
					merge = false
					break
				}
			}
			if merge {
				sh[last] *= d
				for k, s := range ops {
					st[k][last] = s[i]
				}
				continue
			}
		}
		sh = append(sh, d)
		for k, s := range ops {
			st[k] = append(st[k], s[i])
		}
	}
	if len(sh) == 0 {
		sh = []int{1}
		for k := range st {
			st[k] = []int{0}
		}
	}
	return sh, st
}

// walkRows calls fn once per row of shape (all axes but the last), passing
// each operand's offset at the row start. The row length is shape[last].
func walkRows(shape []int, st [][]int, fn func(offs []int)) {
	walkRowsRange(shape, st, 0, Numel(shape[:len(shape)-1]), fn)
}

// walkRowsRange is walkRows over the rows numbered [lo, hi) in row-major
// order, so that disjoint row ranges can go to different goroutines. fn
// must not keep or modify offs.
func walkRowsRange(shape []int, st [][]int, lo, hi int, fn func(offs []int)) {
	rank := len(shape)
	offs := make([]int, len(st))
	if lo >= hi {
		return
	}
	if rank == 1 {
		fn(offs)
		return
	}
	idx := make([]int, rank-1)
	for ax, r := rank-2, lo; ax >= 0; ax-- {
		idx[ax] = r % shape[ax]
		r /= shape[ax]
		for k := range offs {
			offs[k] += idx[ax] * st[k][ax]
		}
	}
	for row := lo; ; {
		fn(offs)
		if row++; row == hi {
			return
		}
		for ax := rank - 2; ax >= 0; ax-- {
			idx[ax]++
			for k := range offs {
				offs[k] += st[k][ax]
			}
			if idx[ax] < shape[ax] {
				break
			}
			for k := range offs {
				offs[k] -= st[k][ax] * shape[ax]
			}
			idx[ax] = 0
		}
	}
}

// BroadcastTo returns t stretched to shape (a copy; t itself when equal).
func BroadcastTo(t *Tensor, shape ...int) *Tensor {
	const op = "broadcast_to"
	if SameShape(t.shape, shape) {
		return t
	}
	b, ok := BroadcastShapes(t.shape, shape)
	if !ok || !SameShape(b, shape) {
		panic(errorf(op, "cannot broadcast %v to %v", t.shape, shape))
	}
	out := newOutput(t.dtype, shape...)
	if out.Len() == 0 {
		return out
	}
	sh, st := coalesce(shape, strides(shape), broadcastStrides(t.shape, shape))
	if t.dtype == Float32 {
		stridedCopy(out.f32, t.f32, sh, st)
	} else {
		stridedCopy(out.f64, t.f64, sh, st)
	}
	return out
}

// Interpolate returns w·a + (1−w)·b for a and b of one shape, with w
// broadcast to it: the interpolates of a gradient penalty, one weight per
// sample (w of shape (n, 1, …, 1)). Each product is rounded before the
// sum, so the result is bitwise that of Add(Mul(w, a), Mul(1−w, b)), in
// one pass and one output.
func Interpolate(w, a, b *Tensor) *Tensor {
	const op = "interpolate"
	sameDType(op, a, b)
	sameDType(op, w, a)
	if !SameShape(a.shape, b.shape) {
		panic(errorf(op, "shapes %v and %v differ", a.shape, b.shape))
	}
	if bs, ok := BroadcastShapes(w.shape, a.shape); !ok || !SameShape(bs, a.shape) {
		panic(errorf(op, "weights %v do not broadcast to %v", w.shape, a.shape))
	}
	out := newOutput(a.dtype, a.shape...)
	if out.Len() == 0 {
		return out
	}
	full := strides(a.shape)
	sh, st := coalesce(a.shape, full, broadcastStrides(w.shape, a.shape))
	if a.dtype == Float32 {
		interpolateKernel(out.f32, w.f32, a.f32, b.f32, sh, st)
	} else {
		interpolateKernel(out.f64, w.f64, a.f64, b.f64, sh, st)
	}
	return out
}

// interpolateKernel is Interpolate over the coalesced shape; st[0] walks
// dst, a and b alike, st[1] walks w.
func interpolateKernel[T Float](dst, w, a, b []T, shape []int, st [][]int) {
	n := shape[len(shape)-1]
	sw := st[1][len(shape)-1]
	// Three operations per element: worth both cores from 16K elements (a
	// batch of 64 MNIST images is 50K).
	parallelFor(len(dst)/n, max(1, (1<<14)/n), func(lo, hi int) {
		walkRowsRange(shape, st, lo, hi, func(o []int) {
			d, x, y := dst[o[0]:o[0]+n], a[o[0]:o[0]+n], b[o[0]:o[0]+n]
			ws := w[o[1]:]
			for i := range d {
				wi := ws[i*sw]
				// The conversions round each product: no build may fuse
				// them into a multiply-add.
				d[i] = T(wi*x[i]) + T((1-wi)*y[i])
			}
		})
	})
}
