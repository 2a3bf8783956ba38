package gemm

import (
	"fmt"
	"runtime"

	"github.com/ganlab/ganlab/core/internal/workers"
)

// PackedB is op(B) packed once into the micro-kernel's panel layout, for
// many products that share it: a convolution multiplies its kernel by
// every chunk of im2col rows, and packing the kernel once instead of once
// per chunk keeps that cost off each chunk. A PackedB is read-only after
// packing and safe to share between goroutines.
type PackedB[T float] struct {
	kn           *kernel[T]
	k, n         int
	kcMax, ncMax int
	data         []T
	buf          *[]T  // the pooled storage behind data, until Release
	off          []int // start of block (jc, pc) in data, in the driver's loop order
}

// Release hands the packed storage back to the package's buffer pool; p
// must not be used afterwards. Calling it is optional (the garbage
// collector reclaims an unreleased PackedB) but saves an allocation per
// product for callers that pack a kernel on every call.
func (p *PackedB[T]) Release() {
	if p.buf != nil {
		putBuf(p.buf)
		p.buf, p.data = nil, nil
	}
}

// minParallelPack is the element count below which packing stays on the
// calling goroutine.
const minParallelPack = 1 << 15

// K returns the inner dimension of the packed op(B) (its rows).
func (p *PackedB[T]) K() int { return p.k }

// N returns the number of columns of the packed op(B).
func (p *PackedB[T]) N() int { return p.n }

// PackSgemmB packs op(B), k×n (B stored n×k when transB, with row stride
// ldb), for SgemmPacked. Arguments are checked as Sgemm checks them.
func PackSgemmB(transB bool, k, n int, b []float32, ldb int) *PackedB[float32] {
	return packWhole(sgemmKernelFor(n), "PackSgemmB", transB, k, n, b, ldb)
}

// PackDgemmB is PackSgemmB for float64.
func PackDgemmB(transB bool, k, n int, b []float64, ldb int) *PackedB[float64] {
	return packWhole(&dgemmKernel, "PackDgemmB", transB, k, n, b, ldb)
}

// SgemmPacked computes C = alpha·op(A)·B + beta·C with B packed by
// PackSgemmB, on the calling goroutine alone: callers that already run one
// product per core (a convolution splitting its batch over the cores) use
// it so that each product's operands and result stay in the cache of the
// core that made them and will read them. Each element of C comes out
// bitwise equal to Sgemm's for the same operands, except where Sgemm's
// choice of method depends on m (thin.go): m == 1, and m·n ≤ 128² with
// k ≥ 2048, which here take the packed path. Semantics of alpha, beta and
// m == 0 are Sgemm's.
func SgemmPacked(transA bool, m int, alpha float32, a []float32, lda int, b *PackedB[float32], beta float32, c []float32, ldc int) {
	gemmPacked("SgemmPacked", transA, m, alpha, a, lda, b, beta, c, ldc)
}

// DgemmPacked is SgemmPacked for float64.
func DgemmPacked(transA bool, m int, alpha float64, a []float64, lda int, b *PackedB[float64], beta float64, c []float64, ldc int) {
	gemmPacked("DgemmPacked", transA, m, alpha, a, lda, b, beta, c, ldc)
}

