package gemm

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ganlab/ganlab/core/internal/workers"
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major float32
// matrices, where op(X) = X, or Xᵀ when the corresponding trans flag is set.
// op(A) is m×k, op(B) is k×n and C is m×n. lda, ldb and ldc are the row
// strides (leading dimensions) of a, b and c as stored, so for example A is
// stored as a k×m matrix with lda ≥ m when transA is true.
//
// When beta == 0, C is overwritten without being read (it may contain NaN
// or Inf). When m or n is 0 nothing happens; when k is 0 or alpha is 0,
// C = beta*C.
//
// Sgemm panics with a message naming the argument if a dimension is
// negative, a leading dimension is too small or a slice is too short;
// callers are expected to validate shapes beforehand.
//
// Large products are spread over runtime.GOMAXPROCS(0) goroutines. Sgemm is
// safe for concurrent use as long as the C matrices do not overlap.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs("Sgemm", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(sgemmKernelFor(n), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmKernelFor returns the float32 configuration for products with n
// columns: for n ≤ 16 a wide (32-column) tile would be at least half
// padding, so a narrower kernel is used where one exists.
func sgemmKernelFor(n int) *kernel[float32] {
	if n <= 16 && sgemmNarrowKernel != nil {
		return sgemmNarrowKernel
	}
	return &sgemmKernel
}

// SgemmKernel describes the float32 micro-kernel Sgemm uses on this CPU
// (chosen at start-up), e.g. "AVX-512 12×32", for benchmark reports.
func SgemmKernel() string { return sgemmKernel.name }

