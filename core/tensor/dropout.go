package tensor

// Dropout without a mask tensor: the mask of DropoutMask is a pure
// function of its seed and the element index, so the forward pass and the
// gradient can each regenerate it while they multiply, instead of writing
// a mask the size of the activation and reading it back twice.

// DropoutSeed draws the seed of one dropout mask from rng: DropoutMask(rng,
// ...) equals DropoutMaskFromSeed(DropoutSeed(rng), ...) for the same state.
func DropoutSeed(rng *RNG) uint64 { return rng.Uint64() }

// DropoutMaskFromSeed is DropoutMask with its one draw already made: a
// tensor holding 0 with probability rate and 1/(1-rate) elsewhere.
func DropoutMaskFromSeed(seed uint64, dtype DType, rate float64, shape ...int) *Tensor {
	out := newOutput(dtype, shape...)
	if dtype == Float32 {
		maskKernel(out.f32, seed, rate)
	} else {
		maskKernel(out.f64, seed, rate)
	}
	return out
}

// DropoutApply returns x · DropoutMaskFromSeed(seed, x's dtype, rate, x's
// shape), bitwise, in one pass that makes no mask. The same call on an
// upstream gradient is dropout's gradient.
func DropoutApply(x *Tensor, seed uint64, rate float64) *Tensor {
	return dropoutInto(newOutput(x.dtype, x.shape...), x, seed, rate)
}

// DropoutApplyInPlace overwrites x with DropoutApply(x, seed, rate),
// bitwise, and returns x.
func DropoutApplyInPlace(x *Tensor, seed uint64, rate float64) *Tensor {
	return dropoutInto(x, x, seed, rate)
}

// dropoutInto sets out = x · mask(seed, rate) and returns out, which has
// x's dtype and length (it may be x).
func dropoutInto(out, x *Tensor, seed uint64, rate float64) *Tensor {
	if rate < 0 || rate >= 1 {
		panic(errorf("dropout", "rate %g must be in [0, 1)", rate))
	}
	if x.dtype == Float32 {
		dropoutKernel(out.f32, x.f32, seed, rate)
	} else {
		dropoutKernel(out.f64, x.f64, seed, rate)
	}
	return out
}

// dropoutKernel sets dst = x · mask with maskKernel's mask, element for
// element: the same SplitMix64 draw per pair of elements and the same
// product x · (keep · bit), so the bits match a multiply by the mask.
func dropoutKernel[T Float](dst, x []T, seed uint64, rate float64) {
	x = x[:len(dst)]
	keep := T(1 / (1 - rate))
	thresh := uint64(rate * (1 << 32))
	pairs := (len(dst) + 1) / 2
	parallelFor(pairs, parGrain/2, func(lo, hi int) {
		d, xs := dst[2*lo:min(2*hi, len(dst))], x[2*lo:min(2*hi, len(dst))]
		done := vecDropout(d, xs, seed, lo, thresh, keep) / 2
		dropoutRange(d, xs, seed, lo, lo+done, hi, thresh, keep)
	})
}

// dropoutRange is dropoutKernel's Go loop over pairs [from, hi) of a chunk
// that starts at pair lo.
func dropoutRange[T Float](dst, x []T, seed uint64, lo, from, hi int, thresh uint64, keep T) {
	x = x[:len(dst)]
	for p := from; p < hi; p++ {
		u := splitmix64(seed + uint64(p)*0x9e3779b97f4a7c15)
		i := 2 * (p - lo)
		dst[i] = x[i] * (keep * T(b2i(u&0xffffffff >= thresh)))
		if i+1 < len(dst) {
			dst[i+1] = x[i+1] * (keep * T(b2i(u>>32 >= thresh)))
		}
	}
}