// packWhole packs every (jc, pc) block of op(B) in the order gemmPacked
// visits them, with the block sizes gemmSerial would use.
func packWhole[T float](kn *kernel[T], fn string, transB bool, k, n int, b []T, ldb int) *PackedB[T] {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("gemm: %s: k = %d, n = %d, want ≥ 0", fn, k, n))
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat(fn, "b", "ldb", br, bc, len(b), ldb)
	p := &PackedB[T]{kn: kn, k: k, n: n}
	if k == 0 || n == 0 {
		return p
	}
	p.kcMax = blockSize(k, kn.kc, 1)
	p.ncMax = blockSize(n, kn.nc, kn.nr)
	size := 0
	for jc := 0; jc < n; jc += p.ncMax {
		nc := min(p.ncMax, n-jc)
		panels := (nc + kn.nr - 1) / kn.nr
		for pc := 0; pc < k; pc += p.kcMax {
			p.off = append(p.off, size)
			size += panels * kn.nr * min(p.kcMax, k-pc)
		}
	}
	// packB writes every element of each panel, zero padding included, so
	// pooled storage needs no clearing.
	p.buf = getBuf[T](size)
	p.data = (*p.buf)[:size]
	i := 0
	for jc := 0; jc < n; jc += p.ncMax {
		nc := min(p.ncMax, n-jc)
		for pc := 0; pc < k; pc += p.kcMax {
			kc, dst := min(p.kcMax, k-pc), p.data[p.off[i]:]
			panels := (nc + kn.nr - 1) / kn.nr
			parts := 1
			if kc*nc >= minParallelPack {
				parts = min(runtime.GOMAXPROCS(0), panels)
			}
			// Whole panels per part: panel q lands at dst[q*nr*kc:].
			workers.Run(parts, func(t int) {
				q0, q1 := panels*t/parts, panels*(t+1)/parts
				if q0 < q1 {
					c0, c1 := q0*kn.nr, min(q1*kn.nr, nc)
					packB(transB, kc, c1-c0, kn.nr, b, ldb, pc, jc+c0, dst[c0*kc:])
				}
			})
			i++
		}
	}
	return p
}

// gemmPacked is gemmSerial with op(B) already packed: the same loop order
// and block sizes, so the same sums in the same order.
func gemmPacked[T float](fn string, transA bool, m int, alpha T, a []T, lda int, pb *PackedB[T], beta T, c []T, ldc int) {
	if m < 0 {
		panic(fmt.Sprintf("gemm: %s: m = %d < 0", fn, m))
	}
	k, n := pb.k, pb.n
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	checkMat(fn, "a", "lda", ar, ac, len(a), lda)
	checkMat(fn, "c", "ldc", m, n, len(c), ldc)
	if trivial(m, n, k, alpha, beta, c, ldc) {
		return
	}
	kn := pb.kn
	// Sgemm computes n == 1 and k == 1 on the thin paths (thin.go), so this
	// must too, for the same bits (on this goroutine alone). With n == 1
	// the packed panels hold op(B) in column 0, i.e. with stride nr; with
	// k == 1 they hold op(B)'s one row contiguously.
	switch {
	case n == 1 && transA:
		gemvT(kn, m, k, alpha, a, lda, pb.data, kn.nr, beta, c, ldc, 1)
		return
	case n == 1:
		gemvN(kn, m, k, alpha, a, lda, pb.data, kn.nr, beta, c, ldc, 1)
		return
	case k == 1 && m > 1:
		rank1(kn, transA, false, m, n, alpha, a, lda, pb.data, n, beta, c, ldc, 1)
		return
	}
	mcMax := blockSize(m, kn.mc, kn.rowUnit())
	buf := getBuf[T](mcMax*pb.kcMax + maxTile)
	ap := (*buf)[:mcMax*pb.kcMax]
	tmp := (*buf)[mcMax*pb.kcMax:]
	i := 0
	for jc := 0; jc < n; jc += pb.ncMax {
		nc := min(pb.ncMax, n-jc)
		for pc := 0; pc < k; pc += pb.kcMax {
			kc := min(pb.kcMax, k-pc)
			betaSlab := beta
			if pc > 0 {
				betaSlab = 1
			}
			bp := pb.data[pb.off[i]:]
			i++
			for ic := 0; ic < m; ic += mcMax {
				mc := min(mcMax, m-ic)
				av := packOrView(kn, transA, mc, kc, a, lda, ic, pc, ap)
				macroKernel(kn, mc, nc, kc, alpha, av, view[T]{packed: bp}, betaSlab, c[ic*ldc+jc:], ldc, tmp)
			}
		}
	}
	putBuf(buf)
}
