package tensor

// Fused kernels: each does in one pass over memory what a chain of
// elementwise ops would do in several. Autograd's first-order gradient
// rules and its fused ops call them; they are checked against the chains
// they replace.

// LeakyRelu returns x where x > 0 and slope·x elsewhere.
func LeakyRelu(x *Tensor, slope float64) *Tensor {
	return leakyInto(newOutput(x.dtype, x.shape...), x, x, slope)
}

// LeakyReluInPlace overwrites x with LeakyRelu(x, slope), bitwise, and
// returns x: for a caller that owns x and will not read it again, it saves
// an activation-sized tensor.
func LeakyReluInPlace(x *Tensor, slope float64) *Tensor { return leakyInto(x, x, x, slope) }

// LeakyReluGrad returns g where x > 0 and slope·g elsewhere: the gradient of
// LeakyRelu (Relu with slope 0).
func LeakyReluGrad(g, x *Tensor, slope float64) *Tensor {
	checkSame("leaky_relu_grad", g, x)
	return leakyInto(newOutput(x.dtype, x.shape...), g, x, slope)
}

// LeakyReluGradInPlace overwrites g with LeakyReluGrad(g, x, slope),
// bitwise, and returns g: for a backward pass that owns g and passes it
// on, it saves the gradient-sized tensor (and the cache lines a new one
// would be written to).
func LeakyReluGradInPlace(g, x *Tensor, slope float64) *Tensor {
	checkSame("leaky_relu_grad", g, x)
	return leakyInto(g, g, x, slope)
}

// leakyInto sets out = v where x > 0 and slope·v elsewhere and returns
// out; all three have one dtype and length, and out may be v or x.
func leakyInto(out, v, x *Tensor, slope float64) *Tensor {
	if x.dtype == Float32 {
		leakyKernel(out.f32, v.f32, x.f32, float32(slope))
	} else {
		leakyKernel(out.f64, v.f64, x.f64, slope)
	}
	return out
}

// leakyKernel sets dst[i] = v[i] if x[i] > 0 else slope·v[i], on the
// vector kernel where there is one.
func leakyKernel[T Float](dst, v, x []T, slope T) {
	v, x = v[:len(dst)], x[:len(dst)]
	parallelElems(len(dst), func(lo, hi int) {
		if !vecLeaky(dst[lo:hi], v[lo:hi], x[lo:hi], slope) {
			leakyRange(dst[lo:hi], v[lo:hi], x[lo:hi], slope)
		}
	})
}

// leakyRange is leakyKernel's Go loop. The sign test picks a factor from a
// two-entry table instead of branching: with random signs a branch
// mispredicts half the time and costs more than the arithmetic. Slope·v is
// a multiplication even for slope 0, so -0, Inf and NaN come out as IEEE
// says.
func leakyRange[T Float](dst, v, x []T, slope T) {
	v, x = v[:len(dst)], x[:len(dst)]
	factor := [2]T{slope, 1}
	for i := range dst {
		dst[i] = v[i] * factor[b2i(x[i] > 0)]
	}
}

// b2i converts a bool to 0 or 1; the compiler emits a SETcc, not a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// SigmoidGrad returns g·y·(1-y) for y = sigmoid(x).
func SigmoidGrad(g, y *Tensor) *Tensor {
	return outputGrad("sigmoid_grad", g, y, sigmoidGradKernel[float32], sigmoidGradKernel[float64])
}

// TanhGrad returns g·(1-y²) for y = tanh(x).
func TanhGrad(g, y *Tensor) *Tensor {
	return outputGrad("tanh_grad", g, y, tanhGradKernel[float32], tanhGradKernel[float64])
}

// outputGrad runs a gradient kernel written in terms of an op's output y.
func outputGrad(op string, g, y *Tensor, k32 func(dst, g, y []float32), k64 func(dst, g, y []float64)) *Tensor {
	checkSame(op, g, y)
	out := newOutput(y.dtype, y.shape...)
	if y.dtype == Float32 {
		k32(out.f32, g.f32, y.f32)
	} else {
		k64(out.f64, g.f64, y.f64)
	}
	return out
}

func sigmoidGradKernel[T Float](dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	parallelElems(len(dst), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = g[i] * y[i] * (1 - y[i])
		}
	})
}

func tanhGradKernel[T Float](dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	parallelElems(len(dst), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = g[i] * (1 - y[i]*y[i])
		}
	})
}

// DropoutMask returns a tensor holding 0 with probability rate and
// 1/(1-rate) otherwise: multiplying by it is inverted dropout.
//
// One draw from rng seeds a counter-based generator (SplitMix64 over the
// element index), so the mask costs about a nanosecond per pair of
// elements, any chunk can be filled independently on either core, and the
// result depends only on rng's state.
func DropoutMask(rng *RNG, dtype DType, rate float64, shape ...int) *Tensor {
	return DropoutMaskFromSeed(DropoutSeed(rng), dtype, rate, shape...)
}

func maskKernel[T Float](dst []T, seed uint64, rate float64) {
	keep := T(1 / (1 - rate))
	// Compare 32-bit halves against rate·2³²: two draws per 64-bit value.
	thresh := uint64(rate * (1 << 32))
	pairs := (len(dst) + 1) / 2
	parallelFor(pairs, parGrain/2, func(lo, hi int) {
		chunk := dst[2*lo : min(2*hi, len(dst))]
		done := vecMask(chunk, seed, lo, thresh, keep) / 2
		maskRange(chunk, seed, lo, lo+done, hi, thresh, keep)
	})
}

// maskRange is maskKernel's Go loop over pairs [from, hi) of a chunk that
// starts at pair lo.
func maskRange[T Float](chunk []T, seed uint64, lo, from, hi int, thresh uint64, keep T) {
	for p := from; p < hi; p++ {
		u := splitmix64(seed + uint64(p)*0x9e3779b97f4a7c15)
		i := 2 * (p - lo)
		chunk[i] = keep * T(b2i(u&0xffffffff >= thresh))
		if i+1 < len(chunk) {
			chunk[i+1] = keep * T(b2i(u>>32 >= thresh))
		}
	}
}

// splitmix64 is the output function of SplitMix64 (Steele et al. 2014).
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func checkSame(op string, a, b *Tensor) {
	if a.dtype != b.dtype || !SameShape(a.shape, b.shape) {
		panic(errorf(op, "operands %v %v and %v %v differ", a.dtype, a.shape, b.dtype, b.shape))
	}
}

// rectifier is the leaky rectifier (slope ≥ 0; nil: none) a kernel applies
// to each chunk of its output right after computing it, while the chunk is
// in cache (a convolution, batch normalization).
type rectifier struct{ slope float64 }

// rectify applies r to y in place on the calling goroutine.
func rectify[T Float](r *rectifier, y []T) {
	if r == nil {
		return
	}
	s := T(r.slope)
	if !vecLeaky(y, y, y, s) {
		leakyRange(y, y, y, s)
	}
}

// rectifyParallel is rectify over the cores for large y.
func rectifyParallel[T Float](r *rectifier, y []T) {
	if r != nil {
		leakyKernel(y, y, y, T(r.slope))
	}
}
