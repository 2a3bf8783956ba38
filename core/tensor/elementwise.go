package tensor

import "math"

// binOp names an elementwise binary operation.
type binOp uint8

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
	opMax
	opMin
	opPow
	opGreater // 1 where x > y else 0
)

var binNames = [...]string{"add", "sub", "mul", "div", "maximum", "minimum", "pow", "greater"}

func applyBin[T Float](op binOp, x, y T) T {
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	case opDiv:
		return x / y
	case opMax:
		if x >= y || y != y {
			return x
		}
		return y
	case opMin:
		if x <= y || y != y {
			return x
		}
		return y
	case opPow:
		return T(math.Pow(float64(x), float64(y)))
	case opGreater:
		if x > y {
			return 1
		}
		return 0
	}
	panic("unknown binary op")
}

// binRow computes dst[i] = x[i*sx] op y[i*sy] for a row. Every op has tight
// loops for the stride patterns that broadcasting produces most (same
// shape, and a per-row constant on either side), with no call or switch per
// element; Pow alone goes through applyBin. Long float32 rows with those
// patterns go to the vector kernels, which compute the same values.
func binRow[T Float](op binOp, dst, x []T, sx int, y []T, sy int) {
	if vecBinRow(op, dst, x, sx, y, sy) {
		return
	}
	switch op {
	case opAdd:
		addRow(dst, x, sx, y, sy)
	case opSub:
		subRow(dst, x, sx, y, sy)
	case opMul:
		mulRow(dst, x, sx, y, sy)
	case opDiv:
		divRow(dst, x, sx, y, sy)
	case opMax:
		maxRow(dst, x, sx, y, sy)
	case opMin:
		minRow(dst, x, sx, y, sy)
	case opGreater:
		greaterRow(dst, x, sx, y, sy)
	default:
		for i := range dst {
			dst[i] = applyBin(op, x[i*sx], y[i*sy])
		}
	}
}

// addRow is binRow for opAdd.
func addRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = x[i] + c
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = c + y[i]
		}
	default:
		for i := range dst {
			dst[i] = x[i*sx] + y[i*sy]
		}
	}
}

// subRow is binRow for opSub.
func subRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] - y[i]
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = x[i] - c
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = c - y[i]
		}
	default:
		for i := range dst {
			dst[i] = x[i*sx] - y[i*sy]
		}
	}
}

// mulRow is binRow for opMul.
func mulRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = x[i] * c
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = c * y[i]
		}
	default:
		for i := range dst {
			dst[i] = x[i*sx] * y[i*sy]
		}
	}
}

// divRow is binRow for opDiv.
func divRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] / y[i]
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = x[i] / c
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = c / y[i]
		}
	default:
		for i := range dst {
			dst[i] = x[i*sx] / y[i*sy]
		}
	}
}

// maxRow is binRow for opMax.
func maxRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = maxOf(x[i], y[i])
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = maxOf(x[i], c)
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = maxOf(c, y[i])
		}
	default:
		for i := range dst {
			dst[i] = maxOf(x[i*sx], y[i*sy])
		}
	}
}

// minRow is binRow for opMin.
func minRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = minOf(x[i], y[i])
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = minOf(x[i], c)
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = minOf(c, y[i])
		}
	default:
		for i := range dst {
			dst[i] = minOf(x[i*sx], y[i*sy])
		}
	}
}

// greaterRow is binRow for opGreater.
func greaterRow[T Float](dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = oneIf[T](x[i] > y[i])
		}
	case sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = oneIf[T](x[i] > c)
		}
	case sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = oneIf[T](c > y[i])
		}
	default:
		for i := range dst {
			dst[i] = oneIf[T](x[i*sx] > y[i*sy])
		}
	}
}

// maxOf is applyBin's opMax: x unless y is larger (a NaN y gives x).
func maxOf[T Float](x, y T) T {
	if x >= y || y != y {
		return x
	}
	return y
}

// minOf is applyBin's opMin.
func minOf[T Float](x, y T) T {
	if x <= y || y != y {
		return x
	}
	return y
}

