//go:build !noasm

package tensor

import "golang.org/x/sys/cpu"

// The float32 kernels of vec_amd64.s use AVX only (256-bit float ops,
// compares and blends), the dropout mask AVX2 (256-bit integer ops). Both
// flags come from CPUID and the OS's saved-state mask at start-up and are
// never changed, so every call in a process takes the same path.
var (
	useAVX  = cpu.X86.HasAVX
	useAVX2 = cpu.X86.HasAVX2
)

// The *SIMD functions below are the slice-level entry points: they check
// lengths by re-slicing (the bounds checks that keep the assembly, which
// trusts its n, memory safe) and report false where this CPU lacks the
// instructions, leaving the work to the caller's Go loop.

// binSIMD is binRow for float32 and the stride pairs (sx, sy) of (1, 1),
// (1, 0) and (0, 1); Pow and other strides are left to the Go loops.
func binSIMD(op binOp, dst, x []float32, sx int, y []float32, sy int) bool {
	if !useAVX {
		return false
	}
	var mode int
	switch {
	case sx == 1 && sy == 1:
		mode = 0
	case sx == 1 && sy == 0:
		mode = 1
	case sx == 0 && sy == 1:
		mode = 2
	default:
		return false
	}
	n := len(dst)
	if n == 0 {
		return op != opPow
	}
	// A broadcast side is read once, at index 0.
	x, y = x[:max(n*sx, 1)], y[:max(n*sy, 1)]
	d, a, b := &dst[0], &x[0], &y[0]
	switch op {
	case opAdd:
		addAVX(d, a, b, n, mode)
	case opSub:
		subAVX(d, a, b, n, mode)
	case opMul:
		mulAVX(d, a, b, n, mode)
	case opDiv:
		divAVX(d, a, b, n, mode)
	case opMax:
		maxAVX(d, a, b, n, mode)
	case opMin:
		minAVX(d, a, b, n, mode)
	case opGreater:
		gtAVX(d, a, b, n, mode)
	default:
		return false
	}
	return true
}

// leakySIMD is leakyRange for float32.
func leakySIMD(dst, v, x []float32, slope float32) bool {
	if !useAVX {
		return false
	}
	n := len(dst)
	if n == 0 {
		return true
	}
	v, x = v[:n], x[:n]
	leakyAVX(&dst[0], &v[0], &x[0], n, slope)
	return true
}

// affineSIMD is affineRows for float32.
func affineSIMD(dst, x, a, b []float32) bool {
	c := len(a)
	if !useAVX || c == 0 {
		return false
	}
	rows := len(dst) / c
	if rows == 0 {
		return true
	}
	dst, x, b = dst[:rows*c], x[:rows*c], b[:c]
	affineAVX(&dst[0], &x[0], &a[0], &b[0], rows, c)
	return true
}

// biasLeakySIMD adds b to every row of y (len(b) channels), then, when
// rectify, applies the leaky rectifier with slope, like addBias and
// leakyRange.
func biasLeakySIMD(y, b []float32, slope float32, rectify bool) bool {
	c := len(b)
	if !useAVX || c == 0 {
		return false
	}
	rows := len(y) / c
	if rows == 0 {
		return true
	}
	y = y[:rows*c]
	r := 0
	if rectify {
		r = 1
	}
	biasLeakyAVX(&y[0], &b[0], rows, c, slope, r)
	return true
}

// colSumsSIMD is colSums for float32: rows rows of x, sx apart, added
// into dst.
func colSumsSIMD(dst, x []float32, sx, rows int) bool {
	n := len(dst)
	if !useAVX || n == 0 || rows == 0 {
		return useAVX
	}
	x = x[:(rows-1)*sx+n]
	colSumsAVX(&dst[0], &x[0], n, sx, rows)
	return true
}

// bnGradSIMD is bnGradRows for float32.
func bnGradSIMD(dx, g, x, scale, gm, mu, xm []float32) bool {
	c := len(scale)
	if !useAVX || c == 0 {
		return false
	}
	rows := len(dx) / c
	if rows == 0 {
		return true
	}
	n := rows * c
	dx, g, x = dx[:n], g[:n], x[:n]
	gm, mu, xm = gm[:c], mu[:c], xm[:c]
	bnGradAVX(&dx[0], &g[0], &x[0], &scale[0], &gm[0], &mu[0], &xm[0], rows, c)
	return true
}

