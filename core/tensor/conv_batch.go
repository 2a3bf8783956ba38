package tensor

import (
	"runtime"
	"unsafe"

	"github.com/ganlab/ganlab/core/internal/workers"
)

// Splitting a convolution's batch over the cores, each core running
// im2col → GEMM (forward) or GEMM → col2im (input gradient) on its own
// images, keeps every im2col matrix in the cache of the core that wrote it.
// With the GEMM threaded instead, each core writes half of every im2col
// row and col2im then reads the other half from the other core's cache:
// on a two-core machine that traffic made col2im four times slower than on
// one core. Results are bitwise those of the GEMM-threaded path, since
// each output row is the same sum either way.

// workerColsBudget bounds one core's im2col chunk so that it stays in L2
// (next to the packed kernel and the GEMM's own panels).
const workerColsBudget = 1 << 20

// minBatchSplitWork is the multiply-add count below which a convolution
// is left to the GEMM's threading (or lack of it).
const minBatchSplitWork = 1 << 20

// convBatchWorkers returns how many goroutines should split g's batch:
// one per core when every core gets a fair share of images, else 1.
func convBatchWorkers(g *convGeom) int {
	nt := runtime.GOMAXPROCS(0)
	if nt <= 1 || g.n < nt || (g.n%nt != 0 && g.n < 4*nt) {
		return 1
	}
	if g.n*g.outPix()*g.kdim()*g.cout < minBatchSplitWork {
		return 1
	}
	return nt
}

// chunkWithin returns how many images of g one im2col chunk of at most
// budget bytes holds (at least one).
func chunkWithin[T Float](g *convGeom, budget int) int {
	var z T
	per := g.outPix() * g.kdim() * int(unsafe.Sizeof(z))
	if per == 0 {
		return max(g.n, 1)
	}
	return max(1, min(g.n, budget/per))
}

// splitBatch runs fn on nt contiguous ranges of [0, n), the last on the
// calling goroutine.
func splitBatch(n, nt int, fn func(lo, hi int)) {
	workers.Run(nt, func(t int) { fn(n*t/nt, n*(t+1)/nt) })
}

// gemmRowTile divides the row counts of every SGEMM kernel's tiles (12 for
// AVX-512's pairs of 6-row tiles, 6 for AVX2): a chunk of a multiple of it
// has no partial tile, which the kernels compute on a padded copy (a chunk
// of 245 rows multiplied 3 % slower than one of 240 on the 12×32 tiles).
const gemmRowTile = 12

// chunkRows returns how many output rows (ow pixels each) one core's
// chunk holds when each pixel takes width elements of the budget, cut
// down to a multiple that makes the chunk's pixel count a multiple of
// gemmRowTile where that leaves at least one such multiple. Chunks are
// taken across image boundaries (im2colRows), so only each core's last
// one has a partial tile.
func chunkRows[T Float](g *convGeom, budget, width int) int {
	var z T
	perRow := g.ow * width * int(unsafe.Sizeof(z))
	rows := max(1, budget/max(perRow, 1))
	if unit := gemmRowTile / gcd(g.ow, gemmRowTile); rows >= unit {
		rows = rows / unit * unit
	}
	return min(rows, g.n*g.oh)
}

// gcd is the greatest common divisor of a, b > 0.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// convForwardBatch is convForward with the batch split over nt cores, each
// core's images in chunks of output rows.
func convForwardBatch[T Float](g *convGeom, x, k, bias, y []T, nt int, act *rectifier) {
	K := g.kdim()
	pb := packB(false, K, g.cout, k, g.cout)
	defer releasePacked(pb)
	// A chunk's output must stay in cache too, for its bias and rectifier
	// pass: a one-channel image's output rows are four times as wide as
	// its im2col rows.
	cr, ld := chunkRows[T](g, min(g.budget, workerColsBudget), max(K, g.cout)), colsLD[T](g)
	splitBatch(g.n, nt, func(lo, hi int) {
		r0, r1 := lo*g.oh, hi*g.oh
		buf := getConvBuf[T](min(cr, r1-r0) * g.ow * ld)
		defer putConvBuf(buf)
		cols := *buf
		for a := r0; a < r1; a += cr {
			b := min(a+cr, r1)
			im2colRows(g, x, a, b, cols)
			gemmPacked(false, (b-a)*g.ow, cols, ld, pb, 0, y[a*g.ow*g.cout:], g.cout)
			biasRectify(y[a*g.ow*g.cout:b*g.ow*g.cout], bias, act)
		}
	})
}

