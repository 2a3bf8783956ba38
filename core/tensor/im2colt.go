package tensor

import "unsafe"

// A filter gradient is dk = colsᵀ·g, whose GEMM reads the im2col matrix
// transposed: it must pack colsᵀ into panels first, an eighth of that
// op's time at the DCGAN critic's big convolution. im2colT writes the
// transposed matrix itself, one row per window element and one column per
// output pixel, so the GEMM reads it in place as a plain (non-transposed)
// operand, as a forward convolution reads its im2col matrix. Where each
// pixel's channels fill whole 16-float blocks it moves them with the
// AVX-512 transpose, 16 pixels × 16 channels at a time (the float32 GEMM's
// sums are the same either way: the same products in the same order).

// transposedCols reports whether g's filter gradient can use im2colT:
// float32 images whose channels fill 16-float blocks, on a CPU with the
// vector transpose.
func transposedCols[T Float](g *convGeom) bool {
	var z T
	return unsafe.Sizeof(z) == 4 && g.cin%16 == 0 && useAVX512
}

// colsTLD is the row stride of a transposed im2col matrix of pixels
// columns: whole 16-column blocks, off the multiples of 1 KiB that would
// alias in L1 (see colsLD).
func colsTLD(pixels int) int {
	ld := (pixels + 15) / 16 * 16
	if ld*4%1024 == 0 {
		ld += 16
	}
	return ld
}

// im2colT writes im2col's matrix for the output rows [r0, r1) transposed
// into colsT (row stride ld ≥ colsTLD of the chunk's pixels): colsT[k·ld +
// p] is the window element k of pixel p. Columns past the last pixel, up
// to the 16-column block, are zeros. zeros holds g.cin zeros for the
// padding. The caller checks transposedCols.
//
// It walks 16 pixels at a time and, for those, every window tap: each
// 16×16 block it writes is a whole aligned 64-byte line of a row of colsT
// (ld is a multiple of 16), and the pixels' windows stay in L1 across
// the taps.
func im2colT(g *convGeom, x []float32, r0, r1 int, colsT []float32, ld int, zeros []float32) {
	pixels := (r1 - r0) * g.ow
	line := g.w * g.cin
	zero := unsafe.Pointer(&zeros[0])
	var srcs [16]unsafe.Pointer
	var base, iy0, ix0 [16]int // each pixel's image offset and window corner; iy0 < -kh marks a column past the last pixel
	for p0 := 0; p0 < pixels; p0 += 16 {
		for i := range 16 {
			p := p0 + i
			if p >= pixels {
				iy0[i] = -g.kh - g.h // never inside the image
				continue
			}
			orow := r0 + p/g.ow
			b, oy, ox := orow/g.oh, orow%g.oh, p%g.ow
			base[i] = b * g.h * line
			iy0[i] = oy*g.p.StrideH - g.p.PadTop
			ix0[i] = ox*g.p.StrideW - g.p.PadLeft
		}
		for ky := range g.kh {
			for kx := range g.kw {
				for i := range srcs {
					srcs[i] = zero
					if iy, ix := iy0[i]+ky, ix0[i]+kx; iy >= 0 && iy < g.h && ix >= 0 && ix < g.w {
						off := base[i] + iy*line + ix*g.cin
						srcs[i] = unsafe.Pointer(&x[off : off+g.cin][0])
					}
				}
				if !transpose16(&srcs, g.cin/16, colsT[(ky*g.kw+kx)*g.cin*ld+p0:], ld) {
					panic(errorf("im2col_t", "no vector transpose on this CPU (transposedCols was not checked)"))
				}
			}
		}
	}
}