// bnSumsSIMD is bnSumRows for float32.
func bnSumsSIMD(sg, sgx, mean []float64, g, x []float32) bool {
	c := len(sg)
	if !useAVX || c == 0 {
		return false
	}
	rows := len(g) / c
	if rows == 0 {
		return true
	}
	n := rows * c
	sgx, mean, g, x = sgx[:c], mean[:c], g[:n], x[:n]
	bnSumsAVX(&sg[0], &sgx[0], &mean[0], &g[0], &x[0], rows, c)
	return true
}

// maskSIMD fills the longest prefix of dst that is a multiple of 8
// elements like maskRange, dst[0] being element 2·p0 of the mask, and
// returns how many elements it filled. thresh must fit 32 bits (rate < 1);
// otherwise, or without AVX2, it fills nothing.
func maskSIMD(dst []float32, seed uint64, p0 int, thresh uint64, keep float32) int {
	n := len(dst) &^ 7
	if !useAVX2 || thresh > 1<<32-1 || n == 0 {
		return 0
	}
	k0, k1 := keep*float32(b2i(false)), keep*float32(b2i(true))
	dropoutAVX2(&dst[:n][0], nil, n, seed+uint64(p0)*0x9e3779b97f4a7c15, uint32(thresh), k0, k1)
	return n
}

// dropoutSIMD is maskSIMD for dst = x · mask, like dropoutRange.
func dropoutSIMD(dst, x []float32, seed uint64, p0 int, thresh uint64, keep float32) int {
	n := len(dst) &^ 7
	if !useAVX2 || thresh > 1<<32-1 || n == 0 {
		return 0
	}
	k0, k1 := keep*float32(b2i(false)), keep*float32(b2i(true))
	dropoutAVX2(&dst[:n][0], &x[:n][0], n, seed+uint64(p0)*0x9e3779b97f4a7c15, uint32(thresh), k0, k1)
	return n
}

// The assembly kernels (vec_amd64.s, vec_rows_amd64.s). Pointers are to
// first elements; each kernel reads and writes exactly the n (or rows·c)
// elements its contract names, and the callers above have bounds-checked
// them.

// addAVX sets dst[i] = x[i] + y[i] (mode 0), x[i] + y[0] (mode 1) or
// x[0] + y[i] (mode 2) for i < n; the other binary kernels are the same
// for their ops. dst may be x or y.
//
//go:noescape
func addAVX(dst, x, y *float32, n, mode int)

// subAVX is addAVX for x − y.
//
//go:noescape
func subAVX(dst, x, y *float32, n, mode int)

// mulAVX is addAVX for x · y.
//
//go:noescape
func mulAVX(dst, x, y *float32, n, mode int)

// divAVX is addAVX for x / y.
//
//go:noescape
func divAVX(dst, x, y *float32, n, mode int)

// maxAVX is addAVX for maxOf(x, y).
//
//go:noescape
func maxAVX(dst, x, y *float32, n, mode int)

// minAVX is addAVX for minOf(x, y).
//
//go:noescape
func minAVX(dst, x, y *float32, n, mode int)

// gtAVX is addAVX for oneIf(x > y).
//
//go:noescape
func gtAVX(dst, x, y *float32, n, mode int)

// leakyAVX sets dst[i] = v[i]·(x[i] > 0 ? 1 : slope) for i < n.
//
//go:noescape
func leakyAVX(dst, v, x *float32, n int, slope float32)

// biasLeakyAVX adds b (c values) to each of rows rows of y, then
// rectifies when rectify ≠ 0.
//
//go:noescape
func biasLeakyAVX(y, b *float32, rows, c int, slope float32, rectify int)

// colSumsAVX adds rows rows of x (n values, sx apart) into dst.
//
//go:noescape
func colSumsAVX(dst, x *float32, n, sx, rows int)

// affineAVX sets dst = x·a + b over rows of c, a and b of c values.
//
//go:noescape
func affineAVX(dst, x, a, b *float32, rows, c int)

// bnGradAVX sets dst = scale·((gy − gm) − (x − mu)·xm) over rows of c.
//
//go:noescape
func bnGradAVX(dst, gy, x, scale, gm, mu, xm *float32, rows, c int)

// bnSumsAVX adds gy into sg and gy·(x − mean) into sgx, row by row.
//
//go:noescape
func bnSumsAVX(sg, sgx, mean *float64, gy, x *float32, rows, c int)

// dropoutAVX2 fills n dropout-mask values (n a multiple of 8) from the
// SplitMix64 counter ctr, or with x non-nil x times them; see maskSIMD.
//
//go:noescape
func dropoutAVX2(dst, x *float32, n int, ctr uint64, thresh uint32, k0, k1 float32)
