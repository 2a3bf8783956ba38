package gemm

import (
	"runtime"

	"github.com/ganlab/ganlab/core/internal/workers"
)

// Fast paths for degenerate shapes, tried by the driver before the packed
// algorithm. Packing pads every panel to a full register tile, so with
// n == 1 the 6×16 kernel does 16× the useful work, with k == 1 it packs and
// merges far more than it computes, and with a tiny m×n but a huge k two
// threads cannot split m or n into useful shares. These paths instead use
// dot products and axpys over contiguous memory, or split k.
//
// Determinism: every path cuts its work on split points that depend only on
// the shape (never on GOMAXPROCS or scheduling), and sums in a fixed order,
// so repeated calls, and calls with different thread counts, give bitwise
// equal results.

// vecOps are the level-1 routines the thin paths are built on. A kernel
// configuration may supply assembly versions; a nil field means the
// portable Go loop below. Every routine must compute each output element
// with arithmetic that does not depend on where the element lies in the
// slice, and dot4 must give each row exactly what dot gives for it: then a
// row's result depends neither on the thread shares nor on how many rows
// the call has (callers that split a product by rows rely on that).
type vecOps[T float] struct {
	// dot returns Σ x[i]*y[i] over len(x) elements.
	dot func(x, y []T) T
	// dot4 returns the dot products of x[:k] with the four rows
	// a[r*lda:][:k], each bitwise equal to dot's.
	dot4 func(k int, a []T, lda int, x []T) (d0, d1, d2, d3 T)
	// axpy4 adds s0*m0 + s1*m1 + s2*m2 + s3*m3 to y[:n] in that order,
	// where mr is the row m[r*ld:][:n]; each element must come out exactly
	// as four axpby(…, 1, y) calls would leave it.
	axpy4 func(n int, m []T, ld int, s0, s1, s2, s3 T, y []T)
	// axpby sets y[:n] = s*x + beta*y, without reading y when beta == 0.
	axpby func(n int, s T, x []T, beta T, y []T)
}

const (
	// splitKDepth is the least depth of one k chunk of the split-k path:
	// at ~1000 multiply-adds per element of C the extra pass that sums
	// the chunks costs well under 1 %.
	splitKDepth = 1024
	// splitKMaxChunks bounds the number of k chunks (and so of partial
	// m×n buffers); more chunks than threads only help load balance.
	splitKMaxChunks = 32
	// splitKMaxMN is the largest m*n given to the split-k path: beyond it
	// there are enough register tiles in C for the usual m/n split, and the
	// partial buffers would no longer sit in cache.
	splitKMaxMN = 128 * 128
	// gemvTBlock is the length of the slice of y that the transposed GEMV
	// keeps in L1 while it streams down the rows of the matrix.
	gemvTBlock = 2048
	// thinParallelWork is the least work (elements of the matrix, or of C
	// for a rank-1 update) for which the memory-bound GEMV and rank-1 paths
	// use more than one goroutine. With a goroutine started per call,
	// waking the second core took ~0.1 ms and two goroutines lost below
	// ~1.5M elements; on the workers of core/internal/workers, which stay
	// awake between parts, 2¹⁷ gives (µs, 2-core AVX-512 VM, 2¹⁷ against
	// the former 2²¹): NN 128×1×6272 49 against 110, TN 6272×1×128 19
	// against 98, NN 64×1×6272 18 against 106, rank-1 128×6272 7.5–11.5
	// against 16.
	thinParallelWork = 1 << 17
)

