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

// binRow computes dst[i] = x[i*sx] op y[i*sy] for a row; the common stride
// patterns get tight loops without a call per element.
func binRow[T Float](op binOp, dst, x []T, sx int, y []T, sy int) {
	n := len(dst)
	switch {
	case op == opAdd && sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] + y[i]
		}
	case op == opMul && sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] * y[i]
		}
	case op == opSub && sx == 1 && sy == 1:
		x, y = x[:n], y[:n]
		for i := range dst {
			dst[i] = x[i] - y[i]
		}
	case op == opAdd && sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = x[i] + c
		}
	case op == opMul && sx == 1 && sy == 0:
		c := y[0]
		x = x[:n]
		for i := range dst {
			dst[i] = x[i] * c
		}
	case op == opMul && sx == 0 && sy == 1:
		c := x[0]
		y = y[:n]
		for i := range dst {
			dst[i] = c * y[i]
		}
	default:
		for i := range dst {
			dst[i] = applyBin(op, x[i*sx], y[i*sy])
		}
	}
}

func binKernel[T Float](op binOp, dst, x, y []T, shape []int, st [][]int) {
	n := shape[len(shape)-1]
	sd, sx, sy := st[0][len(shape)-1], st[1][len(shape)-1], st[2][len(shape)-1]
	_ = sd // dst is contiguous: its last stride is 1
	walkRows(shape, st, func(o []int) {
		xs := x[o[1]:]
		ys := y[o[2]:]
		binRow(op, dst[o[0]:o[0]+n], xs, sx, ys, sy)
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
	out := New(a.dtype, shape...)
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
		for i := range t.f64 {
			t.f64[i] *= s
		}
		return
	}
	f := float32(s)
	for i := range t.f32 {
		t.f32[i] *= f
	}
}
