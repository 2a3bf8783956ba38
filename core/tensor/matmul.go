package tensor

import "slices"

// MatMul returns op(a)·op(b), where op transposes the last two axes when the
// flag is set. Rank-2 inputs give a matrix product; rank ≥ 3 inputs are
// batches of matrices with equal leading axes.
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	ra, rb := len(a.shape), len(b.shape)
	if ra < 2 || ra != rb || a.dtype != b.dtype || !slices.Equal(a.shape[:ra-2], b.shape[:rb-2]) {
		panic(errorf("matmul", "cannot multiply %v %v by %v %v", a.dtype, a.shape, b.dtype, b.shape))
	}
	m, k := a.shape[ra-2], a.shape[ra-1]
	if transA {
		m, k = k, m
	}
	k2, n := b.shape[rb-2], b.shape[rb-1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		panic(errorf("matmul", "inner dimensions differ: %v (transposed %v) by %v (transposed %v)", a.shape, transA, b.shape, transB))
	}
	shape := append(slices.Clone(a.shape[:ra-2]), m, n)
	out := newOutput(a.dtype, shape...)
	batch := Numel(a.shape[:ra-2])
	sa, sb, so := a.shape[ra-2]*a.shape[ra-1], b.shape[rb-2]*b.shape[rb-1], m*n
	lda, ldb := a.shape[ra-1], b.shape[rb-1]
	for i := 0; i < batch; i++ {
		if a.dtype == Float32 {
			sgemm(transA, transB, m, n, k, 1, a.f32[i*sa:], lda, b.f32[i*sb:], ldb, 0, out.f32[i*so:], n)
		} else {
			dgemm(transA, transB, m, n, k, 1, a.f64[i*sa:], lda, b.f64[i*sb:], ldb, 0, out.f64[i*so:], n)
		}
	}
	return out
}
