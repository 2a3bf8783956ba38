//go:build !noasm

package gemm

// svecAVX2 are the AVX2/FMA float32 routines of the thin paths, shared by
// the AVX2 and AVX-512 configurations (the paths are memory bound, so
// wider vectors would not help). Each wrapper re-slices its arguments
// first: that is the bounds check that keeps the assembly memory safe.
var svecAVX2 = vecOps[float32]{dot: sdot, dot4: sdot4, axpy4: saxpy4, axpby: saxpby}

// sdot is vecOps.dot: Σ x[i]*y[i] over len(x) elements.
func sdot(x, y []float32) float32 {
	if len(x) == 0 {
		return 0
	}
	y = y[:len(x)]
	return sdotAVX2(len(x), &x[0], &y[0])
}

// sdot4 is vecOps.dot4: four rows a[r*lda:][:k] dotted with x[:k]. Each
// row's result equals sdot's for that row.
func sdot4(k int, a []float32, lda int, x []float32) (d0, d1, d2, d3 float32) {
	if k == 0 {
		return 0, 0, 0, 0
	}
	a = a[:3*lda+k]
	x = x[:k]
	return sdot4AVX2(k, &a[0], lda, &x[0])
}

// saxpy4 is vecOps.axpy4.
func saxpy4(n int, m []float32, ld int, s0, s1, s2, s3 float32, y []float32) {
	if n == 0 {
		return
	}
	m = m[:3*ld+n]
	y = y[:n]
	saxpy4AVX2(n, &m[0], ld, s0, s1, s2, s3, &y[0])
}

// saxpby is vecOps.axpby: y = s*x + beta*y, y not read when beta == 0.
func saxpby(n int, s float32, x []float32, beta float32, y []float32) {
	if n == 0 {
		return
	}
	x, y = x[:n], y[:n]
	if beta == 0 {
		sscalAVX2(n, s, &x[0], &y[0])
		return
	}
	saxpbyAVX2(n, s, &x[0], beta, &y[0])
}

//go:noescape
func sdotAVX2(n int, x, y *float32) float32

//go:noescape
func sdot4AVX2(n int, a *float32, lda int, x *float32) (d0, d1, d2, d3 float32)

//go:noescape
func saxpy4AVX2(n int, m *float32, ld int, s0, s1, s2, s3 float32, y *float32)

//go:noescape
func sscalAVX2(n int, s float32, x, y *float32)

//go:noescape
func saxpbyAVX2(n int, s float32, x *float32, beta float32, y *float32)
