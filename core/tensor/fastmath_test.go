package tensor

import (
	"math"
	"testing"
)

// ulp32 returns the spacing of float32 values at the float32 nearest to v.
func ulp32(v float64) float64 {
	a := math.Abs(float64(float32(v)))
	if a < 0x1p-126 {
		return 0x1p-149 // subnormal spacing
	}
	if math.IsInf(a, 0) {
		a = math.MaxFloat32
	}
	_, e := math.Frexp(a) // a = f·2^e, f in [0.5, 1)
	return math.Ldexp(1, e-24)
}

// sweep32 returns float32 inputs over [lo, hi]: a dense walk of the bit
// patterns (every representable exponent, including subnormals) plus an even
// grid, so both tiny and large magnitudes are covered.
func sweep32(lo, hi float32) []float32 {
	var xs []float32
	for b := uint32(0); b < 0x7f800000; b += 997 {
		for _, v := range []float32{math.Float32frombits(b), -math.Float32frombits(b)} {
			if v >= lo && v <= hi {
				xs = append(xs, v)
			}
		}
	}
	for i := 0; i <= 200000; i++ {
		xs = append(xs, lo+(hi-lo)*float32(i)/200000)
	}
	return xs
}

var fastMathCases = []struct {
	name   string
	kernel func(dst, src []float32)
	ref    func(float64) float64
	lo, hi float32
	maxULP float64 // measured max error (see the log) rounded up a little
}{
	{"exp", expF32, math.Exp, -120, 100, 0.501},
	{"tanh", tanhF32, math.Tanh, -30, 30, 0.501},
	{"sigmoid", sigmoidF32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, -120, 120, 0.501},
	{"softplus", softplusF32, func(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }, -120, 120, 0.501},
	{"elu", func(d, s []float32) { eluF32(d, s, 1.5) }, func(x float64) float64 {
		if x > 0 {
			return x
		}
		return 1.5 * math.Expm1(x)
	}, -120, 50, 0.501},
	{"log", logF32, math.Log, 0, math.MaxFloat32, 0.501},
}

// TestFastMathAccuracy measures the error of each float32 kernel against
// package math in float64, in float32 ulps of the exact result. Measured
// on amd64 over about 2.4M inputs each: exp 0.5000, tanh 0.5005, sigmoid
// 0.5000, softplus 0.5000, elu 0.5009, log 0.5000 ulp (relative error below
// 6e-8): the 0.5 of rounding to float32 plus the float64 polynomials'
// error, so results are the correctly rounded float32 but for near-ties.
func TestFastMathAccuracy(t *testing.T) {
	for _, c := range fastMathCases {
		xs := sweep32(c.lo, c.hi)
		got := make([]float32, len(xs))
		c.kernel(got, xs)
		worst, at := 0.0, float32(0)
		for i, x := range xs {
			want := c.ref(float64(x))
			g := float64(got[i])
			if math.IsInf(want, 0) || math.Abs(want) > math.MaxFloat32 {
				if float64(float32(want)) != g {
					t.Errorf("%s(%g) = %g, want %g", c.name, x, g, float32(want))
				}
				continue
			}
			e := math.Abs(g-want) / ulp32(want)
			if !(e <= worst) {
				worst, at = e, x
			}
		}
		t.Logf("%s: %d inputs in [%g, %g], max error %.4f ulp at x=%g", c.name, len(xs), c.lo, c.hi, worst, at)
		if !(worst <= c.maxULP) {
			t.Errorf("%s: max error %.4f ulp at x=%g, want <= %g", c.name, worst, at, c.maxULP)
		}
	}
}

func TestFastMathSpecialValues(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	sub := math.Float32frombits(1) // smallest subnormal
	cases := []struct {
		name   string
		kernel func(dst, src []float32)
		in     []float32
		want   []float32
	}{
		{"exp", expF32, []float32{inf, -inf, 0, 89, -104, sub}, []float32{inf, 0, 1, inf, 0, 1}},
		{"tanh", tanhF32, []float32{inf, -inf, 0, negZero, 20, -20, sub, -sub}, []float32{1, -1, 0, negZero, 1, -1, sub, -sub}},
		{"sigmoid", sigmoidF32, []float32{inf, -inf, 0, 200, -200}, []float32{1, 0, 0.5, 1, 0}},
		{"softplus", softplusF32, []float32{inf, -inf, 0, 200, -200}, []float32{inf, 0, float32(math.Ln2), 200, 0}},
		{"elu", func(d, s []float32) { eluF32(d, s, 2) }, []float32{inf, -inf, 0, negZero, 3, -sub}, []float32{inf, -2, 0, negZero, 3, -2 * sub}},
		{"log", logF32, []float32{inf, 0, negZero, -1, 1, sub, math.MaxFloat32}, []float32{inf, -inf, -inf, nan, 0, float32(math.Log(0x1p-149)), float32(math.Log(math.MaxFloat32))}},
	}
	for _, c := range cases {
		in := append(c.in, nan)
		want := append(c.want, nan)
		got := make([]float32, len(in))
		c.kernel(got, in)
		for i := range in {
			g, w := got[i], want[i]
			same := g == w && math.Signbit(float64(g)) == math.Signbit(float64(w))
			if w != w {
				same = g != g
			}
			if !same {
				t.Errorf("%s(%g) = %g, want %g", c.name, in[i], g, w)
			}
		}
	}
}

// benchKernel32 times a float32 kernel on an in-cache slice: its compute
// cost alone, without memory traffic or goroutines.
func benchKernel32(b *testing.B, kernel func(dst, src []float32)) {
	src := make([]float32, 4096)
	rng := NewRNG(1, 0)
	for i := range src {
		src[i] = float32(4 * rng.NormFloat64())
	}
	dst := make([]float32, len(src))
	b.SetBytes(int64(4 * len(src)))
	for b.Loop() {
		kernel(dst, src)
	}
}

func BenchmarkKernelExpF32(b *testing.B)      { benchKernel32(b, expF32) }
func BenchmarkKernelTanhF32(b *testing.B)     { benchKernel32(b, tanhF32) }
func BenchmarkKernelSigmoidF32(b *testing.B)  { benchKernel32(b, sigmoidF32) }
func BenchmarkKernelSoftplusF32(b *testing.B) { benchKernel32(b, softplusF32) }
func BenchmarkKernelLogF32(b *testing.B)      { benchKernel32(b, logF32) }
