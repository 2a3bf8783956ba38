package tensor

// Fused kernels: each does in one pass over memory what a chain of
// elementwise ops would do in several. Autograd's first-order gradient
// rules and its fused ops call them; they are checked against the chains
// they replace.

// LeakyRelu returns x where x > 0 and slope·x elsewhere.
func LeakyRelu(x *Tensor, slope float64) *Tensor {
	out := New(x.dtype, x.shape...)
	if x.dtype == Float32 {
		leakyKernel(out.f32, x.f32, x.f32, float32(slope))
	} else {
		leakyKernel(out.f64, x.f64, x.f64, slope)
	}
	return out
}

// LeakyReluGrad returns g where x > 0 and slope·g elsewhere: the gradient of
// LeakyRelu (Relu with slope 0).
func LeakyReluGrad(g, x *Tensor, slope float64) *Tensor {
	checkSame("leaky_relu_grad", g, x)
	out := New(x.dtype, x.shape...)
	if x.dtype == Float32 {
		leakyKernel(out.f32, g.f32, x.f32, float32(slope))
	} else {
		leakyKernel(out.f64, g.f64, x.f64, slope)
	}
	return out
}

// leakyKernel sets dst[i] = v[i] if x[i] > 0 else slope·v[i]. The sign
// test picks a factor from a two-entry table instead of branching: with
// random signs a branch mispredicts half the time and costs more than the
// arithmetic.
func leakyKernel[T Float](dst, v, x []T, slope T) {
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
	checkSame("sigmoid_grad", g, y)
	out := New(y.dtype, y.shape...)
	if y.dtype == Float32 {
		sigmoidGradKernel(out.f32, g.f32, y.f32)
	} else {
		sigmoidGradKernel(out.f64, g.f64, y.f64)
	}
	return out
}

func sigmoidGradKernel[T Float](dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * y[i] * (1 - y[i])
	}
}

// TanhGrad returns g·(1-y²) for y = tanh(x).
func TanhGrad(g, y *Tensor) *Tensor {
	checkSame("tanh_grad", g, y)
	out := New(y.dtype, y.shape...)
	if y.dtype == Float32 {
		tanhGradKernel(out.f32, g.f32, y.f32)
	} else {
		tanhGradKernel(out.f64, g.f64, y.f64)
	}
	return out
}

func tanhGradKernel[T Float](dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * (1 - y[i]*y[i])
	}
}

// DropoutMask returns a tensor holding 0 with probability rate and
// 1/(1-rate) otherwise: multiplying by it is inverted dropout.
func DropoutMask(rng *RNG, dtype DType, rate float64, shape ...int) *Tensor {
	out := New(dtype, shape...)
	keep := 1 / (1 - rate)
	// Compare 32-bit halves of the raw stream against rate·2³²: two draws
	// per Uint64 and no float conversion.
	thresh := uint64(rate * (1 << 32))
	n := out.Len()
	for i := 0; i < n; i += 2 {
		u := rng.Uint64()
		if u&0xffffffff >= thresh {
			out.setFast(i, keep)
		}
		if i+1 < n && u>>32 >= thresh {
			out.setFast(i+1, keep)
		}
	}
	return out
}

func (t *Tensor) setFast(i int, v float64) {
	if t.dtype == Float32 {
		t.f32[i] = float32(v)
	} else {
		t.f64[i] = v
	}
}

func checkSame(op string, a, b *Tensor) {
	if a.dtype != b.dtype || !SameShape(a.shape, b.shape) {
		panic(errorf(op, "operands %v %v and %v %v differ", a.dtype, a.shape, b.dtype, b.shape))
	}
}
