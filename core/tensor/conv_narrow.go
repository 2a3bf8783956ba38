package tensor

import (
	"unsafe"

	"github.com/ganlab/ganlab/core/internal/workers"
)

// A convolution with a few output channels and many input channels — the
// 7×7 convolution to one channel that ends the Keras guide's generators,
// CycleGAN's 7×7 to RGB — makes im2col's products matrix-vector products:
// im2col copies each pixel kh·kw times (49× for 7×7) only for a GEMM of one
// column. The narrow path turns the work around so that every product is
// a real GEMM and nothing is copied kh·kw times on the wide side:
//
//   - forward: Z = X·W, X the pixels × cin image and W the cin × (taps·cout)
//     kernel, then each output sums its taps' entries of Z;
//   - input gradient: G = the upstream gradient scattered to every input
//     pixel × tap it came from (pixels × taps·cout, a pure copy), then
//     dX = G·Wᵀ;
//   - filter gradient: dW = Xᵀ·G with the same G.
//
// Only the narrow side (cout channels) is expanded by the window. The
// products cover every input pixel × tap, im2col's every output pixel ×
// tap: the same multiply-adds at stride 1 with "same" padding, more where
// outputs are fewer than inputs (strides, "valid" padding), the extra
// ones multiplying zeros or entries no output reads. Sums run in a
// different order than im2col's, so results differ from that path's in
// rounding only; the path depends on the shape alone, so runs repeat.

// Narrow-path limits: at most narrowMaxOut output channels; at least
// narrowMinRatio input channels per output channel, so that expanding the
// output side by the window is much cheaper than expanding the input; and
// at most narrowMaxPixelRatio input pixels per output pixel. At 4 (stride
// 2, "same") the narrow path still beats im2col's matrix-vector products
// by 1.2–2.5× per op; at 16 (a 4×4 "valid" window over a 4×4 image) it
// loses 2–3×.
const (
	narrowMaxOut        = 4
	narrowMinRatio      = 8
	narrowMaxPixelRatio = 4
)

// narrow reports whether g's convolution takes the narrow path.
func (g *convGeom) narrow() bool {
	return g.cout <= narrowMaxOut && g.cin >= narrowMinRatio*g.cout && !g.pointwise() &&
		g.h*g.w <= narrowMaxPixelRatio*g.outPix()
}

// taps is the number of window positions.
func (g *convGeom) taps() int { return g.kh * g.kw }

// narrowKernel returns k (kh, kw, cin, cout) as the cin × (taps·cout)
// matrix W: W[ci, t·cout+co] = k[t, ci, co].
func narrowKernel[T Float](g *convGeom, k []T) *[]T {
	tc := g.taps() * g.cout
	buf := getConvBuf[T](g.cin * tc)
	w := *buf
	for t := range g.taps() {
		for ci := range g.cin {
			copy(w[ci*tc+t*g.cout:ci*tc+(t+1)*g.cout], k[(t*g.cin+ci)*g.cout:])
		}
	}
	return buf
}

// narrowChunk returns how many images one core's taps·cout-wide matrix
// (Z or G) holds within the budget (at least one).
func narrowChunk[T Float](g *convGeom) int {
	var z T
	per := g.h * g.w * g.taps() * g.cout * int(unsafe.Sizeof(z))
	return max(1, min(g.n, min(g.budget, workerColsBudget)/max(per, 1)))
}

// narrowEach runs fn over the batch in chunks of images, each core on its
// own images when the batch splits (serial true: fn must multiply on its
// own goroutine), else on the caller with the threaded GEMM. buf is the
// chunk's taps·cout-wide matrix.
func narrowEach[T Float](g *convGeom, fn func(b0, b1 int, buf []T, serial bool)) {
	cb := narrowChunk[T](g)
	run := func(lo, hi int, serial bool) {
		p := getConvBuf[T](min(cb, hi-lo) * g.h * g.w * g.taps() * g.cout)
		defer putConvBuf(p)
		for b0 := lo; b0 < hi; b0 += cb {
			fn(b0, min(b0+cb, hi), *p, serial)
		}
	}
	if nt := convBatchWorkers(g); nt > 1 {
		splitBatch(g.n, nt, func(lo, hi int) { run(lo, hi, true) })
		return
	}
	run(0, g.n, false)
}

