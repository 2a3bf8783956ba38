package tensor

import "github.com/ganlab/ganlab/core/gemm"

// sgemm and dgemm route matrix products to package gemm; a device backend
// would dispatch here.
func sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// packB packs op(B) once for gemmPacked; the result is a
// *gemm.PackedB[float32] or [float64] according to T.
func packB[T Float](transB bool, k, n int, b []T, ldb int) any {
	switch bv := any(b).(type) {
	case []float32:
		return gemm.PackSgemmB(transB, k, n, bv, ldb)
	default:
		return gemm.PackDgemmB(transB, k, n, any(b).([]float64), ldb)
	}
}

// releasePacked hands a packB result's storage back for reuse.
func releasePacked(pb any) {
	switch p := pb.(type) {
	case *gemm.PackedB[float32]:
		p.Release()
	case *gemm.PackedB[float64]:
		p.Release()
	}
}

// gemmPacked computes C = op(A)·B + beta·C on the calling goroutine with B
// from packB.
func gemmPacked[T Float](transA bool, m int, a []T, lda int, pb any, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		gemm.SgemmPacked(transA, m, 1, av, lda, pb.(*gemm.PackedB[float32]), float32(beta), any(c).([]float32), ldc)
	default:
		gemm.DgemmPacked(transA, m, 1, any(a).([]float64), lda, pb.(*gemm.PackedB[float64]), float64(beta), any(c).([]float64), ldc)
	}
}

// gemmSerialT is gemmT on the calling goroutine alone.
func gemmSerialT[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		gemm.SgemmSerial(tA, tB, m, n, k, 1, av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	default:
		gemm.DgemmSerial(tA, tB, m, n, k, 1, any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