// gemmThin runs the fast path that suits the shape, if any, and reports
// whether it did. alpha != 0 and m, n, k ≥ 1 (the driver handles the rest).
// Which path runs depends only on the shape, so results do not depend on
// GOMAXPROCS.
func gemmThin[T float](kn *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) bool {
	nt := runtime.GOMAXPROCS(0)
	switch {
	case n == 1:
		// c[i*ldc] = alpha * Σ_p op(A)[i,p]*op(B)[p,0]: op(B) is the
		// vector, stored with stride ldb unless transB (then B is 1×k).
		incx := ldb
		if transB {
			incx = 1
		}
		if transA { // A stored k×m: axpy down its rows
			gemvT(kn, m, k, alpha, a, lda, b, incx, beta, c, ldc, nt)
		} else { // A stored m×k: one dot product per row
			gemvN(kn, m, k, alpha, a, lda, b, incx, beta, c, ldc, nt)
		}
	case m == 1:
		// c[j] = alpha * Σ_p op(A)[0,p]*op(B)[p,j]: op(A) is the vector,
		// stored with stride lda if transA (A is k×1), contiguous if not.
		incx := 1
		if transA {
			incx = lda
		}
		if transB { // B stored n×k: one dot product per column of C
			gemvN(kn, n, k, alpha, b, ldb, a, incx, beta, c, 1, nt)
		} else { // B stored k×n: axpy down its rows
			gemvT(kn, n, k, alpha, b, ldb, a, incx, beta, c, 1, nt)
		}
	case k == 1:
		rank1(kn, transA, transB, m, n, alpha, a, lda, b, ldb, beta, c, ldc, nt)
	case m*n <= splitKMaxMN && k >= 2*splitKDepth:
		splitK(kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		return false
	}
	return true
}

// threadsFor returns how many goroutines to use for work units of work
// spread over extent items cut in multiples of unit: up to maxThreads, but
// one below minWork and never more than there are units.
func threadsFor(work, minWork, extent, unit, maxThreads int) int {
	if work < minWork {
		return 1
	}
	return max(1, min(maxThreads, (extent+unit-1)/unit))
}

// forShares runs body on p shares of [0, extent), cut on multiples of unit
// by share, the last share on the calling goroutine.
func forShares(p, extent, unit int, body func(lo, hi int)) {
	workers.Run(p, func(t int) {
		if lo, hi := share(extent, unit, t, p); lo < hi {
			body(lo, hi)
		}
	})
}

// contiguous returns x[0], x[inc], …, x[(k-1)*inc] as a contiguous slice,
// scaled by s: x itself when inc == 1 and s == 1, otherwise a pooled copy
// that the caller must release with putBuf (buf is then non-nil).
func contiguous[T float](k int, x []T, inc int, s T) (v []T, buf *[]T) {
	if inc == 1 && s == 1 {
		return x[:k], nil
	}
	buf = getBuf[T](k)
	v = *buf
	for p := range v {
		v[p] = s * x[p*inc]
	}
	return v, buf
}

// The paths below describe their work as a value with a run(lo, hi)
// method, called directly when one goroutine suffices and through
// forShares otherwise, so that only a threaded call allocates (the method
// value handed to the goroutines).

// gemvN computes y[i*incy] = alpha*Σ_p M[i*ld+p]*x[p*incx] + beta*y[i*incy]
// for i < rows on up to maxThreads goroutines, as one dot product per row
// of M, in groups of four rows that share each load of x (a row's result
// is the same in a group or alone).
func gemvN[T float](kn *kernel[T], rows, k int, alpha T, mat []T, ld int, x []T, incx int, beta T, y []T, incy, maxThreads int) {
	xv, xbuf := contiguous(k, x, incx, 1)
	j := gemvNJob[T]{kn, k, alpha, mat, ld, xv, beta, y, incy}
	if p := threadsFor(rows*k, thinParallelWork, rows, 4, maxThreads); p > 1 {
		forShares(p, rows, 4, j.run)
	} else {
		j.run(0, rows)
	}
	if xbuf != nil {
		putBuf(xbuf)
	}
}

// gemvNJob is gemvN's work: x is contiguous.
type gemvNJob[T float] struct {
	kn    *kernel[T]
	k     int
	alpha T
	mat   []T
	ld    int
	x     []T
	beta  T
	y     []T
	incy  int
}

// run computes rows [lo, hi).
func (j gemvNJob[T]) run(lo, hi int) {
	k, ld, incy, alpha, beta := j.k, j.ld, j.incy, j.alpha, j.beta
	i := lo
	for ; i+4 <= hi; i += 4 {
		d0, d1, d2, d3 := dot4(j.kn, k, j.mat[i*ld:], ld, j.x)
		setY(j.y, i*incy, alpha*d0, beta)
		setY(j.y, (i+1)*incy, alpha*d1, beta)
		setY(j.y, (i+2)*incy, alpha*d2, beta)
		setY(j.y, (i+3)*incy, alpha*d3, beta)
	}
	for ; i < hi; i++ {
		setY(j.y, i*incy, alpha*dot(j.kn, j.mat[i*ld:i*ld+k], j.x), beta)
	}
}

// setY stores v + beta*y[i] into y[i], without reading y[i] when beta == 0.
func setY[T float](y []T, i int, v, beta T) {
	if beta == 0 {
		y[i] = v
	} else {
		y[i] = v + beta*y[i]
	}
}

// gemvT computes y[j*incy] = alpha*Σ_p x[p*incx]*M[p*ld+j] + beta*y[j*incy]
// for j < cols on up to maxThreads goroutines, as axpys of the rows of M (stored k×cols) into an
// accumulator: y itself when it is contiguous, else a pooled buffer. alpha
// is folded into a copy of x. Each element's sum runs over p in order,
// in fixed groups of four, whatever the thread shares.
func gemvT[T float](kn *kernel[T], cols, k int, alpha T, mat []T, ld int, x []T, incx int, beta T, y []T, incy, maxThreads int) {
	xv, xbuf := contiguous(k, x, incx, alpha)
	j := gemvTJob[T]{kn, k, mat, ld, xv, beta, y, incy}
	// Shares of 16 elements keep threads off each other's cache lines.
	if p := threadsFor(cols*k, thinParallelWork, cols, 16, maxThreads); p > 1 {
		forShares(p, cols, 16, j.run)
	} else {
		j.run(0, cols)
	}
	if xbuf != nil {
		putBuf(xbuf)
	}
}

// gemvTJob is gemvT's work: x is contiguous and already scaled by alpha.
type gemvTJob[T float] struct {
	kn   *kernel[T]
	k    int
	mat  []T
	ld   int
	x    []T
	beta T
	y    []T
	incy int
}

// run computes elements [lo, hi) of y, gemvTBlock at a time so that the
// slice being accumulated stays in L1 while the rows of M stream past.
func (j gemvTJob[T]) run(lo, hi int) {
	k, ld, x := j.k, j.ld, j.x
	var acc []T
	var abuf *[]T
	if j.incy == 1 {
		acc = j.y[lo:hi]
		scaleC(1, hi-lo, j.beta, acc, hi-lo)
	} else {
		abuf = getBuf[T](hi - lo)
		acc = *abuf
		clear(acc)
	}
	for jb := lo; jb < hi; jb += gemvTBlock {
		je := min(hi, jb+gemvTBlock)
		blk := acc[jb-lo : je-lo]
		p := 0
		for ; p+4 <= k; p += 4 {
			axpy4(j.kn, je-jb, j.mat[p*ld+jb:], ld, x[p], x[p+1], x[p+2], x[p+3], blk)
		}
		for ; p < k; p++ {
			axpby(j.kn, je-jb, x[p], j.mat[p*ld+jb:p*ld+je], 1, blk)
		}
	}
	if abuf != nil {
		for i, v := range acc {
			setY(j.y, (lo+i)*j.incy, v, j.beta)
		}
		putBuf(abuf)
	}
}

// rank1 computes C = alpha*u*vᵀ + beta*C for k == 1, where u = op(A)[:,0]
// and v = op(B)[0,:]: one axpby per row of C, rows shared among up to
// maxThreads goroutines.
func rank1[T float](kn *kernel[T], transA, transB bool, m, n int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc, maxThreads int) {
	incu := lda // A stored m×1
	if transA {
		incu = 1 // A stored 1×m
	}
	incv := 1 // B stored 1×n
	if transB {
		incv = ldb // B stored n×1
	}
	v, vbuf := contiguous(n, b, incv, 1)
	j := rank1Job[T]{kn, n, alpha, a, incu, v, beta, c, ldc}
	if p := threadsFor(m*n, thinParallelWork, m, 1, maxThreads); p > 1 {
		forShares(p, m, 1, j.run)
	} else {
		j.run(0, m)
	}
	if vbuf != nil {
		putBuf(vbuf)
	}
}

// rank1Job is rank1's work: u[i] = a[i*incu], v is contiguous.
type rank1Job[T float] struct {
	kn    *kernel[T]
	n     int
	alpha T
	a     []T
	incu  int
	v     []T
	beta  T
	c     []T
	ldc   int
}

// run updates rows [lo, hi) of C.
func (j rank1Job[T]) run(lo, hi int) {
	for i := lo; i < hi; i++ {
		axpby(j.kn, j.n, j.alpha*j.a[i*j.incu], j.v, j.beta, j.c[i*j.ldc:i*j.ldc+j.n])
	}
}

// splitK computes a product with a small m×n and a large k by cutting k
// into chunks at points fixed by k alone, multiplying each chunk into its
// own m×n partial buffer with the packed algorithm (goroutines take runs of
// consecutive chunks), then summing the partials in chunk order into C.
func splitK[T float](kn *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	chunks := min(k/splitKDepth, splitKMaxChunks)
	mn := m * n
	buf := getBuf[T](chunks * mn)
	parts := *buf
	j := splitKJob[T]{kn, transA, transB, m, n, k, chunks, a, lda, b, ldb, parts}
	if p := threadsFor(mn*k, minParallelWork, chunks, 1, runtime.GOMAXPROCS(0)); p > 1 {
		forShares(p, chunks, 1, j.run)
	} else {
		j.run(0, chunks)
	}
	// ((p0 + p1) + p2) + …, then C = alpha*sum + beta*C.
	sum := parts[:mn]
	for t := 1; t < chunks; t++ {
		axpby(kn, mn, 1, parts[t*mn:(t+1)*mn], 1, sum)
	}
	for i := range m {
		axpby(kn, n, alpha, sum[i*n:(i+1)*n], beta, c[i*ldc:i*ldc+n])
	}
	putBuf(buf)
}

// splitKJob is splitK's work: chunk t covers k steps [k*t/chunks,
// k*(t+1)/chunks) and goes to parts[t*m*n:], an m×n matrix with stride n.
type splitKJob[T float] struct {
	kn              *kernel[T]
	transA, transB  bool
	m, n, k, chunks int
	a               []T
	lda             int
	b               []T
	ldb             int
	parts           []T
}

// run multiplies chunks [lo, hi).
func (j splitKJob[T]) run(lo, hi int) {
	mn := j.m * j.n
	for t := lo; t < hi; t++ {
		p0, p1 := j.k*t/j.chunks, j.k*(t+1)/j.chunks
		var as, bs []T
		if j.transA {
			as = j.a[p0*j.lda:] // rows p0.. of the stored k×m matrix
		} else {
			as = j.a[p0:] // columns p0.. of the stored m×k matrix
		}
		if j.transB {
			bs = j.b[p0:] // columns p0.. of the stored n×k matrix
		} else {
			bs = j.b[p0*j.ldb:] // rows p0.. of the stored k×n matrix
		}
		gemmSerial(j.kn, j.transA, j.transB, j.m, j.n, p1-p0, 1, as, j.lda, bs, j.ldb, 0, j.parts[t*mn:(t+1)*mn], j.n)
	}
}

// dot, dot4, axpy4 and axpby dispatch to the kernel's vector routines or
// to the portable loops.

func dot[T float](kn *kernel[T], x, y []T) T {
	if kn.vec.dot != nil {
		return kn.vec.dot(x, y)
	}
	return dotGo(x, y)
}

func dot4[T float](kn *kernel[T], k int, a []T, lda int, x []T) (T, T, T, T) {
	if kn.vec.dot4 != nil {
		return kn.vec.dot4(k, a, lda, x)
	}
	return dot4Go(k, a, lda, x)
}

func axpy4[T float](kn *kernel[T], n int, m []T, ld int, s0, s1, s2, s3 T, y []T) {
	if kn.vec.axpy4 != nil {
		kn.vec.axpy4(n, m, ld, s0, s1, s2, s3, y)
		return
	}
	axpy4Go(n, m, ld, s0, s1, s2, s3, y)
}

func axpby[T float](kn *kernel[T], n int, s T, x []T, beta T, y []T) {
	if kn.vec.axpby != nil {
		kn.vec.axpby(n, s, x, beta, y)
		return
	}
	axpbyGo(n, s, x, beta, y)
}

// dotGo is the portable dot product: one accumulator, in order, so that
// it gives exactly what dot4Go gives for each of its rows (it only runs on
// the last rows that do not fill a group of four, so its speed matters
// little).
func dotGo[T float](x, y []T) T {
	y = y[:len(x)]
	var s T
	for i, v := range x {
		s += y[i] * v
	}
	return s
}

// dot4Go is the portable dot4: four rows share each load of x, and their
// four sums are independent chains.
func dot4Go[T float](k int, a []T, lda int, x []T) (T, T, T, T) {
	x = x[:k]
	r0 := a[:k]
	r1 := a[lda : lda+k]
	r2 := a[2*lda : 2*lda+k]
	r3 := a[3*lda : 3*lda+k]
	var d0, d1, d2, d3 T
	for p, v := range x {
		d0 += r0[p] * v
		d1 += r1[p] * v
		d2 += r2[p] * v
		d3 += r3[p] * v
	}
	return d0, d1, d2, d3
}

// axpy4Go is the portable axpy4; the additions associate left to right,
// as four separate axpys would.
func axpy4Go[T float](n int, m []T, ld int, s0, s1, s2, s3 T, y []T) {
	y = y[:n]
	m0 := m[:n]
	m1 := m[ld : ld+n]
	m2 := m[2*ld : 2*ld+n]
	m3 := m[3*ld : 3*ld+n]
	for j := range y {
		y[j] = y[j] + s0*m0[j] + s1*m1[j] + s2*m2[j] + s3*m3[j]
	}
}

// axpbyGo is the portable axpby.
func axpbyGo[T float](n int, s T, x []T, beta T, y []T) {
	x, y = x[:n], y[:n]
	switch beta {
	case 0:
		for j := range y {
			y[j] = s * x[j]
		}
	case 1:
		for j := range y {
			y[j] += s * x[j]
		}
	default:
		for j := range y {
			y[j] = s*x[j] + beta*y[j]
		}
	}
}
