package tensor

// im2col and col2im move a convolution's windows between the image and
// its im2col matrix (one row per output pixel, colsLD apart). They walk
// one output row at a time and, inside it, one window row (ky) at a time:
// that window row is the same input row for every output pixel of the
// row, so the bounds are checked once per row, and the pixels whose window
// lies wholly inside the image move as plain runs of kw·cin elements.
// Only the few pixels at the left and right edges go element by element.

// interiorCols returns the output columns [lo, hi) whose window lies
// wholly inside the image horizontally.
func interiorCols(g *convGeom) (lo, hi int) {
	s, pad := g.p.StrideW, g.p.PadLeft
	lo = min((pad+s-1)/s, g.ow)
	if last := g.w - g.kw + pad; last >= 0 {
		hi = min(g.ow, last/s+1)
	}
	return lo, max(lo, hi)
}

// im2col writes, for images [b0, b1), one row per output pixel holding the
// (kh, kw, cin) window it sees, zeros where the window hangs over the
// padding, with row stride colsLD.
func im2col[T Float](g *convGeom, x []T, b0, b1 int, cols []T) {
	im2colRows(g, x, b0*g.oh, b1*g.oh, cols)
}

// im2colRows is im2col for the output rows [r0, r1) of the batch, counted
// across images (row r is row r%oh of image r/oh), so that a chunk may
// begin and end inside an image.
func im2colRows[T Float](g *convGeom, x []T, r0, r1 int, cols []T) {
	K, ld, run, line := g.kdim(), colsLD[T](g), g.kw*g.cin, g.w*g.cin
	lo, hi := interiorCols(g)
	step := g.p.StrideW * g.cin
	r := 0
	for orow := r0; orow < r1; orow++ {
		b, oy := orow/g.oh, orow%g.oh
		img := x[b*g.h*line : (b+1)*g.h*line]
		rows := cols[r*ld : (r+g.ow-1)*ld+K]
		r += g.ow
		for ky := range g.kh {
			iy := oy*g.p.StrideH - g.p.PadTop + ky
			if iy < 0 || iy >= g.h {
				for ox := range g.ow {
					clear(rows[ox*ld+ky*run : ox*ld+(ky+1)*run])
				}
				continue
			}
			src := img[iy*line : (iy+1)*line]
			for ox := range lo {
				im2colEdge(g, rows[ox*ld+ky*run:ox*ld+(ky+1)*run], src, ox)
			}
			if hi > lo {
				copyRuns(rows[lo*ld+ky*run:], ld, src[(lo*g.p.StrideW-g.p.PadLeft)*g.cin:], step, run, hi-lo)
			}
			for ox := hi; ox < g.ow; ox++ {
				im2colEdge(g, rows[ox*ld+ky*run:ox*ld+(ky+1)*run], src, ox)
			}
		}
	}
}

// im2colEdge fills the window row seg of output column ox from the input
// row src, pixel by pixel, zeros outside the image.
func im2colEdge[T Float](g *convGeom, seg, src []T, ox int) {
	ix0 := ox*g.p.StrideW - g.p.PadLeft
	if g.cin == 1 { // one value a pixel: no copy call
		for kx := range seg[:g.kw] {
			seg[kx] = 0
			if ix := ix0 + kx; ix >= 0 && ix < g.w {
				seg[kx] = src[ix]
			}
		}
		return
	}
	for kx := range g.kw {
		d := seg[kx*g.cin : (kx+1)*g.cin]
		if ix := ix0 + kx; ix >= 0 && ix < g.w {
			copy(d, src[ix*g.cin:])
		} else {
			clear(d)
		}
	}
}

