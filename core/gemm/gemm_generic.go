package gemm

// Portable micro-kernels. They use the same packed layout as the assembly
// kernel, so the driver does not care which one runs.

// The portable configurations: a 4×4 register tile keeps the accumulators
// in scalar locals, which the Go compiler can mostly keep in registers (a
// larger tile would spill everything).
var dgemmGenericKernel = kernel[float64]{name: "portable Go 4×4", mr: 4, nr: 4, mc: 128, kc: 256, nc: 2048, fn: kernel4x4[float64]}

var sgemmGenericKernel = kernel[float32]{name: "portable Go 4×4", mr: 4, nr: 4, mc: 128, kc: 256, nc: 4096, fn: kernel4x4[float32]}

// kernel4x4 computes C[0:4,0:4] = alpha*Ap*Bp + beta*C for packed 4×kc and
// kc×4 panels. When beta == 0, C is not read.
func kernel4x4[T float](kc int, alpha T, a, b []T, beta T, c []T, ldc int) {
	a = a[:4*kc]
	b = b[:4*kc]
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	// Reslicing as we go (rather than indexing by 4*p) lets the compiler
	// drop all bounds checks from the loop body.
	for len(a) >= 4 && len(b) >= 4 {
		ap, bp := a[:4:4], b[:4:4]
		a, b = a[4:], b[4:]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store4(c[0:4:4], alpha, beta, c00, c01, c02, c03)
	store4(c[ldc:ldc+4:ldc+4], alpha, beta, c10, c11, c12, c13)
	store4(c[2*ldc:2*ldc+4:2*ldc+4], alpha, beta, c20, c21, c22, c23)
	store4(c[3*ldc:3*ldc+4:3*ldc+4], alpha, beta, c30, c31, c32, c33)
}

func store4[T float](c []T, alpha, beta T, v0, v1, v2, v3 T) {
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*v0, alpha*v1, alpha*v2, alpha*v3
		return
	}
	c[0] = alpha*v0 + beta*c[0]
	c[1] = alpha*v1 + beta*c[1]
	c[2] = alpha*v2 + beta*c[2]
	c[3] = alpha*v3 + beta*c[3]
}
