package gemm

// SgemmSerial is Sgemm computed on the calling goroutine alone, for
// callers that already run one product per core (a convolution's filter
// gradient summing each half of its batch on its own core). It skips
// Sgemm's fast paths for degenerate shapes, so its bits can differ from
// Sgemm's where those apply (n or m = 1, k = 1, a tiny m×n with a large k).
func SgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs("SgemmSerial", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	serial(sgemmKernelFor(n), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// DgemmSerial is SgemmSerial for float64.
func DgemmSerial(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkArgs("DgemmSerial", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	serial(&dgemmKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// serial is the driver's quick returns followed by the blocked algorithm
// on the calling goroutine.
func serial[T float](kn *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if trivial(m, n, k, alpha, beta, c, ldc) {
		return
	}
	gemmSerial(kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