// copyRuns copies n runs of run elements, src runs step apart into dst
// runs ld apart. The short runs of images with few channels are copied
// without a memmove call, which would cost more than the copy.
func copyRuns[T Float](dst []T, ld int, src []T, step, run, n int) {
	switch {
	case run == 4:
		for i := range n {
			*(*[4]T)(dst[i*ld:]) = *(*[4]T)(src[i*step:])
		}
	case run <= 16:
		for i := range n {
			d, s := dst[i*ld:i*ld+run], src[i*step:i*step+run]
			for j, v := range s {
				d[j] = v
			}
		}
	default:
		for i := range n {
			copy(dst[i*ld:i*ld+run], src[i*step:])
		}
	}
}

// col2im is im2col's adjoint: it adds each column entry (rows colsLD
// apart) into the input pixel it came from; entries over the padding are
// dropped. Each pixel receives its entries in the order of the output
// pixels (oy, then ox) that read it.
func col2im[T Float](g *convGeom, cols []T, b0, b1 int, x []T) {
	col2imRows(g, cols, b0*g.oh, b1*g.oh, x)
}

// col2imRows is col2im for the output rows [r0, r1) of the batch (see
// im2colRows); chunks of rows taken in order add into each pixel in the
// order col2im does.
func col2imRows[T Float](g *convGeom, cols []T, r0, r1 int, x []T) {
	K, ld, run, line := g.kdim(), colsLD[T](g), g.kw*g.cin, g.w*g.cin
	lo, hi := interiorCols(g)
	step := g.p.StrideW * g.cin
	r := 0
	for orow := r0; orow < r1; orow++ {
		b, oy := orow/g.oh, orow%g.oh
		img := x[b*g.h*line : (b+1)*g.h*line]
		rows := cols[r*ld : (r+g.ow-1)*ld+K]
		r += g.ow
		for ky := range g.kh {
			iy := oy*g.p.StrideH - g.p.PadTop + ky
			if iy < 0 || iy >= g.h {
				continue
			}
			dst := img[iy*line : (iy+1)*line]
			for ox := range lo {
				col2imEdge(g, rows[ox*ld+ky*run:ox*ld+(ky+1)*run], dst, ox)
			}
			if hi > lo {
				addRuns(dst[(lo*g.p.StrideW-g.p.PadLeft)*g.cin:], step, rows[lo*ld+ky*run:], ld, run, hi-lo)
			}
			for ox := hi; ox < g.ow; ox++ {
				col2imEdge(g, rows[ox*ld+ky*run:ox*ld+(ky+1)*run], dst, ox)
			}
		}
	}
}

// col2imEdge adds the window row seg of output column ox into the input
// row dst, pixel by pixel, dropping what falls outside the image.
func col2imEdge[T Float](g *convGeom, seg, dst []T, ox int) {
	ix0 := ox*g.p.StrideW - g.p.PadLeft
	if g.cin == 1 { // one value a pixel: no call per value
		for kx, v := range seg[:g.kw] {
			if ix := ix0 + kx; ix >= 0 && ix < g.w {
				dst[ix] += v
			}
		}
		return
	}
	for kx := range g.kw {
		if ix := ix0 + kx; ix >= 0 && ix < g.w {
			addTo(dst[ix*g.cin:(ix+1)*g.cin], seg[kx*g.cin:(kx+1)*g.cin])
		}
	}
}

// addRuns adds n runs of run elements, src runs ld apart, into dst runs
// step apart, in order (runs may overlap when the stride is below the
// kernel width).
func addRuns[T Float](dst []T, step int, src []T, ld, run, n int) {
	switch {
	case run == 4:
		for i := range n {
			d, s := (*[4]T)(dst[i*step:]), (*[4]T)(src[i*ld:])
			d[0] += s[0]
			d[1] += s[1]
			d[2] += s[2]
			d[3] += s[3]
		}
	case run <= 16:
		for i := range n {
			d, s := dst[i*step:i*step+run], src[i*ld:i*ld+run]
			for j, v := range s {
				d[j] += v
			}
		}
	default:
		for i := range n {
			addTo(dst[i*step:i*step+run], src[i*ld:i*ld+run])
		}
	}
}