// binKernel applies op over coalesced shape and strides (st[0] is dst's,
// contiguous). Rows, or pieces of a single long row, go to parallel
// goroutines; every element is computed the same way wherever it lands.
func binKernel[T Float](op binOp, dst, x, y []T, shape []int, st [][]int) {
	last := len(shape) - 1
	n := shape[last]
	sx, sy := st[1][last], st[2][last]
	rows := len(dst) / n
	if rows == 1 {
		parallelElems(n, func(lo, hi int) {
			binRow(op, dst[lo:hi], x[lo*sx:], sx, y[lo*sy:], sy)
		})
		return
	}
	parallelFor(rows, grainFor(n), func(lo, hi int) {
		walkRowsRange(shape, st, lo, hi, func(o []int) {
			binRow(op, dst[o[0]:o[0]+n], x[o[1]:], sx, y[o[2]:], sy)
		})
	})
}

func binary(op binOp, a, b *Tensor) *Tensor {
	name := binNames[op]
	if a.dtype != b.dtype {
		panic(errorf(name, "dtype mismatch %v vs %v", a.dtype, b.dtype))
	}
	shape, ok := BroadcastShapes(a.shape, b.shape)
	if !ok {
		panic(errorf(name, "shapes %v and %v do not broadcast", a.shape, b.shape))
	}
	out := newOutput(a.dtype, shape...)
	if out.Len() == 0 {
		return out
	}
	sh, st := coalesce(shape, strides(shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape))
	if a.dtype == Float32 {
		binKernel(op, out.f32, a.f32, b.f32, sh, st)
	} else {
		binKernel(op, out.f64, a.f64, b.f64, sh, st)
	}
	return out
}

// Add returns a + b with broadcasting.
func Add(a, b *Tensor) *Tensor { return binary(opAdd, a, b) }

// Sub returns a - b with broadcasting.
func Sub(a, b *Tensor) *Tensor { return binary(opSub, a, b) }

// Mul returns a * b with broadcasting.
func Mul(a, b *Tensor) *Tensor { return binary(opMul, a, b) }

// Div returns a / b with broadcasting.
func Div(a, b *Tensor) *Tensor { return binary(opDiv, a, b) }

// Maximum returns the elementwise max with broadcasting.
func Maximum(a, b *Tensor) *Tensor { return binary(opMax, a, b) }

// Minimum returns the elementwise min with broadcasting.
func Minimum(a, b *Tensor) *Tensor { return binary(opMin, a, b) }

// Pow returns a ** b with broadcasting.
func Pow(a, b *Tensor) *Tensor { return binary(opPow, a, b) }

// Greater returns 1 where a > b and 0 elsewhere, with broadcasting.
func Greater(a, b *Tensor) *Tensor { return binary(opGreater, a, b) }

// AddInPlace adds src (broadcast to t's shape) into t.
func (t *Tensor) AddInPlace(src *Tensor) {
	if t.dtype != src.dtype {
		panic(errorf("add_", "dtype mismatch %v vs %v", t.dtype, src.dtype))
	}
	shape, ok := BroadcastShapes(t.shape, src.shape)
	if !ok || !SameShape(shape, t.shape) {
		panic(errorf("add_", "cannot add %v into %v", src.shape, t.shape))
	}
	if t.Len() == 0 {
		return
	}
	sh, st := coalesce(t.shape, strides(t.shape), strides(t.shape), broadcastStrides(src.shape, t.shape))
	if t.dtype == Float32 {
		binKernel(opAdd, t.f32, t.f32, src.f32, sh, st)
	} else {
		binKernel(opAdd, t.f64, t.f64, src.f64, sh, st)
	}
}

// ScaleInPlace multiplies every element of t by s.
func (t *Tensor) ScaleInPlace(s float64) {
	if t.dtype == Float64 {
		parallelElems(len(t.f64), func(lo, hi int) {
			d := t.f64[lo:hi]
			for i := range d {
				d[i] *= s
			}
		})
		return
	}
	f := float32(s)
	parallelElems(len(t.f32), func(lo, hi int) {
		d := t.f32[lo:hi]
		if vecScale(d, f) {
			return
		}
		for i := range d {
			d[i] *= f
		}
	})
}

// oneIf returns 1 if b else 0; the compiler emits a SETcc, not a branch,
// which matters for data-dependent tests that would mispredict half the time.
func oneIf[T Float](b bool) T { return T(bit(b)) }

// bit returns 1 if b else 0, for indexing a pair without a branch.
func bit(b bool) uint8 {
	var i uint8
	if b {
		i = 1
	}
	return i
}
