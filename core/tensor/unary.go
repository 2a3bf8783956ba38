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

// unKernel computes dst = op(src) with one tight loop per op: no call or
// switch per element. Float32 transcendentals use the fastmath kernels,
// float64 ones package math.
func unKernel[T Float](op unOp, p float64, dst, src []T) {
	src = src[:len(dst)]
	c := T(p)
	switch op {
	case opNeg:
		for i, v := range src {
			dst[i] = -v
		}
	case opAbs:
		for i, v := range src {
			dst[i] = T(math.Abs(float64(v)))
		}
	case opSquare:
		for i, v := range src {
			dst[i] = v * v
		}
	case opSqrt:
		for i, v := range src {
			dst[i] = T(math.Sqrt(float64(v))) // one SQRTSS for float32
		}
	case opScale:
		for i, v := range src {
			dst[i] = c * v
		}
	case opAddScalar:
		for i, v := range src {
			dst[i] = v + c
		}
	case opRelu:
		for i, v := range src {
			// Select from a pair, not by branch: signs are random.
			dst[i] = [2]T{0, v}[bit(v > 0)]
		}
	case opSign:
		for i, v := range src {
			dst[i] = oneIf[T](v > 0) - oneIf[T](v < 0)
		}
	case opStepPos:
		for i, v := range src {
			dst[i] = oneIf[T](v > 0)
		}
	case opLeakyMask:
		pair := [2]T{c, 1}
		for i, v := range src {
			dst[i] = pair[bit(v > 0)]
		}
	case opPowScalar:
		for i, v := range src {
			dst[i] = T(math.Pow(float64(v), p))
		}
	default:
		if d, ok := any(dst).([]float32); ok {
			unFast32(op, p, d, any(src).([]float32))
		} else {
			unMath64(op, p, any(dst).([]float64), any(src).([]float64))
		}
	}
}

// unFast32 is unKernel's float32 transcendentals (fastmath.go).
func unFast32(op unOp, p float64, dst, src []float32) {
	switch op {
	case opExp:
		expF32(dst, src)
	case opLog:
		logF32(dst, src)
	case opTanh:
		tanhF32(dst, src)
	case opSigmoid:
		sigmoidF32(dst, src)
	case opSoftplus:
		softplusF32(dst, src)
	case opElu:
		eluF32(dst, src, p)
	default:
		panic("unknown unary op")
	}
}

// unMath64 is unKernel's float64 transcendentals, from package math.
func unMath64(op unOp, p float64, dst, src []float64) {
	switch op {
	case opExp:
		for i, v := range src {
			dst[i] = math.Exp(v)
		}
	case opLog:
		for i, v := range src {
			dst[i] = math.Log(v)
		}
	case opTanh:
		for i, v := range src {
			dst[i] = math.Tanh(v)
		}
	case opSigmoid:
		for i, v := range src {
			dst[i] = sigmoid(v)
		}
	case opSoftplus:
		for i, v := range src {
			dst[i] = softplus(v)
		}
	case opElu:
		for i, v := range src {
			if v <= 0 || v != v {
				v = p * math.Expm1(v)
			}
			dst[i] = v
		}
	default:
		panic("unknown unary op")
	}
}

// transcendentalGrain is the parallel grain of the ops that evaluate a
// function per element (exp, log, tanh, ...): at 3–4 ns an element they
// are compute-bound, so 4K elements already outweigh waking a worker, and
// a generator's last tanh (a batch of 64 MNIST images, 50K elements) runs
// on both cores instead of one.
const transcendentalGrain = 1 << 12

// costly reports whether op evaluates a transcendental function.
func (op unOp) costly() bool {
	switch op {
	case opExp, opLog, opTanh, opSigmoid, opSoftplus, opPowScalar, opElu:
		return true
	}
	return false
}

func unary(op unOp, p float64, t *Tensor) *Tensor {
	out := newOutput(t.dtype, t.shape...)
	grain := parGrain
	if op.costly() {
		grain = transcendentalGrain
	}
	parallelFor(t.Len(), grain, func(lo, hi int) {
		if t.dtype == Float32 {
			unKernel(op, p, out.f32[lo:hi], t.f32[lo:hi])
		} else {
			unKernel(op, p, out.f64[lo:hi], t.f64[lo:hi])
		}
	})
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
	out := newOutput(t.dtype, t.shape...)
	parallelElems(t.Len(), func(a, b int) {
		if t.dtype == Float32 {
			clipKernel(out.f32[a:b], t.f32[a:b], lo, hi)
		} else {
			clipKernel(out.f64[a:b], t.f64[a:b], lo, hi)
		}
	})
	return out
}

// clipKernel compares in float64, as bounds need not be float32 values.
func clipKernel[T Float](dst, src []T, lo, hi float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = T(math.Min(math.Max(float64(v), lo), hi))
	}
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
	out := New(a.dtype, shape...)
	if out.Len() == 0 {
		return out
	}
	sh, st := coalesce(shape, strides(shape), broadcastStrides(cond.shape, shape),
		broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape))
	if a.dtype == Float32 {
		whereKernel(out.f32, cond.f32, a.f32, b.f32, sh, st)
	} else {
		whereKernel(out.f64, cond.f64, a.f64, b.f64, sh, st)
	}
	return out
}

func whereKernel[T Float](dst, c, x, y []T, shape []int, st [][]int) {
	last := len(shape) - 1
	n := shape[last]
	sc, sx, sy := st[1][last], st[2][last], st[3][last]
	parallelFor(len(dst)/n, grainFor(n), func(lo, hi int) {
		walkRowsRange(shape, st, lo, hi, func(o []int) {
			d, cs, xs, ys := dst[o[0]:o[0]+n], c[o[1]:], x[o[2]:], y[o[3]:]
			for i := range d {
				if cs[i*sc] != 0 {
					d[i] = xs[i*sx]
				} else {
					d[i] = ys[i*sy]
				}
			}
		})
	})
}
