package tensor

// Blocked per-channel statistics for batch normalisation. The data, rows ×
// c, is cut into work units: a tile of at most bnTileW channels times a
// row block of whole chunks. A chunk (chunkRows rows of one tile) is small
// enough to stay in L1 or L2, so the two passes of the variance (mean,
// then squared deviations) read memory once; chunks are then merged with
// Chan et al.'s formula, chunk after chunk within a block and block after
// block at the end. Every boundary comes from the shape alone and every
// merge runs in a fixed order, so the results are the same bits however
// many goroutines run the units; which tile a channel falls in does not
// change its arithmetic at all.

const (
	// bnTileW is the widest channel tile of a unit: whole cache lines and
	// long vector runs, yet a chunk of it still spans many rows.
	bnTileW = 128
	// bnChunk is the element count of a chunk: 32 KB of float32, so the
	// second pass over it reads L1 (at worst L2).
	bnChunk = 8192
	// bnUnits is the number of work units the layout aims for: enough to
	// spread over any likely core count, fixed so that it depends on none.
	bnUnits = 16
)

// bnLayout is the cut of rows × c data into work units; see above.
type bnLayout struct {
	rows, c   int
	tileW     int // channels per tile (the last may be narrower)
	nTiles    int
	chunkRows int // rows per chunk (the last of the data may be shorter)
	nChunks   int
	nb        int // row blocks, each of whole chunks
}

// newBNLayout returns the layout of rows × c data (both positive). Row
// blocks are only cut as far as the tiles alone leave the unit count
// short of bnUnits, and each holds at least sumBlock elements on average,
// so there are at most bnUnits blocks and, once there are several,
// nb·c < 2·bnUnits·bnTileW: the per-block partials take under 64 KB.
func newBNLayout(rows, c int) bnLayout {
	l := bnLayout{rows: rows, c: c, tileW: min(c, bnTileW)}
	l.nTiles = ceilDiv(c, l.tileW)
	l.chunkRows = max(1, bnChunk/l.tileW)
	l.nChunks = ceilDiv(rows, l.chunkRows)
	l.nb = max(1, min(l.nChunks, rows*c/sumBlock, ceilDiv(bnUnits, l.nTiles)))
	return l
}

// blockRows returns the row range [lo, hi) of block b.
func (l bnLayout) blockRows(b int) (lo, hi int) {
	lo = b * l.nChunks / l.nb * l.chunkRows
	hi = min(l.rows, (b+1)*l.nChunks/l.nb*l.chunkRows)
	return lo, hi
}

// each calls fn for every unit, spread over goroutines: rows [lo, hi) of
// row block b, channels [j0, j1).
func (l bnLayout) each(fn func(b, lo, hi, j0, j1 int)) {
	units := l.nb * l.nTiles
	parallelFor(units, grainFor(l.rows*l.c/units), func(u0, u1 int) {
		for u := u0; u < u1; u++ {
			b, t := u/l.nTiles, u%l.nTiles
			lo, hi := l.blockRows(b)
			fn(b, lo, hi, t*l.tileW, min(l.c, (t+1)*l.tileW))
		}
	})
}

// blockAccs holds two per-channel accumulators for every row block.
type blockAccs struct {
	c          int
	buf        []float64 // block b's at [2bc, 2bc+c) and [2bc+c, 2bc+2c)
	out0, out1 []float64 // the only block's, with a single block
}

// accs returns zeroed accumulators for l's blocks; with a single block
// they are out0 and out1 (zeroed, c values each) themselves. A block's
// two sit side by side: had each kind its own array, the two of a block
// would be a multiple of 4 KB apart for some shapes, and the row kernel's
// loads would stall on its stores to the other (4K aliasing).
func (l bnLayout) accs(out0, out1 []float64) blockAccs {
	a := blockAccs{c: l.c, out0: out0, out1: out1}
	if l.nb > 1 {
		a.buf = make([]float64, 2*l.nb*l.c)
	}
	return a
}

// of returns block b's two accumulators.
func (a blockAccs) of(b int) (acc0, acc1 []float64) {
	if a.buf == nil {
		return a.out0, a.out1
	}
	o := 2 * b * a.c
	return a.buf[o : o+a.c], a.buf[o+a.c : o+2*a.c]
}

// statsKernel sets mean and variance (biased) of the rows × c data x.
// Means here are sums times 1/n: a division per channel costs about as
// much as both passes over a 64-row column, and the reciprocal's extra
// rounding (an ulp) is far below what the statistics need.
func statsKernel[T Float](x []T, rows, c int, mean, variance []float64) {
	l := newBNLayout(rows, c)
	acc := l.accs(mean, variance) // per block: the sum and the squared deviations from its mean
	l.each(func(b, lo, hi, j0, j1 int) {
		sum, m2 := acc.of(b)
		blockStats(x[lo*c+j0:], hi-lo, c, l.chunkRows, sum[j0:j1], m2[j0:j1])
	})
	sum, m2 := acc.of(0)
	lo, hi := l.blockRows(0)
	n := float64(hi - lo)
	for b := 1; b < l.nb; b++ {
		lo, hi := l.blockRows(b)
		s, q := acc.of(b)
		chanMerge(sum, m2, s, q, n, float64(hi-lo))
		n += float64(hi - lo)
	}
	in := 1 / n
	for j := range c {
		mean[j] = sum[j] * in
		variance[j] = m2[j] * in
	}
}

