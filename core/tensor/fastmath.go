package tensor

import "math"

// Fast float32 transcendentals. Scalar float64 arithmetic costs the same as
// float32 on amd64/arm64, so these work in float64 internally: a short
// polynomial after range reduction is then far more accurate than float32
// needs, and the one rounding to float32 at the end leaves the results
// within one ulp of the exact value (fastmath_test.go measures the
// error). They are only meant for inputs converted from float32: no care is
// taken beyond float32's range. Float64 tensors keep using package math, the
// reference accuracy of gradient checks.

const (
	log2e = 1.4426950408889634 // 1/ln 2
	ln2   = 0.6931471805599453
	// roundMagic added to |v| < 2⁵¹ rounds v to an integer, which then sits
	// in the low mantissa bits.
	roundMagic = 0x1.8p52
	// expLimit bounds exponents so that 2^k stays a normal float64; e^±110
	// is already past float32's range (and its subnormals) on both sides.
	expLimit = 110
)

// exp2Frac holds 2^(j/32), correctly rounded: with it the reduced argument
// of exp is below ln2/64 and a degree-4 polynomial suffices.
var exp2Frac = [32]float64{
	0x1p+00,               // 2^(0/32)
	0x1.059b0d3158574p+00, // 2^(1/32)
	0x1.0b5586cf9890fp+00, // 2^(2/32)
	0x1.11301d0125b51p+00, // 2^(3/32)
	0x1.172b83c7d517bp+00, // 2^(4/32)
	0x1.1d4873168b9aap+00, // 2^(5/32)
	0x1.2387a6e756238p+00, // 2^(6/32)
	0x1.29e9df51fdee1p+00, // 2^(7/32)
	0x1.306fe0a31b715p+00, // 2^(8/32)
	0x1.371a7373aa9cbp+00, // 2^(9/32)
	0x1.3dea64c123422p+00, // 2^(10/32)
	0x1.44e086061892dp+00, // 2^(11/32)
	0x1.4bfdad5362a27p+00, // 2^(12/32)
	0x1.5342b569d4f82p+00, // 2^(13/32)
	0x1.5ab07dd485429p+00, // 2^(14/32)
	0x1.6247eb03a5585p+00, // 2^(15/32)
	0x1.6a09e667f3bcdp+00, // 2^(16/32)
	0x1.71f75e8ec5f74p+00, // 2^(17/32)
	0x1.7a11473eb0187p+00, // 2^(18/32)
	0x1.82589994cce13p+00, // 2^(19/32)
	0x1.8ace5422aa0dbp+00, // 2^(20/32)
	0x1.93737b0cdc5e5p+00, // 2^(21/32)
	0x1.9c49182a3f09p+00,  // 2^(22/32)
	0x1.a5503b23e255dp+00, // 2^(23/32)
	0x1.ae89f995ad3adp+00, // 2^(24/32)
	0x1.b7f76f2fb5e47p+00, // 2^(25/32)
	0x1.c199bdd85529cp+00, // 2^(26/32)
	0x1.cb720dcef9069p+00, // 2^(27/32)
	0x1.d5818dcfba487p+00, // 2^(28/32)
	0x1.dfc97337b9b5fp+00, // 2^(29/32)
	0x1.ea4afa2a490dap+00, // 2^(30/32)
	0x1.f50765b6e454p+00,  // 2^(31/32)
}

// expReduce splits x (|x| ≤ expLimit) as n·ln2/32 + r with |r| ≤ ln2/64,
// and returns r, n as a float and 2^(n/32) from the table.
func expReduce(x float64) (r, nf, scale float64) {
	t := x*(32*log2e) + roundMagic
	nf = t - roundMagic
	r = x - nf*(ln2/32)
	// The low bits of t hold n in two's complement: n mod 32 picks the table
	// entry and n>>5 goes into its exponent (wrapping when negative).
	b := math.Float64bits(t)
	scale = math.Float64frombits(math.Float64bits(exp2Frac[b&31]) + (b>>5)<<52)
	return r, nf, scale
}