// Dgemm is the float64 counterpart of Sgemm, with identical semantics,
// argument checking and threading. It is meant for reference computations
// such as gradient checks; it shares the driver with Sgemm and uses a 6×8
// AVX2/FMA kernel where available (a portable pure-Go kernel elsewhere).
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkArgs("Dgemm", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	gemm(&dgemmKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkArgs validates dimensions, leading dimensions and slice lengths.
// Validation happens once, up front, so that the assembly kernel can rely on
// every full tile lying inside c (edge tiles never touch c directly).
func checkArgs(fn string, transA, transB bool, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) {
	if m < 0 {
		panic(fmt.Sprintf("gemm: %s: m = %d < 0", fn, m))
	}
	if n < 0 {
		panic(fmt.Sprintf("gemm: %s: n = %d < 0", fn, n))
	}
	if k < 0 {
		panic(fmt.Sprintf("gemm: %s: k = %d < 0", fn, k))
	}
	// Stored shapes (rows × cols) of A and B.
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat(fn, "a", "lda", ar, ac, lenA, lda)
	checkMat(fn, "b", "ldb", br, bc, lenB, ldb)
	checkMat(fn, "c", "ldc", m, n, lenC, ldc)
}

func checkMat(fn, name, ldName string, rows, cols, length, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: %s: %s = %d, want ≥ %d (%s is stored %d×%d)", fn, ldName, ld, max(1, cols), name, rows, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; length < need {
		panic(fmt.Sprintf("gemm: %s: len(%s) = %d, want ≥ %d (%s is stored %d×%d with %s = %d)", fn, name, length, need, name, rows, cols, ldName, ld))
	}
}

// float is the element type constraint of the shared driver.
type float interface{ float32 | float64 }

// kernel describes a micro-kernel together with the blocking parameters
// that suit it. The driver is generic over it so that float32 (assembly or
// portable) and float64 share one implementation of packing, blocking and
// threading.
type kernel[T float] struct {
	name   string // for reports: the instruction set and tile
	mr, nr int    // register tile: the kernel computes an mr×nr tile of C
	mu     int    // A's blocks and thread shares are cut on mu rows (the strip's tile: a multiple of mr), or mr if 0
	mc     int    // rows of op(A) per packed A block (multiple of mr); sized for L2
	kc     int    // depth of a k slab; one kc×nr B panel should fit in L1
	nc     int    // columns of op(B) per packed B block (multiple of nr); sized for L3

	// fn computes C[0:mr, 0:nr] = alpha*Ap*Bp + beta*C where Ap is a packed
	// mr×kc panel (k-major: mr values per k step), Bp a packed kc×nr panel
	// (nr values per k step) and C has row stride ldc. When beta == 0, C is
	// not read.
	fn func(kc int, alpha T, a, b []T, beta T, c []T, ldc int)

	// strided, if not nil, is fn reading its operands at any strides, with
	// fn's bits: A's value (i, kk) at a[i*ars + kk*aks] and B's nr values
	// of step kk at b[kk*bks:]. A packed panel is ars = 1, aks = mr; a
	// packed B panel bks = nr; rows of a row-major A ars = lda, aks = 1;
	// rows of a row-major B bks = ldb. With it, the full panels of a
	// non-transposed A or B are read in place instead of packed (see
	// unpacked).
	strided func(kc int, alpha T, a []T, ars, aks int, b []T, bks int, beta T, c []T, ldc int)

	// strip, if not nil, is strided on tiles ≥ 1 full tiles down one
	// column of tiles of C, tile t reading A from a[t·aTile:] (6·kc for
	// packed panels, 6·lda in place) and writing C's rows mr·t onwards,
	// with the same B panel: strided's bits without a call per tile.
	strip func(tiles, kc int, alpha T, a []T, ars, aks, aTile int, b []T, bks int, beta T, c []T, ldc int)

	// packA6, if not nil, is a faster equivalent of packA6Go for the
	// common case of packing six rows of a non-transposed A.
	packA6 func(kc int, src []T, lda int, dst []T)
	// packAT6, if not nil, packs the full 6-row panels of a transposed A
	// (see packAT).
	packAT6 func(kc, panels int, src []T, lda int, dst []T)

	// vec holds the optional fast vector routines of the thin paths
	// (thin.go); its nil fields fall back to portable Go loops.
	vec vecOps[T]
}

// rowUnit is the number of rows A's blocks are cut on: whole strip tiles.
func (kn *kernel[T]) rowUnit() int {
	if kn.mu > 0 {
		return kn.mu
	}
	return kn.mr
}

// maxTile bounds mr*nr over all kernels; it sizes the edge tile.
const maxTile = 6 * 32

// minParallelWork is the m*n*k product below which a call stays on the
// calling goroutine: ~0.5 MFLOP takes ~10µs on one core, comparable to the
// cost of waking another goroutine and the extra packing it does.
const minParallelWork = 64 * 64 * 64

// gemm is the shared driver: quick returns, then the fast paths for
// degenerate shapes (thin.go), then threading, then the serial blocked
// algorithm. Arguments have already been validated.
func gemm[T float](kn *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if trivial(m, n, k, alpha, beta, c, ldc) {
		return
	}
	if gemmThin(kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	nt := runtime.GOMAXPROCS(0)
	if nt <= 1 || m*n*k < minParallelWork {
		gemmSerial(kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	pm, pn := threadGrid(nt, m, n, kn.mr, kn.nr)
	if pm*pn <= 1 {
		gemmSerial(kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	// One block of the pm×pn grid per part; the caller does the last.
	workers.Run(pm*pn, func(t int) {
		ti, tj := t/pn, t%pn
		i0, i1 := share(m, kn.rowUnit(), ti, pm)
		j0, j1 := share(n, kn.nr, tj, pn)
		if i1 <= i0 || j1 <= j0 {
			return
		}
		var as, bs []T
		if transA {
			as = a[i0:] // columns i0.. of the stored k×m matrix
		} else {
			as = a[i0*lda:]
		}
		if transB {
			bs = b[j0*ldb:] // rows j0.. of the stored n×k matrix
		} else {
			bs = b[j0:]
		}
		gemmSerial(kn, transA, transB, i1-i0, j1-j0, k, alpha, as, lda, bs, ldb, beta, c[i0*ldc+j0:], ldc)
	})
}

// threadGrid chooses how to cut C into pm×pn independent blocks for at
// most nt goroutines. Each goroutine packs its own (m/pm)×k slice of op(A)
// and k×(n/pn) slice of op(B), so the grid minimising m/pm + n/pn keeps the
// duplicated packing work smallest; with two threads that simply splits the
// larger dimension. Blocks never get thinner than one register tile.
func threadGrid(nt, m, n, mr, nr int) (pm, pn int) {
	mTiles, nTiles := (m+mr-1)/mr, (n+nr-1)/nr
	pm, pn = 1, 1
	best := -1.0
	for p := 1; p <= nt; p++ {
		q := nt / p
		if p > mTiles || q > nTiles {
			continue
		}
		cost := float64(m)/float64(p) + float64(n)/float64(q)
		if best < 0 || cost < best || (cost == best && p*q > pm*pn) {
			pm, pn, best = p, q, cost
		}
	}
	if best < 0 { // fewer tiles than threads in both directions
		pm, pn = min(nt, mTiles), 1
		if nTiles > mTiles {
			pm, pn = 1, min(nt, nTiles)
		}
	}
	return pm, pn
}

// share returns the half-open range of the t-th of p parts of extent,
// cut on multiples of unit so that only the last part has a partial tile.
func share(extent, unit, t, p int) (lo, hi int) {
	tiles := (extent + unit - 1) / unit
	lo = min(extent, tiles*t/p*unit)
	hi = min(extent, tiles*(t+1)/p*unit)
	return lo, hi
}

// trivial handles the products with nothing to multiply: m or n is 0
// (nothing to do), or k or alpha is 0 (C = beta·C). It reports whether it
// did.
func trivial[T float](m, n, k int, alpha, beta T, c []T, ldc int) bool {
	if m == 0 || n == 0 {
		return true
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return true
	}
	return false
}

// scaleC sets C = beta*C, writing zeros without reading C when beta == 0.
func scaleC[T float](m, n int, beta T, c []T, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// blockSize splits total into ceil(total/max) nearly equal blocks, rounded
// up to a multiple of unit, so that e.g. k = 257 gives two slabs of 129
// rather than 256 + 1.
func blockSize(total, maxBlock, unit int) int {
	nb := (total + maxBlock - 1) / maxBlock
	bs := (total + nb - 1) / nb
	return (bs + unit - 1) / unit * unit
}

// gemmSerial runs the blocked algorithm on the calling goroutine:
//
//	for jc (nc columns of C):        B block kc×nc   -> L3
//	  for pc (kc slab of k):         pack op(B) block
//	    for ic (mc rows of C):       pack op(A) block, mc×kc -> L2
//	      for jr (nr columns):       B panel kc×nr   -> L1
//	        for ir (mr rows):        micro-kernel on an mr×nr tile of C
func gemmSerial[T float](kn *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	nr := kn.nr
	kcMax := blockSize(k, kn.kc, 1)
	mcMax := blockSize(m, kn.mc, kn.rowUnit())
	ncMax := blockSize(n, kn.nc, nr)

	// One pooled buffer holds the packed A block, the packed B block and
	// the edge tile (which would escape to the heap as a local, because the
	// kernel is called through a func value).
	buf := getBuf[T](mcMax*kcMax + kcMax*ncMax + maxTile)
	ap := (*buf)[:mcMax*kcMax]
	bp := (*buf)[mcMax*kcMax : mcMax*kcMax+kcMax*ncMax]
	tmp := (*buf)[mcMax*kcMax+kcMax*ncMax:]

	for jc := 0; jc < n; jc += ncMax {
		nc := min(ncMax, n-jc)
		for pc := 0; pc < k; pc += kcMax {
			kc := min(kcMax, k-pc)
			betaSlab := beta
			if pc > 0 {
				betaSlab = 1 // later slabs accumulate onto the first one
			}
			bv := packOrViewB(kn, transB, kc, nc, b, ldb, pc, jc, bp)
			for ic := 0; ic < m; ic += mcMax {
				mc := min(mcMax, m-ic)
				av := packOrView(kn, transA, mc, kc, a, lda, ic, pc, ap)
				macroKernel(kn, mc, nc, kc, alpha, av, bv, betaSlab, c[ic*ldc+jc:], ldc, tmp)
			}
		}
	}
	putBuf(buf)
}

// unpacked reports whether the kernel reads the full panels of a
// non-transposed operand with row stride ld in place instead of packing
// them. Packing such an operand copies it for nothing: six row streams of
// A, or B's rows one k step apart, are as cache-friendly as a packed
// panel, except when ld is a multiple of 1 KiB, where the rows share a few
// L1 sets and evict each other. Reading a transposed A in place (six
// consecutive values a row apart) was measured slower than packing it.
func unpacked[T float](kn *kernel[T], trans bool, ld int) bool {
	var z T
	return kn.strided != nil && !trans && ld*int(unsafe.Sizeof(z))%1024 != 0
}

// view is a block of op(A) or op(B) as macroKernel reads it: packed
// panels (inPlace nil), or the rows of the stored matrix itself (row
// stride ld) with only the partial last panel packed.
type view[T float] struct {
	packed, inPlace []T
	ld              int
}

// packOrView prepares rows [ic, ic+mc) × columns [pc, pc+kc) of op(A) for
// macroKernel: packed into ap, or read in place with only the partial last
// panel packed, at its place in ap.
func packOrView[T float](kn *kernel[T], transA bool, mc, kc int, a []T, lda, ic, pc int, ap []T) view[T] {
	if !unpacked(kn, transA, lda) {
		packA(kn, transA, mc, kc, a, lda, ic, pc, ap)
		return view[T]{packed: ap}
	}
	if full := mc / kn.mr * kn.mr; full < mc {
		packA(kn, false, mc-full, kc, a, lda, ic+full, pc, ap[full*kc:])
	}
	return view[T]{packed: ap, inPlace: a[ic*lda+pc:], ld: lda}
}

// packOrViewB is packOrView for rows [pc, pc+kc) × columns [jc, jc+nc) of
// op(B), packed into bp.
func packOrViewB[T float](kn *kernel[T], transB bool, kc, nc int, b []T, ldb, pc, jc int, bp []T) view[T] {
	nr := kn.nr
	if !unpacked(kn, transB, ldb) {
		packB(transB, kc, nc, nr, b, ldb, pc, jc, bp)
		return view[T]{packed: bp}
	}
	if full := nc / nr * nr; full < nc {
		packB(false, kc, nc-full, nr, b, ldb, pc, jc+full, bp[full*kc:])
	}
	return view[T]{packed: bp, inPlace: b[pc*ldb+jc:], ld: ldb}
}

// macroKernel multiplies an mc×kc block of A by a kc×nc block of B into C,
// one mr×nr tile at a time. The jr loop is outermost so that a kc×nr panel
// of B stays in L1 while the A block streams from L2. Full panels are read
// where the views say (packed or in place), partial ones from the packed
// storage.
func macroKernel[T float](kn *kernel[T], mc, nc, kc int, alpha T, a, b view[T], beta T, c []T, ldc int, tmp []T) {
	mr, nr := kn.mr, kn.nr
	for jr := 0; jr < nc; jr += nr {
		nrr := min(nr, nc-jr)
		bInPlace := b.inPlace != nil && nrr == nr
		ir := 0
		if full := mc / mr; kn.strip != nil && nrr == nr && full > 0 {
			// The column's full tiles in one call.
			as, ars, aks, aTile := a.packed, 1, mr, mr*kc
			if a.inPlace != nil {
				as, ars, aks, aTile = a.inPlace, a.ld, 1, mr*a.ld
			}
			bs, bks := b.packed[jr*kc:], nr
			if bInPlace {
				bs, bks = b.inPlace[jr:], b.ld
			}
			kn.strip(full, kc, alpha, as, ars, aks, aTile, bs, bks, beta, c[jr:], ldc)
			ir = full * mr
		}
		for ; ir < mc; ir += mr {
			mrr := min(mr, mc-ir)
			aInPlace := a.inPlace != nil && mrr == mr
			cTile, ldTile, betaTile := c[ir*ldc+jr:], ldc, beta
			if mrr < mr || nrr < nr {
				// Edge tile: compute the full (zero-padded) tile into
				// tmp, then merge only the valid part, so C is never
				// written out of range.
				cTile, ldTile, betaTile = tmp, nr, 0
			}
			if !aInPlace && !bInPlace {
				kn.fn(kc, alpha, a.packed[ir*kc:(ir+mr)*kc], b.packed[jr*kc:(jr+nr)*kc], betaTile, cTile, ldTile)
			} else {
				as, ars, aks := a.packed[ir*kc:], 1, mr
				if aInPlace {
					as, ars, aks = a.inPlace[ir*a.ld:], a.ld, 1
				}
				bs, bks := b.packed[jr*kc:], nr
				if bInPlace {
					bs, bks = b.inPlace[jr:], b.ld
				}
				kn.strided(kc, alpha, as, ars, aks, bs, bks, betaTile, cTile, ldTile)
			}
			if mrr == mr && nrr == nr {
				continue
			}
			for i := range mrr {
				crow := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+nrr]
				trow := tmp[i*nr : i*nr+nrr]
				if beta == 0 {
					copy(crow, trow)
					continue
				}
				for j := range crow {
					crow[j] = trow[j] + beta*crow[j]
				}
			}
		}
	}
}

// Packing buffers are recycled per element type. A pooled buffer that is
// too small for the current call is dropped and replaced.
var pool32, pool64 sync.Pool

func poolFor[T float]() *sync.Pool {
	var z T
	if _, ok := any(z).(float32); ok {
		return &pool32
	}
	return &pool64
}

func getBuf[T float](n int) *[]T {
	if v, ok := poolFor[T]().Get().(*[]T); ok && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	s := make([]T, n)
	return &s
}

func putBuf[T float](p *[]T) { poolFor[T]().Put(p) }