// convBackInputBatch is convBackInput with the batch split over nt cores:
// each core's col2im adds only into its own images, so no two cores write
// the same pixel. A chunk of output rows may end inside an image: each
// image is cleared before the first chunk that adds into it and gets its
// bias after the last, so every pixel sums what it did chunk by image.
func convBackInputBatch[T Float](geo *convGeom, g, k, bias, dx []T, nt int) {
	K := geo.kdim()
	pb := packB(true, geo.cout, K, k, geo.cout)
	defer releasePacked(pb)
	cr, ld := chunkRows[T](geo, min(geo.budget, workerColsBudget), K), colsLD[T](geo)
	img := geo.h * geo.w * geo.cin
	splitBatch(geo.n, nt, func(lo, hi int) {
		r0, r1 := lo*geo.oh, hi*geo.oh
		buf := getConvBuf[T](min(cr, r1-r0) * geo.ow * ld)
		defer putConvBuf(buf)
		cols := *buf
		cleared, biased := lo, lo // images [lo, cleared) are cleared, [lo, biased) have their bias
		for a := r0; a < r1; a += cr {
			b := min(a+cr, r1)
			gemmPacked(false, (b-a)*geo.ow, g[a*geo.ow*geo.cout:], geo.cout, pb, 0, cols, ld)
			if last := (b - 1) / geo.oh; last >= cleared {
				clear(dx[cleared*img : (last+1)*img])
				cleared = last + 1
			}
			col2imRows(geo, cols, a, b, dx)
			if done := b / geo.oh; done > biased {
				addBias(dx[biased*img:done*img], bias)
				biased = done
			}
		}
	})
}

// filterSlices is the number of parts a large filter gradient sums its
// batch in, each part on its own core (im2col and GEMM of its images stay
// in that core's cache), then part by part in order. It is a constant,
// not the core count, so that the sum — and every weight update after it
// — is the same on any machine and for any GOMAXPROCS.
const filterSlices = 2

// splitsFilter reports whether g's filter gradient is summed in
// filterSlices parts; like the parts themselves it depends on the shape
// alone.
func splitsFilter(g *convGeom) bool {
	return g.n >= 2*filterSlices && g.n*g.outPix()*g.kdim()*g.cout >= minBatchSplitWork
}

// convBackFilterSplit is convBackFilter as filterSlices partial sums over
// contiguous parts of the batch, each part's chunks accumulated in order
// on one goroutine, the parts then added in order into dk.
func convBackFilterSplit[T Float](geo *convGeom, x, g, dk []T) {
	K, P := geo.kdim(), geo.outPix()
	partials := getConvBuf[T]((filterSlices - 1) * len(dk))
	defer putConvBuf(partials)
	cb, ld := chunkWithin[T](geo, min(geo.budget, workerColsBudget)), colsLD[T](geo)
	transposed := transposedCols[T](geo)
	if transposed {
		ld = colsTLD(min(cb, geo.n) * P)
	}
	workers.Run(filterSlices, func(s int) {
		lo, hi := geo.n*s/filterSlices, geo.n*(s+1)/filterSlices
		out := dk
		if s > 0 {
			out = (*partials)[(s-1)*len(dk) : s*len(dk)]
		}
		var beta T // the first chunk overwrites out
		if transposed {
			buf := getConvBuf[float32](K*ld + geo.cin)
			defer putConvBuf(buf)
			colsT, zeros := (*buf)[:K*ld], (*buf)[K*ld:]
			clear(zeros)
			x32, g32, out32 := any(x).([]float32), any(g).([]float32), any(out).([]float32)
			for b0 := lo; b0 < hi; b0 += cb {
				b1 := min(b0+cb, hi)
				im2colT(geo, x32, b0*geo.oh, b1*geo.oh, colsT, ld, zeros)
				gemmSerialT(false, false, K, geo.cout, (b1-b0)*P, colsT, ld, g32[b0*P*geo.cout:], geo.cout, float32(beta), out32, geo.cout)
				beta = 1
			}
			return
		}
		buf := getConvBuf[T](min(cb, hi-lo) * P * ld)
		defer putConvBuf(buf)
		cols := *buf
		for b0 := lo; b0 < hi; b0 += cb {
			b1 := min(b0+cb, hi)
			im2col(geo, x, b0, b1, cols)
			gemmSerialT(true, false, K, geo.cout, (b1-b0)*P, cols, ld, g[b0*P*geo.cout:], geo.cout, beta, out, geo.cout)
			beta = 1
		}
	})
	for s := 1; s < filterSlices; s++ {
		part := (*partials)[(s-1)*len(dk) : s*len(dk)]
		parallelElems(len(dk), func(lo, hi int) { addTo(dk[lo:hi], part[lo:hi]) })
	}
}
