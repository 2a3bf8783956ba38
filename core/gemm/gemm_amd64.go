//go:build !noasm

package gemm

import "unsafe"

// sgemmAVX2Kernel is the float32 configuration for the AVX2/FMA assembly
// kernel. Blocking for Zen 3 (32 KiB L1d, 512 KiB–1 MiB L2, 32 MiB L3):
// a 256×16 B panel is 16 KiB (half of L1), a 144×256 A block is 144 KiB
// (comfortably inside L2 next to the B panels streaming through), and a
// 256×4096 B block is 4 MiB of L3 per goroutine.
var sgemmAVX2Kernel = kernel[float32]{name: "AVX2+FMA 6×16", mr: 6, nr: 16, mc: 144, kc: 256, nc: 4096, fn: sgemmKernel6x16, strided: sgemmKernel6x16Strided, strip: sgemmStrip6x16, packA6: packA6, packAT6: packAT6, vec: svecAVX2}

// dgemmAVX2Kernel is the float64 configuration for the AVX2/FMA assembly
// kernel: the same register layout with 8 doubles per row instead of 16
// floats, so the panels have the same byte sizes as for float32.
var dgemmAVX2Kernel = kernel[float64]{name: "AVX2+FMA 6×8", mr: 6, nr: 8, mc: 72, kc: 256, nc: 2048, fn: dgemmKernel6x8}

// The configurations used by Sgemm and Dgemm, chosen once at package
// initialisation from CPUID and never modified afterwards.
var (
	sgemmKernel = pickSgemm()
	dgemmKernel = pick(dgemmAVX2Kernel, dgemmGenericKernel)

	// sgemmNarrowKernel, if not nil, replaces sgemmKernel for n ≤ 16:
	// the AVX2 6×16 tile, because padding n ≤ 16 to the AVX-512 kernel's
	// 32 columns measured 20–30 % slower (NT 12544×16×64: 0.39 vs 0.29 ms).
	sgemmNarrowKernel = pickNarrow()
)

// pickNarrow returns the AVX2 configuration when Sgemm uses a wider one.
func pickNarrow() *kernel[float32] {
	if sgemmKernel.nr > 16 && haveAVX2FMA() {
		return &sgemmAVX2Kernel
	}
	return nil
}

// pickSgemm prefers the AVX-512 kernel, which does twice the work per
// instruction, where the CPU has it.
func pickSgemm() kernel[float32] {
	if haveAVX512() {
		return sgemmAVX512Kernel
	}
	return pick(sgemmAVX2Kernel, sgemmGenericKernel)
}

func pick[T float](asm, generic kernel[T]) kernel[T] {
	if haveAVX2FMA() {
		return asm
	}
	return generic
}

// asmKernels lists the assembly kernel configurations usable on this CPU,
// for tests to compare against the portable kernels.
func asmKernels() (map[string]*kernel[float32], map[string]*kernel[float64]) {
	if !haveAVX2FMA() {
		return nil, nil
	}
	k32 := map[string]*kernel[float32]{"avx2_6x16": &sgemmAVX2Kernel}
	if haveAVX512() {
		k32["avx512_6x32"] = &sgemmAVX512Kernel
	}
	return k32, map[string]*kernel[float64]{"avx2_6x8": &dgemmAVX2Kernel}
}

// sgemmKernel6x16 adapts the assembly kernel to the driver's slice-based
// signature for packed panels.
func sgemmKernel6x16(kc int, alpha float32, a, b []float32, beta float32, c []float32, ldc int) {
	sgemmKernel6x16Strided(kc, alpha, a, 1, 6, b, 16, beta, c, ldc)
}

// sgemmKernel6x16Strided is sgemmKernel6x16 with each operand read at any
// strides (kernel.strided). The re-slicing is the bounds check that keeps
// the assembly memory safe: the kernel reads six rows of kc values of a,
// kc rows of 16 of b, and touches a 6×16 tile of c with row stride ldc.
func sgemmKernel6x16Strided(kc int, alpha float32, a []float32, ars, aks int, b []float32, bks int, beta float32, c []float32, ldc int) {
	a = a[:5*ars+(kc-1)*aks+1]
	b = b[:(kc-1)*bks+16]
	c = c[:5*ldc+16]
	sgemmKernel6x16AVX2(kc, &a[0], 4*ars, 4*aks, &b[0], 4*bks, &c[0], ldc, alpha, beta)
}