// narrowGemm is gemmT, or gemmSerialT when the caller already runs one
// product per core.
func narrowGemm[T Float](serial, tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if serial {
		gemmSerialT(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmT(tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// tapRange returns the outputs [lo, hi) along one axis whose tap at offset
// t (from the padded window's start) reads an input inside [0, in).
func tapRange(t, pad, stride, in, out int) (lo, hi int) {
	// input index = o·stride + t − pad must lie in [0, in).
	lo = max(0, ceilDivSigned(pad-t, stride))
	hi = min(out, ceilDivSigned(in+pad-t, stride))
	return lo, max(lo, hi)
}

// ceilDivSigned is ⌈a/b⌉ for b > 0 and any sign of a.
func ceilDivSigned(a, b int) int {
	if a >= 0 {
		return (a + b - 1) / b
	}
	return -(-a / b)
}

// convForwardNarrow is convForward on the narrow path.
func convForwardNarrow[T Float](g *convGeom, x, k, bias, y []T, act *rectifier) {
	tc, img, P := g.taps()*g.cout, g.h*g.w*g.cin, g.outPix()
	wb := narrowKernel(g, k)
	defer putConvBuf(wb)
	narrowEach(g, func(b0, b1 int, z []T, serial bool) {
		narrowGemm(serial, false, false, (b1-b0)*g.h*g.w, tc, g.cin, x[b0*img:], g.cin, *wb, tc, 0, z, tc)
		out := y[b0*P*g.cout : b1*P*g.cout]
		clear(out)
		for i := range b1 - b0 {
			narrowSumTaps(g, z[i*g.h*g.w*tc:], out[i*P*g.cout:])
		}
		biasRectify(out, bias, act)
	})
}

// narrowTapRuns calls fn for every run of outputs along a row that one tap
// reads from inside the image: the run's first entry of z (pixels ×
// taps·cout) at zOff, its first output (oh × ow × cout) at yOff, n
// outputs, z's entries zStep apart (the outputs' cout apart).
func narrowTapRuns(g *convGeom, fn func(zOff, yOff, n, zStep int)) {
	c, tc, p := g.cout, g.taps()*g.cout, g.p
	for th := range g.kh {
		r0, r1 := tapRange(th, p.PadTop, p.StrideH, g.h, g.oh)
		for tw := range g.kw {
			c0, c1 := tapRange(tw, p.PadLeft, p.StrideW, g.w, g.ow)
			if c0 == c1 {
				continue
			}
			off, ix0 := (th*g.kw+tw)*c, c0*p.StrideW+tw-p.PadLeft
			for oy := r0; oy < r1; oy++ {
				iy := oy*p.StrideH + th - p.PadTop
				fn((iy*g.w+ix0)*tc+off, (oy*g.ow+c0)*c, c1-c0, p.StrideW*tc)
			}
		}
	}
}

// narrowSumTaps adds, for one image, every tap's entry of z (pixels ×
// taps·cout) into the outputs y (oh × ow × cout) that read it, taps in
// order.
func narrowSumTaps[T Float](g *convGeom, z, y []T) {
	c := g.cout
	narrowTapRuns(g, func(zOff, yOff, n, zStep int) {
		for j := range n {
			dst := y[yOff+j*c:][:c]
			for co, v := range z[zOff+j*zStep:][:c] {
				dst[co] += v
			}
		}
	})
}

// narrowScatter writes, for one image, the upstream gradient gy (oh × ow
// × cout) to every input pixel × tap that fed it: gc (pixels × taps·cout),
// zero where a pixel's tap fed no output.
func narrowScatter[T Float](g *convGeom, gy, gc []T) {
	c := g.cout
	clear(gc[:g.h*g.w*g.taps()*c])
	narrowTapRuns(g, func(zOff, yOff, n, zStep int) {
		for j := range n {
			copy(gc[zOff+j*zStep:][:c], gy[yOff+j*c:][:c])
		}
	})
}

// convBackInputNarrow is convBackInput on the narrow path.
func convBackInputNarrow[T Float](geo *convGeom, g, k, bias, dx []T) {
	tc, img, P, pix := geo.taps()*geo.cout, geo.h*geo.w*geo.cin, geo.outPix(), geo.h*geo.w
	wb := narrowKernel(geo, k)
	defer putConvBuf(wb)
	narrowEach(geo, func(b0, b1 int, gc []T, serial bool) {
		for i := range b1 - b0 {
			narrowScatter(geo, g[(b0+i)*P*geo.cout:], gc[i*pix*tc:])
		}
		narrowGemm(serial, false, true, (b1-b0)*pix, geo.cin, tc, gc, tc, *wb, tc, 0, dx[b0*img:], geo.cin)
		addBias(dx[b0*img:b1*img], bias)
	})
}

// convBackFilterNarrow is convBackFilter on the narrow path: dW = Xᵀ·G
// summed over the batch (in filterSlices parts where the batch splits, as
// convBackFilterSplit does), then laid out as k.
func convBackFilterNarrow[T Float](geo *convGeom, x, g, dk []T) {
	tc, img, P, pix := geo.taps()*geo.cout, geo.h*geo.w*geo.cin, geo.outPix(), geo.h*geo.w
	parts, serial := 1, false
	if splitsFilter(geo) {
		parts, serial = filterSlices, true
	}
	wsz := geo.cin * tc
	dwb := getConvBuf[T](parts * wsz)
	defer putConvBuf(dwb)
	dw := *dwb
	cb := narrowChunk[T](geo)
	workers.Run(parts, func(s int) {
		lo, hi := geo.n*s/parts, geo.n*(s+1)/parts
		p := getConvBuf[T](min(cb, hi-lo) * pix * tc)
		defer putConvBuf(p)
		gc, out := *p, dw[s*wsz:(s+1)*wsz]
		clear(out) // a part may have no images
		for b0 := lo; b0 < hi; b0 += cb {
			b1 := min(b0+cb, hi)
			for i := range b1 - b0 {
				narrowScatter(geo, g[(b0+i)*P*geo.cout:], gc[i*pix*tc:])
			}
			narrowGemm(serial, true, false, geo.cin, tc, (b1-b0)*pix, x[b0*img:], geo.cin, gc, tc, 1, out, tc)
		}
	})
	for s := 1; s < parts; s++ {
		addTo(dw[:wsz], dw[s*wsz:(s+1)*wsz])
	}
	for t := range geo.taps() {
		for ci := range geo.cin {
			copy(dk[(t*geo.cin+ci)*geo.cout:][:geo.cout], dw[ci*tc+t*geo.cout:])
		}
	}
}
