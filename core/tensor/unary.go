package tensor

import "math"

// unOp names an elementwise unary operation; p is its scalar parameter.
type unOp uint8

const (
	opNeg unOp = iota
	opExp
	opLog
	opSqrt
	opAbs
	opSquare
	opTanh
	opSigmoid
	opRelu
	opSoftplus
	opSign
	opStepPos   // 1 where x > 0 else 0
	opLeakyMask // 1 where x > 0 else p
	opScale     // p*x
	opAddScalar // x+p
	opPowScalar // x**p
	opElu       // x > 0 ? x : p*(exp(x)-1)
)

func sigmoid(x float64) float64 {
	// NOTE: split on the sign so exp never overflows.
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func softplus(x float64) float64 {
	// log(1+e^x) = max(x,0) + log1p(e^-|x|): exact for large |x|.
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

func applyUn(op unOp, x, p float64) float64 {
	switch op {
	case opNeg:
		return -x
	case opExp:
		return math.Exp(x)
	case opLog:
		return math.Log(x)
	case opSqrt:
		return math.Sqrt(x)
	case opAbs:
		return math.Abs(x)
	case opSquare:
		return x * x
	case opTanh:
		return math.Tanh(x)
	case opSigmoid:
		return sigmoid(x)
	case opRelu:
		if x > 0 {
			return x
		}
		return 0
	case opSoftplus:
		return softplus(x)
	case opSign:
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	case opStepPos:
		if x > 0 {
			return 1
		}
		return 0
	case opLeakyMask:
		if x > 0 {
			return 1
		}
		return p
	case opScale:
		return p * x
	case opAddScalar:
		return x + p
	case opPowScalar:
		return math.Pow(x, p)
	case opElu:
		if x > 0 {
			return x
		}
		return p * math.Expm1(x)
	}
	panic("unknown unary op")
}

func unKernel[T Float](op unOp, p float64, dst, src []T) {
	switch op {
	case opScale:
		c := T(p)
		for i, v := range src {
			dst[i] = c * v
		}
	case opAddScalar:
		c := T(p)
		for i, v := range src {
			dst[i] = v + c
		}
	case opRelu:
		for i, v := range src {
			if v > 0 {
				dst[i] = v
			} else {
				dst[i] = 0
			}
		}
	case opSquare:
		for i, v := range src {
			dst[i] = v * v
		}
	case opNeg:
		for i, v := range src {
			dst[i] = -v
		}
	default:
		for i, v := range src {
			dst[i] = T(applyUn(op, float64(v), p))
		}
	}
}

func unary(op unOp, p float64, t *Tensor) *Tensor {
	out := New(t.dtype, t.shape...)
	if t.dtype == Float32 {
		unKernel(op, p, out.f32, t.f32)
	} else {
		unKernel(op, p, out.f64, t.f64)
	}
	return out
}

// Neg returns -t.
func Neg(t *Tensor) *Tensor { return unary(opNeg, 0, t) }

// Exp returns e**t.
func Exp(t *Tensor) *Tensor { return unary(opExp, 0, t) }

// Log returns the natural logarithm of t.
func Log(t *Tensor) *Tensor { return unary(opLog, 0, t) }

// Sqrt returns the square root of t.
func Sqrt(t *Tensor) *Tensor { return unary(opSqrt, 0, t) }

// Abs returns |t|.
func Abs(t *Tensor) *Tensor { return unary(opAbs, 0, t) }

// Square returns t*t.
func Square(t *Tensor) *Tensor { return unary(opSquare, 0, t) }

// Tanh returns tanh(t).
func Tanh(t *Tensor) *Tensor { return unary(opTanh, 0, t) }

// Sigmoid returns 1/(1+e**-t), computed without overflow.
func Sigmoid(t *Tensor) *Tensor { return unary(opSigmoid, 0, t) }

// Relu returns max(t, 0).
func Relu(t *Tensor) *Tensor { return unary(opRelu, 0, t) }

// Softplus returns log(1+e**t), computed without overflow.
func Softplus(t *Tensor) *Tensor { return unary(opSoftplus, 0, t) }

// Elu returns t where t > 0 and alpha*(e**t - 1) elsewhere.
func Elu(t *Tensor, alpha float64) *Tensor { return unary(opElu, alpha, t) }

// Sign returns -1, 0 or 1 by the sign of t.
func Sign(t *Tensor) *Tensor { return unary(opSign, 0, t) }

// StepPositive returns 1 where t > 0 and 0 elsewhere.
func StepPositive(t *Tensor) *Tensor { return unary(opStepPos, 0, t) }

// LeakyMask returns 1 where t > 0 and slope elsewhere: the derivative of a
// leaky ReLU.
func LeakyMask(t *Tensor, slope float64) *Tensor { return unary(opLeakyMask, slope, t) }

// Scale returns s*t.
func Scale(t *Tensor, s float64) *Tensor { return unary(opScale, s, t) }

// AddScalar returns t+s.
func AddScalar(t *Tensor, s float64) *Tensor { return unary(opAddScalar, s, t) }

// PowScalar returns t**p.
func PowScalar(t *Tensor, p float64) *Tensor { return unary(opPowScalar, p, t) }

// Clip returns t with every element limited to [lo, hi].
func Clip(t *Tensor, lo, hi float64) *Tensor {
	out := t.Clone()
	for i := 0; i < out.Len(); i++ {
		out.SetAt(i, math.Min(math.Max(out.At(i), lo), hi))
	}
	return out
}

// Where returns a where cond != 0 and b elsewhere; all three broadcast.
func Where(cond, a, b *Tensor) *Tensor {
	// cond*a + (1-cond)*b would turn 0*Inf into NaN; select instead.
	shape, ok := BroadcastShapes(cond.shape, a.shape)
	if ok {
		shape, ok = BroadcastShapes(shape, b.shape)
	}
	if !ok || a.dtype != b.dtype || cond.dtype != a.dtype {
		panic(errorf("where", "cannot broadcast cond %v, a %v, b %v", cond.shape, a.shape, b.shape))
	}
	c := BroadcastTo(cond, shape...)
	x := BroadcastTo(a, shape...)
	y := BroadcastTo(b, shape...)
	out := New(a.dtype, shape...)
	for i := 0; i < out.Len(); i++ {
		if c.At(i) != 0 {
			out.SetAt(i, x.At(i))
		} else {
			out.SetAt(i, y.At(i))
		}
	}
	return out
}