// blockStats sets sum and m2 to the per-channel sum and sum of squared
// deviations from the mean over rows rows of x (row stride c, len(sum)
// channels), two passes per chunk of chunkRows rows, merging the chunks
// in order.
func blockStats[T Float](x []T, rows, c, chunkRows int, sum, m2 []float64) {
	var buf [3 * bnTileW]float64 // chunk sum, mean, squared deviations
	w := len(sum)
	s, m, q := buf[:w], buf[bnTileW:bnTileW+w], buf[2*bnTileW:2*bnTileW+w]
	for r0 := 0; r0 < rows; r0 += chunkRows {
		nr := min(chunkRows, rows-r0)
		xs := x[r0*c:]
		clear(s)
		colSum(s, xs, nr, c)
		inr := 1 / float64(nr)
		for j, v := range s {
			m[j] = v * inr
		}
		clear(q)
		colSqDev(q, m, xs, nr, c)
		if r0 == 0 {
			copy(sum, s)
			copy(m2, q)
		} else {
			chanMerge(sum, m2, s, q, float64(r0), float64(nr))
		}
	}
}

// chanMerge folds the statistics (sum s, squared deviations q) of nb
// values into those of na values, (sum, m2), per channel: Chan, Golub and
// LeVeque's M2 = M2a + M2b + δ²·na·nb/n with δ the difference of the
// means. It keeps the two-pass accuracy of both parts, unlike adding raw
// sums of squares. The conversion keeps δ²·f rounded on its own (see
// colSqDevLoop), so every build gives the same bits.
func chanMerge(sum, m2, s, q []float64, na, nb float64) {
	f := na * nb / (na + nb)
	ina, inb := 1/na, 1/nb
	s, q = s[:len(sum)], q[:len(sum)]
	m2 = m2[:len(sum)]
	for j := range sum {
		d := float64(s[j]*inb) - float64(sum[j]*ina)
		t := float64(float64(d*d) * f)
		m2[j] = m2[j] + q[j] + t
		sum[j] += s[j]
	}
}

// bnSumsKernel sets sg and sgx (zeroed) to Σg and Σg·(x−mean) per
// channel over the rows × c data g and x, cut as for the statistics: rows
// in order within a block, then the blocks in order.
func bnSumsKernel[T Float](g, x []T, rows, c int, mean, sg, sgx []float64) {
	l := newBNLayout(rows, c)
	acc := l.accs(sg, sgx)
	l.each(func(b, lo, hi, j0, j1 int) {
		bsg, bsgx := acc.of(b)
		bsg, bsgx, mu := bsg[j0:j1], bsgx[j0:j1], mean[j0:j1]
		if j1-j0 == c { // the block's rows are one run
			bnSumRun(bsg, bsgx, mu, g[lo*c:hi*c], x[lo*c:hi*c])
			return
		}
		for r := lo; r < hi; r++ {
			bnSumRun(bsg, bsgx, mu, g[r*c+j0:r*c+j1], x[r*c+j0:r*c+j1])
		}
	})
	if l.nb == 1 {
		return
	}
	for b := range l.nb {
		bsg, bsgx := acc.of(b)
		for j := range c {
			sg[j] += bsg[j]
			sgx[j] += bsgx[j]
		}
	}
}

// colSum adds x[r·stride+j] over rows r < rows into acc[j], for every
// channel j < len(acc), on the vector kernel where there is one.
func colSum[T Float](acc []float64, x []T, rows, stride int) {
	if rows == 0 || len(acc) == 0 {
		return
	}
	if !isF32[T]() || !colSumSIMD(acc, f32s(x), rows, stride) {
		colSumLoop(acc, x, rows, stride)
	}
}

// colSqDev is colSum for the squared deviations from mean.
func colSqDev[T Float](acc, mean []float64, x []T, rows, stride int) {
	if rows == 0 || len(acc) == 0 {
		return
	}
	if !isF32[T]() || !colSqDevSIMD(acc, mean, f32s(x), rows, stride) {
		colSqDevLoop(acc, mean, x, rows, stride)
	}
}

// colSumLoop is colSum's Go loop, the reference of the vector kernel:
// each channel's rows are added in order.
func colSumLoop[T Float](acc []float64, x []T, rows, stride int) {
	w := len(acc)
	for r := range rows {
		for j, v := range x[r*stride : r*stride+w] {
			acc[j] += float64(v)
		}
	}
}

// colSqDevLoop is colSqDev's Go loop. The conversion keeps d·d rounded
// on its own: Go may otherwise fuse it into the addition (it does on
// arm64), and the vector kernel never fuses, so every build gives the
// same sums.
func colSqDevLoop[T Float](acc, mean []float64, x []T, rows, stride int) {
	w := len(acc)
	mean = mean[:w]
	for r := range rows {
		for j, v := range x[r*stride : r*stride+w] {
			d := float64(v) - mean[j]
			acc[j] += float64(d * d)
		}
	}
}

// bnSumRun adds Σg and Σg·(x−mean) over the rows of a run of g and x into
// sg and sgx. These sums read g and x once, so unlike the statistics they
// gain nothing from column strips; the row kernel, which streams the
// run in memory order, is a little faster.
func bnSumRun[T Float](sg, sgx, mean []float64, g, x []T) {
	if !vecBNSums(sg, sgx, mean, g, x) {
		bnSumRows(sg, sgx, mean, g, x)
	}
}
