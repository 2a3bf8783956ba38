//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// sgemmAVX512Kernel is the float32 configuration for CPUs with AVX-512F
// (Intel since Skylake-SP, AMD since Zen 4): the AVX2 kernel's 6-row
// panels with 32 columns per tile, whose full tiles run two at a time as
// 12×32 tiles (sgemmStrip12x32), so A's blocks are cut on 12 rows.
// Blocking: a 256×32 B panel is 32 KiB, inside a 48 KiB L1d next to the A
// panels; a 144×256 A block is 144 KiB of L2; a 256×4096 B block is 4 MiB
// of L3 per goroutine.
var sgemmAVX512Kernel = kernel[float32]{name: "AVX-512 12×32", mr: 6, nr: 32, mu: 12, mc: 144, kc: 256, nc: 4096, fn: sgemmKernel6x32, strided: sgemmKernel6x32Strided, strip: sgemmStrip12x32, packA6: packA6, packAT6: packAT6, vec: svecAVX2}

// haveAVX512 reports whether the CPU has AVX-512F and the operating system
// saves the ZMM and opmask state (x/sys/cpu checks XCR0).
func haveAVX512() bool { return cpu.X86.HasAVX512F && haveAVX2FMA() }

// sgemmKernel6x32 adapts the AVX-512 assembly kernel to the driver's
// slice-based signature for packed panels.
func sgemmKernel6x32(kc int, alpha float32, a, b []float32, beta float32, c []float32, ldc int) {
	sgemmKernel6x32Strided(kc, alpha, a, 1, 6, b, 32, beta, c, ldc)
}

// sgemmKernel6x32Strided is sgemmKernel6x32 with each operand read at any
// strides (kernel.strided); the re-slicing is its bounds check (see
// sgemmKernel6x16Strided).
func sgemmKernel6x32Strided(kc int, alpha float32, a []float32, ars, aks int, b []float32, bks int, beta float32, c []float32, ldc int) {
	a = a[:5*ars+(kc-1)*aks+1]
	b = b[:(kc-1)*bks+32]
	c = c[:5*ldc+32]
	sgemmKernel6x32AVX512(kc, &a[0], 4*ars, 4*aks, &b[0], 4*bks, &c[0], ldc, alpha, beta)
}

// sgemmKernel6x32AVX512 computes C[0:6,0:32] = alpha*A*B + beta*C, where C
// has row stride ldc (in elements), A's value (i, kk) is read at byte
// offset i·rowStride + kk·kStep from a ((4, 24) for a packed 6×kc panel,
// (4·lda, 4) for rows of a row-major matrix), and B's 32 values of step kk
// at byte offset kk·bStep from b (128 for a packed panel, 4·ldb for rows of
// a row-major matrix). kc must be ≥ 1. When beta == 0, C is not read.
//
//go:noescape
func sgemmKernel6x32AVX512(kc int, a *float32, rowStride, kStep int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)

// sgemmStrip6x32 runs sgemmKernel6x32Strided on tiles ≥ 1 tiles down C
// (kernel.strip); the re-slicing is its bounds check.
func sgemmStrip6x32(tiles, kc int, alpha float32, a []float32, ars, aks, aTile int, b []float32, bks int, beta float32, c []float32, ldc int) {
	a = a[:(tiles-1)*aTile+5*ars+(kc-1)*aks+1]
	b = b[:(kc-1)*bks+32]
	c = c[:(6*tiles-1)*ldc+32]
	sgemmStrip6x32AVX512(tiles, kc, &a[0], 4*ars, 4*aks, 4*aTile, &b[0], 4*bks, &c[0], ldc, alpha, beta)
}

// sgemmStrip6x32AVX512 is sgemmKernel6x32AVX512 on tiles tiles, A's tile t
// at byte offset t·aTile from a and C's at rows 6t.. (see kernel.strip).
//
//go:noescape
func sgemmStrip6x32AVX512(tiles, kc int, a *float32, rowStride, kStep, aTile int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)

// sgemmStrip12x32 is the AVX-512 kernel's strip entry (kernel.strip): its
// full tiles two at a time on the 12×32 kernel, an odd last one on the
// 6×32 strip, with the bits of one 6×32 tile at a time. Where B's rows are
// in place more than a page (1024 floats) apart, the 6×32 strip runs them
// all: the hardware prefetcher does not follow such rows, each k step
// misses, and the 12×32 kernel's twice longer k steps leave half as many
// of those misses in flight (dense NN 64×6272×100: 163 GFLOP/s on 6×32
// tiles, 125 on 12×32 ones).
func sgemmStrip12x32(tiles, kc int, alpha float32, a []float32, ars, aks, aTile int, b []float32, bks int, beta float32, c []float32, ldc int) {
	a = a[:(tiles-1)*aTile+5*ars+(kc-1)*aks+1]
	b = b[:(kc-1)*bks+32]
	c = c[:(6*tiles-1)*ldc+32]
	pairs := tiles / 2
	if bks > 1024 {
		pairs = 0
	}
	if pairs > 0 {
		sgemmStrip12x32AVX512(pairs, kc, &a[0], 4*ars, 4*aks, 4*aTile, &b[0], 4*bks, &c[0], ldc, alpha, beta)
	}
	if rest := tiles - 2*pairs; rest > 0 {
		t := 2 * pairs
		sgemmStrip6x32AVX512(rest, kc, &a[t*aTile], 4*ars, 4*aks, 4*aTile, &b[0], 4*bks, &c[6*t*ldc], ldc, alpha, beta)
	}
}

// sgemmStrip12x32AVX512 computes pairs 12×32 tiles stacked down C, pair p
// reading A's rows 0-5 at byte offset 2p·aTile from a and rows 6-11 aTile
// bytes further, each as sgemmKernel6x32AVX512 reads one tile, and writing
// C's rows 12p.. (see sgemmStrip12x32).
//
//go:noescape
func sgemmStrip12x32AVX512(pairs, kc int, a *float32, rowStride, kStep, aTile int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)
