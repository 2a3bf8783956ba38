package tensor

import "unsafe"

// Dispatch from the generic kernels to the SIMD ones. Each vecX reports
// whether it did the work: only for float32, only where this build and CPU
// have a vector kernel (the *SIMD functions of vec_amd64.go, stubs in
// vec_generic.go) and only for runs long enough to repay the call. The Go
// loops stay the reference and the path for float64 and everything else;
// the vector kernels do the same IEEE operations in the same order, so
// results are bit-identical whichever runs.

// vecMinLen is the shortest run handed to a vector kernel: below it the
// call, the re-slicing and the scalar tail cost more than the Go loop
// (im2col/col2im runs of a one-channel image are 4 floats long).
const vecMinLen = 16

// isF32 reports whether T is float32-sized: the vector kernels' type.
func isF32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// f32s reinterprets s as []float32; callers check isF32[T] first.
func f32s[T Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// vecBinRow is binRow on the vector kernels.
func vecBinRow[T Float](op binOp, dst, x []T, sx int, y []T, sy int) bool {
	return isF32[T]() && len(dst) >= vecMinLen && binSIMD(op, f32s(dst), f32s(x), sx, f32s(y), sy)
}

// vecAddTo is addTo on the vector kernels.
func vecAddTo[T Float](dst, src []T) bool {
	return isF32[T]() && len(dst) >= vecMinLen && binSIMD(opAdd, f32s(dst), f32s(dst), 1, f32s(src), 1)
}

// vecScale is ScaleInPlace's loop, d[i] *= s, on the vector kernels.
func vecScale[T Float](d []T, s T) bool {
	c := []T{s}
	return isF32[T]() && len(d) >= vecMinLen && binSIMD(opMul, f32s(d), f32s(d), 1, f32s(c), 0)
}

// vecLeaky is leakyRange on the vector kernels.
func vecLeaky[T Float](dst, v, x []T, slope T) bool {
	return isF32[T]() && len(dst) >= vecMinLen && leakySIMD(f32s(dst), f32s(v), f32s(x), float32(slope))
}

// vecBiasLeaky is addBias followed, when r is not nil, by rectify, on the
// vector kernel, in one pass over y.
func vecBiasLeaky[T Float](y, bias []T, r *rectifier) bool {
	var slope float32
	if r != nil {
		slope = float32(r.slope)
	}
	return isF32[T]() && len(bias) > 0 && biasLeakySIMD(f32s(y), f32s(bias), slope, r != nil)
}

// vecColSums is colSums on the vector kernel.
func vecColSums[T Float](dst, x []T, sx, rows int) bool {
	return isF32[T]() && len(dst) >= 8 && colSumsSIMD(f32s(dst), f32s(x), sx, rows)
}

// vecAffine is affineRows on the vector kernels.
func vecAffine[T Float](dst, x, a, b []T) bool {
	return isF32[T]() && len(dst) >= vecMinLen && affineSIMD(f32s(dst), f32s(x), f32s(a), f32s(b))
}

// vecBNGrad is bnGradRows on the vector kernels.
func vecBNGrad[T Float](dx, g, x, scale, gm, mu, xm []T) bool {
	return isF32[T]() && len(dx) >= vecMinLen &&
		bnGradSIMD(f32s(dx), f32s(g), f32s(x), f32s(scale), f32s(gm), f32s(mu), f32s(xm))
}

// vecBNSums is bnSumRows on the vector kernels.
func vecBNSums[T Float](sg, sgx, mean []float64, g, x []T) bool {
	return isF32[T]() && len(g) >= vecMinLen && bnSumsSIMD(sg, sgx, mean, f32s(g), f32s(x))
}

// vecMask fills a prefix of dst (element 2·p0 of the mask onwards) like
// maskRange and returns its length, a multiple of 8; the caller's Go loop
// finishes the rest.
func vecMask[T Float](dst []T, seed uint64, p0 int, thresh uint64, keep T) int {
	if !isF32[T]() {
		return 0
	}
	return maskSIMD(f32s(dst), seed, p0, thresh, float32(keep))
}

// vecDropout is vecMask for dst = x · mask, like dropoutRange.
func vecDropout[T Float](dst, x []T, seed uint64, p0 int, thresh uint64, keep T) int {
	if !isF32[T]() {
		return 0
	}
	return dropoutSIMD(f32s(dst), f32s(x), seed, p0, thresh, float32(keep))
}