// expm1Poly returns e^r - 1 for |r| ≤ ln2/64 by its Taylor series to r⁴: the
// first term left out is below 1.3e-12·|r|, and writing it as r·(…) keeps
// full relative accuracy for tiny r.
func expm1Poly(r float64) float64 {
	// Estrin's split shortens the dependency chain over Horner's.
	return r * ((1 + r*(1.0/2)) + (r*r)*(1.0/6+r*(1.0/24)))
}

// expm1Of returns e^x - 1 from expReduce's r and scale. When n = 0, scale
// is exactly 1 and this is the polynomial itself (even its -0); otherwise
// |e^x - 1| > 0.0107 while scale's rounding is 1e-16: no harmful
// cancellation.
func expm1Of(r, scale float64) float64 {
	return scale*expm1Poly(r) - (1 - scale)
}

// log1pS returns log((1+s)/(1-s)) = 2·atanh(s) for |s| ≤ 0.1716 (s² ≤
// 0.0295) by its odd series; the first term left out is below 1.3e-12.
func log1pS(s float64) float64 {
	z := s * s
	return 2 * s * (1 + z*(1.0/3+z*(1.0/5+z*(1.0/7+z*(1.0/9+z*(1.0/11+z*(1.0/13)))))))
}

// The kernels below take float32 slices (dst may alias src) and inline the
// helpers above: no call per element.

// clampExp limits an exponent to ±expLimit; NaN stays NaN. The branch is
// almost never taken, which keeps the clamp off the dependency chain.
func clampExp(x float64) float64 {
	if !(math.Abs(x) <= expLimit) {
		return min(max(x, -expLimit), expLimit)
	}
	return x
}

// expF32 sets dst[i] = e^src[i].
func expF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		r, _, scale := expReduce(clampExp(float64(v)))
		dst[i] = float32(scale + scale*expm1Poly(r))
	}
}

// tanhF32 sets dst[i] = tanh(x) = q/(q+2) with q = e^2x - 1, which has no
// cancellation near 0 (for |2x| < ln2/64, q is the polynomial itself).
func tanhF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		if !(math.Abs(x) <= 20) {
			x = min(max(x, -20), 20) // tanh(±20) is ±1 in float64; NaN stays
		}
		r, _, scale := expReduce(2 * x)
		q := expm1Of(r, scale)
		dst[i] = float32(q / (q + 2))
	}
}

// sigmoidF32 sets dst[i] = 1/(1+e^-x); at the clamp e^-x is e^±110, which
// gives the limits 0 and 1 after rounding to float32.
func sigmoidF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		r, _, scale := expReduce(clampExp(-float64(v)))
		dst[i] = float32(1 / (1 + scale + scale*expm1Poly(r)))
	}
}

// softplusF32 sets dst[i] = log(1+e^x) = max(x, 0) + log1p(e^-|x|).
func softplusF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		r, _, scale := expReduce(clampExp(-math.Abs(x)))
		e := scale + scale*expm1Poly(r) // in [0, 1]
		var l float64
		if e <= math.Sqrt2-1 {
			l = log1pS(e / (2 + e))
		} else {
			// 1+e = 2·(1+f) with f = (e-1)/2 in (-0.293, 0].
			f := (e - 1) / 2
			l = ln2 + log1pS(f/(2+f))
		}
		if x > 0 {
			l += x
		}
		dst[i] = float32(l)
	}
}

// eluF32 sets dst[i] = x where x > 0, else alpha·(e^x - 1).
func eluF32(dst, src []float32, alpha float64) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		if x > 0 {
			dst[i] = v
			continue
		}
		r, _, scale := expReduce(clampExp(x))
		dst[i] = float32(alpha * expm1Of(r, scale))
	}
}

// logF32 sets dst[i] = log(src[i]).
func logF32(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		x := float64(v)
		if !(x > 0 && x <= math.MaxFloat64) {
			dst[i] = float32(math.Log(x)) // 0, negative, +Inf, NaN
			continue
		}
		// x is a normal float64 (float32 subnormals are too): x = m·2^k.
		b := math.Float64bits(x)
		k := float64(int(b>>52) - 1023)
		m := math.Float64frombits(b&(1<<52-1) | 1023<<52)
		if m > math.Sqrt2 {
			m /= 2
			k++
		}
		f := m - 1 // exact
		dst[i] = float32(k*ln2 + log1pS(f/(2+f)))
	}
}