// sgemmStrip6x16 runs sgemmKernel6x16Strided on tiles ≥ 1 tiles down C
// (kernel.strip); the re-slicing is its bounds check.
func sgemmStrip6x16(tiles, kc int, alpha float32, a []float32, ars, aks, aTile int, b []float32, bks int, beta float32, c []float32, ldc int) {
	a = a[:(tiles-1)*aTile+5*ars+(kc-1)*aks+1]
	b = b[:(kc-1)*bks+16]
	c = c[:(6*tiles-1)*ldc+16]
	sgemmStrip6x16AVX2(tiles, kc, &a[0], 4*ars, 4*aks, 4*aTile, &b[0], 4*bks, &c[0], ldc, alpha, beta)
}

// dgemmKernel6x8 is sgemmKernel6x16 for float64 and a 6×8 tile.
func dgemmKernel6x8(kc int, alpha float64, a, b []float64, beta float64, c []float64, ldc int) {
	a = a[:6*kc]
	b = b[:8*kc]
	c = c[:5*ldc+8]
	dgemmKernel6x8AVX2(kc, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

// sgemmKernel6x16AVX2 is sgemmKernel6x32AVX512's AVX2 twin for a 6×16
// tile: a packed B panel has bStep 64.
//
//go:noescape
func sgemmKernel6x16AVX2(kc int, a *float32, rowStride, kStep int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)

// sgemmStrip6x16AVX2 is sgemmKernel6x16AVX2 on tiles tiles (see
// sgemmStrip6x32AVX512).
//
//go:noescape
func sgemmStrip6x16AVX2(tiles, kc int, a *float32, rowStride, kStep, aTile int, b *float32, bStep int, c *float32, ldc int, alpha, beta float32)

// dgemmKernel6x8AVX2 is sgemmKernel6x16AVX2 for float64 and a 6×8 tile.
//
//go:noescape
func dgemmKernel6x8AVX2(kc int, a, b, c *float64, ldc int, alpha, beta float64)

// packA6 packs 6 rows × kc columns of src (row stride lda) k-major into
// dst, like the mr == 6 case of packA. It is the hot loop of packing a
// non-transposed A (the im2col matrix of a forward convolution), where the
// Go version spends most of its time on scalar moves and bounds checks.
func packA6(kc int, src []float32, lda int, dst []float32) {
	src = src[:5*lda+kc]
	dst = dst[:6*kc]
	packA6SSE(kc, &src[0], lda, &dst[0])
}

// packAT6 packs the full 6-row panels of a transposed A (stored k×m, row
// stride lda): dst[p*6*kc + kk*6 + i] = src[kk*lda + p*6 + i] for p <
// panels. Go spends most of its time here on bounds checks and scalar moves.
func packAT6(kc, panels int, src []float32, lda int, dst []float32) {
	if kc == 0 || panels == 0 {
		return
	}
	src = src[:(kc-1)*lda+6*panels]
	dst = dst[:6*kc*panels]
	packAT6SSE(kc, panels, &src[0], lda, &dst[0])
}

//go:noescape
func packAT6SSE(kc, panels int, src *float32, lda int, dst *float32)

//go:noescape
func packA6SSE(kc int, src *float32, lda int, dst *float32)

// useAVX2 caches haveAVX2FMA for packRows.
var useAVX2 = haveAVX2FMA()

// packRows copies rows×width elements of src (row stride ld) to dst
// contiguously with AVX moves and reports true, or reports false and does
// nothing when the CPU lacks AVX2 or a row is not a multiple of 32 bytes.
func packRows[T float](rows, width int, src []T, ld int, dst []T) bool {
	var z T
	size := int(unsafe.Sizeof(z))
	if !useAVX2 || rows == 0 || width*size%32 != 0 {
		return false
	}
	src = src[:(rows-1)*ld+width]
	dst = dst[:rows*width]
	packRowsAVX(rows, width*size/32, (*byte)(unsafe.Pointer(&src[0])), ld*size, (*byte)(unsafe.Pointer(&dst[0])))
	return true
}

//go:noescape
func packRowsAVX(rows, chunks int, src *byte, ld int, dst *byte)

// cpuid executes the CPUID instruction with the given leaf and sub-leaf.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv returns XCR0, the OS-enabled extended state mask.
func xgetbv() (eax, edx uint32)

// haveAVX2FMA reports whether the CPU supports AVX2 and FMA and the
// operating system saves YMM registers across context switches.
func haveAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM (bit 1) and YMM (bit 2) state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}
